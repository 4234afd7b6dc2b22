// The scoring page's running totals and warnings, computed in the browser as a
// council member ticks options. The server computes what is kept; this only shows.
(function () {
  "use strict";

  const form = document.getElementById("scoring-form");
  if (!form) return;
  const bands = JSON.parse(form.dataset.bands || "[]");
  const text = JSON.parse(form.dataset.messages || "{}");
  const rows = Array.from(form.querySelectorAll("tr.criterion"));

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  }

  function chosen(row) {
    const input = row.querySelector("input.option:checked");
    return input ? Number(input.dataset.points) : null;
  }

  // In a "choose one" group only one case is scored: ticking in one case clears
  // the others.
  function clearOtherCases(row) {
    if (!row.dataset.group) return;
    rows.forEach((other) => {
      if (other.dataset.group === row.dataset.group &&
          other.dataset.case !== row.dataset.case) {
        other.querySelectorAll("input.option:checked").forEach((i) => {
          i.checked = false;
        });
      }
    });
  }

  function scoredCases() {
    const cases = {};
    rows.forEach((row) => {
      if (row.dataset.group && chosen(row) !== null) {
        cases[row.dataset.group] = row.dataset.case;
      }
    });
    return cases;
  }

  function bandStars(total) {
    for (const band of bands) {
      if (total >= band.min) return band.stars;
    }
    return 1;
  }

  // Set once a submission was stopped for unticked criteria: they stay marked
  // until ticked.
  let showMissing = false;

  function setText(id, value) {
    const element = document.getElementById(id);
    if (element) element.textContent = value;
  }

  // Returns the rows of the criteria still to tick.
  function update() {
    const totals = { A: 0, B: 0, C: 0 };
    const cases = scoredCases();
    const unmet = { 3: [], 4: [], 5: [] };
    const missingRows = [];

    rows.forEach((row) => {
      const points = chosen(row);
      // A case of a "choose one" group counts only if it is the case scored; while
      // none is, the first case is the one still to fill.
      const group = row.dataset.group;
      const scoredCase = group ? cases[group] : undefined;
      const isOtherCase = group && scoredCase !== undefined &&
        scoredCase !== row.dataset.case;
      const isUnscoredCase = group && scoredCase === undefined;
      let isMissing = false;
      if (points !== null) totals[row.dataset.part] += points;
      else if (!isOtherCase &&
               !(isUnscoredCase && firstCase(group) !== row.dataset.case)) {
        isMissing = true;
        missingRows.push(row);
      }
      row.classList.toggle("table-success", points !== null);
      row.classList.toggle("criterion-missing", showMissing && isMissing);
      if (isOtherCase || isUnscoredCase) return;

      // A minimum marked for N stars applies to N stars and above.
      const minimums = JSON.parse(row.dataset.minimums || "[]");
      [3, 4, 5].forEach((level) => {
        const needed = minimums.filter((m) => m[0] <= level).map((m) => m[1]);
        if (needed.length && (points === null || points < Math.max(...needed))) {
          unmet[level].push(row.dataset.code);
        }
      });
    });

    const total = totals.A + totals.B + totals.C;
    Object.keys(totals).forEach((part) => {
      const cell = document.getElementById("total-" + part);
      if (cell) cell.textContent = totals[part];
    });
    setText("total-all", total);
    setText("bar-total", total);

    const band = bandStars(total);
    let met = 2;
    for (const level of [3, 4, 5]) {
      if (unmet[level].length) break;
      met = level;
    }
    const warnings = [];
    const knockedOut = Array.from(form.querySelectorAll("input.knock-out:checked"));
    knockedOut.forEach((box) => {
      warnings.push(format(text.knockOut, { code: box.dataset.code }));
    });
    if (met < band) {
      const level = met + 1;
      warnings.push(format(text.minimum, {
        level: level,
        codes: unmet[level].join(", "),
        stars: met,
      }));
    }
    const stars = Math.min(band, met);
    let outcome = " ★";
    if (knockedOut.length) outcome = " → " + text.excluded;
    else if (stars !== band) outcome = " → " + stars + "★";
    setText("scoring-stars", format(text.band, { stars: band }) + outcome);
    setText("bar-stars", knockedOut.length ? text.excluded : stars + "★");
    const progress = missingRows.length
      ? format(text.missing, { count: missingRows.length })
      : text.complete;
    setText("scoring-progress", progress);
    setText("bar-progress", progress);
    const list = document.getElementById("scoring-warnings");
    list.replaceChildren(...warnings.map((w) => {
      const item = document.createElement("li");
      item.textContent = "⚠ " + w;
      return item;
    }));
    if (!missingRows.length) showRefusal("");
    return missingRows;
  }

  function showRefusal(message) {
    form.querySelectorAll(".submit-refusal").forEach((element) => {
      element.textContent = message;
      element.hidden = !message;
    });
  }

  // A sheet with criteria left is not sent (the server would refuse it): say how
  // many, and take the member to the first one. A complete one is sent once
  // confirmed, since a submitted sheet is locked.
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[name=action][value=submit]");
    if (!button) return;
    const missingRows = update();
    if (missingRows.length) {
      event.preventDefault();
      showMissing = true;
      update();
      showRefusal(format(text.cannotSubmit, { count: missingRows.length }));
      missingRows[0].scrollIntoView({ block: "center" });
      const first = missingRows[0].querySelector("input.option");
      if (first) first.focus({ preventScroll: true });
      return;
    }
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  function firstCase(group) {
    const row = rows.find((r) => r.dataset.group === group);
    return row ? row.dataset.case : undefined;
  }

  // A draft saved with htmx («Lưu nháp»): the server's status is shown whatever
  // its HTTP status (it says why a save was refused); any other answer, or none,
  // is told in a sentence of our own, never as a raw status or nothing at all.
  function saveProblem(xhr) {
    const status = xhr ? xhr.status : 0;
    if (!status) return text.saveOffline;
    if (status === 401) return text.saveSignedOut;
    if (status === 403) return text.saveForbidden;
    if (status === 404) return text.saveNotFound;
    if (status >= 500) return format(text.saveServerError, { status: status });
    if (status >= 400) return format(text.saveRefused, { status: status });
    return text.saveUnexpected;
  }

  function isSaveStatus(element) {
    return element && form.contains(element) && /save-status$/.test(element.id);
  }

  function icon(name) {
    const element = document.createElement("i");
    element.className = "bi " + name;
    return element;
  }

  function showSaveProblem(target, message) {
    const box = document.createElement("div");
    box.className = "text-danger save-problem";
    box.setAttribute("data-save-status", "problem");
    box.append(icon("bi-exclamation-triangle"), " ", message);
    const reload = document.createElement("a");
    reload.className = "btn btn-sm btn-outline-secondary mt-1 save-reload";
    reload.href = window.location.pathname;
    reload.append(icon("bi-arrow-clockwise"), " ", text.reload);
    target.replaceChildren(box, reload);
  }

  function wentElsewhere(xhr) {
    // Redirected (the session ended and the login page answered): not our page.
    if (!xhr.responseURL) return false;
    return new URL(xhr.responseURL).pathname !== window.location.pathname;
  }

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    if (!isSaveStatus(detail.target)) return;
    const xhr = detail.xhr;
    const fromServer = (detail.serverResponse || "").includes("data-save-status");
    if (fromServer && !wentElsewhere(xhr)) {
      detail.shouldSwap = true;
      detail.isError = false;
      return;
    }
    detail.shouldSwap = false;
    detail.isError = false;
    const status = wentElsewhere(xhr) ? 401 : xhr.status;
    showSaveProblem(detail.target, saveProblem({ status: status }));
  });

  document.body.addEventListener("htmx:sendError", (event) => {
    if (isSaveStatus(event.detail.target)) {
      showSaveProblem(event.detail.target, saveProblem(null));
    }
  });

  form.addEventListener("change", (event) => {
    if (event.target.classList.contains("option")) {
      clearOtherCases(event.target.closest("tr.criterion"));
    }
    update();
  });
  update();
})();
