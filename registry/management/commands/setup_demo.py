import time

from django.conf import settings
from django.core.management.base import BaseCommand

from evaluation.demo import demo_guide, setup_demo_evaluation
from registry.classification import load_product_sets
from registry.demo import DEMO_PASSWORD, create_demo_accounts
from registry.importer import import_once
from registry.models import Province
from registry.places import load_province

REGISTRATION_LIST = "lai-chau-ocop-2023-registration.xlsx"


class Command(BaseCommand):
    help = (
        "Chuẩn bị bản chạy thử: đơn vị hành chính, bộ sản phẩm, danh sách đăng ký "
        "OCOP 2023 của Lai Châu và tài khoản mẫu cho từng vai trò."
    )

    def handle(self, *args, **options):
        for code in settings.OCOP_PROVINCE_CODES:
            province, _ = load_province(code)
            self.stdout.write(
                f"Đơn vị hành chính: {province.name}, {province.districts.count()} "
                f"huyện cũ, {province.communes.filter(is_current=False).count()} xã "
                f"cũ, {province.communes.filter(is_current=True).count()} xã mới."
            )
        self.stdout.write(f"Bộ sản phẩm: {len(load_product_sets())}.")

        registration_list = settings.BASE_DIR / "fixtures" / REGISTRATION_LIST
        province = Province.objects.get(code=settings.OCOP_PROVINCE_CODES[0])
        accounts = create_demo_accounts(settings.OCOP_PROVINCE_CODES[0])
        # The province's office imports its list, as it does on the import page.
        office = next(user for user in accounts if user.username == "tinh")
        summary = import_once(registration_list, province, year=2023, user=office)
        if summary is None:
            self.stdout.write(f"Danh sách đăng ký 2023: đã nhập trước đó ({province}).")
        else:
            counts = {name: c["created"] for name, c in summary["counts"].items()}
            self.stdout.write(
                f"Danh sách đăng ký 2023: {counts['registrations']} đăng ký, "
                f"{counts['products']} sản phẩm, {counts['producers']} chủ thể mới."
            )

        started = time.monotonic()
        evaluation = setup_demo_evaluation(province)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Đánh giá: {evaluation['sheets']} phiếu chấm "
            f"({evaluation['corrected']} phiếu vừa hiệu chỉnh), "
            f"{evaluation['rounds']} đợt đánh giá 2023, {evaluation['dossiers']} hồ "
            f"sơ, {evaluation['proposed']} sản phẩm được đề xuất bộ sản phẩm "
            f"({seconds:.1f} giây)."
        )
        if evaluation["known_corrections"].left_alone:
            self.stdout.write(evaluation["known_corrections"].left_alone_line())
        moved = sum(evaluation["story"].values())
        if moved:
            self.stdout.write(
                f"Hồ sơ mẫu đi qua quy trình lần này: {moved} "
                f"(đợt đã đóng của huyện: {evaluation['story']['first_round']}, "
                f"của tỉnh: {evaluation['story']['province_round']}, đợt đang chấm: "
                f"{evaluation['story']['open_round']}, trạng thái khác: "
                f"{evaluation['story']['other']})."
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Tài khoản mẫu (mật khẩu chung):"))
        for user in accounts:
            area = user.commune or user.district or user.province
            seats = _council_seats(user)
            self.stdout.write(
                f"  {user.username:<16} {DEMO_PASSWORD}  {user.get_role_display()}"
                f" · {area}{seats}"
            )
        guide = demo_guide(province)
        if guide:
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS("Sẵn sàng để thử:"))
            for usernames, text in guide:
                self.stdout.write(f"  {', '.join(usernames)}: {text}")


def _council_seats(user):
    """A council member's seats, by role: "· Chủ tịch 9 hội đồng" or, for one
    council, its name."""
    by_role = {}
    for seat in user.council_memberships.select_related("council"):
        by_role.setdefault(seat.get_role_display(), []).append(seat.council.name)
    return "".join(
        f" · {role} {names[0]}"
        if len(names) == 1
        else f" · {role} {len(names)} hội đồng"
        for role, names in by_role.items()
    )
