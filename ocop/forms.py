from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

JOB_DECISION_CERTIFICATES = "decision_certificates"
JOB_DECISION = "decision"
JOB_ROUND_SUMMARY = "round_summary"
JOB_REPORT = "report"


class DocumentJobForm(forms.Form):
    """What a person asks to be made; the choices come from what they may see."""

    job = forms.ChoiceField(
        label=pgettext_lazy("document job", "Việc"),
        choices=[
            (JOB_DECISION_CERTIFICATES, _("Giấy chứng nhận của một quyết định")),
            (JOB_DECISION, _("Quyết định và phụ lục")),
            (JOB_ROUND_SUMMARY, _("Tổng hợp điểm của đợt đánh giá")),
            (JOB_REPORT, _("Báo cáo")),
        ],
    )
    decision_number = forms.CharField(label=_("Số quyết định"), required=False)
    round_id = forms.IntegerField(label=_("Đợt đánh giá"), required=False)
    report = forms.CharField(label=_("Báo cáo"), required=False)
    year = forms.IntegerField(label=_("Năm"), required=False)

    def __init__(self, *args, decisions, rounds, years, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions = set(decisions)
        self.rounds = set(rounds)
        self.years = set(years)
        self.reports = set(reports)

    def clean(self):
        data = super().clean()
        job = data.get("job")
        if job in (JOB_DECISION_CERTIFICATES, JOB_DECISION):
            if data.get("decision_number") not in self.decisions:
                self.add_error(
                    "decision_number",
                    _("Không có quyết định này, hoặc bạn không xem được."),
                )
        elif job == JOB_ROUND_SUMMARY:
            if data.get("round_id") not in self.rounds:
                self.add_error(
                    "round_id", _("Không có đợt đánh giá này, hoặc bạn không xem được.")
                )
        elif job == JOB_REPORT:
            if data.get("report") not in self.reports:
                self.add_error("report", _("Chọn một báo cáo trong danh sách."))
            elif (
                data["report"] == "registrations" and data.get("year") not in self.years
            ):
                self.add_error("year", _("Không có danh sách đăng ký của năm này."))
        return data
