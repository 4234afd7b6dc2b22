"""The evaluation history shown on a product's page, across years and tiers."""

from django import template
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Window

from ..documents.access import with_documents
from ..models import Certificate, Dossier, Evaluation, MemberScore
from ..permissions import can_open, visible_dossiers, with_result_visibility
from ..services import dossier_history

register = template.Library()

# The audit lines the product's page shows, the newest; the history page has them all.
HISTORY_LINES = 100


def mark_hidden_results(entries, hidden):
    """Mark the audit entries of the evaluations whose result ``hidden`` (their ids
    as strings) keeps from the viewer: they keep their outcome to themselves."""
    evaluation_type = ContentType.objects.get_for_model(Evaluation)
    for entry in entries:
        entry.is_result_hidden = (
            entry.content_type_id == evaluation_type.pk and entry.object_id in hidden
        )
    return entries


def latest_entries(product):
    """The product's newest ``HISTORY_LINES`` audit entries and how many it has in
    all, in one query (the total rides along on each row)."""
    entries = list(
        dossier_history(product)
        .annotate(history_total=Window(Count("pk")))
        .order_by("-created_at", "-id")[:HISTORY_LINES]
    )
    return entries, (entries[0].history_total if entries else 0)


@register.inclusion_tag("evaluation/_product_history_body.html", takes_context=True)
def product_history(context, product):
    """Dossiers, evaluations with their scores, referrals, certificates and the
    newest ``HISTORY_LINES`` audit entries of one product, saying how many there
    are in all (seven queries, whatever its history). A dossier
    is linked only for someone who may open it; a council's provisional result is
    shown only to whom the round page shows it (``with_result_visibility``), and the
    audit entries of its computation then keep its outcome to themselves."""
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    evaluations = with_result_visibility(
        Evaluation.objects.filter(dossier__registration__product=product), user
    )
    evaluations = list(
        evaluations.select_related(
            "round", "tier", "rulebook", "certifying_tier", "rejected_by"
        )
        .prefetch_related(
            Prefetch(
                "member_scores",
                queryset=MemberScore.objects.filter(
                    submitted_at__isnull=False
                ).select_related("member"),
            )
        )
        .order_by("dossier__programme_year__year", "tier__order", "id")
    )
    hidden = {str(e.pk) for e in evaluations if not e.is_result_shown}
    entries, entries_total = latest_entries(product)
    mark_hidden_results(entries, hidden)
    return {
        "request": request,
        "product": product,
        "dossiers": Dossier.objects.filter(registration__product=product)
        .select_related("programme_year__rulebook", "current_tier", "registration")
        .annotate(is_openable=can_open(visible_dossiers, user))
        .order_by("-programme_year__year"),
        "evaluations": evaluations,
        "certificates": with_documents(
            Certificate.objects.filter(product=product)
            .select_related("tier", "rulebook")
            .with_grace(),
            user,
        ),
        "entries": entries,
        "entries_total": entries_total,
    }


@register.filter
def audit_sentence(action):
    """``{{ entry.action|audit_sentence }}``: the entry as people read it."""
    from ..views.history import sentence

    return sentence(action)


@register.filter
def state_label(value):
    """A stored state (``in_evaluation``) as its Vietnamese name."""
    from ..enums import CertificateStatus, DossierState, Outcome, RoundState

    for choices in (DossierState, RoundState, CertificateStatus, Outcome):
        if value in choices.values:
            return choices(value).label
    return value
