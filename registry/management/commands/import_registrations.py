import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from registry.enums import ImportStatus, RegistrationKind
from registry.importer import (
    HINT_FIX_FILE,
    HINT_REMOVE_PASSWORD,
    HINT_SAVE_AGAIN,
    HINT_SAVE_AS_XLSX,
    HINT_YEAR,
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
        self.as_json = options["json"]
        path = Path(options["file"])
        if path.is_dir():
            self._fail(
                _(
                    "%(path)s là một thư mục, không phải tệp: hãy ghi đường dẫn của "
                    "tệp .xlsx cần nhập."
                )
                % {"path": path}
            )
        if not path.is_file():
            self._fail(_("Không có tệp %(path)s.") % {"path": path})
        province = Province.objects.filter(code=options["province"]).first()
        if province is None:
            self._fail(
                _("Chưa nạp đơn vị hành chính của tỉnh mã %(code)s.")
                % {"code": options["province"]}
            )

        if options["commit"]:
            preview, summary = self._commit(path, province, options["year"])
        else:
            try:
                preview = preview_file(path, province, options["year"]).preview()
            except ImportRefused as exc:
                preview = refusal(exc)
            summary = None

        if "refused" in preview:
            reason = refusal_text(preview)
            self._fail(
                _("Tệp bị từ chối: %(reason)s") % {"reason": reason},
                {"refused": reason},
            )
        if options["commit"] and summary is None:
            self._fail(
                ngettext(
                    "Danh sách còn %(count)s lỗi; chưa ghi gì vào cơ sở dữ liệu. Hãy "
                    "sửa tệp rồi chạy lại lệnh.",
                    "Danh sách còn %(count)s lỗi; chưa ghi gì vào cơ sở dữ liệu. Hãy "
                    "sửa tệp rồi chạy lại lệnh.",
                    preview["errors"],
                )
                % {"count": preview["errors"]},
                preview,
                printed=lambda: self._print(preview, summary, is_commit=True),
            )
        if self.as_json:
            output = dict(preview, committed=summary is not None)
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        else:
            self._print(preview, summary, is_commit=options["commit"])

    def _fail(self, message, output=None, printed=None):
        """Stop with ``message`` (exit status 1); with --json, first print it as
        JSON (``error``) with ``output``, else what ``printed`` prints."""
        if self.as_json:
            output = dict(output or {}, error=message, committed=False)
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        elif printed:
            printed()
        raise CommandError(message)

    def _commit(self, path, province, year):
        with path.open("rb") as handle:
            batch = record_batch(handle, name=path.name, province=province, year=year)
        preview = preview_batch(batch, year=year)
        if batch.status != ImportStatus.PREVIEWED or preview["errors"]:
            return preview, None
        try:
            summary = commit_batch(batch)
        except ImportRefused as exc:
            self._fail(refusal_text(refusal(exc)))
        return preview, summary

    def _print(self, preview, summary, *, is_commit):
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
        elif not is_commit:
            # With --commit, the command stops next, saying why nothing was written.
            if preview["errors"]:
                write(
                    _(
                        "Chưa ghi gì: hãy sửa các lỗi trên rồi chạy lại lệnh với "
                        "--commit."
                    )
                )
            else:
                write(_("Chưa ghi gì: thêm --commit để ghi."))


# The refusals' hints as the command line does them: the upload page's say to
# upload the file again, or to fill in the year on the page.
COMMAND_HINTS = {
    HINT_SAVE_AS_XLSX: gettext_lazy(
        "Hãy mở bằng Excel, chọn «Lưu thành» kiểu Sổ làm việc Excel (.xlsx) rồi "
        "chạy lại lệnh với tệp .xlsx."
    ),
    HINT_REMOVE_PASSWORD: gettext_lazy(
        "Hãy mở tệp bằng Excel, bỏ mật khẩu, lưu lại rồi chạy lại lệnh."
    ),
    HINT_SAVE_AGAIN: gettext_lazy("Hãy mở lại bằng Excel, lưu lại rồi chạy lại lệnh."),
    HINT_FIX_FILE: gettext_lazy("Hãy sửa tệp rồi chạy lại lệnh."),
    HINT_YEAR: gettext_lazy(
        "Hãy ghi năm chương trình bằng --year, ví dụ: --year 2023."
    ),
}


def refusal(exc):
    """An ``ImportRefused`` as a refused batch's preview keeps it."""
    return {"refused": exc.message, "reason": exc.reason, "hint_code": exc.hint_code}


def refusal_text(refused):
    """A refusal (``reason``, ``hint_code``, and ``refused`` as the upload page
    says it) in the command's words: the reason, then the command's own hint."""
    hint = COMMAND_HINTS.get(refused.get("hint_code", ""))
    if hint is None:
        return refused["refused"]
    return f"{refused['reason']} {hint}"
