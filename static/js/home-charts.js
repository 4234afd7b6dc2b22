// Charts of the home page, drawn from the figures the page already shows.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var green = "#198754";
  var amber = "#f0ad4e";
  var palette = ["#198754", "#20c997", "#0dcaf0", "#f0ad4e", "#6f42c1", "#adb5bd"];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function bars(id, chart) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: [
          { label: data.labels.products, data: chart.products, backgroundColor: green },
          { label: data.labels.producers, data: chart.producers, backgroundColor: amber },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  function doughnut(id, chart) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new Chart(canvas, {
      type: "doughnut",
      data: {
        labels: chart.labels,
        datasets: [
          { label: data.labels.products, data: chart.products, backgroundColor: palette },
        ],
      },
      options: { plugins: { legend: { position: "right" } } },
    });
  }

  bars("chart-district", data.district);
  doughnut("chart-producer-kind", data.producer_kind);
  doughnut("chart-registration-kind", data.registration_kind);
})();
