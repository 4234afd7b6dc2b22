from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from evaluation.corrections import apply_known_corrections
from evaluation.models import ScoringSheet
from evaluation.sheet_file import CriteriaFileRefused
from evaluation.sheets import CRITERIA_FILE, load_scoring_sheets
from registry.models import ProductSet


class Command(BaseCommand):
    help = (
        "Nạp phiếu chấm điểm của 26 bộ sản phẩm từ tệp tiêu chí (JSON), kiểm tra "
        "từng phiếu và liệt kê lỗi. Ấn bản phiếu đọc từ căn cứ pháp lý ghi trong "
        "tệp, như trang nhập phiếu chấm."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(CRITERIA_FILE))
        parser.add_argument(
            "--edition",
            default="",
            help="Ấn bản phiếu (ví dụ 26-2026), chỉ dùng khi tệp không ghi căn cứ.",
        )
        parser.add_argument(
            "--new-edition",
            action="store_true",
            help=(
                "Xác nhận ấn bản ghi ở --edition là ấn bản mới (chưa quy định nào "
                "dùng, chưa có phiếu nào)."
            ),
        )
        parser.add_argument(
            "--apply-known-corrections",
            action="store_true",
            help="Ghi các hiệu chỉnh đã biết thành phiên bản mới (cần --by).",
        )
        parser.add_argument("--by", help="Tên đăng nhập của người hiệu chỉnh.")

    def handle(self, *args, **options):
        actor = None
        if options["by"]:
            actor = get_user_model().objects.filter(username=options["by"]).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản {options['by']}.")
        if options["apply_known_corrections"] and actor is None:
            raise CommandError("Cần --by để ghi ai hiệu chỉnh phiếu.")

        try:
            summary = load_scoring_sheets(
                options["file"],
                edition=options["edition"],
                actor=actor,
                is_new_edition_ok=options["new_edition"],
            )
        except (CriteriaFileRefused, ValidationError) as error:
            raise CommandError("\n".join(error.messages)) from None
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Phiếu mới: {len(summary['created'])}, không đổi: "
            f"{len(summary['unchanged'])}, không đạt kiểm tra: "
            f"{len(summary['invalid'])}."
        )
        self.stdout.write(f"Ấn bản: {summary['edition']}.")
        if options["apply_known_corrections"]:
            product_sets = {ps.number: ps for ps in ProductSet.objects.all()}
            known = apply_known_corrections(actor, product_sets)
            self.stdout.write(f"Đã hiệu chỉnh {len(known.corrected)} phiếu.")
            if known.left_alone:
                self.stdout.write(known.left_alone_line())

        sheets = ScoringSheet.objects.filter(
            edition=summary["edition"], is_valid=False, superseded_by__isnull=True
        ).select_related("product_set")
        for sheet in sheets:
            self.stdout.write(self.style.WARNING(str(sheet)))
            for problem in sheet.problems:
                code = problem["criterion"] or "—"
                self.stdout.write(f"  {code}: {problem['message']}")
