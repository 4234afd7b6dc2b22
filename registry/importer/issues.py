"""What an import has to say about a file: refusals, and warnings at a sheet row."""

from dataclasses import asdict, dataclass

# What a refusal asks its reader to do, named so that a caller whose user does it
# another way (the command line, not the upload page) can say it in its own words.
HINT_SAVE_AS_XLSX = "save_as_xlsx"
HINT_REMOVE_PASSWORD = "remove_password"
HINT_SAVE_AGAIN = "save_again"
HINT_YEAR = "year"
HINT_FIX_FILE = "fix_file"


class ImportRefused(Exception):
    """The file cannot be imported at all; ``message`` says why, in Vietnamese.

    ``message`` is the ``reason``, then the ``hint`` when there is one: what to do
    next, worded for the upload page. ``hint_code`` (one of the ``HINT_*``) names
    that hint, for a caller to put its own wording in its place.
    """

    def __init__(self, message, sheet="", row=None, *, hint="", hint_code=""):
        self.reason = str(message)
        self.hint = str(hint)
        self.hint_code = hint_code
        self.message = f"{self.reason} {self.hint}" if self.hint else self.reason
        super().__init__(self.message)
        self.sheet = sheet
        self.row = row


@dataclass
class Issue:
    level: str  # "error" or "warning"
    sheet: str
    row: int | None
    message: str

    def as_dict(self):
        return asdict(self)


ERROR = "error"
WARNING = "warning"
