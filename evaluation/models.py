"""Evaluation and ranking (đánh giá, phân hạng) of OCOP products.

How the programme ranks a product, in the words of this app:

- A **rulebook** (a Prime Minister's decision: 148/QĐ-TTg of 2023, 26/2026/QĐ-TTg)
  names the star bands (90-100 five stars, 70 to under 90 four, 50 to under 70
  three) and the **tiers** a dossier climbs: the commune assesses it without points,
  then one or two councils score it, and the Ministry's result is recorded by hand.
  Each tier certifies some star levels and refers a product from some score on.
- Each of the 26 **product sets** has its own **scoring sheet**: parts A (40 points),
  B (25) and C (35), criterion groups, criteria and options; some options are the
  minimum for a star level, some criteria knock a product out.
- A **dossier** per registration is submitted to the commune, assessed, then put in a
  **round** of a tier; the round's **council** members each fill the sheet; the
  **evaluation** keeps the average of their totals, the stars and the outcome.
- A **certificate** is valid 36 months from issue.
"""

import functools
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .documents.verification import new_verification_code
from .enums import (
    DOSSIER_OPEN_STATES,
    CertificateStatus,
    CouncilRole,
    DossierState,
    Outcome,
    Part,
    RevocationGround,
    RoundState,
    TierKind,
    TierLevel,
)

CERTIFICATE_VALIDITY_MONTHS = 36
COMMUNE_ASSESSMENT_WORKING_DAYS = 15
# A re-evaluation is filed 180 to 120 days before the certificate expires and
# finished within 45 days; a late filer's certificate stays valid at most 180 days
# past its expiry. A revocation follows its finding within 15 days.
REEVALUATION_OPENS_DAYS = 180
REEVALUATION_CLOSES_DAYS = 120
REEVALUATION_FINISH_DAYS = 45
GRACE_DAYS = 180
REVOCATION_DAYS = 15


class Rulebook(models.Model):
    """A legal basis for evaluation: its star bands, its tiers and its sheets.

    ``star_bands`` is a list of ``{"stars": 5, "min": "90"}`` items: a score earns
    the stars of the highest band whose minimum it reaches.
    """

    code = models.CharField(_("mã"), max_length=20, unique=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=100)
    title = models.CharField(_("tên văn bản"), max_length=500)
    signed_on = models.DateField(_("ngày ký"), null=True, blank=True)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    star_bands = models.JSONField(_("thang hạng sao"), default=list)
    sheet_edition = models.CharField(
        _("bộ phiếu chấm"),
        max_length=20,
        help_text=_("Ấn bản phiếu chấm điểm được dùng, ví dụ 26-2026."),
    )
    sheet_note = models.TextField(
        _("ghi chú về phiếu chấm"),
        blank=True,
        help_text=_("Hiện ở mọi nơi có phiếu chấm của quy định này."),
    )
    sheet_note_en = models.TextField(
        _("ghi chú về phiếu chấm (tiếng Anh)"),
        blank=True,
        help_text=_("Hiện thay cho ghi chú khi giao diện bằng tiếng Anh."),
    )

    class Meta:
        verbose_name = _("quy định đánh giá")
        verbose_name_plural = _("quy định đánh giá")
        ordering = ["valid_from"]

    def __str__(self):
        return self.legal_basis

    @property
    def sheet_note_shown(self):
        """The note on its sheets in the interface's language: English where the
        file gives one, the Vietnamese note otherwise."""
        if self.sheet_note_en and get_language() == "en":
            return self.sheet_note_en
        return self.sheet_note

    def tiers_in_order(self):
        return list(self.tiers.order_by("order"))

    def applies_on(self, day):
        return self.valid_from <= day and (
            self.valid_to is None or day <= self.valid_to
        )


class Tier(models.Model):
    """One step of a rulebook's evaluation: the commune, a council, the Ministry.

    ``certifies_stars`` lists the star levels this tier certifies; ``refers_from`` is
    the score from which a product goes on to the next tier (null at the last one).
    ``issuing_authority`` may hold ``{area}``, replaced by the round's area name.
    """

    rulebook = models.ForeignKey(
        Rulebook,
        verbose_name=_("quy định"),
        on_delete=models.CASCADE,
        related_name="tiers",
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    level = models.CharField(_("cấp"), max_length=20, choices=TierLevel.choices)
    kind = models.CharField(_("cách đánh giá"), max_length=20, choices=TierKind.choices)
    name = models.CharField(_("tên"), max_length=200)
    certifies_stars = models.JSONField(_("công nhận hạng sao"), default=list)
    refers_from = models.DecimalField(
        _("chuyển cấp trên từ điểm"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    issuing_authority = models.CharField(
        _("cơ quan công nhận"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("cấp đánh giá")
        verbose_name_plural = _("cấp đánh giá")
        ordering = ["rulebook", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["rulebook", "order"], name="tier_order_per_rulebook"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.rulebook})"

    @property
    def is_scored(self):
        return self.kind == TierKind.COUNCIL

    @property
    def is_recorded(self):
        return self.kind == TierKind.RECORDED

    @property
    def has_area_below_province(self):
        """Whether this tier's rounds belong to a district rather than the province."""
        return self.level == TierLevel.DISTRICT

    def next_tier(self):
        return (
            Tier.objects.filter(rulebook_id=self.rulebook_id, order__gt=self.order)
            .order_by("order")
            .first()
        )

    def authority_for(self, area_name):
        return self.issuing_authority.replace("{area}", area_name).strip()


class ScoringSheet(models.Model):
    """One version of the scoring sheet (phiếu đánh giá) of a product set.

    A sheet whose totals do not add up (``is_valid`` false, ``problems`` listed) is
    kept but cannot be scored on; a correction makes a new version that ``supersedes``
    it, with who made it and why.
    """

    product_set = models.ForeignKey(
        "registry.ProductSet",
        verbose_name=_("bộ sản phẩm"),
        on_delete=models.PROTECT,
        related_name="scoring_sheets",
    )
    edition = models.CharField(_("ấn bản"), max_length=20)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    heading = models.CharField(_("tiêu đề phiếu"), max_length=300, blank=True)
    dossier_rejected_when = models.JSONField(
        _("hồ sơ bị loại khi"), default=list, blank=True
    )
    is_valid = models.BooleanField(_("hợp lệ"), default=False)
    problems = models.JSONField(_("lỗi phát hiện"), default=list, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("thay cho phiên bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("lý do hiệu chỉnh"), blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hiệu chỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")
        ordering = ["product_set__number", "edition", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["product_set", "edition", "version"],
                name="sheet_version_once",
            )
        ]

    def __str__(self):
        return _("Phiếu bộ %(number)s (%(edition)s, phiên bản %(version)s)") % {
            "number": self.product_set.number,
            "edition": self.edition,
            "version": self.version,
        }

    @property
    def is_latest(self):
        return not self.superseded_by.exists()


class Criterion(models.Model):
    """A criterion group (``1``), a criterion (``1.1``) or a sub-criterion (``6.1.1``).

    A group marked ``choose_one`` scores only one of its cases (set 26's "Lựa chọn
    một trong hai trường hợp"); otherwise the scores of its criteria add up.
    ``knock_out`` holds the "Bị loại nếu" note of a criterion that can disqualify.
    """

    sheet = models.ForeignKey(
        ScoringSheet,
        verbose_name=_("phiếu"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc tiêu chí"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    part = models.CharField(_("phần"), max_length=1, choices=Part.choices)
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=500)
    description = models.TextField(_("diễn giải"), blank=True)
    requirement = models.TextField(_("yêu cầu"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    knock_out = models.TextField(_("điều kiện loại"), blank=True)
    max_points = models.PositiveSmallIntegerField(_("điểm tối đa"), null=True)
    choose_one = models.BooleanField(_("chọn một trường hợp"), default=False)
    depth = models.PositiveSmallIntegerField(_("cấp"), default=0)
    order = models.PositiveIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["sheet", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "code"], name="criterion_code_per_sheet"
            )
        ]

    def __str__(self):
        return f"{self.code}. {self.name}"


class Option(models.Model):
    """One of a criterion's mutually exclusive options, with its points as printed.

    ``points`` is null where the official text leaves the cell blank;
    ``min_for_stars`` marks the option as the minimum for a star level.
    """

    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("tiêu chí"),
        on_delete=models.CASCADE,
        related_name="options",
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("nội dung"))
    points = models.PositiveSmallIntegerField(_("điểm"), null=True, blank=True)
    min_for_stars = models.PositiveSmallIntegerField(
        _("tối thiểu cho hạng sao"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("lựa chọn")
        verbose_name_plural = _("lựa chọn")
        ordering = ["criterion", "order"]

    def __str__(self):
        return self.text


class ProgrammeYear(models.Model):
    """A province's OCOP programme for one year, under one rulebook."""

    province = models.ForeignKey(
        "registry.Province",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    rulebook = models.ForeignKey(
        Rulebook,
        verbose_name=_("quy định"),
        on_delete=models.PROTECT,
        related_name="programme_years",
    )
    plan_reference = models.CharField(_("kế hoạch"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("năm chương trình")
        verbose_name_plural = _("năm chương trình")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year"], name="one_programme_per_year"
            )
        ]

    def __str__(self):
        return f"{self.province} {self.year}"


class CouncilSettings(models.Model):
    """A province's rules for its councils (quy chế hội đồng): spread and quorum."""

    province = models.OneToOneField(
        "registry.Province",
        verbose_name=_("tỉnh"),
        on_delete=models.CASCADE,
        related_name="council_settings",
    )
    max_spread = models.DecimalField(
        _("chênh lệch tối đa giữa các thành viên"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("tử số"), default=3)
    quorum_denominator = models.PositiveSmallIntegerField(_("mẫu số"), default=4)
    is_chair_required = models.BooleanField(
        _("bắt buộc có chủ tịch hội đồng"), default=True
    )

    class Meta:
        verbose_name = _("quy chế hội đồng")
        verbose_name_plural = _("quy chế hội đồng")

    def __str__(self):
        return str(self.province)

    def clean(self):
        """Rules a council can meet: a quorum from one share of the members up to
        all of them (a denominator of 0 made every result of the province fail),
        a spread of 0 points or more."""
        errors = {}
        if self.max_spread is not None and self.max_spread < 0:
            errors["max_spread"] = _("Chênh lệch tối đa không được nhỏ hơn 0.")
        numerator, denominator = self.quorum_numerator, self.quorum_denominator
        if denominator is not None and denominator < 1:
            errors["quorum_denominator"] = _("Mẫu số phải từ 1 trở lên.")
        elif (
            numerator is not None
            and denominator is not None
            and not 1 <= numerator <= denominator
        ):
            errors["quorum_numerator"] = _(
                "Tử số phải từ 1 đến mẫu số (%(denominator)s): số thành viên tối "
                "thiểu là một phần của hội đồng, không quá cả hội đồng."
            ) % {"denominator": denominator}
        if errors:
            raise ValidationError(errors)

    @classmethod
    def for_province(cls, province):
        """The province's settings, or unsaved defaults when it has none."""
        found = cls.objects.filter(province=province).first()
        return found or cls(province=province)


class Dossier(models.Model):
    """The dossier (hồ sơ) of a product's registration for a year.

    ``self_assessment`` holds the producer's chosen option ids on ``sheet``;
    ``current_tier`` is the tier the dossier is at. A re-evaluation or an upgrade
    ``follows`` the certificate it renews or raises.
    """

    registration = models.OneToOneField(
        "registry.Registration",
        verbose_name=_("đăng ký"),
        on_delete=models.PROTECT,
        related_name="dossier",
    )
    programme_year = models.ForeignKey(
        ProgrammeYear,
        verbose_name=_("năm chương trình"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=DossierState.choices,
        default=DossierState.DRAFT,
        db_index=True,
    )
    current_tier = models.ForeignKey(
        Tier,
        verbose_name=_("đang ở cấp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_data = models.JSONField(_("phiếu đăng ký"), default=dict, blank=True)
    sheet = models.ForeignKey(
        ScoringSheet,
        verbose_name=_("phiếu tự đánh giá"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    self_assessment = models.JSONField(_("tự đánh giá"), default=list, blank=True)
    samples_received = models.PositiveSmallIntegerField(_("số mẫu đã nhận"), default=0)
    samples_received_on = models.DateField(_("ngày nhận mẫu"), null=True, blank=True)
    follows = models.ForeignKey(
        "Certificate",
        verbose_name=_("giấy chứng nhận trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="following_dossiers",
    )
    changes_since_last = models.TextField(
        _("thay đổi từ lần đánh giá trước"), blank=True
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    received_on = models.DateField(_("ngày xã nhận hồ sơ"), null=True, blank=True)
    # The day of the first submission, kept when a returned dossier is resubmitted:
    # a re-evaluation's window is judged by it.
    filed_on = models.DateField(_("ngày nộp hồ sơ"), null=True, blank=True)
    returned_reason = models.TextField(_("lý do trả lại"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-programme_year__year", "id"]

    def __str__(self):
        return str(self.registration)

    @property
    def rulebook(self):
        return self.programme_year.rulebook

    @property
    def assessment_due_on(self):
        """The last day of the commune's 15 working days from receipt."""
        if self.received_on is None:
            return None
        return add_working_days(self.received_on, COMMUNE_ASSESSMENT_WORKING_DAYS)

    @property
    def is_awaiting_assessment(self):
        """Submitted to the commune, whose 15 working days are running."""
        return (
            self.state == DossierState.SUBMITTED
            and self.received_on is not None
            and not hasattr(self, "commune_assessment")
        )

    def is_assessment_overdue(self, today=None):
        if not self.is_awaiting_assessment:
            return False
        return (today or date.today()) > self.assessment_due_on


def add_working_days(start, days):
    """``start`` plus ``days`` working days: not a weekend, not a public holiday.

    Vietnam's public holidays (New Year, Tết, the Hùng Kings, 30/4 and 1/5, 2/9 and
    its adjacent day), the days off given in lieu and the Saturdays worked in
    exchange come from the ``holidays`` package's calendar for Vietnam.
    """
    return _vietnam_holidays(start.year).get_nth_working_day(start, days)


@functools.cache
def _vietnam_holidays(year):
    """Vietnam's holidays of ``year`` and the next, the years a due date can reach.

    Built once per year: the lunar holidays cost a few milliseconds to work out.
    """
    import holidays

    return holidays.country_holidays("VN", years=(year, year + 1))


def latest_overdue_receipt(today, days=COMMUNE_ASSESSMENT_WORKING_DAYS):
    """The last receipt day whose ``days`` working days ran out before ``today``.

    A dossier received on or before it is overdue: due dates never go back as the
    receipt moves forward, so one comparison of dates finds them all.
    """
    day = today
    while add_working_days(day, days) >= today:
        day -= timedelta(days=1)
    return day


def add_months(day, months):
    """The same day ``months`` later; the month's last day if it has no such day."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def evidence_path(instance, filename):
    return f"evidence/{instance.dossier_id}/{filename}"


class Evidence(models.Model):
    """A file backing the producer's claim on one criterion, or on the whole dossier."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("tiêu chí"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("tệp"), upload_to=evidence_path)
    original_name = models.CharField(_("tên tệp"), max_length=300)
    content_type = models.CharField(_("loại tệp"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng"), default=0)
    description = models.CharField(_("mô tả"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["dossier", "criterion__order", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("evaluation:evidence-download", args=[self.pk])


class CommuneAssessment(models.Model):
    """The commune's narrative report on a dossier: four things, no points."""

    dossier = models.OneToOneField(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="commune_assessment",
    )
    local_origin = models.TextField(
        _("nguồn gốc sản phẩm và nguyên liệu tại địa phương")
    )
    local_labour = models.TextField(_("sử dụng lao động địa phương"))
    idea_origin = models.TextField(_("nguồn gốc ý tưởng sản phẩm"))
    local_identity = models.TextField(_("tính đặc trưng, bản sắc địa phương"))
    assessed_on = models.DateField(_("ngày đánh giá"))
    proposal_reference = models.CharField(
        _("văn bản đề nghị"), max_length=200, blank=True
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đánh giá"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá của xã")
        verbose_name_plural = _("đánh giá của xã")

    def __str__(self):
        return str(self.dossier)

    @property
    def is_late(self):
        due = self.dossier.assessment_due_on
        return due is not None and self.assessed_on > due


class Council(models.Model):
    """An evaluation council (hội đồng) of a tier, for an area and a year.

    Its area is the province, or one district for a tier whose councils are the
    districts' (148/QĐ-TTg).
    """

    tier = models.ForeignKey(
        Tier, verbose_name=_("cấp"), on_delete=models.PROTECT, related_name="councils"
    )
    province = models.ForeignKey(
        "registry.Province",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "registry.District",
        verbose_name=_("huyện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    name = models.CharField(_("tên"), max_length=300)
    decision_reference = models.CharField(
        _("quyết định thành lập"), max_length=200, blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CouncilMembership",
        related_name="councils",
    )

    class Meta:
        verbose_name = _("hội đồng")
        verbose_name_plural = _("hội đồng")
        ordering = ["-year", "tier__order", "name"]

    def __str__(self):
        return self.name

    @property
    def area(self):
        return self.district or self.province


class CouncilMembership(models.Model):
    council = models.ForeignKey(
        Council,
        verbose_name=_("hội đồng"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thành viên"),
        on_delete=models.PROTECT,
        related_name="council_memberships",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=CouncilRole.choices)

    class Meta:
        verbose_name = _("thành viên hội đồng")
        verbose_name_plural = _("thành viên hội đồng")
        ordering = ["council", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"], name="one_membership_per_council"
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Round(models.Model):
    """An evaluation round (đợt) of a tier's council, with its closing date."""

    tier = models.ForeignKey(
        Tier, verbose_name=_("cấp"), on_delete=models.PROTECT, related_name="rounds"
    )
    council = models.ForeignKey(
        Council,
        verbose_name=_("hội đồng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    province = models.ForeignKey(
        "registry.Province",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "registry.District",
        verbose_name=_("huyện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    name = models.CharField(_("tên đợt"), max_length=200)
    closes_on = models.DateField(_("hạn kết thúc"))
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=RoundState.choices,
        default=RoundState.OPEN,
        db_index=True,
    )
    opened_at = models.DateTimeField(_("mở lúc"), auto_now_add=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đóng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("đợt đánh giá")
        verbose_name_plural = _("đợt đánh giá")
        ordering = ["-year", "tier__order", "closes_on", "id"]

    def __str__(self):
        return self.name

    @property
    def area(self):
        return self.district or self.province

    @property
    def is_open(self):
        return self.state == RoundState.OPEN

    def days_overdue(self, today=None):
        """Days an open round has run past its closing date (0 on that day, and
        for a closed round): the council may still meet late."""
        if not self.is_open:
            return 0
        return max(0, ((today or timezone.localdate()) - self.closes_on).days)

    @property
    def is_overdue(self):
        return self.days_overdue() > 0


class Evaluation(models.Model):
    """A dossier's evaluation in a round: the council's score, stars and outcome.

    It records the rulebook and the sheet version it was scored under. ``score`` is
    the mean of the members' totals, rounded to two decimals. ``blocked_reasons``
    lists why the result cannot stand yet (spread, quorum). ``certifying_tier`` is
    the tier whose authority certifies the stars (it may be a lower tier than this).
    A dossier rejected whole (``rejected_when``) gets no score and ends without a
    certificate.
    """

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    round = models.ForeignKey(
        Round,
        verbose_name=_("đợt"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    tier = models.ForeignKey(
        Tier, verbose_name=_("cấp"), on_delete=models.PROTECT, related_name="+"
    )
    rulebook = models.ForeignKey(
        Rulebook,
        verbose_name=_("quy định áp dụng"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    sheet = models.ForeignKey(
        ScoringSheet,
        verbose_name=_("phiếu chấm"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    precheck_report = models.TextField(_("báo cáo của tổ tư vấn"), blank=True)
    precheck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người báo cáo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    precheck_at = models.DateTimeField(_("báo cáo lúc"), null=True, blank=True)
    # The dossier rejected whole (hồ sơ bị loại): one of the sheet's
    # ``dossier_rejected_when`` paragraphs, copied as it reads, and what was found.
    rejected_when = models.TextField(_("hồ sơ bị loại khi"), blank=True)
    rejection_detail = models.TextField(_("chi tiết việc loại hồ sơ"), blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người loại hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("loại hồ sơ lúc"), null=True, blank=True)
    score = models.DecimalField(
        _("điểm"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    stars = models.PositiveSmallIntegerField(_("hạng sao"), null=True, blank=True)
    is_knocked_out = models.BooleanField(_("bị loại"), default=False)
    outcome = models.CharField(
        _("kết quả"), max_length=20, choices=Outcome.choices, blank=True
    )
    certifying_tier = models.ForeignKey(
        Tier,
        verbose_name=_("cấp công nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    blocked_reasons = models.JSONField(_("vướng mắc"), default=list, blank=True)
    computed_at = models.DateTimeField(_("tính lúc"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("chốt lúc"), null=True, blank=True)
    referred_at = models.DateTimeField(_("chuyển cấp trên lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kết quả đánh giá")
        verbose_name_plural = _("kết quả đánh giá")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "round"], name="one_evaluation_per_round"
            )
        ]

    def __str__(self):
        return f"{self.dossier} · {self.round}"

    @property
    def is_frozen(self):
        return self.frozen_at is not None

    @property
    def is_rejected(self):
        """The dossier was rejected whole: it ends without being scored."""
        return self.rejected_at is not None


class MemberScore(models.Model):
    """A council member's filled sheet for one evaluation.

    ``selections`` holds the chosen option ids; ``knock_outs`` the ids of the
    criteria the member marks as disqualifying. Once submitted it is locked: only
    the chair may correct it, with a reason (see ScoreCorrection).
    """

    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("đánh giá"),
        on_delete=models.CASCADE,
        related_name="member_scores",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thành viên"),
        on_delete=models.PROTECT,
        related_name="member_scores",
    )
    selections = models.JSONField(_("lựa chọn"), default=list, blank=True)
    knock_outs = models.JSONField(_("tiêu chí loại"), default=list, blank=True)
    part_a = models.PositiveSmallIntegerField(_("phần A"), default=0)
    part_b = models.PositiveSmallIntegerField(_("phần B"), default=0)
    part_c = models.PositiveSmallIntegerField(_("phần C"), default=0)
    total = models.PositiveSmallIntegerField(_("tổng điểm"), default=0)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    is_locked = models.BooleanField(_("đã khóa"), default=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("phiếu chấm của thành viên")
        verbose_name_plural = _("phiếu chấm của thành viên")
        ordering = ["evaluation", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "member"], name="one_sheet_per_member"
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.evaluation}"


class ScoreCorrection(models.Model):
    """A change to a submitted member score, made by the chair for a reason."""

    member_score = models.ForeignKey(
        MemberScore,
        verbose_name=_("phiếu chấm"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hiệu chỉnh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("lý do"))
    before = models.JSONField(_("trước"), default=dict)
    after = models.JSONField(_("sau"), default=dict)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("hiệu chỉnh điểm")
        verbose_name_plural = _("hiệu chỉnh điểm")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.member_score} ({self.created_at:%d/%m/%Y})"


class ConflictOfInterest(models.Model):
    """A council member's declaration that they may not score a dossier."""

    council = models.ForeignKey(
        Council,
        verbose_name=_("hội đồng"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thành viên"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="conflicts",
    )
    reason = models.TextField(_("lý do"))
    declared_at = models.DateTimeField(_("khai lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("xung đột lợi ích")
        verbose_name_plural = _("xung đột lợi ích")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "member", "dossier"], name="conflict_once"
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.dossier}"


class MinistryResult(models.Model):
    """The Ministry's result for a referred dossier, recorded by hand."""

    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.PROTECT,
        related_name="ministry_results",
    )
    tier = models.ForeignKey(
        Tier, verbose_name=_("cấp"), on_delete=models.PROTECT, related_name="+"
    )
    rulebook = models.ForeignKey(
        Rulebook, verbose_name=_("quy định"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(
        _("điểm"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    stars = models.PositiveSmallIntegerField(_("hạng sao"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=100)
    decision_date = models.DateField(_("ngày quyết định"))
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kết quả của Bộ")
        verbose_name_plural = _("kết quả của Bộ")
        ordering = ["-decision_date", "-id"]

    def __str__(self):
        return f"{self.dossier} · {self.decision_number}"


def certificate_state_q(state, today, prefix=""):
    """The ``Q`` of the certificates in ``state`` on ``today``, from their dates:
    revoked; expired when revoked not and either marked expired (by the nightly
    run) or past ``expires_on``; else valid. ``prefix`` reaches a certificate
    through a relation (``"follows__"`` from a dossier).

    The one definition of a certificate's state that every page shows and
    filters by (``CertificateQuerySet.with_state``), so that a certificate past
    its expiry reads expired on the day after, not only once the nightly run has
    marked it.
    """
    revoked = Q(**{f"{prefix}status": CertificateStatus.REVOKED})
    expired = Q(**{f"{prefix}status": CertificateStatus.EXPIRED}) | Q(
        **{f"{prefix}expires_on__lt": today}
    )
    return {
        CertificateStatus.VALID: ~revoked & ~expired,
        CertificateStatus.EXPIRED: ~revoked & expired,
        CertificateStatus.REVOKED: revoked,
    }[state]


def certificate_state(today, prefix=""):
    """The state (``certificate_state_q``) as an expression to annotate with."""
    return Case(
        When(
            certificate_state_q(CertificateStatus.REVOKED, today, prefix),
            then=Value(CertificateStatus.REVOKED.value),
        ),
        When(
            certificate_state_q(CertificateStatus.EXPIRED, today, prefix),
            then=Value(CertificateStatus.EXPIRED.value),
        ),
        default=Value(CertificateStatus.VALID.value),
        output_field=models.CharField(),
    )


class CertificateQuerySet(models.QuerySet):
    def with_state(self, today=None):
        """Annotate ``state``, a ``CertificateStatus`` value (named by
        ``state_label``), as of ``today`` (today by default), in the query's own
        SQL."""
        return self.annotate(state=certificate_state(today or timezone.localdate()))

    def with_grace(self, today=None):
        """``with_state``, and ``is_in_grace`` (expired within the 180 days a
        re-evaluation filed late keeps it valid, and not replaced by a newer
        certificate) and ``is_reevaluated`` (an open re-evaluation or upgrade
        dossier follows it), in the query's own SQL."""
        today = today or timezone.localdate()
        replaced = Certificate.objects.filter(follows=OuterRef("pk"))
        following = Dossier.objects.filter(
            follows=OuterRef("pk"), state__in=DOSSIER_OPEN_STATES
        )
        return self.with_state(today).annotate(
            is_in_grace=ExpressionWrapper(
                certificate_state_q(CertificateStatus.EXPIRED, today)
                & Q(expires_on__gte=today - timedelta(days=GRACE_DAYS))
                & ~Exists(replaced),
                output_field=models.BooleanField(),
            ),
            is_reevaluated=Exists(following),
        )

    def in_state(self, state, today=None):
        """Those in ``state`` on ``today`` (today by default)."""
        return self.filter(certificate_state_q(state, today or timezone.localdate()))


class Certificate(models.Model):
    """An OCOP certificate (giấy chứng nhận): valid 36 months from issue.

    The producer and product are copied as they were on the day of issue. One
    issued on paper before the system (``is_recorded_by_hand``) keeps its own
    number, has no tier and perhaps no rulebook, and hangs on the registration that
    renews or raises it (the registration it was issued for is not in the system).
    """

    number = models.CharField(_("số"), max_length=50, unique=True)
    registration = models.ForeignKey(
        "registry.Registration",
        verbose_name=_("đăng ký"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    product = models.ForeignKey(
        "registry.Product",
        verbose_name=_("sản phẩm"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    product_name = models.CharField(_("tên sản phẩm"), max_length=300)
    producer_name = models.CharField(_("chủ thể"), max_length=300)
    producer_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    stars = models.PositiveSmallIntegerField(_("hạng sao"))
    score = models.DecimalField(
        _("điểm"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    tier = models.ForeignKey(
        Tier,
        verbose_name=_("cấp công nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rulebook = models.ForeignKey(
        Rulebook,
        verbose_name=_("quy định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evaluation = models.ForeignKey(
        Evaluation,
        verbose_name=_("kết quả đánh giá"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    ministry_result = models.ForeignKey(
        MinistryResult,
        verbose_name=_("kết quả của Bộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    issuing_authority = models.CharField(_("cơ quan công nhận"), max_length=300)
    decision_number = models.CharField(_("số quyết định"), max_length=100)
    decision_date = models.DateField(_("ngày quyết định"))
    issued_on = models.DateField(_("ngày cấp"))
    expires_on = models.DateField(_("hết hạn"))
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        db_index=True,
    )
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revoked_reason = models.TextField(_("lý do thu hồi"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thu hồi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_ground = models.CharField(
        _("căn cứ thu hồi"),
        max_length=30,
        choices=RevocationGround.choices,
        blank=True,
    )
    revocation_found_on = models.DateField(
        _("ngày phát hiện vi phạm"), null=True, blank=True
    )
    revocation_decision_number = models.CharField(
        _("số quyết định thu hồi"), max_length=100, blank=True
    )
    revocation_decision_date = models.DateField(
        _("ngày quyết định thu hồi"), null=True, blank=True
    )
    is_recorded_by_hand = models.BooleanField(
        _("ghi nhận từ giấy cấp trước khi có phần mềm"), default=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), null=True, blank=True)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("thay cho giấy chứng nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_by",
    )
    # Printed in the QR code (/xac-minh/<code>/); random, so that it survives a
    # change of SECRET_KEY (see evaluation.documents.verification).
    verification_code = models.CharField(
        _("mã xác minh"),
        max_length=40,
        unique=True,
        default=new_verification_code,
        editable=False,
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy chứng nhận")
        verbose_name_plural = _("giấy chứng nhận")
        ordering = ["-issued_on", "number"]

    def __str__(self):
        return f"{self.number} · {self.product_name} ({self.stars}★)"

    def get_absolute_url(self):
        return reverse("evaluation:certificate-detail", args=[self.pk])

    @property
    def state_label(self):
        """The name of its ``state``, annotated by ``with_state``."""
        return CertificateStatus(self.state).label

    @property
    def reevaluation_opens_on(self):
        """The first day a re-evaluation may be filed: 180 days before expiry."""
        return self.expires_on - timedelta(days=REEVALUATION_OPENS_DAYS)

    @property
    def reevaluation_closes_on(self):
        """The last day a re-evaluation is filed in time: 120 days before expiry."""
        return self.expires_on - timedelta(days=REEVALUATION_CLOSES_DAYS)

    @property
    def grace_ends_on(self):
        """The last day it stays valid for a re-evaluation filed late."""
        return self.expires_on + timedelta(days=GRACE_DAYS)

    def is_in_grace_on(self, day):
        """Expired by its date, not revoked, within the 180 days after expiry."""
        return (
            self.status != CertificateStatus.REVOKED
            and self.expires_on < day <= self.grace_ends_on
        )

    @property
    def revocation_days(self):
        """Days from the finding to the revoking decision, or None."""
        if self.revocation_found_on is None or self.revocation_decision_date is None:
            return None
        return (self.revocation_decision_date - self.revocation_found_on).days

    @property
    def is_revocation_late(self):
        days = self.revocation_days
        return days is not None and days > REVOCATION_DAYS
