"""The registry: places, people, producers, products and each year's registrations."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .collation import VietnameseOrder
from .enums import ImportStatus, ProducerKind, RegistrationKind, Role, UnitKind
from .text import fold, normalise_phone


class Province(models.Model):
    """A province as it is today (one of the 34 since 1 July 2025)."""

    code = models.CharField(_("mã"), max_length=3, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)

    class Meta:
        verbose_name = _("tỉnh, thành phố")
        verbose_name_plural = _("tỉnh, thành phố")
        ordering = ["code"]

    def __str__(self):
        return self.name


class District(models.Model):
    """A district-level unit (huyện, thị xã, thành phố) of before 1 July 2025.

    Districts no longer exist as a level of government; they stay because the records
    of 2023 and 2024 were registered, scored and certified by them.
    """

    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh (hiện nay)"),
        on_delete=models.PROTECT,
        related_name="districts",
    )
    code = models.CharField(_("mã"), max_length=5, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)
    legacy_province_code = models.CharField(_("mã tỉnh cũ"), max_length=3)
    legacy_province_name = models.CharField(_("tên tỉnh cũ"), max_length=100)

    class Meta:
        verbose_name = _("huyện (trước 01/07/2025)")
        verbose_name_plural = _("huyện (trước 01/07/2025)")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def short_name(self):
        return self.name.removeprefix(self.get_kind_display()).strip()


class Commune(models.Model):
    """A commune, ward or townlet, either of the old three-level list or of today's.

    Old communes carry their district; today's (``is_current``) have none. The same
    official code may stand for an old and a new unit, so codes are unique per list.
    """

    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh (hiện nay)"),
        on_delete=models.PROTECT,
        related_name="communes",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("huyện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="communes",
    )
    code = models.CharField(_("mã"), max_length=5)
    name = models.CharField(_("tên"), max_length=100)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)
    is_current = models.BooleanField(_("đơn vị hiện hành"), default=False)
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        through="CommuneSuccession",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )
    search_key = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        verbose_name = _("xã, phường, thị trấn")
        verbose_name_plural = _("xã, phường, thị trấn")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "is_current"], name="commune_code_per_list"
            )
        ]

    def __str__(self):
        if self.district_id and not self.is_current:
            return f"{self.name}, {self.district.name}"
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = fold(self.name)
        super().save(*args, **kwargs)


class CommuneSuccession(models.Model):
    """Which of today's communes an old commune went into on 1 July 2025.

    An old commune split between several new ones has one row per new commune;
    ``is_default`` marks the one its records move to when nothing else tells.
    """

    old = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+")
    new = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+")
    is_default = models.BooleanField(_("mặc định"), default=True)

    class Meta:
        verbose_name = _("sáp nhập xã")
        verbose_name_plural = _("sáp nhập xã")
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="succession_once")
        ]

    def __str__(self):
        return f"{self.old} → {self.new}"


class User(AbstractUser):
    """An account, with the role and the area it acts for."""

    role = models.CharField(
        _("vai trò"), max_length=30, choices=Role.choices, default=Role.PROVINCE_STAFF
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("huyện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("xã"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        """Vietnamese order: family and middle names (``last_name``), then the
        given name (``first_name``): "Nguyễn Văn" + "Tỉnh"."""
        return " ".join(part for part in (self.last_name, self.first_name) if part)


class ProductSet(models.Model):
    """One of the 26 product sets (bộ sản phẩm); each has its own scoring sheet."""

    number = models.PositiveSmallIntegerField(_("số"), unique=True)
    name = models.CharField(_("tên"), max_length=300)
    sector_code = models.CharField(_("mã ngành"), max_length=10)
    sector_name = models.CharField(_("ngành"), max_length=200)
    group_code = models.CharField(_("mã nhóm"), max_length=10)
    group_name = models.CharField(_("nhóm"), max_length=200)
    subgroup_code = models.CharField(_("mã phân nhóm"), max_length=12, blank=True)
    is_tourism = models.BooleanField(_("là du lịch"), default=False)

    class Meta:
        verbose_name = _("bộ sản phẩm")
        verbose_name_plural = _("bộ sản phẩm")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class Producer(models.Model):
    """A producer (chủ thể OCOP): an enterprise, cooperative, group or household."""

    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên chủ thể"), max_length=300)
    kind = models.CharField(_("loại hình"), max_length=30, choices=ProducerKind.choices)
    is_branch = models.BooleanField(_("là chi nhánh"), default=False)
    representative = models.CharField(_("người đại diện"), max_length=200, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("địa chỉ cơ sở sản xuất"), max_length=500, blank=True)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("xã, phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="producers",
    )
    tax_code = models.CharField(_("mã số thuế"), max_length=20, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    name_key = models.CharField(max_length=300, editable=False, db_index=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("chủ thể")
        verbose_name_plural = _("chủ thể")
        ordering = [VietnameseOrder("name"), "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("registry:producer-detail", args=[self.pk])

    @property
    def full_address(self):
        """The address, then its commune and district, each left out when the
        address already names it (sheets often write "Tổ 1, phường Quyết Thắng")."""
        parts = [self.address] if self.address else []
        if self.commune:
            parts.append(self.commune.name)
            if self.commune.district:
                parts.append(self.commune.district.name)
        written = []
        for part in parts:
            if fold(part) not in fold(", ".join(written)):
                written.append(part)
        return ", ".join(written)

    def refresh_search_fields(self):
        self.phone = normalise_phone(self.phone)
        self.name_key = fold(self.name)
        self.search_text = " ".join(
            fold(part)
            for part in (self.name, self.representative, self.address, self.phone)
            if part
        )


class Product(models.Model):
    """A product of a producer, as it goes through the programme year after year."""

    producer = models.ForeignKey(
        Producer,
        verbose_name=_("chủ thể"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    name = models.CharField(_("tên sản phẩm"), max_length=300)
    product_set = models.ForeignKey(
        ProductSet,
        verbose_name=_("bộ sản phẩm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    is_product_set_confirmed = models.BooleanField(
        _("đã xác nhận bộ sản phẩm"), default=False
    )
    code = models.CharField(_("mã sản phẩm"), max_length=40, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    name_key = models.CharField(max_length=300, editable=False, db_index=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("sản phẩm")
        verbose_name_plural = _("sản phẩm")
        ordering = [VietnameseOrder("name"), "id"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("registry:product-detail", args=[self.pk])

    def refresh_search_fields(self):
        self.name_key = fold(self.name)
        self.search_text = fold(self.name)


class Registration(models.Model):
    """A product's registration for one programme year (đăng ký tham gia OCOP).

    The registering district need not be the producer's. After 1 July 2025 there is no
    district, and the commune that receives the dossier registers it.
    """

    product = models.ForeignKey(
        Product,
        verbose_name=_("sản phẩm"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    year = models.PositiveSmallIntegerField(_("năm"), db_index=True)
    kind = models.CharField(
        _("hình thức"), max_length=20, choices=RegistrationKind.choices
    )
    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("huyện đăng ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("xã đăng ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    previous_stars = models.PositiveSmallIntegerField(
        _("hạng sao trước đó"), null=True, blank=True
    )
    previous_year = models.PositiveSmallIntegerField(
        _("năm đạt sao trước đó"), null=True, blank=True
    )
    import_batch = models.ForeignKey(
        "ImportBatch",
        verbose_name=_("lần nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
    )
    source_sheet = models.CharField(_("trang tính"), max_length=100, blank=True)
    source_row = models.PositiveIntegerField(_("dòng"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("đăng ký")
        verbose_name_plural = _("đăng ký")
        ordering = ["-year", "district__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "year"], name="one_registration_per_year"
            )
        ]

    def __str__(self):
        return f"{self.product} ({self.year})"


class ImportBatch(models.Model):
    """One upload of a registration spreadsheet: its preview and, once committed,
    what it wrote."""

    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("tên tệp"), max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("dung lượng"), default=0)
    year = models.PositiveSmallIntegerField(_("năm chương trình"))
    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.PREVIEWED,
    )
    preview = models.JSONField(_("xem trước"), default=dict, blank=True)
    summary = models.JSONField(_("kết quả"), default=dict, blank=True)
    job = models.ForeignKey(
        "ocop.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    committed_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập danh sách")
        verbose_name_plural = _("lần nhập danh sách")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name} ({self.created_at:%d/%m/%Y %H:%M})"
