from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registry.places import available_provinces, load_province


class Command(BaseCommand):
    help = (
        "Nạp danh mục đơn vị hành chính chính thức (trước và sau 01/07/2025) "
        "của các tỉnh."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "codes",
            nargs="*",
            help="Mã tỉnh hiện hành (mặc định: OCOP_PROVINCE_CODES).",
        )
        parser.add_argument("--all", action="store_true", help="Nạp cả 34 tỉnh.")

    def handle(self, *codes, **options):
        if options["all"]:
            codes = [code for code, _ in available_provinces()]
        codes = codes or settings.OCOP_PROVINCE_CODES
        for code in codes:
            try:
                province, result = load_province(code)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            total_old = province.communes.filter(is_current=False).count()
            total_new = province.communes.filter(is_current=True).count()
            self.stdout.write(
                f"{province.name}: {province.districts.count()} huyện cũ, "
                f"{total_old} xã cũ, {total_new} xã mới "
                f"(thêm mới {result.districts} huyện, {result.communes_old} xã cũ, "
                f"{result.communes_new} xã mới, {result.successions} liên kết)"
            )
