from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from evaluation.services._helpers import _future_date_error
from registry.enums import FIRST_PROGRAMME_YEAR

JOB_DECISION_CERTIFICATES = "decision_certificates"
JOB_DECISION = "decision"
JOB_ROUND_SUMMARY = "round_summary"
JOB_REPORT = "report"
JOB_CERTIFICATE = "certificate"
REPORT_DAYS_MAX = 3 * 366
# What fits the signature block of a decision, wrapped: a title of a few lines, a
# name of a line or two.
SIGNER_TITLE_MAX = 200
SIGNER_NAME_MAX = 100


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
    # The decision's signer, printed under its title ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH").
    signer_title = forms.CharField(
        label=_("Chức vụ người ký"),
        max_length=SIGNER_TITLE_MAX,
        required=False,
        error_messages={
            "max_length": _(
                "Chức vụ người ký dài tối đa %(limit_value)d ký tự (đang có "
                "%(show_value)d): hãy viết gọn, mỗi dòng cách nhau bằng dấu /."
            )
        },
    )
    signer_name = forms.CharField(
        label=_("Họ tên người ký"),
        max_length=SIGNER_NAME_MAX,
        required=False,
        error_messages={
            "max_length": _(
                "Họ tên người ký dài tối đa %(limit_value)d ký tự (đang có "
                "%(show_value)d)."
            )
        },
    )
    # The reports count on this day (today if empty); expiring within ``days``.
    day = forms.DateField(
        label=_("Tính đến ngày"),
        required=False,
        error_messages={"invalid": _("Ngày tính báo cáo không phải một ngày.")},
    )
    days = forms.IntegerField(
        label=_("Sắp hết hạn trong (ngày)"),
        required=False,
        min_value=1,
        max_value=REPORT_DAYS_MAX,
        error_messages={
            "invalid": _("Số ngày phải là một số nguyên."),
            "min_value": _("Số ngày phải từ 1 trở lên."),
            "max_value": _("Số ngày tối đa %(limit_value)s (khoảng 3 năm)."),
        },
    )

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
            day = data.get("day")
            if day is not None and day.year < FIRST_PROGRAMME_YEAR:
                self.add_error(
                    "day",
                    _(
                        "Ngày không được trước 01/01/%(year)s: Chương trình OCOP "
                        "bắt đầu năm %(year)s."
                    )
                    % {"year": FIRST_PROGRAMME_YEAR},
                )
            elif message := _future_date_error(day):
                # A report counts what has happened: not a day still to come
                # (31/12/9999 is a typing slip), as the evaluation's dates.
                self.add_error("day", message)
        return data


class DocumentFilterForm(forms.Form):
    """The documents page's filters: kind, decision, round and year."""

    kind = forms.ChoiceField(label=_("Loại"), required=False)
    decision = forms.ChoiceField(label=_("Quyết định"), required=False)
    round = forms.TypedChoiceField(
        label=_("Đợt đánh giá"), required=False, coerce=int, empty_value=None
    )
    year = forms.TypedChoiceField(
        label=pgettext_lazy("document year", "Năm"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args, kinds, decisions, rounds, years, **kwargs):
        # Ids of their own: the forms that make documents sit on the same page.
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        everything = [("", pgettext_lazy("filter", "Tất cả"))]
        self.fields["kind"].choices = everything + list(kinds)
        self.fields["decision"].choices = everything + [(d, d) for d in decisions]
        self.fields["round"].choices = everything + [
            (round_.pk, f"{round_.name} ({round_.year})") for round_ in rounds
        ]
        self.fields["year"].choices = everything + [(y, y) for y in years]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filter(self, documents):
        """``documents`` narrowed to what was asked; all of them if nothing valid."""
        if not self.is_valid():
            return documents
        data = self.cleaned_data
        if data["kind"]:
            documents = documents.filter(kind=data["kind"])
        if data["decision"]:
            documents = documents.filter(decision_number=data["decision"])
        if data["round"] is not None:
            documents = documents.filter(round_id=data["round"])
        if data["year"] is not None:
            documents = documents.filter(year=data["year"])
        return documents
