"""Demo accounts, one per role, for a newcomer's first run."""

from .enums import Role
from .models import Commune, District, Province, User

DEMO_PASSWORD = "ocop-demo-2023"

# (username, full name, role, district code, commune name)
DEMO_ACCOUNTS = [
    ("quantri", "Vũ Văn Quản", Role.ADMINISTRATOR, None, None),
    ("tinh", "Nguyễn Văn Tỉnh", Role.PROVINCE_STAFF, None, None),
    ("huyen.tamduong", "Lò Văn Huyện", Role.DISTRICT_OFFICER, "106", None),
    ("huyen.thanhpho", "Trần Thị Thành", Role.DISTRICT_OFFICER, "105", None),
    ("xa.binhlu", "Giàng A Xã", Role.COMMUNE_OFFICER, "106", "Xã Bình Lư"),
    # The communes whose dossiers the demo's story assesses and sends up (see
    # evaluation.demo): each has its officer, who makes the commune's moves.
    ("xa.tamduong", "Lò Thị Mai", Role.COMMUNE_OFFICER, "106", "Thị trấn Tam Đường"),
    ("xa.banbo", "Tẩn Văn Chung", Role.COMMUNE_OFFICER, "106", "Xã Bản Bo"),
    ("xa.hothau", "Chảo Thị Mẩy", Role.COMMUNE_OFFICER, "106", "Xã Hồ Thầu"),
    ("xa.thensin", "Vàng A Sình", Role.COMMUNE_OFFICER, "106", "Xã Thèn Sin"),
    ("xa.quyettien", "Đỗ Thị Hoa", Role.COMMUNE_OFFICER, "105", "Phường Quyết Tiến"),
    ("xa.doanket", "Trần Văn Đoàn", Role.COMMUNE_OFFICER, "105", "Phường Đoàn Kết"),
    ("xa.dongphong", "Lê Thị Phong", Role.COMMUNE_OFFICER, "105", "Phường Đông Phong"),
    ("hoidong1", "Phạm Văn Chủ Tịch", Role.COUNCIL_MEMBER, None, None),
    ("hoidong2", "Lê Thị Phó", Role.COUNCIL_MEMBER, None, None),
    ("hoidong3", "Hoàng Văn Ủy Viên", Role.COUNCIL_MEMBER, None, None),
]


def create_demo_accounts(province_code="12"):
    """Create one account per role, or put back its details and the demo password
    (a password left as it is is not hashed again); returns them."""
    province = Province.objects.get(code=province_code)
    accounts = []
    for username, full_name, role, district_code, commune_name in DEMO_ACCOUNTS:
        district = (
            District.objects.get(code=district_code, province=province)
            if district_code
            else None
        )
        commune = (
            Commune.objects.get(name=commune_name, district=district, is_current=False)
            if commune_name
            else None
        )
        last, _, first = full_name.rpartition(" ")
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "role": role,
                "province": province,
                "district": district,
                "commune": commune,
                "is_staff": role == Role.ADMINISTRATOR,
                "is_superuser": role == Role.ADMINISTRATOR,
            },
        )
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        accounts.append(user)
    return accounts
