"""The import of a province's registration spreadsheet.

``reader`` reads the sheet as offices keep it, ``planner`` matches it against the
registry and says what will change, ``committer`` writes a plan in one transaction,
and ``services`` ties them to an :class:`~registry.models.ImportBatch` and its job.
"""

from .issues import (
    HINT_FIX_FILE,
    HINT_REMOVE_PASSWORD,
    HINT_SAVE_AGAIN,
    HINT_SAVE_AS_XLSX,
    HINT_YEAR,
    ImportRefused,
    Issue,
)
from .services import (
    commit_batch,
    create_batch,
    import_once,
    preview_batch,
    preview_file,
    record_batch,
)

__all__ = [
    "HINT_FIX_FILE",
    "HINT_REMOVE_PASSWORD",
    "HINT_SAVE_AGAIN",
    "HINT_SAVE_AS_XLSX",
    "HINT_YEAR",
    "ImportRefused",
    "Issue",
    "commit_batch",
    "create_batch",
    "import_once",
    "preview_batch",
    "preview_file",
    "record_batch",
]
