"""Forms about certificates: one issued on paper before the system, a
revocation, and what an upgrade says changed since the last evaluation. The rules
are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import RevocationGround
from .forms import DATE_INPUT, BootstrapMixin, RulebookChoiceField
from .models import Rulebook


class EarlierCertificateForm(BootstrapMixin, forms.Form):
    """A certificate issued on paper before the system, as it reads; its rules
    (stars against the registration, dates, a unique number, a rulebook in force
    on the decision's day) are the service's (``record_earlier_certificate``)."""

    past_dates = ("decision_date", "issued_on")

    number = forms.CharField(
        label=_("Số giấy chứng nhận"),
        max_length=50,
        error_messages={"required": _("Cần số giấy chứng nhận.")},
    )
    stars = forms.TypedChoiceField(
        label=_("Hạng sao"),
        choices=[("", "—"), (3, "3★"), (4, "4★"), (5, "5★")],
        coerce=int,
        error_messages={"required": _("Cần hạng sao của giấy chứng nhận.")},
    )
    issuing_authority = forms.CharField(
        label=_("Cơ quan công nhận"),
        max_length=300,
        error_messages={"required": _("Cần cơ quan công nhận.")},
        widget=forms.TextInput(
            attrs={"placeholder": _("Ví dụ: Ủy ban nhân dân tỉnh Lai Châu")}
        ),
    )
    decision_number = forms.CharField(
        label=_("Số quyết định công nhận"),
        max_length=100,
        error_messages={"required": _("Cần số quyết định công nhận.")},
    )
    decision_date = forms.DateField(
        label=_("Ngày quyết định"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Cần ngày quyết định công nhận."),
            "invalid": _("Ngày quyết định không phải một ngày."),
        },
    )
    issued_on = forms.DateField(
        label=_("Ngày cấp"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Để trống nếu cấp cùng ngày quyết định."),
        error_messages={"invalid": _("Ngày cấp không phải một ngày.")},
    )
    rulebook = RulebookChoiceField(
        label=_("Cấp theo quy định"),
        queryset=Rulebook.objects.order_by("valid_from"),
        required=False,
        empty_label=_("Không rõ, hoặc quy định chưa có trong hệ thống"),
        help_text=_("Quy định đang áp dụng vào ngày quyết định công nhận."),
    )


class RevokeForm(BootstrapMixin, forms.Form):
    """The revocation of a certificate: the programme's ground, what was found and
    when, and the revoking decision; the dates' order is the service's rule."""

    past_dates = ("found_on", "decision_date")

    ground = forms.ChoiceField(
        label=_("Căn cứ thu hồi"),
        choices=[("", _("— Chọn căn cứ —")), *RevocationGround.choices],
        error_messages={"required": _("Cần chọn căn cứ thu hồi.")},
    )
    reason = forms.CharField(
        label=_("Nội dung vi phạm, lý do"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={
            "required": _("Cần ghi rõ nội dung vi phạm hoặc lý do thu hồi.")
        },
    )
    found_on = forms.DateField(
        label=_("Ngày phát hiện"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Cần ngày phát hiện."),
            "invalid": _("Ngày phát hiện không phải một ngày."),
        },
    )
    decision_number = forms.CharField(
        label=_("Số quyết định thu hồi"),
        max_length=100,
        error_messages={"required": _("Cần số quyết định thu hồi.")},
    )
    decision_date = forms.DateField(
        label=_("Ngày quyết định thu hồi"),
        widget=DATE_INPUT,
        error_messages={
            "required": _("Cần ngày quyết định thu hồi."),
            "invalid": _("Ngày quyết định thu hồi không phải một ngày."),
        },
    )


class ChangesSinceLastForm(BootstrapMixin, forms.Form):
    changes_since_last = forms.CharField(
        label=_("Thay đổi từ lần đánh giá trước"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_(
            "Sản phẩm, bao bì, nhãn, chất lượng, quy mô, thị trường… đã thay đổi gì "
            "từ lần được công nhận trước."
        ),
    )
