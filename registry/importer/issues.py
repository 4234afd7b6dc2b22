"""What an import has to say about a file: refusals, and warnings at a sheet row."""

from dataclasses import asdict, dataclass


class ImportRefused(Exception):
    """The file cannot be imported at all; ``message`` says why, in Vietnamese."""

    def __init__(self, message, sheet="", row=None):
        super().__init__(str(message))
        self.message = str(message)
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
