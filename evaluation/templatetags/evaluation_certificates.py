"""The panel of a product's page where a certificate issued on paper before the
system is recorded."""

from django import template
from django.contrib.auth.models import AnonymousUser

from ..certificate_forms import EarlierCertificateForm
from ..enums import DOSSIER_OPEN_STATES
from ..models import Dossier
from ..services import FOLLOWING_KINDS, registration_for_earlier_certificate

register = template.Library()

# The product page's query parameter that asks for the form.
ASK = "ghi-nhan-giay"


@register.inclusion_tag("evaluation/_earlier_certificate.html", takes_context=True)
def earlier_certificate_panel(context, product):
    """For whoever may record one, on a product registered for re-evaluation or
    upgrade (or when asked): the form, with the stars the registration names; its
    open dossiers that follow no certificate yet are named, and the form is then
    open. Another product offers a link that asks for the form. A form the page
    got back refused (``earlier_certificate_form``) is shown as it was posted."""
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()
    if not user.has_perm("evaluation.record_earlier_certificate", product):
        return {"can_record": False}
    registration = registration_for_earlier_certificate(product)
    if registration is None:
        return {"can_record": False}
    form = context.get("earlier_certificate_form")
    is_following = registration.kind in FOLLOWING_KINDS
    is_asked = form is not None or (request is not None and ASK in request.GET)
    if not (is_following or is_asked):
        return {"can_record": True, "product": product, "ask": ASK}
    unlinked = []
    if is_following:
        unlinked = list(
            Dossier.objects.filter(
                registration__product=product,
                registration__kind__in=FOLLOWING_KINDS,
                state__in=DOSSIER_OPEN_STATES,
                follows__isnull=True,
            )
            .select_related("registration")
            .order_by("-registration__year")
        )
    if form is None:
        stars = registration.previous_stars if is_following else None
        form = EarlierCertificateForm(initial={"stars": stars})
    return {
        "can_record": True,
        "product": product,
        "registration": registration,
        "unlinked": unlinked,
        "form": form,
        "is_open": bool(unlinked) or is_asked,
    }
