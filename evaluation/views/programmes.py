"""Programme years: the province's years with their rulebook and counts, opening a
year, and opening the dossiers of a year's registrations."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import ListView, View

from ocop.paging import ForgivingPagination
from registry.permissions import visible_registrations

from .. import services
from ..forms import ProgrammeYearForm
from ..permissions import visible_dossiers, visible_programme_years
from .common import PAGE_SIZE, apply_to_form

# Products named in a message about skipped registrations, at most.
NAMES_SHOWN = 10


def _count(queryset):
    """The number of rows of a correlated queryset, as an expression (0 if none)."""
    counted = queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class ProgrammeYearList(ForgivingPagination, LoginRequiredMixin, ListView):
    """The province's programme years with, within the user's area, how many
    registrations each has, how many of them have a dossier, and how many not.

    Province staff open a year here; they and the district officers open a year's
    dossiers. One query for the rows, whatever their number.
    """

    template_name = "evaluation/programme_year_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "programme_years"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.has_perm("evaluation.open_dossiers"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        registrations = visible_registrations(user).filter(
            province_id=OuterRef("province_id"), year=OuterRef("year")
        )
        return (
            visible_programme_years(user)
            .select_related("province", "rulebook")
            .annotate(
                registration_count=_count(registrations),
                unopened_count=_count(registrations.filter(dossier__isnull=True)),
                dossier_count=_count(
                    visible_dossiers(user).filter(programme_year=OuterRef("pk"))
                ),
            )
            .order_by("-year", "province__code")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_add"] = user.has_perm("evaluation.add_programme_year")
        if context["can_add"]:
            context["form"] = kwargs.get("form") or ProgrammeYearForm(user=user)
        return context

    def post(self, request, *args, **kwargs):
        """Open a programme year; a refusal comes back at its field."""
        user = request.user
        if not user.has_perm("evaluation.add_programme_year"):
            raise PermissionDenied
        form = ProgrammeYearForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                programme = services.open_programme_year(
                    user,
                    province=data.get("province") or user.province,
                    year=data["year"],
                    rulebook=data["rulebook"],
                    plan_reference=data["plan_reference"],
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Đã mở năm chương trình %(year)s theo %(rulebook)s.")
                    % {"year": programme.year, "rulebook": programme.rulebook},
                )
                return redirect("evaluation:programme-year-list")
        self.object_list = self.get_queryset()
        context = self.get_context_data(form=form)
        return self.render_to_response(context, status=400)


class ProgrammeYearOpenDossiers(LoginRequiredMixin, View):
    """Open the dossiers of the year's registrations that have none, within the
    user's area, then say how many were opened and which were skipped (they had a
    dossier already)."""

    def post(self, request, pk):
        user = request.user
        programme = get_object_or_404(visible_programme_years(user), pk=pk)
        if not user.has_perm("evaluation.open_dossiers", programme):
            raise PermissionDenied
        result = services.open_dossiers(programme, user, visible_registrations(user))
        report(request, programme, result)
        return redirect("evaluation:programme-year-list")


def report(request, programme, result):
    """The messages saying what opening a year's dossiers did."""
    year = programme.year
    opened = len(result.opened)
    if opened:
        messages.success(
            request,
            ngettext(
                "Đã mở %(count)s hồ sơ cho các đăng ký năm %(year)s.",
                "Đã mở %(count)s hồ sơ cho các đăng ký năm %(year)s.",
                opened,
            )
            % {"count": opened, "year": year},
        )
    elif not result.already:
        messages.warning(
            request,
            _("Năm %(year)s chưa có đăng ký nào: không có hồ sơ nào được mở.")
            % {"year": year},
        )
    else:
        messages.info(
            request,
            _("Không mở thêm hồ sơ nào: không còn đăng ký năm %(year)s chưa có hồ sơ.")
            % {"year": year},
        )
    if result.already:
        names = [str(r.product) for r in result.already[:NAMES_SHOWN]]
        more = len(result.already) - len(names)
        if more:
            names.append(_("và %(count)s đăng ký khác") % {"count": more})
        messages.info(
            request,
            ngettext(
                "Bỏ qua %(count)s đăng ký đã có hồ sơ từ trước: %(names)s.",
                "Bỏ qua %(count)s đăng ký đã có hồ sơ từ trước: %(names)s.",
                len(result.already),
            )
            % {"count": len(result.already), "names": ", ".join(names)},
        )
    missing = result.without_product_set
    if missing:
        messages.info(
            request,
            ngettext(
                "%(count)s hồ sơ vừa mở chưa có bộ sản phẩm: cần xác nhận bộ sản phẩm "
                "trên trang hồ sơ trước khi nộp.",
                "%(count)s hồ sơ vừa mở chưa có bộ sản phẩm: cần xác nhận bộ sản phẩm "
                "trên trang hồ sơ trước khi nộp.",
                len(missing),
            )
            % {"count": len(missing)},
        )
