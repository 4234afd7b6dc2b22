"""What waits on an officer: the dossiers of their area at a step that is theirs,
for the home page, the overdue commune assessments first."""

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.enums import Role

from .enums import SAMPLES_REQUIRED, DossierState, TierLevel
from .permissions import visible_dossiers

# The home page lists at most this many; the dossier list has them all.
TODO_SHOWN = 10

# What each role does next on a dossier in each state.
NEXT_STEPS = {
    Role.COMMUNE_OFFICER: {
        DossierState.SUBMITTED: _("Ghi bốn nội dung đánh giá của xã"),
        DossierState.ASSESSED: _("Gửi hồ sơ lên cấp trên"),
        DossierState.RETURNED: _("Nộp lại khi chủ thể đã bổ sung"),
    },
    Role.DISTRICT_OFFICER: {
        DossierState.DRAFT: _("Nộp hồ sơ lên xã"),
        DossierState.RETURNED: _("Nộp lại khi chủ thể đã bổ sung"),
        DossierState.WAITING: _("Đưa vào đợt đánh giá của hội đồng huyện"),
    },
}


def has_todo_panel(user):
    return user.is_authenticated and user.role in NEXT_STEPS


def dossiers_waiting_on(user, today=None):
    """The dossiers waiting on a commune or district officer, in one query.

    A commune officer: those submitted to their commune and not yet assessed (the
    15 working days running), assessed but not yet sent up, and returned for more
    information. A district officer: their district's drafts to submit, those
    returned, and those waiting at the district's council for a round. Each row
    says ``next_step``, ``due_on`` and ``is_overdue`` (the commune's deadline, as
    ``Dossier.is_assessment_overdue`` counts it) and, waiting at a council,
    ``lacks_samples``; the overdue come first, then by deadline.
    """
    if not has_todo_panel(user):
        return []
    steps = NEXT_STEPS[user.role]
    dossiers = visible_dossiers(user).filter(state__in=list(steps))
    if user.role == Role.DISTRICT_OFFICER:
        # Referred on to the province, a dossier waits on the province's staff.
        dossiers = dossiers.exclude(
            Q(state=DossierState.WAITING) & ~Q(current_tier__level=TierLevel.DISTRICT)
        )
    rows = list(
        dossiers.select_related(
            "registration__product__producer",
            "registration__product__product_set",
            "current_tier",
            "commune_assessment",
        )
    )
    today = today or date.today()
    for dossier in rows:
        dossier.next_step = steps[dossier.state]
        dossier.is_overdue = dossier.is_assessment_overdue(today)
        dossier.due_on = (
            dossier.assessment_due_on if dossier.is_awaiting_assessment else None
        )
        product_set = dossier.registration.product.product_set
        dossier.lacks_samples = (
            dossier.state == DossierState.WAITING
            and not (product_set and product_set.is_tourism)
            and dossier.samples_received < SAMPLES_REQUIRED
        )
    order = list(DossierState.values)
    rows.sort(
        key=lambda d: (
            not d.is_overdue,
            d.due_on or date.max,
            order.index(d.state),
            d.pk,
        )
    )
    return rows
