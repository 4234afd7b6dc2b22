"""Logging filters."""

import logging

from django.core.exceptions import PermissionDenied


class RefusalsWithoutTraceback(logging.Filter):
    """Drops the traceback Django attaches to a "Forbidden (Permission denied)"
    line: a refused page is the permission rule doing its work, and a traceback
    per refusal buries the errors that need one. The line itself stays."""

    def filter(self, record):
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
