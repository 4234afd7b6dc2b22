"""The members' scoring sheets: drafts, submissions and the chair's corrections."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocop import audit

from .. import scoring
from ..enums import (
    SCORING_ROLES,
    RoundState,
)
from ..models import (
    ConflictOfInterest,
    Evaluation,
    MemberScore,
    ScoreCorrection,
)
from ..sheets import REASON_MAX_LENGTH, cached_sheet_spec, reason_too_long
from ._helpers import (
    _locked,
    _require_chair,
    _require_text,
    _require_unfrozen,
    membership,
)
from .results import compute_result


def can_score(evaluation, user):
    """Whether ``user`` may fill the sheet of this evaluation now (a reason if not)."""
    round = evaluation.round
    member = membership(round.council, user)
    if member is None or member.role not in SCORING_ROLES:
        return False, _("Chỉ thành viên hội đồng của đợt được chấm điểm.")
    if round.state != RoundState.OPEN or evaluation.frozen_at is not None:
        return False, round_closed(round)
    if evaluation.is_rejected:
        return False, _("Hồ sơ bị loại, không chấm điểm: %(when)s") % {
            "when": evaluation.rejected_when
        }
    conflicted = ConflictOfInterest.objects.filter(
        council_id=round.council_id, member=user, dossier_id=evaluation.dossier_id
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


def round_closed(round):
    """The sentence saying that the round has closed, and when if it is known."""
    if round.closed_at is None:
        return _("Đợt đánh giá đã đóng.")
    return _("Đợt đánh giá đã đóng lúc %(at)s.") % {"at": local_time(round.closed_at)}


def round_overdue(round, today=None):
    """The warning of an open round past its closing date, or "" (on the closing
    day itself it is not late). A warning only: the council may meet late, and
    still scores and closes the round."""
    days = round.days_overdue(today)
    if not days:
        return ""
    return ngettext(
        "Đã quá hạn đợt (%(day)s): đợt đã muộn %(days)s ngày; hội đồng vẫn chấm "
        "điểm và đóng đợt được.",
        "Đã quá hạn đợt (%(day)s): đợt đã muộn %(days)s ngày; hội đồng vẫn chấm "
        "điểm và đóng đợt được.",
        days,
    ) % {"day": f"{round.closes_on:%d/%m/%Y}", "days": days}


def local_time(moment):
    """A moment as the pages write it: ``09:41 12/06/2026``, in local time."""
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}"


# The codes of a save refused because the page no longer matches the sheet as it
# stands (submitted meanwhile, round closed, sheet changed…): what was posted is
# not kept, and the page shows the sheet as stored.
STALE_CODES = {"locked", "not_allowed", "sheet_changed"}


def _locked_refusal(score):
    return ValidationError(
        _(
            "Phiếu của bạn đã nộp lúc %(at)s và đã khóa (có thể nộp từ một thẻ hoặc "
            "máy khác): những lựa chọn vừa gửi không được lưu. Chỉ Chủ tịch hội đồng "
            "được hiệu chỉnh, có ghi lý do."
        )
        % {"at": local_time(score.submitted_at or score.updated_at)},
        code="locked",
    )


@transaction.atomic
def save_member_score(
    evaluation, member, selections, knock_outs=(), *, submit=False, sheet_id=None
):
    """Save a member's sheet as a draft, or submit it (then it is locked).

    ``sheet_id`` is the sheet the member's page showed, when it says: a save made
    on a sheet the evaluation has left since is refused. A refusal because the
    page is out of date (the sheet submitted from another tab, the round closed,
    the sheet changed) carries a code of ``STALE_CODES``: nothing posted is kept.
    Side effects: on submission, an audit entry ``evaluation.score.submitted``.
    """
    evaluation = Evaluation.objects.select_related("round__council", "sheet").get(
        pk=evaluation.pk
    )
    allowed, why = can_score(evaluation, member)
    if not allowed:
        raise ValidationError(why, code="not_allowed")
    # Locked first: a sheet submitted from another tab is refused as such, whatever
    # was posted. A row made here is rolled back with any refusal below.
    score, _created = MemberScore.objects.select_for_update().get_or_create(
        evaluation=evaluation, member=member
    )
    if score.is_locked:
        raise _locked_refusal(score)
    if sheet_id is not None and sheet_id != evaluation.sheet_id:
        raise ValidationError(
            _(
                "Phiếu chấm của sản phẩm đã đổi (nay là %(sheet)s) từ khi bạn mở "
                "trang: những lựa chọn vừa gửi thuộc phiếu cũ nên không được lưu. "
                "Hãy tải lại trang và chấm trên phiếu mới."
            )
            % {"sheet": evaluation.sheet},
            code="sheet_changed",
        )
    spec = cached_sheet_spec(evaluation.sheet)
    unknown = [i for i in selections if spec.option(int(i)) is None]
    if unknown:
        raise ValidationError(
            _(
                "Có lựa chọn không thuộc phiếu chấm hiện tại của sản phẩm (phiếu có "
                "thể đã đổi từ khi bạn mở trang): những lựa chọn vừa gửi không được "
                "lưu. Hãy tải lại trang và chấm lại."
            ),
            code="sheet_changed",
        )
    check = scoring.check_selections if submit else scoring.draft_problems
    problems = check(spec, [int(i) for i in selections])
    if problems:
        raise ValidationError(problems)

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
    everyone's. Once the result is frozen everyone sees them, inside the council
    and out.
    """
    scores = MemberScore.objects.filter(evaluation=evaluation)
    if evaluation.frozen_at:
        return scores
    member = membership(evaluation.round.council, user)
    if member is None:
        return scores.none()
    own = scores.filter(member=user, submitted_at__isnull=False).exists()
    return scores if own else scores.filter(member=user)


@transaction.atomic
def correct_member_score(member_score, actor, selections, knock_outs=(), *, reason):
    """The chair corrects a submitted sheet, with a reason; the change is logged.

    The council's result is then computed again, as "Tính kết quả" does, so that it
    never stands on the sheet as it was before the correction.
    Side effects: a ``ScoreCorrection`` row; an audit entry
    ``evaluation.score.corrected``; the result's (``compute_result``).
    """
    reason = _require_text(reason, "reason", _("Cần ghi lý do hiệu chỉnh điểm."))
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": reason_too_long(reason)})
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
    corrected = MemberScore()
    _fill(corrected, spec, selections, knock_outs)
    if (sorted(corrected.selections), corrected.knock_outs) == (
        sorted(member_score.selections),
        sorted(member_score.knock_outs),
    ):
        raise ValidationError(
            _(
                "Phiếu hiệu chỉnh giống hệt phiếu đã nộp: không có gì để hiệu chỉnh. "
                "Hãy chọn lại các tiêu chí cần sửa."
            )
        )
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
    compute_result(evaluation, actor)
    return member_score
