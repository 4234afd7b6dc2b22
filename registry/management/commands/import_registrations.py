import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registry.enums import ImportStatus, RegistrationKind
from registry.importer import (
    ImportRefused,
    commit_batch,
    preview_batch,
    preview_file,
    record_batch,
)
from registry.models import Province

ENTITY_LABELS = {
    "producers": gettext_lazy("Chủ thể"),
    "products": gettext_lazy("Sản phẩm"),
    "registrations": gettext_lazy("Đăng ký"),
}


class Command(BaseCommand):
    help = (
        "Nhập danh sách đăng ký OCOP (.xlsx) của tỉnh: mặc định chỉ xem trước, "
        "--commit để ghi vào cơ sở dữ liệu."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp .xlsx")
        parser.add_argument("--commit", action="store_true", help="ghi vào CSDL")
        parser.add_argument("--json", action="store_true", help="in bản xem trước")
        parser.add_argument("--year", type=int, help="năm chương trình (ghi đè)")
        parser.add_argument(
            "--province",
            default=settings.OCOP_PROVINCE_CODES[0],
            help="mã tỉnh (mặc định: tỉnh đầu tiên trong OCOP_PROVINCE_CODES)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Không có tệp %(path)s.") % {"path": path})
        province = Province.objects.filter(code=options["province"]).first()
        if province is None:
            raise CommandError(
                _("Chưa nạp đơn vị hành chính của tỉnh mã %(code)s.")
                % {"code": options["province"]}
            )

        if options["commit"]:
            preview, summary = self._commit(path, province, options["year"])
        else:
            try:
                preview = preview_file(path, province, options["year"]).preview()
            except ImportRefused as exc:
                preview = {"refused": exc.message}
            summary = None

        if options["json"]:
            output = dict(preview, committed=summary is not None)
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        elif "refused" not in preview:
            self._print(preview, summary)
        if "refused" in preview:
            raise CommandError(
                _("Tệp bị từ chối: %(reason)s") % {"reason": preview["refused"]}
            )
        if options["commit"] and summary is None:
            raise CommandError(_("Danh sách còn lỗi; chưa ghi gì vào cơ sở dữ liệu."))

    def _commit(self, path, province, year):
        with path.open("rb") as handle:
            batch = record_batch(handle, name=path.name, province=province, year=year)
        preview = preview_batch(batch, year=year)
        if batch.status != ImportStatus.PREVIEWED or preview["errors"]:
            return preview, None
        try:
            summary = commit_batch(batch)
        except ImportRefused as exc:
            raise CommandError(exc.message) from exc
        return preview, summary

    def _print(self, preview, summary):
        write = self.stdout.write
        write(
            _("Trang tính «%(sheet)s», dòng tiêu đề %(row)s, năm %(year)s.")
            % {
                "sheet": preview["sheet"],
                "row": preview["header_row"],
                "year": preview["year"],
            }
        )
        write(f"{'':<12}{_('tạo mới'):>10}{_('cập nhật'):>10}{_('giữ nguyên'):>12}")
        for entity, label in ENTITY_LABELS.items():
            counts = preview["counts"][entity]
            write(
                f"{label!s:<12}{counts['created']:>10}{counts['updated']:>10}"
                f"{counts['unchanged']:>12}"
            )
        kinds = ", ".join(
            f"{RegistrationKind(kind).label}: {count}"
            for kind, count in preview["registrations_by_kind"].items()
        )
        write(_("Đăng ký theo hình thức: %(kinds)s.") % {"kinds": kinds})
        write(
            _("%(count)s chủ thể khác nhau; theo huyện:")
            % {"count": preview["distinct_producers"]}
        )
        for district in preview["districts"]:
            write(
                f"  {district['name']:<24}"
                + _("%(registrations)5d đăng ký %(producers)5d chủ thể")
                % {
                    "registrations": district["registrations"],
                    "producers": district["producers"],
                }
            )
        if preview["issues"]:
            write(
                _("%(errors)s lỗi, %(warnings)s cảnh báo:")
                % {"errors": preview["errors"], "warnings": preview["warnings"]}
            )
        for issue in preview["issues"]:
            level = _("LỖI") if issue["level"] == "error" else _("cảnh báo")
            where = issue["sheet"]
            if issue["row"]:
                where = _("%(sheet)s, dòng %(row)s") % {
                    "sheet": where,
                    "row": issue["row"],
                }
            write(f"  [{level}] {where}: {issue['message']}")
        if summary is not None:
            write(self.style.SUCCESS(_("Đã ghi vào cơ sở dữ liệu.")))
        else:
            write(_("Chưa ghi gì: thêm --commit để ghi."))
