"""Rounds and their results: the products in a round, the members' totals, the
average and stars, and the chair's and the officers' moves on the round."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, ListView, View

from ocop.paging import ForgivingPagination
from registry.enums import Role
from registry.filters import search_words
from registry.permissions import visible_products

from .. import services
from ..enums import (
    SCORING_ROLES,
    CertificateStatus,
    CouncilRole,
    DossierState,
    RoundState,
    TierLevel,
)
from ..forms import (
    CertifyForm,
    ConflictForm,
    PrecheckForm,
    RejectionForm,
    RoundForm,
)
from ..models import ConflictOfInterest, Council, MemberScore, ScoreCorrection
from ..permissions import (
    can_open,
    sees_conflict_reasons,
    visible_certificates,
    visible_dossiers,
    visible_evaluations,
    visible_rounds,
)
from .common import (
    PAGE_SIZE,
    apply_to_form,
    detail_page_again,
    error_messages,
    list_page_again,
    report_refusal,
)

# The area filter's value for the rounds of a whole province (no district).
WHOLE_PROVINCE = "province"


class RoundList(ForgivingPagination, LoginRequiredMixin, ListView):
    """The rounds the user may see, filtered by year, state, tier level and area."""

    template_name = "evaluation/round_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "rounds"

    def get_queryset(self):
        rounds = (
            visible_rounds(self.request.user)
            .select_related("tier", "council", "district")
            .annotate(product_count=Count("evaluations", distinct=True))
            .order_by("-year", "tier__order", "closes_on", "id")
        )
        get = self.request.GET
        if get.get("year", "").isdigit():
            rounds = rounds.filter(year=int(get["year"]))
        if get.get("state") in RoundState.values:
            rounds = rounds.filter(state=get["state"])
        if get.get("level") in TierLevel.values:
            rounds = rounds.filter(tier__level=get["level"])
        area = get.get("area", "")
        if area == WHOLE_PROVINCE:
            rounds = rounds.filter(district__isnull=True)
        elif area.isdigit():
            rounds = rounds.filter(district_id=int(area))
        return rounds

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["states"] = RoundState.choices
        context["levels"], context["areas"] = round_filter_choices(user)
        context["councils"] = councils = councils_to_manage(user)
        # The page lists the councils anyway: one to choose from is chosen already.
        initial = {"council": councils[0].pk} if len(councils) == 1 else {}
        context["form"] = kwargs.get("form") or RoundForm(
            councils=councils, initial=initial
        )
        return context


def round_filter_choices(user):
    """The tier levels and areas of the rounds the user may see, for the filters:
    ``([(level, label)], [(area, name)])``, in one query."""
    seen = (
        visible_rounds(user)
        .order_by()
        .values_list("tier__level", "district_id", "district__name")
        .distinct()
    )
    levels, areas = set(), {}
    for level, district_id, district_name in seen:
        levels.add(level)
        if district_id is None:
            areas[WHOLE_PROVINCE] = _("Toàn tỉnh")
        else:
            areas[str(district_id)] = district_name
    level_choices = [(v, label) for v, label in TierLevel.choices if v in levels]
    area_choices = sorted(
        areas.items(), key=lambda item: (item[0] != WHOLE_PROVINCE, item[1])
    )
    return level_choices, area_choices


def councils_to_manage(user):
    """Councils whose rounds the user may open: the province's, or the district's."""
    councils = Council.objects.select_related("tier", "district")
    if not user.is_authenticated:
        return councils.none()
    if user.is_superuser:
        return councils
    if user.has_perm("evaluation.record_ministry_result"):
        return councils.filter(province_id=user.province_id)
    # A commune officer has a district too, but no council's rounds to open.
    if user.role == Role.DISTRICT_OFFICER and user.district_id:
        return councils.filter(district_id=user.district_id)
    return councils.none()


class RoundCreate(LoginRequiredMixin, View):
    """Open a round; a refusal, the form's or the service's, comes back on the
    rounds page at the field it is about, with what was typed kept."""

    def post(self, request):
        councils = councils_to_manage(request.user)
        if not councils.exists():
            raise PermissionDenied
        form = RoundForm(request.POST, councils=councils)
        if form.is_valid():
            council = form.cleaned_data["council"]
            try:
                round = services.open_round(
                    council.tier,
                    request.user,
                    council=council,
                    year=council.year,
                    name=form.cleaned_data["name"],
                    closes_on=form.cleaned_data["closes_on"],
                    district=council.district,
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("Đã mở đợt đánh giá."))
                return redirect("evaluation:round-detail", pk=round.pk)
        return list_page_again(request, RoundList, form=form)


class RoundDetail(LoginRequiredMixin, DetailView):
    """The round's results: per product, the members' totals, average and stars."""

    template_name = "evaluation/round_detail.html"
    context_object_name = "round"

    def get_queryset(self):
        return visible_rounds(self.request.user).select_related(
            "tier__rulebook", "council", "district", "closed_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, round = self.request.user, self.object
        memberships = sorted(
            round.council.memberships.select_related("user") if round.council else [],
            key=lambda m: (list(CouncilRole.values).index(m.role), m.pk),
        )
        mine = next((m for m in memberships if m.user_id == user.pk), None)
        scoring_ids = {m.user_id for m in memberships if m.role in SCORING_ROLES}
        evaluations = list(
            round.evaluations.select_related(
                "dossier__registration__product__producer",
                "dossier__registration__district",
                "certifying_tier",
                "sheet",
                "rulebook",
                "rejected_by",
            )
            .prefetch_related(
                Prefetch(
                    "member_scores",
                    queryset=MemberScore.objects.select_related(
                        "member"
                    ).prefetch_related(
                        Prefetch(
                            "corrections",
                            queryset=ScoreCorrection.objects.select_related(
                                "corrected_by"
                            ),
                        )
                    ),
                ),
                "certificates",
            )
            .annotate(
                is_dossier_openable=can_open(visible_dossiers, user, "dossier_id")
            )
            .order_by("id")
        )
        conflicts = {}
        for member_id, dossier_id, reason in ConflictOfInterest.objects.filter(
            council_id=round.council_id
        ).values_list("member_id", "dossier_id", "reason"):
            conflicts.setdefault(dossier_id, {})[member_id] = reason
        can_manage = user.has_perm("evaluation.manage_round", round)
        reasons_shown = sees_conflict_reasons(
            user, mine, can_manage=can_manage, is_closed=not round.is_open
        )
        # The member's declaration form: the one refused, in its product's row.
        refused_conflict = kwargs.get("conflict_form")
        offers_conflict_form = (
            mine is not None and mine.role in SCORING_ROLES and round.is_open
        )
        for evaluation in evaluations:
            recused = conflicts.get(evaluation.dossier_id, {})
            # Those who declared a conflict do not score: they count for nothing,
            # neither in what was submitted nor in the quorum.
            eligible = scoring_ids - set(recused)
            # Each recused member with the reason given, where the viewer reads it.
            evaluation.recused = [
                (
                    m.user,
                    recused[m.user_id] if reasons_shown or m.user_id == user.pk else "",
                )
                for m in memberships
                if m.user_id in recused
            ]
            if offers_conflict_form:
                if refused_conflict is not None and (
                    refused_conflict.evaluation_id == evaluation.pk
                ):
                    evaluation.conflict_form = refused_conflict
                else:
                    evaluation.conflict_form = conflict_form(evaluation)
            evaluation.my_conflict = user.pk in recused
            evaluation.shown_scores = [
                s
                for s in shown_scores(evaluation, user, mine, evaluation.my_conflict)
                if s.member_id not in recused
            ]
            submitted = [s for s in evaluation.member_scores.all() if s.submitted_at]
            evaluation.eligible_count = len(eligible)
            evaluation.submitted_count = sum(
                1 for s in submitted if s.member_id in eligible
            )
            evaluation.my_score = next(
                (s for s in submitted if s.member_id == user.pk), None
            )
            # A member who has not submitted sees no result, not even the average;
            # nor does one who declared a conflict, who never submits for it.
            evaluation.is_result_shown = (
                evaluation.frozen_at is not None
                or mine is None
                or (evaluation.my_score is not None and not evaluation.my_conflict)
            )
            shown_totals = [s.total for s in evaluation.shown_scores if s.submitted_at]
            evaluation.spread = (
                max(shown_totals) - min(shown_totals) if len(shown_totals) > 1 else None
            )
            evaluation.conflict_count = len(recused)
            evaluation.sheets_changed_at = max(
                (s.updated_at for s in submitted), default=None
            )
            evaluation.is_stale = (
                evaluation.computed_at is not None
                and evaluation.sheets_changed_at is not None
                and evaluation.sheets_changed_at > evaluation.computed_at
            )
        services.explain_results(
            [e for e in evaluations if e.is_result_shown and not e.blocked_reasons]
        )
        context.update(
            evaluations=evaluations,
            memberships=memberships,
            membership=mine,
            is_scoring_member=mine is not None and mine.role in SCORING_ROLES,
            is_chair=user.has_perm("evaluation.close_round", round),
            can_manage=can_manage,
            can_precheck=user.has_perm("evaluation.precheck_evaluation", round),
            decision_form=kwargs.get("decision_form") or CertifyForm(),
            overdue_warning=services.round_overdue(round),
        )
        context["refer_left"], context["referred_count"] = services.referral_counts(
            evaluations
        )
        if context["can_manage"] and not round.is_open:
            context["certify_groups"] = certify_groups(
                round, kwargs.get("decision_form")
            )
        if context["can_manage"] and round.is_open:
            waiting = visible_dossiers(user).filter(
                state=DossierState.WAITING, current_tier=round.tier
            )
            if round.district_id:
                waiting = waiting.filter(registration__district_id=round.district_id)
            context["waiting"] = waiting.select_related(
                "registration__product__producer"
            )
        return context


def offers_conflict_form(evaluation):
    """Whether the round page's row of ``evaluation`` offers its viewer the form to
    declare a conflict (as the template decides it)."""
    return (
        getattr(evaluation, "conflict_form", None) is not None
        and not evaluation.is_rejected
        and not evaluation.my_conflict
        and evaluation.my_score is None
    )


def conflict_form(evaluation, data=None):
    """The declaration of a conflict on one product of the round page; its ids
    are the product's own, as each row holds one."""
    form = ConflictForm(data, auto_id=f"id_conflict{evaluation.pk}_%s")
    form.evaluation_id = evaluation.pk
    return form


def certify_groups(round, refused=None):
    """The round's results still to certify, one group per certifying authority,
    each with the form of its own decision; the form just refused goes back to its
    group with what was typed (to the first group when it named none)."""
    groups = services.certification_groups(round)
    refused_authority = refused.data.get("authority", "") if refused else None
    for position, group in enumerate(groups, start=1):
        # Names stay the same for every group; the ids must differ on the page.
        auto_id = "id_%s" if position == 1 else f"id_g{position}_%s"
        if refused is not None and refused_authority in (group.authority, ""):
            group.form, refused = refused, None
            group.form.auto_id = auto_id
        else:
            group.form = CertifyForm(
                auto_id=auto_id,
                initial={"authority": group.authority},
                first_day=date(round.year, 1, 1),
            )
        group.button_id = (
            "certify-round" if position == 1 else f"certify-round-{position}"
        )
    return groups


def shown_scores(evaluation, user, mine, is_recused=False):
    """The member sheets of an evaluation the user may see, from the prefetched rows.

    The same rule as ``services.visible_member_scores``: a council member sees their
    own sheet, and everyone's once theirs is in; others see them once frozen, as
    does every member then (the closed round's record). A member who declared a
    conflict on the product sees only their own until then.
    """
    scores = list(evaluation.member_scores.all())
    if evaluation.frozen_at:
        return scores
    if mine is None:
        return []
    own = [s for s in scores if s.member_id == user.pk]
    if own and own[0].submitted_at and not (is_recused and not evaluation.frozen_at):
        return scores
    return own


class RoundAction(LoginRequiredMixin, View):
    """A POST that moves a round through a service, then back to its page.

    ``act`` returns the sentence saying what changed, or a response of its own (the
    page again, with a form's refusal at its fields), or None once it has said
    itself why nothing changed: a move that changes nothing never reads as a success.
    """

    permission = "evaluation.manage_round"

    def post(self, request, pk):
        round = get_object_or_404(visible_rounds(request.user), pk=pk)
        if not self.allowed(request.user, round):
            raise PermissionDenied
        try:
            result = self.act(request, round)
        except ValidationError as error:
            report_refusal(request, error)
        else:
            if isinstance(result, HttpResponse):
                return result
            if result:
                messages.success(request, result)
        return redirect("evaluation:round-detail", pk=round.pk)

    def allowed(self, user, round):
        return user.has_perm(self.permission, round)

    def rerender(self, request, round, **forms):
        return detail_page_again(request, RoundDetail, round.pk, **forms)


class RoundAddDossiers(RoundAction):
    """Put the ticked waiting dossiers into the round, all of them or none."""

    def act(self, request, round):
        ids = [int(i) for i in request.POST.getlist("dossier") if i.isdigit()]
        dossiers = list(
            visible_dossiers(request.user)
            .filter(pk__in=ids)
            .select_related("registration__product")
        )
        if not dossiers:
            messages.warning(
                request,
                _("Chưa chọn hồ sơ nào: không có hồ sơ nào được đưa vào đợt."),
            )
            return None
        with transaction.atomic():
            problems = []
            for dossier in dossiers:
                try:
                    services.add_to_round(round, dossier, request.user)
                except ValidationError as error:
                    product = dossier.registration.product.name
                    # Each refusal names its product, once.
                    problems += [
                        m if f"“{product}”" in m else f"{product}: {m}"
                        for m in error_messages(error)
                    ]
            if problems:
                # Roll back those added before: the round gets all or none.
                raise ValidationError(problems)
        return ngettext(
            "Đã đưa %(count)s hồ sơ vào đợt.",
            "Đã đưa %(count)s hồ sơ vào đợt.",
            len(dossiers),
        ) % {"count": len(dossiers)}


class RoundCompute(RoundAction):
    """Work out the provisional result of each product with submitted sheets, and
    say what became of every product of the round, each counted once: a new result,
    the result it had, blocked (with why), no sheet yet, or the dossier rejected
    whole (whose result is not worked out from sheets)."""

    def allowed(self, user, round):
        return user.has_perm("evaluation.manage_round", round) or user.has_perm(
            "evaluation.close_round", round
        )

    def act(self, request, round):
        evaluations = list(
            round.evaluations.select_related("dossier__registration__product")
            .annotate(
                submitted=Count(
                    "member_scores",
                    filter=Q(member_scores__submitted_at__isnull=False),
                )
            )
            .order_by("id")
        )
        rejected = [e for e in evaluations if e.is_rejected]
        scored = [e for e in evaluations if e.submitted and not e.is_rejected]
        if not scored:
            messages.warning(request, nothing_to_compute(evaluations, rejected))
            return None
        with transaction.atomic():
            results = [services.compute_result(e, request.user) for e in scored]
        # The products named as they were read above: the results are rows again.
        blocked = [
            (e.dossier.registration.product.name, r.blocked_reasons)
            for e, r in zip(scored, results, strict=True)
            if r.blocked_reasons
        ]
        standing = [r for r in results if not r.blocked_reasons]
        fresh = sum(r.result_changed for r in standing)
        message = computed_message(
            total=len(evaluations),
            fresh=fresh,
            kept=len(standing) - fresh,
            blocked=blocked,
            unscored=len(evaluations) - len(rejected) - len(scored),
            rejected=len(rejected),
        )
        if blocked:
            messages.warning(request, message)
        elif fresh:
            messages.success(request, message)
        else:
            messages.info(request, message)
        return None


def nothing_to_compute(evaluations, rejected):
    """Why “Tính kết quả” found nothing to work out in a round."""
    if not evaluations:
        return _("Đợt chưa có sản phẩm nào: chưa có gì để tính.")
    if not rejected:
        return _("Chưa có phiếu chấm nào được nộp: chưa có gì để tính.")
    values = {"count": len(rejected)}
    if len(rejected) == len(evaluations):
        return (
            ngettext(
                "Chưa có gì để tính: %(count)s hồ sơ trong đợt bị loại nên không tính.",
                "Chưa có gì để tính: %(count)s hồ sơ trong đợt bị loại nên không tính.",
                len(rejected),
            )
            % values
        )
    return (
        ngettext(
            "Chưa có phiếu chấm nào được nộp: chưa có gì để tính (%(count)s hồ sơ bị "
            "loại nên không tính).",
            "Chưa có phiếu chấm nào được nộp: chưa có gì để tính (%(count)s hồ sơ bị "
            "loại nên không tính).",
            len(rejected),
        )
        % values
    )


def computed_message(*, total, fresh, kept, blocked, unscored, rejected):
    """What “Tính kết quả” did to each of the round's ``total`` products, each
    counted once: ``fresh`` got a new result, ``kept`` the result they had,
    ``blocked`` (product name, reasons) have none that stands, ``unscored`` have no
    submitted sheet, ``rejected`` dossiers were rejected whole. The counts add up to
    ``total``; a blocked product is not a result."""
    count = fresh + kept
    values = {"count": count, "total": total}
    if not count:
        sentences = [
            ngettext(
                "Chưa tính được kết quả nào trong %(total)s sản phẩm của đợt.",
                "Chưa tính được kết quả nào trong %(total)s sản phẩm của đợt.",
                total,
            )
            % values
        ]
    elif count == total:
        sentences = [
            ngettext(
                "Đã tính kết quả cho %(count)s sản phẩm.",
                "Đã tính kết quả cho %(count)s sản phẩm.",
                count,
            )
            % values
        ]
    else:
        sentences = [
            ngettext(
                "Đã tính kết quả cho %(count)s trong %(total)s sản phẩm của đợt.",
                "Đã tính kết quả cho %(count)s trong %(total)s sản phẩm của đợt.",
                total,
            )
            % values
        ]
    if fresh:
        sentences.append(
            ngettext(
                "%(count)s sản phẩm có kết quả mới.",
                "%(count)s sản phẩm có kết quả mới.",
                fresh,
            )
            % {"count": fresh}
        )
    if kept:
        sentences.append(
            ngettext(
                "%(count)s sản phẩm giữ nguyên kết quả đã tính trước đó.",
                "%(count)s sản phẩm giữ nguyên kết quả đã tính trước đó.",
                kept,
            )
            % {"count": kept}
        )
    if blocked:
        sentences.append(
            ngettext(
                "%(count)s sản phẩm bị chặn nên chưa có kết quả: %(products)s.",
                "%(count)s sản phẩm bị chặn nên chưa có kết quả: %(products)s.",
                len(blocked),
            )
            % {
                "count": len(blocked),
                "products": "; ".join(
                    f"{name} ({why_blocked(reasons)})" for name, reasons in blocked
                ),
            }
        )
    if unscored:
        sentences.append(
            ngettext(
                "%(count)s sản phẩm chưa có phiếu nộp nên chưa tính.",
                "%(count)s sản phẩm chưa có phiếu nộp nên chưa tính.",
                unscored,
            )
            % {"count": unscored}
        )
    if rejected:
        sentences.append(
            ngettext(
                "%(count)s hồ sơ bị loại nên không tính.",
                "%(count)s hồ sơ bị loại nên không tính.",
                rejected,
            )
            % {"count": rejected}
        )
    return " ".join(sentences)


def why_blocked(reasons):
    """A blocked result's reasons as one clause, to stand in brackets: each reason
    is a sentence, the last one's full stop left to the sentence around it."""
    return " ".join(str(reason) for reason in reasons).rstrip(".")


class RoundClose(RoundAction):
    permission = "evaluation.close_round"

    def act(self, request, round):
        services.close_round(round, request.user)
        return _("Đã đóng đợt: kết quả đã chốt.")


class RoundRefer(RoundAction):
    def act(self, request, round):
        referred = services.refer_round(round, request.user)
        if not referred:
            messages.warning(request, services.nothing_to_refer(round))
            return None
        return ngettext(
            "Đã chuyển %(count)s hồ sơ lên cấp trên.",
            "Đã chuyển %(count)s hồ sơ lên cấp trên.",
            len(referred),
        ) % {"count": len(referred)}


class RoundCertify(RoundAction):
    def act(self, request, round):
        form = CertifyForm(request.POST, first_day=date(round.year, 1, 1))
        if form.is_valid():
            try:
                certificates = services.certify(
                    round,
                    request.user,
                    decision_number=form.cleaned_data["decision_number"],
                    decision_date=form.cleaned_data["decision_date"],
                    authority=form.cleaned_data["authority"],
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                if not certificates:
                    messages.warning(
                        request,
                        _(
                            "Không cấp giấy chứng nhận nào: trong đợt không có kết "
                            "quả được công nhận nào chưa có giấy."
                        ),
                    )
                    return None
                return ngettext(
                    "Đã cấp %(count)s giấy chứng nhận.",
                    "Đã cấp %(count)s giấy chứng nhận.",
                    len(certificates),
                ) % {"count": len(certificates)}
        return self.rerender(request, round, decision_form=form)


class EvaluationAction(LoginRequiredMixin, View):
    def post(self, request, pk):
        evaluation = get_object_or_404(
            visible_evaluations(request.user).select_related("round__council"), pk=pk
        )
        try:
            message = self.act(request, evaluation)
        except ValidationError as error:
            report_refusal(request, error)
        else:
            if message:
                messages.success(request, message)
        return redirect("evaluation:round-detail", pk=evaluation.round_id)


class EvaluationPage(LoginRequiredMixin, View):
    """A page of one product of a round, for a move the council makes on it before
    or instead of scoring; it shows the sheet's cases of a dossier rejected whole.

    ``permission`` says who may open it (403 for other members of the council);
    a refused form comes back with each error at its field.
    """

    template_name = "evaluation/precheck.html"
    permission = ""
    mode = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.evaluation = get_object_or_404(
            visible_evaluations(request.user).select_related(
                "round__council",
                "rulebook",
                "sheet__product_set",
                "precheck_by",
                "rejected_by",
                "dossier__registration__product__producer",
            ),
            pk=kwargs["pk"],
        )
        if not request.user.has_perm(self.permission, self.evaluation):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                message = self.act(form.cleaned_data, form)
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, message)
                return redirect("evaluation:round-detail", pk=self.evaluation.round_id)
        return self.render(form, status=400)

    def is_open(self):
        evaluation = self.evaluation
        return evaluation.round.is_open and not evaluation.is_frozen

    def render(self, form, status=200):
        evaluation = self.evaluation
        context = {
            "evaluation": evaluation,
            "product": evaluation.dossier.registration.product,
            "rules": evaluation.sheet.dossier_rejected_when,
            "form": form if self.is_shown(form) else None,
            "mode": self.mode,
        }
        return TemplateResponse(
            self.request, self.template_name, context, status=status
        )


class EvaluationPrecheck(EvaluationPage):
    """The advisory team's pre-check report before scoring, which may find the
    dossier rejected whole for one of its sheet's cases."""

    permission = "evaluation.precheck_evaluation"
    mode = "precheck"

    def make_form(self, data=None):
        return PrecheckForm(data, sheet=self.evaluation.sheet)

    def is_shown(self, form):
        return self.is_open() and (form.is_bound or not self.evaluation.precheck_at)

    def act(self, data, form):
        services.record_precheck(
            self.evaluation,
            self.request.user,
            data["report"],
            is_rejected=form.is_rejection,
            rejected_when=data.get("rejected_when", ""),
            detail=data.get("rejection_detail", ""),
        )
        if form.is_rejection:
            return _(
                "Đã ghi báo cáo của tổ tư vấn: hồ sơ “%(product)s” bị loại, không "
                "chấm điểm."
            ) % {"product": self.evaluation.dossier.registration.product.name}
        return _("Đã ghi báo cáo của tổ tư vấn.")


class EvaluationReject(EvaluationPage):
    """The chair finds the dossier rejected whole at the meeting."""

    permission = "evaluation.reject_evaluation"
    mode = "reject"

    def make_form(self, data=None):
        return RejectionForm(data, sheet=self.evaluation.sheet)

    def is_shown(self, form):
        return self.is_open() and not self.evaluation.is_rejected

    def act(self, data, form):
        services.reject_dossier(
            self.evaluation,
            self.request.user,
            rejected_when=data["rejected_when"],
            detail=data["rejection_detail"],
        )
        return _("Đã ghi: hồ sơ “%(product)s” bị loại, không chấm điểm.") % {
            "product": self.evaluation.dossier.registration.product.name
        }


class ConflictDeclare(LoginRequiredMixin, View):
    """A member declares a conflict of interest on a product of a round. A reason
    refused (none, or too long) comes back on the round's page at the field, in
    that product's row, with what was typed; any other refusal as a message."""

    def post(self, request, pk):
        evaluation = get_object_or_404(
            visible_evaluations(request.user).select_related("round__council"), pk=pk
        )
        back = redirect("evaluation:round-detail", pk=evaluation.round_id)
        form = conflict_form(evaluation, request.POST)
        if form.is_valid():
            try:
                conflict = services.declare_conflict(
                    evaluation.round.council,
                    request.user,
                    evaluation.dossier,
                    form.cleaned_data["reason"],
                )
            except ValidationError as error:
                if "reason" not in getattr(error, "error_dict", {}):
                    report_refusal(request, error)
                    return back
                apply_to_form(form, error)
            else:
                self.say_declared(request, conflict)
                return back
        view = RoundDetail()
        view.setup(request, pk=evaluation.round_id)
        view.object = view.get_object()
        context = view.get_context_data(object=view.object, conflict_form=form)
        row = next(e for e in context["evaluations"] if e.pk == evaluation.pk)
        if not offers_conflict_form(row):
            # No form in the row to show the refusal at (not a scoring member, a
            # sheet already in, a conflict already declared): say it instead.
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
            return back
        return TemplateResponse(request, view.template_name, context, status=400)

    def say_declared(self, request, conflict):
        if not conflict.is_new:
            messages.info(
                request,
                _(
                    "Bạn đã khai xung đột lợi ích với sản phẩm này từ trước "
                    "(%(reason)s): không có gì thay đổi."
                )
                % {"reason": conflict.reason},
            )
            return
        messages.success(
            request,
            _("Đã ghi khai báo xung đột lợi ích; bạn không chấm sản phẩm này."),
        )


class CertificateList(ForgivingPagination, LoginRequiredMixin, ListView):
    """The certificates the user may see, filtered by number or name, stars and
    state today (in force, expired, revoked)."""

    template_name = "evaluation/certificate_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "certificates"

    def get_queryset(self):
        user = self.request.user
        today = timezone.localdate()
        certificates = (
            visible_certificates(user)
            .select_related("tier", "rulebook")
            .annotate(
                is_product_openable=can_open(visible_products, user, "product_id")
            )
            .with_grace(today)
        )
        stars = self.request.GET.get("stars", "")
        if stars.isdigit():
            certificates = certificates.filter(stars=int(stars))
        if self.request.GET.get("state") in CertificateStatus.values:
            certificates = certificates.in_state(self.request.GET["state"], today)
        # A certificate number as typed, or each word without accents or case in
        # the product's or producer's names (as on the registry's lists).
        q = self.request.GET.get("q", "").strip()
        for word in search_words(q):
            certificates = certificates.filter(
                Q(number__icontains=q)
                | Q(product__search_text__contains=word)
                | Q(product__producer__search_text__contains=word)
            )
        # Each row links its PDF, or offers to make it, in this same query.
        from ..documents.access import with_documents

        return with_documents(certificates, user).order_by("-issued_on", "number")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["states"] = CertificateStatus.choices
        return context
