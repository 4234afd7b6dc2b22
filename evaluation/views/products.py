"""The product set on the product's page: the proposal from the name, and the
officer's confirmation or change, through the one service that changes a set; and
the product's whole evaluation log, of which its page shows the newest lines."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import ListView, View

from ocop.paging import ForgivingPagination
from registry.permissions import visible_products
from registry.views import ProductDetail

from .. import services
from ..forms import ProductSetForm
from ..models import Evaluation
from ..permissions import with_result_visibility
from ..templatetags.evaluation_history import HISTORY_LINES, mark_hidden_results
from .common import apply_to_form, detail_page_again


class ProductSetConfirm(LoginRequiredMixin, View):
    """Whoever may edit the product confirms or changes its set; a refusal comes
    back on the product's page at the field, with the choice kept."""

    def post(self, request, pk):
        product = get_object_or_404(visible_products(request.user), pk=pk)
        if not request.user.has_perm("registry.change_product", product):
            raise PermissionDenied
        form = ProductSetForm(request.POST)
        if form.is_valid():
            product_set = form.cleaned_data["product_set"]
            try:
                confirmed = services.confirm_product_set(
                    product, request.user, product_set
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                say(request, confirmed, product_set)
                return redirect(product.get_absolute_url())
        return self.rerender(request, product, form)

    def rerender(self, request, product, form):
        return detail_page_again(
            request, ProductDetail, product.pk, product_set_form=form
        )


def say(request, product, product_set):
    if not product.product_set_changed:
        messages.info(
            request,
            _("Bộ sản phẩm này đã được xác nhận từ trước: không có gì thay đổi."),
        )
    elif product.dossiers_moved:
        message = ngettext(
            "Đã xác nhận bộ sản phẩm số %(number)s; %(count)s hồ sơ đang mở chuyển "
            "sang phiếu chấm của bộ này.",
            "Đã xác nhận bộ sản phẩm số %(number)s; %(count)s hồ sơ đang mở chuyển "
            "sang phiếu chấm của bộ này.",
            product.dossiers_moved,
        ) % {"number": product_set.number, "count": product.dossiers_moved}
        if product.self_assessments_cleared:
            message += " " + ngettext(
                "Phiếu tự đánh giá của %(count)s hồ sơ, làm trên phiếu cũ, đã bị xoá: "
                "cần làm lại.",
                "Phiếu tự đánh giá của %(count)s hồ sơ, làm trên phiếu cũ, đã bị xoá: "
                "cần làm lại.",
                product.self_assessments_cleared,
            ) % {"count": product.self_assessments_cleared}
        messages.success(request, message)
    else:
        messages.success(request, _("Đã xác nhận bộ sản phẩm."))


class ProductHistory(ForgivingPagination, LoginRequiredMixin, ListView):
    """Every audit line of a product's dossiers, evaluations and certificates,
    newest first, ``HISTORY_LINES`` a page, for whoever sees the product; a
    council's provisional result keeps to itself as on the product's page. The
    same queries whatever the number of lines."""

    template_name = "evaluation/product_history.html"
    context_object_name = "entries"
    paginate_by = HISTORY_LINES

    def get_queryset(self):
        self.product = get_object_or_404(
            visible_products(self.request.user), pk=self.kwargs["pk"]
        )
        return services.dossier_history(self.product).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hidden = {
            str(pk)
            for pk in with_result_visibility(
                Evaluation.objects.filter(dossier__registration__product=self.product),
                self.request.user,
            )
            .filter(is_result_shown=False)
            .values_list("pk", flat=True)
        }
        context["entries"] = mark_hidden_results(list(context["entries"]), hidden)
        context["product"] = self.product
        return context
