"""``manage.py load_rulebooks [FILE]``: the rulebooks of a file into the database."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evaluation.rulebooks import RULEBOOKS_FILE, RulebookFileError, load_rulebooks


class Command(BaseCommand):
    help = _(
        "Nạp các quy định đánh giá, phân hạng (mặc định fixtures/rulebooks.json); "
        "chạy lại không đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(RULEBOOKS_FILE))

    def handle(self, *args, **options):
        try:
            loaded = load_rulebooks(options["file"])
        except RulebookFileError as error:
            raise CommandError(str(error)) from error
        for rulebook in loaded.values():
            tiers = " → ".join(tier.name for tier in rulebook.tiers.order_by("order"))
            self.stdout.write(f"{rulebook.legal_basis}: {tiers}")
