"""Every move of the evaluation workflow, one function each.

Each function checks its guard, saves only the fields it changes, writes an audit
entry and queues its side effects for after the commit. A move that is not allowed
raises ``ValidationError`` with a Vietnamese message and leaves the database as it
was. Views call these functions; they never change a state themselves.

Who may do a move on which area is decided by ``permissions`` in the views; the
functions here enforce the rules of the council itself (only members score, only
the chair corrects and closes).
"""

import logging
from datetime import date
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop import audit
from registry.enums import RegistrationKind

from . import scoring
from .enums import (
    SCORING_ROLES,
    CertificateStatus,
    CouncilRole,
    DossierState,
    Outcome,
    RoundState,
    TierKind,
    TierLevel,
)
from .models import (
    CERTIFICATE_VALIDITY_MONTHS,
    Certificate,
    CommuneAssessment,
    ConflictOfInterest,
    CouncilMembership,
    CouncilSettings,
    Dossier,
    Evaluation,
    MemberScore,
    MinistryResult,
    ProgrammeYear,
    Round,
    ScoreCorrection,
    add_months,
)
from .sheets import cached_sheet_spec, latest_sheet

logger = logging.getLogger(__name__)

# Registrations that renew or raise an earlier certificate.
FOLLOWING_KINDS = (RegistrationKind.RE_EVALUATION, RegistrationKind.UPGRADE)


# -- helpers ---------------------------------------------------------------------------


def _locked(model, obj):
    """The row again, locked until the end of the transaction."""
    return model.objects.select_for_update().get(pk=obj.pk)


def _require_state(dossier, *states):
    if dossier.state not in states:
        raise ValidationError(
            _("Hồ sơ đang ở trạng thái “%(state)s”, không thực hiện được thao tác này.")
            % {"state": dossier.get_state_display()}
        )


def _require_text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _area_name(name):
    """“Huyện Tam Đường” as it reads inside a sentence: “huyện Tam Đường”."""
    return name[:1].lower() + name[1:] if name else ""


def scoring_sheet_for(product_set, rulebook):
    """The newest sheet of a product set in the rulebook's edition, or None."""
    if product_set is None:
        return None
    return latest_sheet(product_set, rulebook.sheet_edition)


def programme_year_for(registration):
    programme = ProgrammeYear.objects.filter(
        province_id=registration.province_id, year=registration.year
    ).first()
    if programme is None:
        raise ValidationError(
            _("Chưa khai báo năm chương trình %(year)s của tỉnh và quy định áp dụng.")
            % {"year": registration.year}
        )
    return programme


def membership(council, user):
    """The user's membership of a council, or None."""
    if council is None or user is None or not user.is_authenticated:
        return None
    return CouncilMembership.objects.filter(council=council, user=user).first()


def _require_chair(council, actor):
    member = membership(council, actor)
    if member is None or member.role != CouncilRole.CHAIR:
        raise ValidationError(_("Chỉ Chủ tịch hội đồng được thực hiện thao tác này."))


# -- the dossier -----------------------------------------------------------------------


@transaction.atomic
def create_dossier(registration, actor, *, form_data=None, follows=None):
    """Open the dossier of a registration under its programme year's rulebook.

    A re-evaluation or an upgrade follows the product's latest certificate unless
    ``follows`` names another.
    Side effects: an audit entry ``evaluation.dossier.created``.
    """
    if Dossier.objects.filter(registration=registration).exists():
        raise ValidationError(_("Đăng ký này đã có hồ sơ."))
    programme = programme_year_for(registration)
    rulebook = programme.rulebook
    if follows is None and registration.kind in FOLLOWING_KINDS:
        follows = (
            Certificate.objects.filter(product_id=registration.product_id)
            .exclude(status=CertificateStatus.REVOKED)
            .order_by("-issued_on", "-id")
            .first()
        )
    dossier = Dossier.objects.create(
        registration=registration,
        programme_year=programme,
        current_tier=rulebook.tiers.order_by("order").first(),
        form_data=form_data or {},
        sheet=scoring_sheet_for(registration.product.product_set, rulebook),
        follows=follows,
    )
    audit.record(
        actor,
        "evaluation.dossier.created",
        dossier,
        to_state=dossier.state,
        data={
            "rulebook": rulebook.code,
            "follows": follows.number if follows else None,
        },
    )
    return dossier


@transaction.atomic
def save_self_assessment(dossier, actor, selections):
    """Keep the producer's self-assessment: chosen option ids on the dossier's sheet."""
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.DRAFT, DossierState.RETURNED)
    if dossier.sheet is None:
        raise ValidationError(_("Sản phẩm chưa được xác nhận bộ sản phẩm."))
    spec = cached_sheet_spec(dossier.sheet)
    unknown = [i for i in selections if spec.option(i) is None]
    if unknown:
        raise ValidationError(_("Có lựa chọn không thuộc phiếu của hồ sơ."))
    dossier.self_assessment = list(selections)
    dossier.save(update_fields=["self_assessment", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.self_assessed",
        dossier,
        data={"total": sum(scoring.part_totals(spec, selections).values())},
    )
    return dossier


@transaction.atomic
def submit_dossier(dossier, actor, *, received_on=None):
    """A district or commune officer submits the dossier to the commune.

    The commune's 15 working days run from ``received_on`` (today by default).
    Side effects: an audit entry ``evaluation.dossier.submitted``.
    """
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.DRAFT)
    product = dossier.registration.product
    if product.product_set_id is None or not product.is_product_set_confirmed:
        raise ValidationError(
            _("Cần xác nhận bộ sản phẩm của sản phẩm trước khi nộp hồ sơ.")
        )
    if dossier.sheet_id is None:
        dossier.sheet = scoring_sheet_for(product.product_set, dossier.rulebook)

    previous = dossier.state
    dossier.state = DossierState.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.submitted_by = actor
    dossier.received_on = received_on or timezone.localdate()
    dossier.save(
        update_fields=[
            "state",
            "sheet",
            "submitted_at",
            "submitted_by",
            "received_on",
            "updated_at",
        ]
    )
    audit.record(
        actor,
        "evaluation.dossier.submitted",
        dossier,
        from_state=previous,
        to_state=dossier.state,
    )
    return dossier


@transaction.atomic
def return_dossier(dossier, actor, reason):
    """Send the dossier back for more information, keeping the reason.

    Side effects: an audit entry ``evaluation.dossier.returned``.
    """
    reason = _require_text(reason, "reason", _("Cần ghi lý do trả lại hồ sơ."))
    dossier = _locked(Dossier, dossier)
    _require_state(
        dossier, DossierState.SUBMITTED, DossierState.ASSESSED, DossierState.WAITING
    )
    previous = dossier.state
    dossier.state = DossierState.RETURNED
    dossier.returned_reason = reason
    dossier.save(update_fields=["state", "returned_reason", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.returned",
        dossier,
        from_state=previous,
        to_state=dossier.state,
        reason=reason,
    )
    return dossier


@transaction.atomic
def resubmit_dossier(dossier, actor, *, received_on=None):
    """Submit a returned dossier again; it goes back to where it was returned from.

    A dossier returned before the commune's assessment waits for it again (its 15
    working days start over); one returned after it goes back to being assessed.
    Side effects: an audit entry ``evaluation.dossier.resubmitted``.
    """
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.RETURNED)
    assessed = CommuneAssessment.objects.filter(dossier=dossier).exists()
    dossier.state = DossierState.ASSESSED if assessed else DossierState.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.submitted_by = actor
    if not assessed:
        dossier.received_on = received_on or timezone.localdate()
    dossier.save(
        update_fields=[
            "state",
            "submitted_at",
            "submitted_by",
            "received_on",
            "updated_at",
        ]
    )
    audit.record(
        actor,
        "evaluation.dossier.resubmitted",
        dossier,
        from_state=DossierState.RETURNED,
        to_state=dossier.state,
        reason=dossier.returned_reason,
    )
    return dossier


@transaction.atomic
def record_commune_assessment(
    dossier,
    actor,
    *,
    local_origin,
    local_labour,
    idea_origin,
    local_identity,
    assessed_on=None,
    proposal_reference="",
):
    """The commune's four narrative assessments; without them no dossier goes up.

    Side effects: an audit entry ``evaluation.dossier.assessed`` (noting a late
    assessment, past the 15 working days).
    """
    texts = {
        "local_origin": (
            local_origin,
            _("Cần đánh giá nguồn gốc sản phẩm và nguyên liệu tại địa phương."),
        ),
        "local_labour": (
            local_labour,
            _("Cần đánh giá việc sử dụng lao động địa phương."),
        ),
        "idea_origin": (idea_origin, _("Cần đánh giá nguồn gốc ý tưởng sản phẩm.")),
        "local_identity": (
            local_identity,
            _("Cần đánh giá tính đặc trưng, bản sắc địa phương."),
        ),
    }
    errors = {
        field: message
        for field, (text, message) in texts.items()
        if not (text or "").strip()
    }
    if errors:
        raise ValidationError(errors)
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.SUBMITTED)

    assessment = CommuneAssessment.objects.create(
        dossier=dossier,
        local_origin=local_origin.strip(),
        local_labour=local_labour.strip(),
        idea_origin=idea_origin.strip(),
        local_identity=local_identity.strip(),
        assessed_on=assessed_on or timezone.localdate(),
        proposal_reference=proposal_reference,
        assessed_by=actor,
    )
    dossier.state = DossierState.ASSESSED
    dossier.save(update_fields=["state", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.assessed",
        dossier,
        from_state=DossierState.SUBMITTED,
        to_state=dossier.state,
        data={
            "assessed_on": assessment.assessed_on.isoformat(),
            "due_on": dossier.assessment_due_on.isoformat(),
            "is_late": assessment.is_late,
        },
    )
    return assessment


@transaction.atomic
def send_up(dossier, actor):
    """The commune sends an assessed dossier to the first council of its rulebook.

    Side effects: an audit entry ``evaluation.dossier.sent_up``.
    """
    dossier = _locked(Dossier, dossier)
    if not CommuneAssessment.objects.filter(dossier=dossier).exists():
        raise ValidationError(
            _("Hồ sơ chưa có đánh giá của xã nên chưa gửi lên cấp trên được.")
        )
    _require_state(dossier, DossierState.ASSESSED)
    previous_tier = dossier.current_tier
    dossier.current_tier = previous_tier.next_tier()
    dossier.state = DossierState.WAITING
    dossier.save(update_fields=["state", "current_tier", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.sent_up",
        dossier,
        from_state=DossierState.ASSESSED,
        to_state=dossier.state,
        data={"from_tier": previous_tier.name, "to_tier": dossier.current_tier.name},
    )
    return dossier


# -- rounds and councils -----------------------------------------------------------


@transaction.atomic
def open_round(tier, actor, *, council, year, name, closes_on, district=None):
    """Open an evaluation round of a council tier for its council's area.

    A tier whose councils belong to the districts needs the district.
    Side effects: an audit entry ``evaluation.round.opened``.
    """
    if tier.kind != TierKind.COUNCIL:
        raise ValidationError(_("Cấp này không có hội đồng chấm điểm."))
    if council.tier_id != tier.pk:
        raise ValidationError(_("Hội đồng không thuộc cấp đánh giá này."))
    if tier.has_area_below_province and district is None:
        raise ValidationError({"district": _("Cần chọn huyện của đợt đánh giá.")})
    if district is not None and council.district_id != district.pk:
        raise ValidationError(_("Hội đồng không thuộc địa bàn của đợt."))
    name = _require_text(name, "name", _("Cần đặt tên đợt đánh giá."))
    round = Round.objects.create(
        tier=tier,
        council=council,
        province=council.province,
        district=district if tier.has_area_below_province else None,
        year=year,
        name=name,
        closes_on=closes_on,
    )
    audit.record(actor, "evaluation.round.opened", round, to_state=round.state)
    return round


def _dossier_in_area(dossier, round):
    registration = dossier.registration
    if registration.province_id != round.province_id:
        return False
    return round.district_id is None or registration.district_id == round.district_id


@transaction.atomic
def add_to_round(round, dossier, actor):
    """Put a dossier waiting at the round's tier into the round.

    Side effects: an evaluation on the product set's current sheet; an audit entry
    ``evaluation.dossier.added_to_round``.
    """
    round = _locked(Round, round)
    dossier = _locked(Dossier, dossier)
    if round.state != RoundState.OPEN:
        raise ValidationError(_("Đợt đánh giá đã đóng."))
    _require_state(dossier, DossierState.WAITING)
    if dossier.current_tier_id != round.tier_id:
        raise ValidationError(_("Hồ sơ không ở cấp đánh giá của đợt này."))
    if not _dossier_in_area(dossier, round):
        raise ValidationError(_("Hồ sơ không thuộc địa bàn của đợt đánh giá."))
    sheet = scoring_sheet_for(
        dossier.registration.product.product_set, dossier.rulebook
    )
    if sheet is None:
        raise ValidationError(_("Sản phẩm chưa có phiếu chấm của bộ sản phẩm."))
    if not sheet.is_valid:
        raise ValidationError(
            _(
                "Phiếu chấm của bộ sản phẩm %(number)s chưa đạt kiểm tra; cần ghi "
                "hiệu chỉnh trước khi chấm."
            )
            % {"number": sheet.product_set.number}
        )

    evaluation = Evaluation.objects.create(
        dossier=dossier,
        round=round,
        tier=round.tier,
        rulebook=dossier.rulebook,
        sheet=sheet,
    )
    dossier.state = DossierState.IN_EVALUATION
    dossier.save(update_fields=["state", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.added_to_round",
        dossier,
        from_state=DossierState.WAITING,
        to_state=dossier.state,
        data={"round": round.pk, "round_name": round.name, "evaluation": evaluation.pk},
    )
    return evaluation


@transaction.atomic
def record_precheck(evaluation, actor, report):
    """The advisory team's pre-check report, which comes before any scoring.

    Side effects: an audit entry ``evaluation.evaluation.prechecked``.
    """
    report = _require_text(report, "report", _("Cần nội dung báo cáo của tổ tư vấn."))
    member = membership(evaluation.round.council, actor)
    if member is None or member.role not in (CouncilRole.ADVISOR, CouncilRole.CHAIR):
        raise ValidationError(
            _("Chỉ tổ tư vấn hoặc Chủ tịch hội đồng ghi báo cáo kiểm tra hồ sơ.")
        )
    evaluation = _locked(Evaluation, evaluation)
    _require_unfrozen(evaluation)
    evaluation.precheck_report = report
    evaluation.precheck_by = actor
    evaluation.precheck_at = timezone.now()
    evaluation.save(update_fields=["precheck_report", "precheck_by", "precheck_at"])
    audit.record(actor, "evaluation.evaluation.prechecked", evaluation)
    return evaluation


@transaction.atomic
def declare_conflict(council, member, dossier, reason):
    """A member declares a conflict of interest and may no longer score the dossier.

    Side effects: an audit entry ``evaluation.conflict.declared``.
    """
    reason = _require_text(reason, "reason", _("Cần ghi lý do xung đột lợi ích."))
    if membership(council, member) is None:
        raise ValidationError(_("Người khai không phải thành viên hội đồng."))
    already_scored = MemberScore.objects.filter(
        evaluation__dossier=dossier,
        evaluation__round__council=council,
        member=member,
        submitted_at__isnull=False,
    ).exists()
    if already_scored:
        raise ValidationError(
            _("Thành viên đã nộp phiếu chấm sản phẩm này; cần Chủ tịch xử lý.")
        )
    conflict, created = ConflictOfInterest.objects.get_or_create(
        council=council, member=member, dossier=dossier, defaults={"reason": reason}
    )
    if created:
        audit.record(member, "evaluation.conflict.declared", dossier, reason=reason)
    return conflict


# -- scoring ---------------------------------------------------------------------------


def _require_unfrozen(evaluation):
    if evaluation.frozen_at is not None or evaluation.round.state != RoundState.OPEN:
        raise ValidationError(_("Kết quả đã chốt; không sửa được nữa."))


def can_score(evaluation, user):
    """Whether ``user`` may fill the sheet of this evaluation now (a reason if not)."""
    round = evaluation.round
    member = membership(round.council, user)
    if member is None or member.role not in SCORING_ROLES:
        return False, _("Chỉ thành viên hội đồng của đợt được chấm điểm.")
    if round.state != RoundState.OPEN or evaluation.frozen_at is not None:
        return False, _("Đợt đánh giá đã đóng.")
    conflicted = ConflictOfInterest.objects.filter(
        council=round.council, member=user, dossier=evaluation.dossier
    ).exists()
    if conflicted:
        return False, _("Thành viên đã khai xung đột lợi ích với sản phẩm này.")
    if not evaluation.precheck_at:
        return False, _("Tổ tư vấn chưa báo cáo kết quả kiểm tra hồ sơ.")
    if not evaluation.sheet.is_valid:
        return False, _("Phiếu chấm chưa đạt kiểm tra; cần ghi hiệu chỉnh trước.")
    return True, ""


def _fill(score, spec, selections, knock_outs):
    totals = scoring.part_totals(spec, selections)
    knock_out_ids = {c.id for c in spec.walk() if c.knock_out}
    score.selections = [int(i) for i in selections]
    score.knock_outs = sorted({int(i) for i in knock_outs} & knock_out_ids)
    score.part_a, score.part_b, score.part_c = totals["A"], totals["B"], totals["C"]
    score.total = sum(totals.values())


@transaction.atomic
def save_member_score(evaluation, member, selections, knock_outs=(), *, submit=False):
    """Save a member's sheet as a draft, or submit it (then it is locked).

    Side effects: on submission, an audit entry ``evaluation.score.submitted``.
    """
    evaluation = Evaluation.objects.select_related("round", "sheet").get(
        pk=evaluation.pk
    )
    allowed, why = can_score(evaluation, member)
    if not allowed:
        raise ValidationError(why)
    spec = cached_sheet_spec(evaluation.sheet)
    unknown = [i for i in selections if spec.option(int(i)) is None]
    if unknown:
        raise ValidationError(_("Có lựa chọn không thuộc phiếu chấm này."))
    if submit:
        problems = scoring.check_selections(spec, [int(i) for i in selections])
        if problems:
            raise ValidationError(problems)

    score, _created = MemberScore.objects.select_for_update().get_or_create(
        evaluation=evaluation, member=member
    )
    if score.is_locked:
        raise ValidationError(
            _("Phiếu đã nộp và bị khóa; chỉ Chủ tịch hội đồng được hiệu chỉnh.")
        )
    _fill(score, spec, selections, knock_outs)
    fields = ["selections", "knock_outs", "part_a", "part_b", "part_c", "total"]
    if submit:
        score.submitted_at = timezone.now()
        score.is_locked = True
        fields += ["submitted_at", "is_locked"]
    score.save(update_fields=fields + ["updated_at"])
    if submit:
        audit.record(
            member,
            "evaluation.score.submitted",
            evaluation,
            data={"total": score.total, "member_score": score.pk},
        )
    return score


def submit_member_score(evaluation, member, selections, knock_outs=()):
    return save_member_score(evaluation, member, selections, knock_outs, submit=True)


def visible_member_scores(evaluation, user):
    """The member sheets ``user`` may see for an evaluation.

    A council member sees only their own sheet until they have submitted it, then
    everyone's. People outside the council see the sheets once the result is frozen.
    """
    scores = MemberScore.objects.filter(evaluation=evaluation)
    member = membership(evaluation.round.council, user)
    if member is None:
        return scores if evaluation.frozen_at else scores.none()
    own = scores.filter(member=user, submitted_at__isnull=False).exists()
    return scores if own else scores.filter(member=user)


@transaction.atomic
def correct_member_score(member_score, actor, selections, knock_outs=(), *, reason):
    """The chair corrects a submitted sheet, with a reason; the change is logged.

    Side effects: a ``ScoreCorrection`` row; an audit entry
    ``evaluation.score.corrected``.
    """
    reason = _require_text(reason, "reason", _("Cần ghi lý do hiệu chỉnh điểm."))
    member_score = _locked(MemberScore, member_score)
    evaluation = member_score.evaluation
    _require_chair(evaluation.round.council, actor)
    _require_unfrozen(evaluation)
    if member_score.submitted_at is None:
        raise ValidationError(_("Phiếu chưa nộp; thành viên tự sửa phiếu của mình."))
    spec = cached_sheet_spec(evaluation.sheet)
    problems = scoring.check_selections(spec, [int(i) for i in selections])
    if problems:
        raise ValidationError(problems)

    before = {
        "selections": member_score.selections,
        "knock_outs": member_score.knock_outs,
        "total": member_score.total,
    }
    _fill(member_score, spec, selections, knock_outs)
    member_score.save(
        update_fields=[
            "selections",
            "knock_outs",
            "part_a",
            "part_b",
            "part_c",
            "total",
            "updated_at",
        ]
    )
    after = {
        "selections": member_score.selections,
        "knock_outs": member_score.knock_outs,
        "total": member_score.total,
    }
    ScoreCorrection.objects.create(
        member_score=member_score,
        corrected_by=actor,
        reason=reason,
        before=before,
        after=after,
    )
    audit.record(
        actor,
        "evaluation.score.corrected",
        evaluation,
        reason=reason,
        data={"member": member_score.member_id, "before": before, "after": after},
    )
    return member_score


# -- results ---------------------------------------------------------------------------


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


@transaction.atomic
def compute_result(evaluation, actor=None):
    """Work out the council's score, stars and outcome from the submitted sheets.

    Stores what blocks the result (spread, quorum) rather than raising: the round
    cannot close while it is there.
    Side effects: an audit entry ``evaluation.result.computed``.
    """
    evaluation = _locked(Evaluation, evaluation)
    _require_unfrozen(evaluation)
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
    eligible = {m.user_id for m in memberships} - conflicted
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
    )
    outcome, tier_order, _stars = scoring.outcome_for(
        result.score,
        result.stars,
        _tier_specs(evaluation.rulebook),
        evaluation.tier.order,
        knocked_out=bool(result.knocked_out),
    )
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
    evaluation.save(
        update_fields=[
            "score",
            "stars",
            "is_knocked_out",
            "outcome",
            "certifying_tier",
            "blocked_reasons",
            "computed_at",
        ]
    )
    audit.record(
        actor,
        "evaluation.result.computed",
        evaluation,
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


@transaction.atomic
def close_round(round, actor):
    """The chair closes the round: every result is computed and frozen.

    Refused while any product's result is blocked or unscored. Dossiers whose result
    ends without a certificate become "not certified".
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
        if evaluation.score is None:
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
    audit.record(
        actor,
        "evaluation.dossier.ended",
        dossier,
        from_state=previous,
        to_state=dossier.state,
        data={"score": str(evaluation.score), "stars": evaluation.stars},
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


# -- certificates ----------------------------------------------------------------------


def next_certificate_number(province, year):
    """The next free number of the year's certificates: ``0007/2023/OCOP-12``."""
    suffix = f"/{year}/OCOP-{province.code}"
    count = Certificate.objects.filter(number__endswith=suffix).count()
    number = count + 1
    while Certificate.objects.filter(number=f"{number:04d}{suffix}").exists():
        number += 1
    return f"{number:04d}{suffix}"


def _authority(tier, registration):
    if tier.level == TierLevel.DISTRICT and registration.district_id:
        area = registration.district.name
    else:
        area = registration.province.name
    return tier.authority_for(_area_name(area))


def _issue(
    dossier,
    actor,
    *,
    tier,
    stars,
    score,
    evaluation,
    ministry_result,
    decision_number,
    decision_date,
    issued_on,
):
    registration = dossier.registration
    product = registration.product
    producer = product.producer
    certificate = Certificate.objects.create(
        number=next_certificate_number(registration.province, registration.year),
        registration=registration,
        product=product,
        product_name=product.name,
        producer_name=producer.name,
        producer_address=producer.address,
        stars=stars,
        score=score,
        tier=tier,
        rulebook=dossier.rulebook,
        evaluation=evaluation,
        ministry_result=ministry_result,
        issuing_authority=_authority(tier, registration),
        decision_number=decision_number,
        decision_date=decision_date,
        issued_on=issued_on,
        expires_on=add_months(issued_on, CERTIFICATE_VALIDITY_MONTHS),
        follows=dossier.follows,
    )
    previous = dossier.state
    dossier.state = DossierState.CERTIFIED
    dossier.current_tier = tier
    dossier.save(update_fields=["state", "current_tier", "updated_at"])
    audit.record(
        actor,
        "evaluation.certificate.issued",
        certificate,
        to_state=certificate.status,
        data={"stars": stars, "decision": decision_number, "dossier": dossier.pk},
    )
    audit.record(
        actor,
        "evaluation.dossier.certified",
        dossier,
        from_state=previous,
        to_state=dossier.state,
        data={"certificate": certificate.number, "stars": stars},
    )
    transaction.on_commit(
        lambda: logger.info("Certificate %s issued", certificate.number)
    )
    return certificate


@transaction.atomic
def certify(round, actor, *, decision_number, decision_date, issued_on=None, tier=None):
    """Issue the certificates of a closed round's certified results.

    ``tier`` restricts it to the results that tier certifies (a result may be
    certified by a lower tier than the round's). Returns the new certificates.
    Side effects: per certificate, audit entries ``evaluation.certificate.issued``
    and ``evaluation.dossier.certified``.
    """
    decision_number = _require_text(
        decision_number, "decision_number", _("Cần số quyết định công nhận.")
    )
    if decision_date is None:
        raise ValidationError({"decision_date": _("Cần ngày quyết định công nhận.")})
    round = _locked(Round, round)
    if round.state != RoundState.CLOSED:
        raise ValidationError(_("Cần đóng đợt đánh giá trước khi công nhận."))
    evaluations = round.evaluations.filter(
        outcome=Outcome.CERTIFIED, certificates__isnull=True
    ).select_related(
        "dossier__registration__product__producer",
        "dossier__registration__district",
        "dossier__registration__province",
        "certifying_tier",
    )
    if tier is not None:
        evaluations = evaluations.filter(certifying_tier=tier)
    certificates = []
    for evaluation in evaluations:
        stars = max(
            level
            for level in evaluation.certifying_tier.certifies_stars
            if level <= evaluation.stars
        )
        certificates.append(
            _issue(
                evaluation.dossier,
                actor,
                tier=evaluation.certifying_tier,
                stars=stars,
                score=evaluation.score,
                evaluation=evaluation,
                ministry_result=None,
                decision_number=decision_number,
                decision_date=decision_date,
                issued_on=issued_on or decision_date,
            )
        )
    return certificates


@transaction.atomic
def record_ministry_result(
    dossier,
    actor,
    *,
    stars,
    decision_number,
    decision_date,
    score=None,
    note="",
    issued_on=None,
):
    """Record by hand the result of a tier that is not scored here (the Ministry).

    The stars are certified by the tier of the rulebook that certifies them (5 stars
    by the Ministry); below every certified level the dossier ends.
    Side effects: a certificate if certified; audit entries
    ``evaluation.ministry_result.recorded`` and the dossier's move.
    """
    decision_number = _require_text(
        decision_number, "decision_number", _("Cần số quyết định.")
    )
    if decision_date is None:
        raise ValidationError({"decision_date": _("Cần ngày quyết định.")})
    if stars is not None and not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Hạng sao phải từ 1 đến 5.")})
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.WAITING)
    tier = dossier.current_tier
    if tier.kind != TierKind.RECORDED:
        raise ValidationError(_("Hồ sơ không chờ kết quả của cấp trung ương."))

    result = MinistryResult.objects.create(
        dossier=dossier,
        tier=tier,
        rulebook=dossier.rulebook,
        score=score,
        stars=stars,
        decision_number=decision_number,
        decision_date=decision_date,
        note=note,
        recorded_by=actor,
    )
    audit.record(
        actor,
        "evaluation.ministry_result.recorded",
        dossier,
        data={"stars": stars, "decision": decision_number},
    )
    outcome, tier_order, certified_stars = scoring.outcome_for(
        score, stars, _tier_specs(dossier.rulebook), tier.order
    )
    if outcome != Outcome.CERTIFIED:
        _end_dossier(dossier, actor, result)
        return result
    _issue(
        dossier,
        actor,
        tier=dossier.rulebook.tiers.get(order=tier_order),
        stars=certified_stars,
        score=score,
        evaluation=None,
        ministry_result=result,
        decision_number=decision_number,
        decision_date=decision_date,
        issued_on=issued_on or decision_date,
    )
    return result


@transaction.atomic
def revoke_certificate(certificate, actor, reason, *, revoked_on=None):
    """Revoke a certificate (thu hồi), keeping the reason.

    Side effects: an audit entry ``evaluation.certificate.revoked``.
    """
    reason = _require_text(reason, "reason", _("Cần ghi lý do thu hồi."))
    certificate = _locked(Certificate, certificate)
    if certificate.status == CertificateStatus.REVOKED:
        raise ValidationError(_("Giấy chứng nhận đã bị thu hồi."))
    previous = certificate.status
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_on = revoked_on or timezone.localdate()
    certificate.revoked_reason = reason
    certificate.revoked_by = actor
    certificate.save(
        update_fields=["status", "revoked_on", "revoked_reason", "revoked_by"]
    )
    audit.record(
        actor,
        "evaluation.certificate.revoked",
        certificate,
        from_state=previous,
        to_state=certificate.status,
        reason=reason,
    )
    return certificate


@transaction.atomic
def expire_certificates(today=None):
    """Mark the certificates past their expiry date as expired; returns how many."""
    today = today or date.today()
    expired = Certificate.objects.filter(
        status=CertificateStatus.VALID, expires_on__lt=today
    )
    count = 0
    for certificate in expired:
        certificate.status = CertificateStatus.EXPIRED
        certificate.save(update_fields=["status"])
        audit.record(
            None,
            "evaluation.certificate.expired",
            certificate,
            from_state=CertificateStatus.VALID,
            to_state=CertificateStatus.EXPIRED,
        )
        count += 1
    return count


def dossier_history(product):
    """Every audit entry about a product's dossiers, evaluations and certificates."""
    from django.contrib.contenttypes.models import ContentType

    from ocop.models import AuditEntry

    dossiers = [
        str(pk)
        for pk in Dossier.objects.filter(registration__product=product).values_list(
            "pk", flat=True
        )
    ]
    evaluations = [
        str(pk)
        for pk in Evaluation.objects.filter(
            dossier__registration__product=product
        ).values_list("pk", flat=True)
    ]
    certificates = [
        str(pk)
        for pk in Certificate.objects.filter(product=product).values_list(
            "pk", flat=True
        )
    ]
    types = ContentType.objects.get_for_models(Dossier, Evaluation, Certificate)
    return AuditEntry.objects.filter(
        Q(content_type=types[Dossier], object_id__in=dossiers)
        | Q(content_type=types[Evaluation], object_id__in=evaluations)
        | Q(content_type=types[Certificate], object_id__in=certificates)
    ).select_related("actor")
