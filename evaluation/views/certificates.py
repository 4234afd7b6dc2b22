"""Certificates: a certificate's page with its history and the province's revoke
form, the state each one is in, and recording on a product's page a certificate
issued on paper before the system."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, View

from ocop.models import AuditEntry
from registry.permissions import visible_products
from registry.views import ProductDetail

from .. import services
from ..certificate_forms import EarlierCertificateForm, RevokeForm
from ..enums import CertificateStatus
from ..models import REVOCATION_DAYS, Certificate
from ..permissions import can_open, visible_certificates, visible_dossiers
from .common import apply_to_form, detail_page_again


class CertificateDetail(LoginRequiredMixin, DetailView):
    """A certificate as its holder and the programme office read it: its terms,
    its state today (a grace after expiry, a re-evaluation's window), what it
    follows and what follows it, its history, and for the province's staff the
    revoke form."""

    template_name = "evaluation/certificate_detail.html"
    context_object_name = "certificate"

    def get_queryset(self):
        return (
            visible_certificates(self.request.user)
            .select_related(
                "product", "registration", "rulebook", "tier", "follows", "recorded_by"
            )
            .with_grace()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, certificate = self.request.user, self.object
        state = certificate.state
        context.update(
            state=state,
            state_label=certificate.state_label,
            is_in_grace=certificate.is_in_grace,
            is_product_openable=visible_products(user)
            .filter(pk=certificate.product_id)
            .exists(),
            newer=list(certificate.followed_by.order_by("issued_on", "id")),
            dossiers=certificate.following_dossiers.select_related(
                "registration", "programme_year"
            )
            .annotate(is_openable=can_open(visible_dossiers, user))
            .order_by("-programme_year__year", "id"),
            history=AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Certificate),
                object_id=str(certificate.pk),
            )
            .select_related("actor")
            .order_by("-created_at", "-id"),
            can_revoke=state != CertificateStatus.REVOKED
            and user.has_perm("evaluation.revoke_certificate", certificate),
            revoke_form=kwargs.get("revoke_form") or RevokeForm(),
            revocation_days=REVOCATION_DAYS,
        )
        return context


class CertificateRevoke(LoginRequiredMixin, View):
    """The province's staff revoke a certificate; a refusal comes back on its page
    at the field, with what was typed kept."""

    def post(self, request, pk):
        certificate = get_object_or_404(visible_certificates(request.user), pk=pk)
        if not request.user.has_perm("evaluation.revoke_certificate", certificate):
            raise PermissionDenied
        form = RevokeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.revoke_certificate(
                    certificate,
                    request.user,
                    data["reason"],
                    ground=data["ground"],
                    found_on=data["found_on"],
                    decision_number=data["decision_number"],
                    decision_date=data["decision_date"],
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Đã thu hồi giấy chứng nhận %(number)s.")
                    % {"number": certificate.number},
                )
                return redirect(certificate.get_absolute_url())
        return detail_page_again(request, CertificateDetail, pk, revoke_form=form)


class EarlierCertificateRecord(LoginRequiredMixin, View):
    """Record, on a product's page, a certificate issued on paper before the
    system; a refusal comes back on the product's page at the field."""

    def post(self, request, pk):
        product = get_object_or_404(visible_products(request.user), pk=pk)
        if not request.user.has_perm("evaluation.record_earlier_certificate", product):
            raise PermissionDenied
        form = EarlierCertificateForm(request.POST)
        if form.is_valid():
            try:
                certificate = services.record_earlier_certificate(
                    product, request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_to_form(form, error)
            else:
                say_recorded(request, certificate)
                return redirect(product.get_absolute_url() + "#earlier-certificate")
        return detail_page_again(
            request, ProductDetail, product.pk, earlier_certificate_form=form
        )


def say_recorded(request, certificate):
    message = _(
        "Đã ghi nhận giấy chứng nhận %(number)s (%(stars)s sao), hết hạn ngày "
        "%(expires)s."
    ) % {
        "number": certificate.number,
        "stars": certificate.stars,
        "expires": f"{certificate.expires_on:%d/%m/%Y}",
    }
    if certificate.dossiers_linked:
        message += " " + ngettext(
            "%(count)s hồ sơ đánh giá lại hoặc nâng hạng đang mở nay theo giấy này.",
            "%(count)s hồ sơ đánh giá lại hoặc nâng hạng đang mở nay theo giấy này.",
            certificate.dossiers_linked,
        ) % {"count": certificate.dossiers_linked}
    messages.success(request, message)
    for warning in certificate.warnings:
        messages.warning(request, warning)
