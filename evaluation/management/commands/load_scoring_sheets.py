from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from evaluation.corrections import apply_known_corrections
from evaluation.models import ScoringSheet
from evaluation.sheets import CRITERIA_FILE, load_scoring_sheets
from registry.models import ProductSet


class Command(BaseCommand):
    help = (
        "Nạp phiếu chấm điểm của 26 bộ sản phẩm từ tệp tiêu chí (JSON), kiểm tra "
        "từng phiếu và liệt kê lỗi."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(CRITERIA_FILE))
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

        summary = load_scoring_sheets(options["file"], actor=actor)
        self.stdout.write(
            f"Phiếu mới: {len(summary['created'])}, không đổi: "
            f"{len(summary['unchanged'])}, không đạt kiểm tra: "
            f"{len(summary['invalid'])}."
        )
        if options["apply_known_corrections"]:
            product_sets = {ps.number: ps for ps in ProductSet.objects.all()}
            corrected = apply_known_corrections(actor, product_sets)
            self.stdout.write(f"Đã hiệu chỉnh {len(corrected)} phiếu.")

        for sheet in ScoringSheet.objects.filter(is_valid=False).select_related(
            "product_set"
        ):
            if not sheet.is_latest:
                continue
            self.stdout.write(self.style.WARNING(str(sheet)))
            for problem in sheet.problems:
                code = problem["criterion"] or "—"
                self.stdout.write(f"  {code}: {problem['message']}")
