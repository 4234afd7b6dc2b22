"""Re-evaluation (đánh giá lại) before a certificate expires, and its grace.

A certificate is valid 36 months from issue. Its product is re-evaluated on a
dossier filed 180 to 120 days before the expiry, and the re-evaluation is finished
within 45 days. A producer who files late keeps the certificate valid until the
result, at most 180 days past the expiry. An upgrade (nâng hạng) has no window: it
may be filed at any time, saying what changed since the last evaluation.

The day a dossier was filed is its first submission (``Dossier.filed_on``): a
returned dossier filed again keeps it.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from registry.enums import RegistrationKind

from .enums import FilingTiming
from .models import REEVALUATION_FINISH_DAYS


@dataclass(frozen=True)
class ReEvaluationTiming:
    """A re-evaluation dossier's window, against the certificate it follows."""

    certificate: object
    opens_on: date
    closes_on: date
    expires_on: date
    grace_ends_on: date
    filed_on: date | None
    timing: FilingTiming
    # 45 days from filing, when filed.
    finish_by: date | None
    # Not filed and the window has closed.
    is_overdue: bool

    @property
    def timing_label(self):
        return FilingTiming(self.timing).label

    @property
    def is_in_window(self):
        return self.timing == FilingTiming.IN_WINDOW

    @property
    def keeps_valid_until(self):
        """A late filer's certificate holds until the result, at most this day."""
        if self.timing == FilingTiming.LATE:
            return self.grace_ends_on
        return None


def filing_timing(certificate, filed_on):
    """Early, in the window, late (within the grace) or too late; not filed."""
    if filed_on is None:
        return FilingTiming.NOT_FILED
    if filed_on < certificate.reevaluation_opens_on:
        return FilingTiming.EARLY
    if filed_on <= certificate.reevaluation_closes_on:
        return FilingTiming.IN_WINDOW
    if filed_on <= certificate.grace_ends_on:
        return FilingTiming.LATE
    return FilingTiming.TOO_LATE


def reevaluation_timing(dossier, today=None):
    """The window of a re-evaluation dossier that follows a certificate, or None
    (another kind of dossier, or one that follows no certificate yet)."""
    certificate = dossier.follows
    if certificate is None:
        return None
    if dossier.registration.kind != RegistrationKind.RE_EVALUATION:
        return None
    today = today or date.today()
    filed_on = dossier.filed_on
    return ReEvaluationTiming(
        certificate=certificate,
        opens_on=certificate.reevaluation_opens_on,
        closes_on=certificate.reevaluation_closes_on,
        expires_on=certificate.expires_on,
        grace_ends_on=certificate.grace_ends_on,
        filed_on=filed_on,
        timing=filing_timing(certificate, filed_on),
        finish_by=filed_on + timedelta(days=REEVALUATION_FINISH_DAYS)
        if filed_on
        else None,
        is_overdue=filed_on is None and today > certificate.reevaluation_closes_on,
    )
