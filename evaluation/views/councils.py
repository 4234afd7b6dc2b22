"""Councils: who chairs, scores and advises, their rounds, and the members'
declared conflicts of interest."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, View

from ocop.paging import ForgivingPagination
from registry.enums import Role

from .. import services
from ..enums import CouncilRole, TierKind
from ..forms import CouncilForm, MembershipForm
from ..models import Council, Tier
from ..permissions import can_open, member_council_ids, visible_rounds
from .common import PAGE_SIZE, report_refusal
from .rounds import councils_to_manage

# Members listed as a council's decision lists them: chair first, advisors last.
ROLE_ORDER = list(CouncilRole.values)


def visible_councils(user):
    """The councils a user may see: those they may manage, or sit on."""
    councils = Council.objects.all()
    if not user.is_authenticated:
        return councils.none()
    if user.role == Role.COUNCIL_MEMBER and not user.is_superuser:
        return councils.filter(pk__in=member_council_ids(user))
    return councils.filter(pk__in=councils_to_manage(user).values("pk"))


def can_manage_councils(user):
    return user.is_authenticated and (
        user.is_superuser or user.role in (Role.ADMINISTRATOR, Role.PROVINCE_STAFF)
    )


class CouncilList(ForgivingPagination, LoginRequiredMixin, ListView):
    template_name = "evaluation/council_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "councils"

    def get_queryset(self):
        councils = (
            visible_councils(self.request.user)
            .select_related("tier__rulebook", "district")
            .annotate(member_count=Count("memberships", distinct=True))
            .order_by("-year", "tier__order", "name", "id")
        )
        year = self.request.GET.get("year", "")
        if year.isdigit():
            councils = councils.filter(year=int(year))
        return councils

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if can_manage_councils(user):
            context["form"] = CouncilForm(
                tiers=Tier.objects.filter(kind=TierKind.COUNCIL).select_related(
                    "rulebook"
                ),
                province=user.province,
            )
        return context


class CouncilCreate(LoginRequiredMixin, View):
    def post(self, request):
        if not can_manage_councils(request.user):
            raise PermissionDenied
        form = CouncilForm(
            request.POST,
            tiers=Tier.objects.filter(kind=TierKind.COUNCIL),
            province=request.user.province,
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("evaluation:council-list")
        data = form.cleaned_data
        try:
            council = services.create_council(
                request.user,
                tier=data["tier"],
                province=request.user.province,
                district=data["district"],
                year=data["year"],
                name=data["name"],
                decision=data["decision_reference"],
            )
        except ValidationError as error:
            report_refusal(request, error)
            return redirect("evaluation:council-list")
        return redirect("evaluation:council-detail", pk=council.pk)


class CouncilDetail(LoginRequiredMixin, DetailView):
    template_name = "evaluation/council_detail.html"
    context_object_name = "council"

    def get_queryset(self):
        return visible_councils(self.request.user).select_related(
            "tier__rulebook", "district", "province"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        council = self.object
        memberships = sorted(
            council.memberships.select_related("user"),
            key=lambda m: (ROLE_ORDER.index(m.role), m.pk),
        )
        context.update(
            memberships=memberships,
            advisors=[m for m in memberships if m.role == CouncilRole.ADVISOR],
            rounds=council.rounds.annotate(
                product_count=Count("evaluations"),
                is_openable=can_open(visible_rounds, self.request.user),
            ),
            conflicts=council.conflicts.select_related(
                "member", "dossier__registration__product"
            ),
            can_manage=can_manage_councils(self.request.user),
            membership_form=MembershipForm(province=council.province),
        )
        return context


class CouncilAddMember(LoginRequiredMixin, View):
    def post(self, request, pk):
        council = get_object_or_404(visible_councils(request.user), pk=pk)
        if not can_manage_councils(request.user):
            raise PermissionDenied
        form = MembershipForm(request.POST, province=council.province)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        else:
            try:
                services.add_council_member(
                    council,
                    request.user,
                    form.cleaned_data["user"],
                    form.cleaned_data["role"],
                )
            except ValidationError as error:
                report_refusal(request, error)
            else:
                messages.success(request, _("Đã thêm thành viên hội đồng."))
        return redirect("evaluation:council-detail", pk=council.pk)
