"""The scoring page a council member fills during the meeting, and the chair's
correction of a submitted sheet."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.generic import View

from .. import services
from ..enums import SCORING_ROLES, RoundState
from ..models import ConflictOfInterest, Evaluation, MemberScore, ScoreCorrection
from ..permissions import visible_evaluations, visible_member_sheets
from .common import error_messages
from .sheet import bands_json, js_messages, sheet_parts


def evaluation_for(user, pk):
    """The evaluation if the user may see it at all (else 404)."""
    queryset = visible_evaluations(user).select_related(
        "round__council",
        "rejected_by",
        "rulebook",
        "tier",
        "sheet__product_set",
        "dossier__registration__product__producer",
        "dossier__registration__district",
    )
    return get_object_or_404(queryset, pk=pk)


def posted_ids(post):
    """The option ids of a posted sheet (``c<criterion id>`` → option id) and the
    criteria marked as knock-outs; the service refuses ids of another sheet."""
    selections = [
        int(value)
        for key, value in post.items()
        if key.startswith("c") and key[1:].isdigit() and value.isdigit()
    ]
    knock_outs = [int(v) for v in post.getlist("knock_out") if v.isdigit()]
    return selections, knock_outs


def corrections_prefetch():
    """The chair's corrections of member sheets, with who made them."""
    return Prefetch(
        "corrections",
        queryset=ScoreCorrection.objects.select_related("corrected_by"),
    )


def corrections_of(score):
    """The chair's corrections of one sheet, newest first (none for no sheet)."""
    if score is None or score.pk is None:
        return []
    return list(score.corrections.select_related("corrected_by"))


def posted_sheet_id(post):
    """The sheet the posting page showed (``sheet``), or None from an older page."""
    value = post.get("sheet", "")
    return int(value) if value.isdigit() else None


def not_saved(why):
    """A refusal of ``can_score`` as a save hears it: what was posted is not kept."""
    if not why.endswith((".", "!", "?")):
        why += "."
    return _("%(why)s Những lựa chọn vừa gửi không được lưu.") % {"why": why}


def save_status(request, errors=(), *, score=None, is_stale=False, status=200):
    """The scoring page's draft status (``_save_status.html``), which ``scoring.js``
    shows whatever the response's status."""
    context = {"errors": errors, "score": score, "is_stale": is_stale}
    return TemplateResponse(
        request, "evaluation/_save_status.html", context, status=status
    )


def closed_round_of_member(user, pk):
    """The evaluation ``pk`` of a closed round of a council ``user`` sits on: the
    member no longer sees it (``visible_evaluations``), but may be told why."""
    return (
        Evaluation.objects.filter(pk=pk, round__council__memberships__user=user)
        .exclude(round__state=RoundState.OPEN)
        .select_related("round")
        .first()
    )


class EvaluationScore(LoginRequiredMixin, View):
    """One member's sheet for one product: tick, see the running totals, submit.

    A member who declared a conflict, or who is not a scoring member of the round's
    council, is refused (403). Other members' sheets show only once one's own is in.
    A save from a page gone out of date (the sheet submitted from another tab, the
    round closed, the sheet changed) is refused and says so; the page then shows
    the sheet as stored, not what was posted.
    """

    template_name = "evaluation/score.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.htmx:
                return save_status(
                    request,
                    [
                        _(
                            "Phiên đăng nhập đã hết nên phiếu nháp chưa được lưu. "
                            "Hãy tải lại trang và đăng nhập lại."
                        )
                    ],
                    is_stale=True,
                    status=401,
                )
            return self.handle_no_permission()
        try:
            self.evaluation = evaluation_for(request.user, kwargs["pk"])
        except Http404:
            closed = closed_round_of_member(request.user, kwargs["pk"])
            if closed is None:
                raise
            return self.round_closed(request, closed)
        self.membership = services.membership(
            self.evaluation.round.council, request.user
        )
        if self.membership is None or self.membership.role not in SCORING_ROLES:
            return self.refuse(
                request, _("Chỉ thành viên hội đồng của đợt được chấm điểm.")
            )
        conflict = ConflictOfInterest.objects.filter(
            council_id=self.evaluation.round.council_id,
            member=request.user,
            dossier_id=self.evaluation.dossier_id,
        ).first()
        if conflict is not None:
            return self.refuse(
                request,
                _("Bạn đã khai xung đột lợi ích với sản phẩm này: %(reason)s")
                % {"reason": conflict.reason},
            )
        return super().dispatch(request, *args, **kwargs)

    def refuse(self, request, reason):
        """403 with the reason; a draft saved from the page hears it in its status."""
        if request.htmx and request.method == "POST":
            message = _("%(why)s Phiếu nháp chưa được lưu.") % {"why": reason}
            return save_status(request, [message], is_stale=True, status=403)
        raise PermissionDenied(reason)

    def round_closed(self, request, evaluation):
        """The round closed while the page was open: nothing posted is kept. A
        member who had submitted a sheet is shown it, read-only."""
        round = evaluation.round
        when = services.round_closed(round)
        if request.method != "POST":
            messages.info(
                request, _("%(when)s Phiếu chấm không sửa được nữa.") % {"when": when}
            )
            own = (
                visible_member_sheets(request.user)
                .filter(evaluation=evaluation, member=request.user)
                .first()
            )
            if own is not None:
                return redirect("evaluation:member-score-detail", pk=own.pk)
            return redirect("evaluation:round-detail", pk=round.pk)
        message = _(
            "%(when)s Những lựa chọn vừa gửi không được lưu; kết quả đã chốt xem ở "
            "trang đợt “%(round)s”."
        ) % {"when": when, "round": round.name}
        if request.htmx:
            return save_status(request, [message], is_stale=True, status=409)
        messages.error(request, message)
        return redirect("evaluation:round-detail", pk=round.pk)

    def own_score(self):
        return MemberScore.objects.filter(
            evaluation=self.evaluation, member=self.request.user
        ).first()

    def get(self, request, *args, **kwargs):
        return self.render_stored()

    def render_stored(self, errors=()):
        score = self.own_score()
        return self.render(
            score,
            score.selections if score else [],
            score.knock_outs if score else [],
            errors=errors,
            shows_stored=bool(errors),
        )

    def post(self, request, *args, **kwargs):
        selections, knock_outs = posted_ids(request.POST)
        submit = request.POST.get("action") == "submit"
        try:
            score = services.save_member_score(
                self.evaluation,
                request.user,
                selections,
                knock_outs,
                submit=submit,
                sheet_id=posted_sheet_id(request.POST),
            )
        except ValidationError as error:
            code = getattr(error, "code", None)
            is_stale = code in services.STALE_CODES
            said = error_messages(error)
            if code == "not_allowed":
                said = [not_saved(why) for why in said]
            if request.htmx and not submit:
                status = 409 if is_stale else 400
                return save_status(request, said, is_stale=is_stale, status=status)
            if is_stale:
                # What was posted is not the sheet: show the sheet as it stands.
                return self.render_stored(said)
            return self.render(
                self.own_score(), selections, knock_outs, errors=error_messages(error)
            )
        if request.htmx and not submit:
            # A draft saved from the meeting room: the page stays as it is.
            return save_status(request, score=score)
        if submit:
            messages.success(
                request,
                _("Đã nộp phiếu chấm: %(total)s điểm. Phiếu đã khóa.")
                % {"total": score.total},
            )
        else:
            messages.success(
                request,
                _("Đã lưu phiếu nháp: %(total)s điểm.") % {"total": score.total},
            )
        return redirect("evaluation:evaluation-score", pk=self.evaluation.pk)

    def render(self, score, selections, knock_outs, errors=(), shows_stored=False):
        evaluation = self.evaluation
        allowed, why = services.can_score(evaluation, self.request.user)
        is_locked = bool(score and score.is_locked)
        others = []
        if score and score.submitted_at:
            others = list(
                services.visible_member_scores(evaluation, self.request.user)
                .exclude(member=self.request.user)
                .select_related("member")
                .prefetch_related(corrections_prefetch())
            )
        context = {
            "evaluation": evaluation,
            "dossier": evaluation.dossier,
            "product": evaluation.dossier.registration.product,
            "score": score,
            "parts": sheet_parts(evaluation.sheet, selections, knock_outs),
            "is_editable": allowed and not is_locked,
            "refusal": "" if allowed or is_locked else why,
            "errors": errors,
            "shows_stored": shows_stored,
            "others": others,
            "corrections": corrections_of(score),
            "bands_json": bands_json(evaluation.rulebook),
            "messages_json": js_messages(),
            "mode": "score",
            "can_reject": self.request.user.has_perm(
                "evaluation.reject_evaluation", evaluation
            ),
            "overdue_warning": services.round_overdue(evaluation.round),
        }
        return TemplateResponse(self.request, self.template_name, context)


class MemberScoreCorrect(LoginRequiredMixin, View):
    """The chair corrects a submitted sheet, with a reason that is logged."""

    template_name = "evaluation/score.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.member_score = get_object_or_404(
            MemberScore.objects.select_related("member"), pk=kwargs["pk"]
        )
        self.evaluation = evaluation_for(request.user, self.member_score.evaluation_id)
        if not request.user.has_perm("evaluation.correct_score", self.evaluation):
            raise PermissionDenied(_("Chỉ Chủ tịch hội đồng được hiệu chỉnh điểm."))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        score = self.member_score
        return self.render(score.selections, score.knock_outs)

    def post(self, request, *args, **kwargs):
        selections, knock_outs = posted_ids(request.POST)
        reason = request.POST.get("reason", "")
        try:
            services.correct_member_score(
                self.member_score, request.user, selections, knock_outs, reason=reason
            )
        except ValidationError as error:
            return self.render(
                selections, knock_outs, errors=error_messages(error), reason=reason
            )
        messages.success(
            request,
            _("Đã hiệu chỉnh phiếu của %(member)s.")
            % {"member": self.member_score.member},
        )
        return redirect("evaluation:round-detail", pk=self.evaluation.round_id)

    def render(self, selections, knock_outs, errors=(), reason=""):
        evaluation = self.evaluation
        context = {
            "evaluation": evaluation,
            "dossier": evaluation.dossier,
            "product": evaluation.dossier.registration.product,
            "score": self.member_score,
            "parts": sheet_parts(evaluation.sheet, selections, knock_outs),
            "is_editable": not evaluation.is_frozen and evaluation.round.is_open,
            "refusal": "",
            "errors": errors,
            "others": [],
            "corrections": corrections_of(self.member_score),
            "bands_json": bands_json(evaluation.rulebook),
            "messages_json": js_messages(),
            "mode": "correct",
            "reason": reason,
            "overdue_warning": services.round_overdue(evaluation.round),
        }
        return TemplateResponse(self.request, self.template_name, context)


class MemberScoreDetail(LoginRequiredMixin, View):
    """A member's submitted sheet of a closed round, read-only: the options ticked,
    the knock-outs marked, the part totals, the chair's corrections with their
    reasons, and links to the other members' sheets. For the council's members and
    whoever may open the round (``visible_member_sheets``); anyone else, and any
    sheet of a round still open, is not found."""

    template_name = "evaluation/score.html"

    def get(self, request, pk):
        score = get_object_or_404(
            visible_member_sheets(request.user).select_related(
                "member",
                "evaluation__round__closed_by",
                "evaluation__rulebook",
                "evaluation__sheet__product_set",
                "evaluation__rejected_by",
                "evaluation__dossier__registration__product__producer",
            ),
            pk=pk,
        )
        evaluation = score.evaluation
        others = (
            MemberScore.objects.filter(
                evaluation=evaluation, submitted_at__isnull=False
            )
            .exclude(pk=score.pk)
            .select_related("member")
            .prefetch_related(corrections_prefetch())
            .order_by("member_id")
        )
        context = {
            "evaluation": evaluation,
            "dossier": evaluation.dossier,
            "product": evaluation.dossier.registration.product,
            "score": score,
            "parts": sheet_parts(evaluation.sheet, score.selections, score.knock_outs),
            "is_editable": False,
            "refusal": "",
            "errors": (),
            "others": list(others),
            "corrections": corrections_of(score),
            "bands_json": bands_json(evaluation.rulebook),
            "messages_json": js_messages(),
            "mode": "view",
        }
        return TemplateResponse(request, self.template_name, context)
