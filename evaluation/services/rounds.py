"""Rounds and councils: who scores which products, and when."""

import unicodedata
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop import audit

from ..enums import (
    SAMPLES_REQUIRED,
    SCORING_ROLES,
    CouncilRole,
    DossierState,
    RoundState,
    TierKind,
)
from ..models import (
    ConflictOfInterest,
    Council,
    CouncilMembership,
    Dossier,
    Evaluation,
    MemberScore,
    Round,
)
from ..sheets import REASON_MAX_LENGTH, reason_too_long
from ._helpers import (
    _locked,
    _require_state,
    _require_text,
    _require_unfrozen,
    membership,
    scoring_sheet_for,
)
from .results import _reject, compute_result, rejection_error


@transaction.atomic
def create_council(actor, *, tier, province, district, year, name, decision=""):
    """Set up the council of a scored tier for its area and year.

    A tier whose councils belong to the districts needs the district.
    Side effects: an audit entry ``evaluation.council.created``.
    """
    if not tier.is_scored:
        raise ValidationError({"tier": _("Cấp này không có hội đồng chấm điểm.")})
    if tier.has_area_below_province and district is None:
        raise ValidationError({"district": _("Hội đồng cấp huyện cần chọn huyện.")})

    council = Council.objects.create(
        tier=tier,
        province=province,
        district=district if tier.has_area_below_province else None,
        year=year,
        name=name,
        decision_reference=decision,
    )
    audit.record(actor, "evaluation.council.created", council)
    return council


@transaction.atomic
def add_council_member(council, actor, user, role):
    """Appoint a person to a council in a role (chair, member, advisory team…).

    A council has one chair, and a person holds one role in it.
    Side effects: an audit entry ``evaluation.council.member_added``.
    """
    council = _locked(Council, council)
    if role == CouncilRole.CHAIR and council.memberships.filter(role=role).exists():
        raise ValidationError({"role": _("Hội đồng đã có Chủ tịch.")})
    if council.memberships.filter(user=user).exists():
        raise ValidationError({"user": _("Người này đã là thành viên hội đồng.")})

    member = CouncilMembership.objects.create(council=council, user=user, role=role)
    audit.record(
        actor,
        "evaluation.council.member_added",
        council,
        to_state=role,
        data={"user": user.pk, "user_name": str(user), "role": role},
    )
    _recompute_open_results(council, actor)
    return member


def _submitted_in_open_round(council, user):
    """A sheet ``user`` has submitted in one of the council's open rounds, or None."""
    return (
        MemberScore.objects.filter(
            member=user,
            submitted_at__isnull=False,
            evaluation__round__council=council,
            evaluation__round__state=RoundState.OPEN,
        )
        .select_related("evaluation__round")
        .order_by("evaluation__round__closes_on", "id")
        .first()
    )


def _locked_membership(council, member):
    gone = _("Người này không còn là thành viên hội đồng.")
    try:
        return (
            CouncilMembership.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=member.pk, council=council)
        )
    except CouncilMembership.DoesNotExist:
        raise ValidationError(gone) from None


def _successor(council, chair, new_chair, message):
    """The member who takes the chair from ``chair``: ``new_chair``, another member
    of the council; ``message`` says why one is needed when none is named."""
    if new_chair is None:
        raise ValidationError({"new_chair": message % {"name": chair.user}})
    if new_chair.pk == chair.pk or new_chair.council_id != council.pk:
        raise ValidationError(
            {
                "new_chair": _(
                    "Người nhận vai trò Chủ tịch phải là một thành viên khác của "
                    "hội đồng."
                )
            }
        )
    return _locked_membership(council, new_chair)


def _record_role(actor, council, member, before):
    audit.record(
        actor,
        "evaluation.council.role_changed",
        council,
        from_state=before,
        to_state=member.role,
        data={
            "user": member.user_id,
            "user_name": str(member.user),
            "from": before,
            "to": member.role,
        },
    )


def _drop_drafts(council, user):
    """Delete the unsubmitted sheets of ``user`` in the council's open rounds: a
    person who no longer scores there leaves no half-filled sheet behind."""
    deleted, _rows = MemberScore.objects.filter(
        member=user,
        submitted_at__isnull=True,
        evaluation__round__council=council,
        evaluation__round__state=RoundState.OPEN,
    ).delete()
    return deleted


def _recompute_open_results(council, actor):
    """Compute again the provisional results of the council's open rounds: the
    quorum and the chair's sheet depend on who sits on the council."""
    for evaluation in Evaluation.objects.filter(
        round__council=council,
        round__state=RoundState.OPEN,
        computed_at__isnull=False,
        frozen_at__isnull=True,
        rejected_at__isnull=True,
    ).order_by("id"):
        compute_result(evaluation, actor)


@transaction.atomic
def remove_council_member(council, actor, member, *, new_chair=None):
    """Take a person off a council.

    Refused for someone whose sheet is in for one of the council's open rounds (they
    leave once it closes), and for the chair unless ``new_chair``, another member,
    takes the chair in the same move.
    Side effects: their unsubmitted drafts in the council's open rounds are
    deleted; audit entries ``evaluation.council.member_removed`` and, for the new
    chair, ``evaluation.council.role_changed``; the provisional results of the
    council's open rounds are computed again.
    """
    council = _locked(Council, council)
    member = _locked_membership(council, member)
    submitted = _submitted_in_open_round(council, member.user)
    if submitted is not None:
        raise ValidationError(
            _(
                "%(name)s đã nộp phiếu chấm trong đợt đang mở “%(round)s”: chỉ xoá "
                "khỏi hội đồng được sau khi đợt đóng."
            )
            % {"name": member.user, "round": submitted.evaluation.round.name}
        )
    successor = None
    if member.role == CouncilRole.CHAIR:
        successor = _successor(
            council,
            member,
            new_chair,
            _(
                "%(name)s là Chủ tịch hội đồng: cần chọn người nhận vai trò Chủ tịch "
                "trước khi xoá."
            ),
        )

    user, role = member.user, member.role
    member.delete()
    drafts = _drop_drafts(council, user)
    audit.record(
        actor,
        "evaluation.council.member_removed",
        council,
        from_state=role,
        data={
            "user": user.pk,
            "user_name": str(user),
            "role": role,
            "drafts_deleted": drafts,
        },
    )
    if successor is not None:
        before = successor.role
        successor.role = CouncilRole.CHAIR
        successor.save(update_fields=["role"])
        _record_role(actor, council, successor, before)
    _recompute_open_results(council, actor)
    return member


@transaction.atomic
def change_council_role(council, actor, member, role, *, new_chair=None):
    """Give a council member another role; a council keeps exactly one chair.

    A member becomes chair only while the council has none: the chair hands the
    chair over by taking another role and naming ``new_chair``. Someone whose sheet
    is in for one of the council's open rounds keeps a scoring role until it closes.
    The returned membership's ``role_changed`` says whether anything changed.
    Side effects: audit entries ``evaluation.council.role_changed`` (one for each
    member whose role changes); the unsubmitted drafts of a member who joins the
    advisory team are deleted; the provisional results of the council's open rounds
    are computed again.
    """
    if role not in CouncilRole.values:
        raise ValidationError({"role": _("Cần chọn một vai trò trong hội đồng.")})
    council = _locked(Council, council)
    member = _locked_membership(council, member)
    if member.role == role:
        member.role_changed = False
        return member
    if role == CouncilRole.CHAIR:
        chair = council.memberships.filter(role=CouncilRole.CHAIR).first()
        if chair is not None:
            raise ValidationError(
                {
                    "role": _(
                        "Hội đồng đã có Chủ tịch (%(name)s): để giao vai trò Chủ "
                        "tịch cho người khác, đổi vai trò của Chủ tịch hiện tại và "
                        "chọn người nhận."
                    )
                    % {"name": chair.user}
                }
            )
    stops_scoring = member.role in SCORING_ROLES and role not in SCORING_ROLES
    if stops_scoring:
        submitted = _submitted_in_open_round(council, member.user)
        if submitted is not None:
            raise ValidationError(
                {
                    "role": _(
                        "%(name)s đã nộp phiếu chấm trong đợt đang mở “%(round)s”: "
                        "giữ vai trò chấm điểm cho đến khi đợt đóng."
                    )
                    % {"name": member.user, "round": submitted.evaluation.round.name}
                }
            )
    successor = None
    if member.role == CouncilRole.CHAIR:
        successor = _successor(
            council,
            member,
            new_chair,
            _(
                "%(name)s là Chủ tịch hội đồng: cần chọn người nhận vai trò Chủ tịch "
                "trước khi đổi vai trò."
            ),
        )

    before = member.role
    member.role = role
    member.save(update_fields=["role"])
    _record_role(actor, council, member, before)
    if successor is not None:
        successor_before = successor.role
        successor.role = CouncilRole.CHAIR
        successor.save(update_fields=["role"])
        _record_role(actor, council, successor, successor_before)
    if stops_scoring:
        _drop_drafts(council, member.user)
    _recompute_open_results(council, actor)
    member.role_changed = True
    return member


@transaction.atomic
def record_council_decision(council, actor, reference):
    """Record the decision that set the council up (the People's Committee's
    quyết định thành lập: its number, date and signer, as it reads).

    The returned council's ``decision_changed`` says whether anything changed.
    Side effects: an audit entry ``evaluation.council.decision_recorded`` with the
    reference before and after.
    """
    reference = _require_text(
        reference,
        "decision_reference",
        _("Cần ghi số và ngày của quyết định thành lập hội đồng."),
    )
    council = _locked(Council, council)
    before = council.decision_reference
    council.decision_changed = before != reference
    if not council.decision_changed:
        return council
    council.decision_reference = reference
    council.save(update_fields=["decision_reference"])
    audit.record(
        actor,
        "evaluation.council.decision_recorded",
        council,
        data={"before": before, "after": reference},
    )
    return council


def closing_range(year):
    """The days a round of a programme year may close on: ``(first, last)``.

    From 1 January of the year to 31 March of the next: the Ministry scores the
    products referred in the second half of a year by 30 March of the next.
    """
    return date(year, 1, 1), date(year + 1, 3, 31)


def _name_key(name):
    """A round's name as two people typing it would agree on it: the same letters
    (composed as Vietnamese is usually typed), spaces and case aside."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


@transaction.atomic
def open_round(tier, actor, *, council, year, name, closes_on, district=None):
    """Open an evaluation round of a council tier for its council's area.

    A tier whose councils belong to the districts needs the district. The round
    closes within ``closing_range(year)``, and its name is not one of its council's
    rounds already.
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
    # Locked so that two rounds of one name sent at once cannot both pass.
    council = _locked(Council, council)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Cần đặt tên đợt đánh giá.")
    elif any(
        _name_key(name) == _name_key(taken)
        for taken in council.rounds.values_list("name", flat=True)
    ):
        errors["name"] = _(
            "Hội đồng đã có đợt “%(name)s”: mỗi đợt của hội đồng cần một tên riêng."
        ) % {"name": name}
    first, last = closing_range(year)
    if closes_on is None:
        errors["closes_on"] = _("Cần hạn kết thúc của đợt đánh giá.")
    elif not first <= closes_on <= last:
        errors["closes_on"] = _(
            "Đợt của năm %(year)s phải kết thúc trong khoảng từ %(first)s đến %(last)s."
        ) % {
            "year": year,
            "first": f"{first:%d/%m/%Y}",
            "last": f"{last:%d/%m/%Y}",
        }
    if errors:
        raise ValidationError(errors)

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

    The council scores a product on its samples: all 5 must have been received,
    except for a tourism product, which the advisory team visits instead.
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
    product = dossier.registration.product
    sheet = scoring_sheet_for(product.product_set, dossier.rulebook)
    if sheet is None:
        raise ValidationError(_("Sản phẩm chưa có phiếu chấm của bộ sản phẩm."))
    if (
        not product.product_set.is_tourism
        and dossier.samples_received < SAMPLES_REQUIRED
    ):
        raise ValidationError(
            {
                "samples_received": _(
                    "Chưa nhận đủ %(required)s mẫu sản phẩm “%(product)s” (mới ghi "
                    "nhận %(count)s mẫu): cần ghi nhận mẫu trên trang hồ sơ trước "
                    "khi đưa vào đợt đánh giá."
                )
                % {
                    "required": SAMPLES_REQUIRED,
                    "product": product.name,
                    "count": dossier.samples_received,
                }
            }
        )
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
def record_precheck(
    evaluation, actor, report, *, is_rejected=False, rejected_when="", detail=""
):
    """The advisory team's pre-check report, which comes before any scoring.

    The team may find the dossier rejected whole (``is_rejected``) for one of the
    paragraphs its sheet lists under “Hồ sơ bị loại khi” (``rejected_when``),
    saying what it found (``detail``): the evaluation then ends without scoring,
    as when the chair rejects it (``reject_dossier``). Once members' sheets are
    in, only the chair rejects.
    Side effects: an audit entry ``evaluation.evaluation.prechecked``; for a
    rejection, ``evaluation.evaluation.rejected`` too.
    """
    member = membership(evaluation.round.council, actor)
    if member is None or member.role not in (CouncilRole.ADVISOR, CouncilRole.CHAIR):
        raise ValidationError(
            _("Chỉ tổ tư vấn hoặc Chủ tịch hội đồng ghi báo cáo kiểm tra hồ sơ.")
        )
    evaluation = _locked(Evaluation, evaluation)
    _require_unfrozen(evaluation)
    errors = {}
    report = (report or "").strip()
    if not report:
        errors["report"] = [_("Cần nội dung báo cáo của tổ tư vấn.")]
    if is_rejected:
        refused = rejection_error(evaluation, rejected_when, detail)
        if refused is not None:
            errors = {**errors, **refused.update_error_dict({})}
        scored = evaluation.member_scores.filter(submitted_at__isnull=False)
        if member.role != CouncilRole.CHAIR and scored.exists():
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _(
                    "Thành viên hội đồng đã nộp phiếu chấm sản phẩm này: việc loại "
                    "hồ sơ do Chủ tịch hội đồng quyết định tại phiên họp."
                )
            )
    if errors:
        raise ValidationError(errors)

    evaluation.precheck_report = report
    evaluation.precheck_by = actor
    evaluation.precheck_at = timezone.now()
    evaluation.save(update_fields=["precheck_report", "precheck_by", "precheck_at"])
    audit.record(actor, "evaluation.evaluation.prechecked", evaluation)
    if is_rejected:
        _reject(evaluation, actor, rejected_when, detail, at_precheck=True)
    return evaluation


@transaction.atomic
def declare_conflict(council, member, dossier, reason):
    """A member declares a conflict of interest and may no longer score the dossier.

    The reason is required, at most ``REASON_MAX_LENGTH`` characters (as a
    correction's): it goes into the meeting's minutes.
    A second declaration keeps the first; the returned conflict's ``is_new`` says
    whether this one was recorded.
    Side effects: an audit entry ``evaluation.conflict.declared``.
    """
    reason = _require_text(reason, "reason", _("Cần ghi lý do xung đột lợi ích."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": reason_too_long(reason)})
    if membership(council, member) is None:
        raise ValidationError(_("Người khai không phải thành viên hội đồng."))
    in_open_round = Evaluation.objects.filter(
        dossier=dossier,
        round__council=council,
        round__state=RoundState.OPEN,
        frozen_at__isnull=True,
    ).exists()
    if not in_open_round:
        raise ValidationError(
            _(
                "Sản phẩm không ở đợt đánh giá nào đang mở của hội đồng: đợt đã đóng "
                "thì không khai xung đột lợi ích được nữa."
            )
        )
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
        # The reason rides in the entry's data, not in its ``reason`` that the
        # dossier's and the product's histories show to whoever opens them: it is
        # read on the round's and the council's pages, by those the council's rule
        # lets read it (``permissions.sees_conflict_reasons``).
        audit.record(
            member,
            "evaluation.conflict.declared",
            dossier,
            data={"council": council.pk, "reason": reason},
        )
    conflict.is_new = created
    return conflict
