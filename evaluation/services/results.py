"""The council's result, closing a round and moving its products on."""

from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop import audit

from .. import scoring
from ..enums import (
    SCORING_ROLES,
    CouncilRole,
    DossierState,
    Outcome,
    RoundState,
)
from ..models import (
    ConflictOfInterest,
    CouncilSettings,
    Dossier,
    Evaluation,
    MemberScore,
    Round,
)
from ..sheets import cached_sheet_spec
from ._helpers import (
    _locked,
    _require_chair,
    _require_state,
    _require_unfrozen,
)

# What computing a result writes on the evaluation.
RESULT_FIELDS = (
    "score",
    "stars",
    "is_knocked_out",
    "outcome",
    "certifying_tier",
    "blocked_reasons",
    "computed_at",
)


def council_rules(province):
    settings = CouncilSettings.for_province(province)
    return scoring.CouncilRules(
        max_spread=settings.max_spread,
        quorum=Fraction(settings.quorum_numerator, settings.quorum_denominator),
        is_chair_required=settings.is_chair_required,
    )


def _tier_specs(rulebook):
    return [
        scoring.TierSpec(t.order, tuple(t.certifies_stars), t.refers_from)
        for t in rulebook.tiers.all()
    ]


def _bands(rulebook):
    return tuple((b["stars"], b["min"]) for b in rulebook.star_bands)


def _stored_result(evaluation):
    """What of an evaluation makes its result, as the database holds it."""
    return {
        "score": evaluation.score,
        "stars": evaluation.stars,
        "is_knocked_out": evaluation.is_knocked_out,
        "outcome": evaluation.outcome,
        "certifying_tier": evaluation.certifying_tier_id,
        "blocked_reasons": [str(reason) for reason in evaluation.blocked_reasons],
    }


@transaction.atomic
def compute_result(evaluation, actor=None):
    """Work out the council's score, stars and outcome from the submitted sheets.

    Stores what blocks the result (spread, quorum) rather than raising: the round
    cannot close while it is there. The returned evaluation's ``result_changed``
    says whether the result differs from the one stored before. A dossier rejected
    whole keeps its result (no score, ended): it is not worked out from sheets.
    Side effects: an audit entry ``evaluation.result.computed`` when the result
    (score, stars, outcome, certifying tier or what blocks it) differs from the one
    stored; computing an unchanged result again only notes the time.
    """
    evaluation = _locked(Evaluation, evaluation)
    _require_unfrozen(evaluation)
    if evaluation.is_rejected:
        evaluation.result_changed = False
        return evaluation
    council = evaluation.round.council
    submitted = list(
        evaluation.member_scores.filter(submitted_at__isnull=False).order_by(
            "member_id"
        )
    )
    conflicted = set(
        ConflictOfInterest.objects.filter(
            council=council, dossier=evaluation.dossier
        ).values_list("member_id", flat=True)
    )
    memberships = list(council.memberships.filter(role__in=SCORING_ROLES))
    scoring_ids = {m.user_id for m in memberships}
    eligible = scoring_ids - conflicted
    chair_id = next(
        (m.user_id for m in memberships if m.role == CouncilRole.CHAIR), None
    )

    spec = cached_sheet_spec(evaluation.sheet)
    result = scoring.council_result(
        spec,
        [(s.selections, s.knock_outs) for s in submitted],
        _bands(evaluation.rulebook),
    )
    totals = [s.total for s in submitted]
    blocked = scoring.blocking_reasons(
        totals,
        eligible=eligible,
        submitted_ids=[s.member_id for s in submitted],
        chair_id=chair_id,
        rules=council_rules(evaluation.round.province),
        recused=len(scoring_ids & conflicted),
    )
    outcome, tier_order, _stars = scoring.outcome_for(
        result.score,
        result.stars,
        _tier_specs(evaluation.rulebook),
        evaluation.tier.order,
        knocked_out=bool(result.knocked_out),
    )
    previous = _stored_result(evaluation)
    evaluation.score = result.score
    evaluation.stars = result.stars
    evaluation.is_knocked_out = bool(result.knocked_out)
    evaluation.outcome = outcome if result.score is not None else ""
    evaluation.certifying_tier = (
        evaluation.rulebook.tiers.get(order=tier_order)
        if outcome == Outcome.CERTIFIED
        else None
    )
    evaluation.blocked_reasons = blocked
    evaluation.computed_at = timezone.now()
    evaluation.result_changed = _stored_result(evaluation) != previous
    if not evaluation.result_changed:
        evaluation.save(update_fields=["computed_at"])
        return evaluation

    evaluation.save(update_fields=RESULT_FIELDS)
    audit.record(
        actor,
        "evaluation.result.computed",
        evaluation,
        from_state=previous["outcome"],
        to_state=evaluation.outcome,
        data={
            "score": str(result.score) if result.score is not None else None,
            "stars": result.stars,
            "band": result.band,
            "totals": totals,
            "knocked_out": list(result.knocked_out),
            "unmet_minimums": {str(k): v for k, v in result.unmet.items() if v},
            "blocked": blocked,
        },
    )
    return evaluation


def explain_results(evaluations):
    """Say of each evaluation what its stored result does not: ``missed_minimums``,
    the star minimums that keep its stars below its score's band, as
    ``(band, level, criterion codes)`` (None when the stars are the band's).

    The evaluations come with their sheet and rulebook; one query reads the sheets
    of those whose stars fell, and none when no stars fell.
    """
    fallen = {}
    for evaluation in evaluations:
        evaluation.missed_minimums = None
        if evaluation.score is None or not evaluation.stars:
            continue
        if evaluation.is_knocked_out:
            continue
        band = scoring.band_stars(evaluation.score, _bands(evaluation.rulebook))
        if evaluation.stars < band:
            fallen[evaluation.pk] = (evaluation, band)
    if not fallen:
        return evaluations

    sheets = {}
    for evaluation_id, selections, knock_outs in MemberScore.objects.filter(
        evaluation_id__in=fallen, submitted_at__isnull=False
    ).values_list("evaluation_id", "selections", "knock_outs"):
        sheets.setdefault(evaluation_id, []).append((selections, knock_outs))
    for evaluation, band in fallen.values():
        spec = cached_sheet_spec(evaluation.sheet)
        result = scoring.council_result(
            spec, sheets.get(evaluation.pk, []), _bands(evaluation.rulebook)
        )
        # The stars are the highest level met: the level above is the one missed.
        level = evaluation.stars + 1
        evaluation.missed_minimums = (band, level, result.unmet.get(level, []))
    return evaluations


@transaction.atomic
def close_round(round, actor):
    """The chair closes the round: every result is computed and frozen.

    Refused while any product's result is blocked or unscored (a dossier rejected
    whole needs no sheet). Dossiers whose result ends without a certificate, the
    rejected ones among them, become "not certified".
    Side effects: audit entries ``evaluation.round.closed`` and, per ended dossier,
    ``evaluation.dossier.ended``.
    """
    round = _locked(Round, round)
    _require_chair(round.council, actor)
    if round.state != RoundState.OPEN:
        raise ValidationError(_("Đợt đánh giá đã đóng."))
    evaluations = [
        compute_result(e, actor)
        for e in round.evaluations.select_related("dossier__registration__product")
    ]
    problems = []
    for evaluation in evaluations:
        product = evaluation.dossier.registration.product
        if evaluation.score is None and not evaluation.is_rejected:
            problems.append(
                _("%(product)s: chưa có phiếu chấm.") % {"product": product}
            )
        for reason in evaluation.blocked_reasons:
            problems.append(f"{product}: {reason}")
    if problems:
        # Roll back the computed results too: nothing changes when closing fails.
        raise ValidationError(problems)

    now = timezone.now()
    for evaluation in evaluations:
        evaluation.frozen_at = now
        evaluation.save(update_fields=["frozen_at"])
        if evaluation.outcome == Outcome.ENDED:
            _end_dossier(evaluation.dossier, actor, evaluation)
    round.state = RoundState.CLOSED
    round.closed_at = now
    round.closed_by = actor
    round.save(update_fields=["state", "closed_at", "closed_by"])
    audit.record(
        actor,
        "evaluation.round.closed",
        round,
        from_state=RoundState.OPEN,
        to_state=RoundState.CLOSED,
        data={"evaluations": len(evaluations)},
    )
    return round


def _end_dossier(dossier, actor, evaluation):
    dossier = _locked(Dossier, dossier)
    previous = dossier.state
    dossier.state = DossierState.NOT_CERTIFIED
    dossier.save(update_fields=["state", "updated_at"])
    data = {"score": str(evaluation.score), "stars": evaluation.stars}
    if evaluation.is_rejected:
        data = {"rejected_when": evaluation.rejected_when}
    audit.record(
        actor,
        "evaluation.dossier.ended",
        dossier,
        from_state=previous,
        to_state=dossier.state,
        reason=evaluation.rejection_detail,
        data=data,
    )


def rejection_error(evaluation, rejected_when, detail):
    """What is wrong with rejecting the evaluation's dossier whole for
    ``rejected_when`` (one of its sheet's paragraphs) with ``detail``, as a
    ``ValidationError`` by field, or None."""
    sheet = evaluation.sheet
    errors = {}
    if evaluation.is_rejected:
        return ValidationError(
            _("Hồ sơ đã bị loại từ trước (%(at)s): %(when)s")
            % {
                "at": f"{timezone.localtime(evaluation.rejected_at):%d/%m/%Y}",
                "when": evaluation.rejected_when,
            }
        )
    if not sheet.dossier_rejected_when:
        errors["rejected_when"] = _(
            "Phiếu chấm của bộ sản phẩm %(number)s không ghi trường hợp hồ sơ bị "
            "loại: hồ sơ được hội đồng chấm điểm."
        ) % {"number": sheet.product_set.number}
    elif rejected_when not in sheet.dossier_rejected_when:
        errors["rejected_when"] = _(
            "Cần chọn một trường hợp hồ sơ bị loại ghi trên phiếu chấm."
        )
    if not (detail or "").strip():
        errors["rejection_detail"] = _(
            "Cần ghi cụ thể điều tìm thấy: giấy tờ nào giả mạo, thiếu giấy chứng "
            "nhận nào, hồ sơ thiếu gì."
        )
    return ValidationError(errors) if errors else None


def _reject(evaluation, actor, rejected_when, detail, *, at_precheck):
    """Store the rejection and its result (no score, ended); the caller has
    checked ``rejection_error`` and holds the evaluation's lock."""
    previous = evaluation.outcome
    evaluation.rejected_when = rejected_when
    evaluation.rejection_detail = detail.strip()
    evaluation.rejected_by = actor
    evaluation.rejected_at = timezone.now()
    evaluation.score = None
    evaluation.stars = None
    evaluation.is_knocked_out = False
    evaluation.outcome = Outcome.ENDED
    evaluation.certifying_tier = None
    evaluation.blocked_reasons = []
    evaluation.computed_at = evaluation.rejected_at
    evaluation.save(
        update_fields=[
            "rejected_when",
            "rejection_detail",
            "rejected_by",
            "rejected_at",
            *RESULT_FIELDS,
        ]
    )
    audit.record(
        actor,
        "evaluation.evaluation.rejected",
        evaluation,
        from_state=previous,
        to_state=evaluation.outcome,
        reason=evaluation.rejection_detail,
        data={
            "rejected_when": rejected_when,
            "at_precheck": at_precheck,
            "submitted_sheets": evaluation.member_scores.filter(
                submitted_at__isnull=False
            ).count(),
        },
    )
    return evaluation


@transaction.atomic
def reject_dossier(evaluation, actor, *, rejected_when, detail):
    """The chair finds the dossier rejected whole at the meeting (hồ sơ bị loại:
    a forged dossier, a food product without its food-safety certificate…), for
    one of the paragraphs its sheet lists under “Hồ sơ bị loại khi”.

    The evaluation ends without scoring: no member may score it any more, sheets
    already in are kept but not counted, its result reads “bị loại” with the
    reason. The dossier becomes “not certified” when the chair closes the round,
    with the round's other results. The advisory team rejects at its pre-check
    (``record_precheck``).
    Side effects: an audit entry ``evaluation.evaluation.rejected``.
    """
    evaluation = _locked(Evaluation, evaluation)
    _require_chair(evaluation.round.council, actor)
    _require_unfrozen(evaluation)
    error = rejection_error(evaluation, rejected_when, detail)
    if error is not None:
        raise error
    return _reject(evaluation, actor, rejected_when, detail, at_precheck=False)


def is_to_refer(evaluation):
    """Whether the result refers its product to the next tier and it has not gone."""
    return evaluation.outcome == Outcome.REFERRED and evaluation.referred_at is None


def referral_counts(evaluations):
    """``(left, referred)`` of a round's evaluations: how many products its results
    refer to the next tier and have not gone yet, how many have gone."""
    left = sum(1 for e in evaluations if is_to_refer(e))
    referred = sum(1 for e in evaluations if e.referred_at is not None)
    return left, referred


def nothing_to_refer(round):
    """The sentence for “Chuyển cấp trên” on a round with no product left to refer:
    all referred already, or none whose result says so."""
    _left, referred = referral_counts(round.evaluations.all())
    if referred:
        next_tier = round.tier.next_tier()
        return _(
            "Không còn sản phẩm nào để chuyển: %(count)s sản phẩm có kết quả đề nghị "
            "cấp trên đã được chuyển lên %(tier)s."
        ) % {"count": referred, "tier": next_tier.name if next_tier else ""}
    return _(
        "Không còn sản phẩm nào để chuyển: trong đợt không có sản phẩm nào có kết "
        "quả đề nghị cấp trên."
    )


@transaction.atomic
def refer_round(round, actor):
    """Refer every product of a closed round whose result says so, in one action.

    Each goes to wait at the next tier. Returns the referred dossiers.
    Side effects: an audit entry ``evaluation.dossier.referred`` per dossier.
    """
    round = _locked(Round, round)
    if round.state != RoundState.CLOSED:
        raise ValidationError(_("Cần đóng đợt đánh giá trước khi chuyển cấp trên."))
    next_tier = round.tier.next_tier()
    eligible = round.evaluations.filter(
        outcome=Outcome.REFERRED, referred_at__isnull=True
    ).select_related("dossier")
    now = timezone.now()
    referred = []
    for evaluation in eligible:
        dossier = _locked(Dossier, evaluation.dossier)
        _require_state(dossier, DossierState.IN_EVALUATION)
        dossier.state = DossierState.WAITING
        dossier.current_tier = next_tier
        dossier.save(update_fields=["state", "current_tier", "updated_at"])
        evaluation.referred_at = now
        evaluation.save(update_fields=["referred_at"])
        audit.record(
            actor,
            "evaluation.dossier.referred",
            dossier,
            from_state=DossierState.IN_EVALUATION,
            to_state=DossierState.WAITING,
            data={
                "round": round.pk,
                "score": str(evaluation.score),
                "stars": evaluation.stars,
                "to_tier": next_tier.name,
            },
        )
        referred.append(dossier)
    return referred
