import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The national OCOP programme began in 2018 (Decision 490/QĐ-TTg).
FIRST_PROGRAMME_YEAR = 2018


def last_programme_year():
    """The latest year one may register for: the next one, planned ahead."""
    return datetime.date.today().year + 1


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", pgettext_lazy("role", "Quản trị hệ thống")
    PROVINCE_STAFF = "province_staff", pgettext_lazy("role", "Cán bộ OCOP tỉnh")
    DISTRICT_OFFICER = "district_officer", pgettext_lazy("role", "Cán bộ OCOP huyện")
    COMMUNE_OFFICER = "commune_officer", pgettext_lazy("role", "Cán bộ OCOP xã")
    COUNCIL_MEMBER = "council_member", pgettext_lazy("role", "Thành viên hội đồng")


class UnitKind(models.TextChoices):
    """The kind of an administrative unit, as the official list spells it."""

    PROVINCE = "tinh", _("Tỉnh")
    CITY_PROVINCE = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
    DISTRICT = "huyen", _("Huyện")
    TOWN = "thi_xa", _("Thị xã")
    CITY = "thanh_pho", _("Thành phố")
    URBAN_DISTRICT = "quan", _("Quận")
    COMMUNE = "xa", _("Xã")
    WARD = "phuong", _("Phường")
    TOWNLET = "thi_tran", _("Thị trấn")
    SPECIAL_ZONE = "dac_khu", _("Đặc khu")


class ProducerKind(models.TextChoices):
    """Who may own an OCOP product (chủ thể OCOP)."""

    ENTERPRISE = "enterprise", pgettext_lazy("producer kind", "Doanh nghiệp")
    COOPERATIVE = "cooperative", pgettext_lazy("producer kind", "Hợp tác xã")
    COOPERATIVE_GROUP = (
        "cooperative_group",
        pgettext_lazy("producer kind", "Tổ hợp tác"),
    )
    HOUSEHOLD = "household", pgettext_lazy("producer kind", "Hộ kinh doanh")
    FARM = "farm", pgettext_lazy("producer kind", "Trang trại")
    OTHER = "other", pgettext_lazy("producer kind", "Khác (hội, trung tâm…)")


class RegistrationKind(models.TextChoices):
    """Why a product is in a year's programme."""

    NEW = "new", pgettext_lazy("registration kind", "Đăng ký mới")
    RE_EVALUATION = "re_evaluation", pgettext_lazy("registration kind", "Đánh giá lại")
    UPGRADE = "upgrade", pgettext_lazy("registration kind", "Nâng hạng sao")


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", pgettext_lazy("import status", "Đã xem trước")
    COMMITTED = "committed", pgettext_lazy("import status", "Đã ghi")
    REFUSED = "refused", pgettext_lazy("import status", "Bị từ chối")
    FAILED = "failed", pgettext_lazy("import status", "Lỗi khi ghi")
