"""Forms of the evaluation pages; the moves themselves are the services'."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from registry.enums import FIRST_PROGRAMME_YEAR, last_programme_year
from registry.models import ProductSet, Province

from . import uploads
from .enums import SAMPLES_MAX, CouncilRole
from .models import (
    CommuneAssessment,
    Council,
    CouncilMembership,
    Criterion,
    Dossier,
    Rulebook,
)
from .sheet_forms import REASON_LENGTH_MESSAGE
from .sheets import REASON_MAX_LENGTH

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class BootstrapMixin:
    """Bootstrap's classes on every widget; the date fields named in
    ``past_dates`` offer no day after today, nor, given ``first_day``, one before
    it (the services refuse both)."""

    past_dates = ()

    def __init__(self, *args, first_day=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css + " form-control-sm")
        today = timezone.localdate().isoformat()
        for name in self.past_dates:
            # Each form holds its own copy of its fields and widgets.
            self.fields[name].widget.attrs["max"] = today
            if first_day is not None:
                self.fields[name].widget.attrs["min"] = first_day.isoformat()

    def add_error(self, field, error):
        """Mark the fields found wrong, by the form or by a service, as invalid."""
        super().add_error(field, error)
        for name in self._errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ConflictForm(BootstrapMixin, forms.Form):
    """A member's declaration of a conflict of interest on a product of a round:
    its reason, as short as a correction's (``declare_conflict`` checks it too)."""

    reason = forms.CharField(
        label=_("Lý do xung đột lợi ích"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_LENGTH,
        error_messages={
            "required": _("Cần ghi lý do xung đột lợi ích."),
            "max_length": REASON_LENGTH_MESSAGE,
        },
    )


class ReturnForm(ReasonForm):
    reason = forms.CharField(
        label=_("Lý do"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Cần ghi lý do trả lại hồ sơ.")},
    )


class CommuneAssessmentForm(BootstrapMixin, forms.ModelForm):
    """The commune's report; the day the commune received the dossier is the first
    one offered (the service refuses an earlier one)."""

    past_dates = ("assessed_on",)

    class Meta:
        model = CommuneAssessment
        fields = [
            "local_origin",
            "local_labour",
            "idea_origin",
            "local_identity",
            "assessed_on",
            "proposal_reference",
        ]
        widgets = {
            "local_origin": forms.Textarea(attrs={"rows": 2}),
            "local_labour": forms.Textarea(attrs={"rows": 2}),
            "idea_origin": forms.Textarea(attrs={"rows": 2}),
            "local_identity": forms.Textarea(attrs={"rows": 2}),
            "assessed_on": DATE_INPUT,
            "proposal_reference": forms.TextInput(
                attrs={
                    "placeholder": _("Ví dụ: Tờ trình số 12/TTr-UBND ngày 14/4/2023")
                }
            ),
        }

    def __init__(self, *args, received_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        if received_on is not None:
            self.fields["assessed_on"].widget.attrs["min"] = received_on.isoformat()


class ProductSetForm(BootstrapMixin, forms.Form):
    product_set = forms.ModelChoiceField(
        label=_("Bộ sản phẩm"),
        queryset=ProductSet.objects.order_by("number"),
        error_messages={"required": _("Cần chọn bộ sản phẩm.")},
    )


def _label(model, field):
    return capfirst(model._meta.get_field(field).verbose_name)


class SamplesForm(BootstrapMixin, forms.Form):
    """The samples received; their range and date (from 1 January of the
    dossier's programme year, ``first_day``) are the service's rules."""

    past_dates = ("samples_received_on",)

    samples_received = forms.IntegerField(
        label=_label(Dossier, "samples_received"),
        widget=forms.NumberInput(attrs={"min": 1, "max": SAMPLES_MAX}),
        error_messages={"required": _("Cần số mẫu đã nhận.")},
    )
    samples_received_on = forms.DateField(
        label=_label(Dossier, "samples_received_on"),
        widget=DATE_INPUT,
        required=False,
    )


class EvidenceForm(BootstrapMixin, forms.Form):
    criterion = forms.ModelChoiceField(
        label=_("Tiêu chí"), queryset=Criterion.objects.none(), required=False
    )
    file = forms.FileField(label=_("Tệp minh chứng"))
    description = forms.CharField(label=_("Mô tả"), max_length=300, required=False)

    def __init__(self, *args, sheet=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sheet is not None:
            self.fields["criterion"].queryset = sheet.criteria.order_by("order")
        self.fields["criterion"].empty_label = _("Cả hồ sơ")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        extension = name[name.rfind(".") :] if "." in name else ""
        if extension not in EVIDENCE_TYPES:
            raise forms.ValidationError(
                _("Chỉ nhận tệp PDF, ảnh JPG/PNG, Word (.docx) hoặc Excel (.xlsx).")
            )
        limit = settings.OCOP_EVIDENCE_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Tệp nặng %(size)s MB, vượt mức %(limit)s MB.")
                % {
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": round(limit / 1024 / 1024, 1),
                }
            )
        expected = uploads.normal_extension(extension)
        found = uploads.content_kind(upload)
        if found is None:
            raise forms.ValidationError(
                _(
                    "Tệp có đuôi %(extension)s nhưng nội dung không phải "
                    "%(expected)s: tệp có thể đã hỏng hoặc bị đổi đuôi."
                )
                % {
                    "extension": extension,
                    "expected": uploads.kind_name(expected),
                }
            )
        if found != expected:
            raise forms.ValidationError(
                _(
                    "Tệp có đuôi %(extension)s nhưng nội dung là %(found)s. Hãy tải "
                    "lên đúng tệp gốc, hoặc đổi đuôi cho khớp nội dung."
                )
                % {"extension": extension, "found": uploads.kind_name(found)}
            )
        # Downloads carry the checked type, not the one the browser claimed.
        upload.content_type = EVIDENCE_TYPES[extension]
        return upload


class RoundForm(BootstrapMixin, forms.Form):
    """A new round; its closing range and its name's uniqueness are the service's
    rules (``open_round``)."""

    council = forms.ModelChoiceField(
        label=_("Hội đồng"),
        queryset=Council.objects.none(),
        empty_label=_("— Chọn hội đồng —"),
        error_messages={
            "required": _("Cần chọn hội đồng."),
            "invalid_choice": _("Hội đồng không có trong danh sách được mở đợt."),
        },
    )
    name = forms.CharField(
        label=_("Tên đợt"),
        max_length=200,
        error_messages={"required": _("Cần đặt tên đợt đánh giá.")},
    )
    closes_on = forms.DateField(
        label=_("Hạn kết thúc"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Cần hạn kết thúc của đợt đánh giá."),
            "invalid": _("Hạn kết thúc không phải một ngày."),
        },
    )

    def __init__(self, *args, councils=None, **kwargs):
        super().__init__(*args, **kwargs)
        if councils is not None:
            self.fields["council"].queryset = councils


class CouncilForm(BootstrapMixin, forms.ModelForm):
    """A new council: the tiers and districts offered are those the user may set
    up councils for (a district officer: their district's tier and district)."""

    class Meta:
        model = Council
        fields = ["tier", "district", "year", "name", "decision_reference"]
        error_messages = {
            "tier": {
                "required": _("Cần chọn cấp đánh giá của hội đồng."),
                "invalid_choice": _(
                    "Cấp này không có trong danh sách hội đồng bạn được thành lập."
                ),
            },
            "district": {
                "invalid_choice": _(
                    "Huyện này không có trong danh sách hội đồng bạn được thành lập."
                )
            },
            "year": {"required": _("Cần năm của hội đồng.")},
            "name": {"required": _("Cần đặt tên hội đồng.")},
        }

    def __init__(self, *args, tiers=None, districts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tiers is not None:
            self.fields["tier"].queryset = tiers
        if districts is not None:
            self.fields["district"].queryset = districts


class DecisionForm(BootstrapMixin, forms.Form):
    """A decision's number and date; the date runs from ``first_day`` (1 January
    of the round's or the dossier's year) to today, the service's rule."""

    past_dates = ("decision_date",)

    decision_number = forms.CharField(label=_("Số quyết định"), max_length=100)
    decision_date = forms.DateField(label=_("Ngày quyết định"), widget=DATE_INPUT)


class CertifyForm(DecisionForm):
    """One authority's decision on a round's results; ``authority`` names which."""

    authority = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_authority(self):
        return self.cleaned_data["authority"] or None


class MinistryResultForm(DecisionForm):
    stars = forms.IntegerField(label=_("Hạng sao"), min_value=1, max_value=5)
    score = forms.DecimalField(
        label=_("Điểm"), max_digits=5, decimal_places=2, required=False
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)


class RejectionForm(BootstrapMixin, forms.Form):
    """The dossier rejected whole: one of the paragraphs its sheet lists under
    “Hồ sơ bị loại khi”, and what was found. Posted as the paragraph's position;
    ``cleaned_data["rejected_when"]`` is its text, which the service checks."""

    rejected_when = forms.ChoiceField(
        label=_("Hồ sơ bị loại khi (theo phiếu chấm)"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Cần chọn một trường hợp hồ sơ bị loại ghi trên phiếu chấm."
            )
        },
    )
    rejection_detail = forms.CharField(
        label=_("Cụ thể"),
        help_text=_(
            "Điều tìm thấy: giấy tờ nào giả mạo, thiếu giấy chứng nhận nào, hồ sơ "
            "thiếu gì…"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, sheet=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.paragraphs = list(sheet.dossier_rejected_when) if sheet else []
        self.fields["rejected_when"].choices = [
            (str(position), text) for position, text in enumerate(self.paragraphs)
        ]
        if len(self.paragraphs) == 1:
            self.fields["rejected_when"].initial = "0"

    def clean_rejected_when(self):
        position = self.cleaned_data["rejected_when"]
        return self.paragraphs[int(position)] if position else ""


class PrecheckForm(RejectionForm):
    """The advisory team's report before scoring, which may find the dossier
    rejected whole (``conclusion``)."""

    PASSED, REJECTED = "passed", "rejected"

    report = forms.CharField(
        label=_("Báo cáo của tổ tư vấn"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Cần nội dung báo cáo của tổ tư vấn.")},
    )
    conclusion = forms.ChoiceField(
        label=_("Kết luận"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[
            (PASSED, _("Hồ sơ đủ điều kiện để hội đồng chấm điểm")),
            (REJECTED, _("Hồ sơ bị loại: không chấm điểm")),
        ],
        initial=PASSED,
        required=False,
    )

    field_order = ["report", "conclusion", "rejected_when", "rejection_detail"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.paragraphs:
            # The sheet lists no case of a dossier rejected whole (set 26).
            for name in ("conclusion", "rejected_when", "rejection_detail"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("conclusion") != self.REJECTED and data.get("rejection_detail"):
            self.add_error(
                "conclusion",
                _(
                    "Đã ghi điều tìm thấy để loại hồ sơ nhưng kết luận là hồ sơ đủ "
                    "điều kiện: hãy chọn lại kết luận."
                ),
            )
        return data

    @property
    def is_rejection(self):
        return self.cleaned_data.get("conclusion") == self.REJECTED


class MemberRoleForm(BootstrapMixin, forms.Form):
    """A member's new role; the chair names who takes the chair (``new_chair``)."""

    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=CouncilRole.choices,
        error_messages={"invalid_choice": _("Cần chọn một vai trò trong hội đồng.")},
    )
    new_chair = forms.ModelChoiceField(
        label=_("Người nhận vai trò Chủ tịch"),
        queryset=CouncilMembership.objects.none(),
        required=False,
        empty_label=_("— Chọn thành viên —"),
        error_messages={
            "invalid_choice": _(
                "Người nhận vai trò Chủ tịch phải là một thành viên khác của hội đồng."
            )
        },
    )

    def __init__(self, *args, membership, **kwargs):
        # Each member's form on the council page needs ids of its own.
        kwargs.setdefault("auto_id", f"id_m{membership.pk}_%s")
        kwargs.setdefault("initial", {"role": membership.role})
        super().__init__(*args, **kwargs)
        self.membership = membership
        if membership.role == CouncilRole.CHAIR:
            self.fields["new_chair"].queryset = (
                CouncilMembership.objects.filter(council_id=membership.council_id)
                .exclude(pk=membership.pk)
                .select_related("user")
                .order_by("id")
            )
            self.fields["new_chair"].label_from_instance = lambda m: str(m.user)
        else:
            del self.fields["new_chair"]


class CouncilDecisionForm(BootstrapMixin, forms.Form):
    decision_reference = forms.CharField(
        label=_("Quyết định thành lập"),
        max_length=200,
        help_text=_("Ví dụ: Quyết định số 1234/QĐ-UBND ngày 15/3/2023 của UBND huyện."),
        error_messages={
            "required": _("Cần ghi số và ngày của quyết định thành lập hội đồng.")
        },
    )


class MembershipForm(BootstrapMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Người"), queryset=None)
    role = forms.ChoiceField(label=_("Vai trò"), choices=CouncilRole.choices)

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        from registry.models import User

        users = User.objects.filter(is_active=True).order_by("last_name", "first_name")
        if province is not None:
            users = users.filter(province=province)
        self.fields["user"].queryset = users


class RulebookChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, rulebook):
        if rulebook.valid_to is None:
            return _("%(basis)s (áp dụng từ %(start)s)") % {
                "basis": rulebook.legal_basis,
                "start": f"{rulebook.valid_from:%d/%m/%Y}",
            }
        return _("%(basis)s (áp dụng %(start)s – %(end)s)") % {
            "basis": rulebook.legal_basis,
            "start": f"{rulebook.valid_from:%d/%m/%Y}",
            "end": f"{rulebook.valid_to:%d/%m/%Y}",
        }


class ProgrammeYearForm(BootstrapMixin, forms.Form):
    """A province's programme year; whether its rulebook covers the year is the
    service's rule. An account without a province (a superuser) picks one."""

    province = forms.ModelChoiceField(
        label=_("Tỉnh"),
        queryset=Province.objects.order_by("code"),
        error_messages={"required": _("Cần chọn tỉnh.")},
    )
    year = forms.IntegerField(
        label=_("Năm"),
        widget=forms.NumberInput(attrs={"min": FIRST_PROGRAMME_YEAR}),
        error_messages={"required": _("Cần năm chương trình.")},
    )
    rulebook = RulebookChoiceField(
        label=_("Quy định áp dụng"),
        queryset=Rulebook.objects.order_by("valid_from"),
        empty_label=_("— Chọn quy định —"),
        error_messages={"required": _("Cần chọn quy định áp dụng.")},
    )
    plan_reference = forms.CharField(
        label=_("Kế hoạch"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: Kế hoạch OCOP tỉnh Lai Châu năm 2026."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["max"] = last_programme_year()
        self.fields["year"].initial = timezone.localdate().year
        if user is not None and user.province_id:
            del self.fields["province"]
