"""Councils: who chairs, scores and advises, their rounds, the members' declared
conflicts of interest, and the changes made to them (members added and removed,
roles, the founding decision), each written to the council's history."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, View

from ocop.models import AuditEntry
from ocop.paging import ForgivingPagination
from registry.enums import Role
from registry.models import District, User
from registry.permissions import is_province_wide

from .. import services
from ..enums import CouncilRole, RoundState, TierKind, TierLevel
from ..forms import (
    CouncilDecisionForm,
    CouncilForm,
    MemberRoleForm,
    MembershipForm,
)
from ..models import Council, Evaluation, Tier
from ..permissions import (
    can_open,
    member_council_ids,
    sees_conflict_reasons,
    visible_rounds,
)
from .common import PAGE_SIZE, apply_to_form, detail_page_again, list_page_again
from .history import sentence
from .rounds import councils_to_manage

# Members listed as a council's decision lists them: chair first, advisors last.
ROLE_ORDER = list(CouncilRole.values)
HISTORY_SHOWN = 100


def visible_councils(user):
    """The councils a user may see: those they may manage, or sit on."""
    councils = Council.objects.all()
    if not user.is_authenticated:
        return councils.none()
    if user.role == Role.COUNCIL_MEMBER and not user.is_superuser:
        return councils.filter(pk__in=member_council_ids(user))
    return councils.filter(pk__in=councils_to_manage(user).values("pk"))


def can_manage_councils(user):
    """Whether the user sets up councils: province staff, and a district officer
    for their own district (``evaluation.add_council``)."""
    return user.has_perm("evaluation.add_council")


def council_choices(user):
    """The tiers and districts a user may set up councils for: ``(tiers,
    districts)``. A district officer: the tiers whose councils are the districts'
    (148/QĐ-TTg), and their own district."""
    tiers = Tier.objects.filter(kind=TierKind.COUNCIL).select_related("rulebook")
    districts = District.objects.filter(province_id=user.province_id)
    if not is_province_wide(user):
        tiers = tiers.filter(level=TierLevel.DISTRICT)
        districts = districts.filter(pk=user.district_id)
    return tiers, districts


def council_form(user, data=None):
    tiers, districts = council_choices(user)
    initial = {}
    if not is_province_wide(user):
        initial["district"] = user.district_id
    return CouncilForm(data, tiers=tiers, districts=districts, initial=initial)


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
            context["form"] = kwargs.get("form") or council_form(user)
        return context


class CouncilCreate(LoginRequiredMixin, View):
    """Set up a council; a refusal, the form's or the service's, comes back on the
    councils page at the field it is about, with what was typed kept."""

    def post(self, request):
        if not can_manage_councils(request.user):
            raise PermissionDenied
        form = council_form(request.user, request.POST)
        if form.is_valid():
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
                apply_to_form(form, error)
            else:
                messages.success(request, _("Đã thành lập hội đồng."))
                return redirect("evaluation:council-detail", pk=council.pk)
        return list_page_again(request, CouncilList, form=form)


def role_label(value):
    return CouncilRole(value).label if value in CouncilRole.values else value


def council_history(council):
    """The audit entries of a council, newest first, each with ``detail``: whom it
    was about and which roles (one query, two when old entries name their member
    by id only)."""
    entries = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Council),
            object_id=str(council.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:HISTORY_SHOWN]
    )
    unnamed = {
        e.data["user"]
        for e in entries
        if "user" in e.data and "user_name" not in e.data
    }
    names = (
        {u.pk: str(u) for u in User.objects.filter(pk__in=unnamed)} if unnamed else {}
    )
    for entry in entries:
        data = entry.data
        member = data.get("user_name") or names.get(data.get("user"), "")
        entry.sentence = sentence(entry.action)
        if entry.action == "evaluation.council.member_added":
            entry.detail = _("%(member)s, vai trò %(role)s") % {
                "member": member,
                "role": role_label(data.get("role", "")),
            }
        elif entry.action == "evaluation.council.member_removed":
            entry.detail = _("%(member)s (%(role)s)") % {
                "member": member,
                "role": role_label(data.get("role", "")),
            }
        elif entry.action == "evaluation.council.role_changed":
            entry.detail = _("%(member)s: %(before)s → %(after)s") % {
                "member": member,
                "before": role_label(data.get("from", "")),
                "after": role_label(data.get("to", "")),
            }
        elif entry.action == "evaluation.council.decision_recorded":
            entry.detail = data.get("after", "")
        else:
            entry.detail = ""
    return entries


class CouncilDetail(LoginRequiredMixin, DetailView):
    """A council's members, rounds, conflicts and history; whoever manages it
    (``evaluation.manage_council``) adds and removes members, changes their roles
    and records the founding decision here. The page's queries do not grow with
    its members."""

    template_name = "evaluation/council_detail.html"
    context_object_name = "council"

    def get_queryset(self):
        return visible_councils(self.request.user).select_related(
            "tier__rulebook", "district", "province"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        council, user = self.object, self.request.user
        can_manage = user.has_perm("evaluation.manage_council", council)
        memberships = sorted(
            council.memberships.select_related("user"),
            key=lambda m: (ROLE_ORDER.index(m.role), m.pk),
        )
        refused = kwargs.get("member_form")
        if can_manage:
            for membership in memberships:
                if refused is not None and refused.membership.pk == membership.pk:
                    membership.form = refused
                else:
                    membership.form = MemberRoleForm(membership=membership)
        context.update(
            memberships=memberships,
            has_chair=any(m.role == CouncilRole.CHAIR for m in memberships),
            advisors=[m for m in memberships if m.role == CouncilRole.ADVISOR],
            rounds=council.rounds.annotate(
                product_count=Count("evaluations"),
                is_openable=can_open(visible_rounds, user),
            ),
            conflicts=conflicts_shown(council, user, memberships, can_manage),
            can_manage=can_manage,
            history=council_history(council),
        )
        if can_manage:
            context["membership_form"] = kwargs.get("membership_form") or (
                MembershipForm(province=council.province)
            )
            context["decision_form"] = kwargs.get("decision_form") or (
                CouncilDecisionForm(
                    initial={"decision_reference": council.decision_reference}
                )
            )
        return context


def conflicts_shown(council, user, memberships, can_manage):
    """The council's declared conflicts, each with ``shown_reason``: its reason
    where the viewer reads it (``sees_conflict_reasons``; a member's own always;
    the other members' once the round that held the product is closed)."""
    mine = next((m for m in memberships if m.user_id == user.pk), None)
    reads_all = sees_conflict_reasons(
        user, mine, can_manage=can_manage, is_closed=False
    )
    closed = Evaluation.objects.filter(
        round__council_id=OuterRef("council_id"),
        dossier_id=OuterRef("dossier_id"),
        round__state=RoundState.CLOSED,
    )
    conflicts = list(
        council.conflicts.select_related("member", "dossier__registration__product")
        .annotate(is_round_closed=Exists(closed))
        .order_by("declared_at", "id")
    )
    for conflict in conflicts:
        is_read = (
            reads_all
            or conflict.member_id == user.pk
            or (mine is not None and conflict.is_round_closed)
        )
        conflict.shown_reason = conflict.reason if is_read else ""
    return conflicts


class CouncilAction(LoginRequiredMixin, View):
    """A POST that changes a council through a service, then back to its page; a
    refused form comes back on the page at its fields (``rerender``)."""

    def post(self, request, pk, **kwargs):
        council = get_object_or_404(
            visible_councils(request.user).select_related("tier", "province"), pk=pk
        )
        if not request.user.has_perm("evaluation.manage_council", council):
            raise PermissionDenied
        response = self.act(request, council, **kwargs)
        return response or redirect("evaluation:council-detail", pk=council.pk)

    def rerender(self, request, council, **forms):
        return detail_page_again(request, CouncilDetail, council.pk, **forms)


class CouncilAddMember(CouncilAction):
    def act(self, request, council):
        form = MembershipForm(request.POST, province=council.province)
        if form.is_valid():
            try:
                services.add_council_member(
                    council,
                    request.user,
                    form.cleaned_data["user"],
                    form.cleaned_data["role"],
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                messages.success(request, _("Đã thêm thành viên hội đồng."))
                return None
        return self.rerender(request, council, membership_form=form)


def _member(council, member_pk):
    return get_object_or_404(council.memberships.select_related("user"), pk=member_pk)


class CouncilMemberRole(CouncilAction):
    """Give a member another role; the chair names who takes the chair."""

    def act(self, request, council, member_pk):
        membership = _member(council, member_pk)
        before = membership.role
        form = MemberRoleForm(request.POST, membership=membership)
        if form.is_valid():
            try:
                changed = services.change_council_role(
                    council,
                    request.user,
                    membership,
                    form.cleaned_data["role"],
                    new_chair=form.cleaned_data.get("new_chair"),
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                names = {
                    "member": membership.user,
                    "before": role_label(before),
                    "after": role_label(changed.role),
                }
                if not changed.role_changed:
                    messages.info(
                        request,
                        _("%(member)s đã có vai trò %(after)s: không có gì thay đổi.")
                        % names,
                    )
                else:
                    messages.success(
                        request,
                        _("Đã đổi vai trò của %(member)s: %(before)s → %(after)s.")
                        % names,
                    )
                return None
        return self.rerender(request, council, member_form=form)


class CouncilMemberRemove(CouncilAction):
    """Take a person off the council; the chair names who takes the chair."""

    def act(self, request, council, member_pk):
        membership = _member(council, member_pk)
        # The member's form as the page shows it, their role as it stands: a
        # refusal comes back in it.
        data = request.POST.copy()
        data["role"] = membership.role
        form = MemberRoleForm(data, membership=membership)
        if form.is_valid():
            try:
                services.remove_council_member(
                    council,
                    request.user,
                    membership,
                    new_chair=form.cleaned_data.get("new_chair"),
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Đã xoá %(member)s khỏi hội đồng.") % {"member": membership.user},
                )
                return None
        return self.rerender(request, council, member_form=form)


class CouncilDecision(CouncilAction):
    """Record the decision that set the council up."""

    def act(self, request, council):
        form = CouncilDecisionForm(request.POST)
        if form.is_valid():
            try:
                council = services.record_council_decision(
                    council, request.user, form.cleaned_data["decision_reference"]
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                if council.decision_changed:
                    messages.success(
                        request, _("Đã ghi quyết định thành lập hội đồng.")
                    )
                else:
                    messages.info(
                        request,
                        _(
                            "Quyết định thành lập giống lần ghi trước: không có gì "
                            "thay đổi."
                        ),
                    )
                return None
        return self.rerender(request, council, decision_form=form)
