"""A product's set (bộ sản phẩm), and what follows from it for its dossiers.

The set decides the scoring sheet. The registration spreadsheet does not say it:
the product's page proposes one from the name (``suggest``) and an officer confirms
or changes it here, the only place a product's set changes.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop import audit
from registry.models import Product

from ..enums import DOSSIER_OPEN_STATES, RoundState
from ..models import Dossier, Evaluation, MemberScore
from ._helpers import _locked, scoring_sheet_for


@transaction.atomic
def confirm_product_set(product, actor, product_set):
    """An officer confirms, or changes, the product set of a product.

    The product's open dossiers follow the set: one that no council has scored yet
    moves to the newest sheet of the set under its rulebook (with its evaluation, if
    it waits in an open round), and its self-assessment, made on the old sheet, is
    cleared. A new set for a product that a council has already scored in an open
    dossier is refused: that dossier's councils would score it on two sheets.
    Confirming again the confirmed set, with every dossier on its newest sheet,
    changes nothing and is not recorded; the returned product's
    ``product_set_changed`` says which, ``dossiers_moved`` how many dossiers moved
    to another sheet and ``self_assessments_cleared`` how many lost their
    self-assessment.
    Side effects: an audit entry ``registry.product.product_set_confirmed``; per
    dossier moved, ``evaluation.dossier.self_assessment_cleared`` (or
    ``evaluation.dossier.sheet_changed`` when it had no self-assessment).
    """
    stored = _locked(Product, product)
    is_new_set = stored.product_set_id != product_set.pk
    was_confirmed = not is_new_set and stored.is_product_set_confirmed
    dossiers = list(
        Dossier.objects.select_for_update(of=("self",))
        .filter(registration__product=stored, state__in=DOSSIER_OPEN_STATES)
        .select_related("programme_year__rulebook")
        .order_by("id")
    )
    scored = set(
        MemberScore.objects.filter(evaluation__dossier__in=dossiers).values_list(
            "evaluation__dossier_id", flat=True
        )
    )
    if is_new_set and scored:
        raise ValidationError({"product_set": _scored_refusal(min(scored))})

    moves = []
    for dossier in dossiers:
        if dossier.pk in scored:
            continue
        sheet = scoring_sheet_for(product_set, dossier.rulebook)
        evaluations = _evaluations_to_move(dossier, sheet)
        is_same_sheet = dossier.sheet_id == (sheet.pk if sheet else None)
        if is_same_sheet and not evaluations:
            continue
        moves.append((dossier, sheet, evaluations))

    product.self_assessments_cleared = sum(
        1 for d, _s, _e in moves if d.self_assessment
    )
    product.product_set = product_set
    product.is_product_set_confirmed = True
    if not was_confirmed:
        product.save(update_fields=["product_set", "is_product_set_confirmed"])
    for dossier, sheet, evaluations in moves:
        _move_dossier(dossier, actor, sheet, evaluations, product_set)

    product.dossiers_moved = len(moves)
    product.product_set_changed = not was_confirmed or bool(moves)
    if not product.product_set_changed:
        return product
    audit.record(
        actor,
        "registry.product.product_set_confirmed",
        product,
        data={
            "from": stored.product_set_id,
            "to": product_set.pk,
            "number": product_set.number,
            "dossiers": [dossier.pk for dossier, _sheet, _e in moves],
        },
    )
    return product


def _scored_refusal(dossier_id):
    score = (
        MemberScore.objects.filter(evaluation__dossier_id=dossier_id)
        .select_related(
            "evaluation__round",
            "evaluation__sheet__product_set",
            "evaluation__dossier__programme_year",
        )
        .order_by("id")
        .first()
    )
    evaluation = score.evaluation
    return _(
        "Hồ sơ năm %(year)s của sản phẩm đã được hội đồng chấm điểm (%(round)s) trên "
        "phiếu của bộ sản phẩm số %(number)s: không đổi bộ sản phẩm được nữa."
    ) % {
        "year": evaluation.dossier.programme_year.year,
        "round": evaluation.round.name,
        "number": evaluation.sheet.product_set.number,
    }


def _evaluations_to_move(dossier, sheet):
    """The dossier's evaluations in open rounds, not yet scored, on another sheet;
    refused when the new sheet cannot be scored on."""
    evaluations = list(
        Evaluation.objects.filter(dossier=dossier, round__state=RoundState.OPEN)
        .exclude(sheet=sheet)
        .select_related("round")
    )
    if evaluations and (sheet is None or not sheet.is_valid):
        raise ValidationError(
            {
                "product_set": _(
                    "Hồ sơ năm %(year)s đang ở %(round)s nhưng phiếu chấm của bộ sản "
                    "phẩm mới chưa dùng được để chấm (chưa có, hoặc chưa đạt kiểm "
                    "tra): chưa đổi bộ sản phẩm được."
                )
                % {
                    "year": dossier.programme_year.year,
                    "round": evaluations[0].round.name,
                }
            }
        )
    return evaluations


def _move_dossier(dossier, actor, sheet, evaluations, product_set):
    previous_sheet, cleared = dossier.sheet_id, len(dossier.self_assessment)
    dossier.sheet = sheet
    dossier.self_assessment = []
    dossier.save(update_fields=["sheet", "self_assessment", "updated_at"])
    for evaluation in evaluations:
        evaluation.sheet = sheet
        evaluation.save(update_fields=["sheet"])
    action = "self_assessment_cleared" if cleared else "sheet_changed"
    audit.record(
        actor,
        f"evaluation.dossier.{action}",
        dossier,
        data={
            "product_set": product_set.number,
            "from_sheet": previous_sheet,
            "to_sheet": sheet.pk if sheet else None,
            "cleared_selections": cleared,
            "evaluations": [evaluation.pk for evaluation in evaluations],
        },
    )
