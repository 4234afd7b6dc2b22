"""Workflow moves the pages need that ``services`` does not have yet.

Written by the pages' engineer as a stop-gap; each follows the services' order
(guard, save with ``update_fields``, audit entry) and should move into ``services``.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop import audit

from .enums import DOSSIER_EDITABLE_STATES, CouncilRole
from .models import Council, CouncilMembership, Dossier, Evidence
from .services import scoring_sheet_for


@transaction.atomic
def confirm_product_set(product, actor, product_set):
    """An officer confirms (or changes) the product set proposed for a product.

    The dossiers of the product still being drafted move to the new set's sheet.
    Side effects: an audit entry ``registry.product.product_set_confirmed``.
    """
    previous = product.product_set_id
    product.product_set = product_set
    product.is_product_set_confirmed = True
    product.save(update_fields=["product_set", "is_product_set_confirmed"])
    for dossier in Dossier.objects.filter(
        registration__product=product, state__in=DOSSIER_EDITABLE_STATES
    ).select_related("programme_year__rulebook"):
        sheet = scoring_sheet_for(product_set, dossier.rulebook)
        if sheet is not None and sheet.pk != dossier.sheet_id:
            dossier.sheet = sheet
            dossier.self_assessment = []
            dossier.save(update_fields=["sheet", "self_assessment", "updated_at"])
    audit.record(
        actor,
        "registry.product.product_set_confirmed",
        product,
        data={"from": previous, "to": product_set.pk, "number": product_set.number},
    )
    return product


@transaction.atomic
def attach_evidence(dossier, actor, upload, *, criterion=None, description=""):
    """Attach a checked file to a dossier, on one criterion of its sheet or on all.

    Side effects: an audit entry ``evaluation.dossier.evidence_added``.
    """
    if dossier.state not in DOSSIER_EDITABLE_STATES:
        raise ValidationError(_("Hồ sơ đã nộp; không thêm minh chứng được nữa."))
    if criterion is not None and criterion.sheet_id != dossier.sheet_id:
        raise ValidationError({"criterion": _("Tiêu chí không thuộc phiếu của hồ sơ.")})
    evidence = Evidence.objects.create(
        dossier=dossier,
        criterion=criterion,
        file=upload,
        original_name=upload.name[:300],
        content_type=getattr(upload, "content_type", "") or "",
        size=upload.size,
        description=description,
        uploaded_by=actor,
    )
    audit.record(
        actor,
        "evaluation.dossier.evidence_added",
        dossier,
        data={
            "file": evidence.original_name,
            "criterion": criterion and criterion.code,
        },
    )
    return evidence


@transaction.atomic
def record_samples(dossier, actor, *, count, received_on):
    """Record the product samples received for the dossier.

    Side effects: an audit entry ``evaluation.dossier.samples_received``.
    """
    dossier.samples_received = count
    dossier.samples_received_on = received_on
    dossier.save(
        update_fields=["samples_received", "samples_received_on", "updated_at"]
    )
    audit.record(
        actor,
        "evaluation.dossier.samples_received",
        dossier,
        data={"count": count, "received_on": received_on and received_on.isoformat()},
    )
    return dossier


@transaction.atomic
def create_council(actor, *, tier, province, district, year, name, decision=""):
    """Set up a council of a scored tier for its area and year.

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

    A council has one chair. Side effects: an audit entry
    ``evaluation.council.member_added``.
    """
    if role == CouncilRole.CHAIR and council.memberships.filter(role=role).exists():
        raise ValidationError({"role": _("Hội đồng đã có Chủ tịch.")})
    if council.memberships.filter(user=user).exists():
        raise ValidationError({"user": _("Người này đã là thành viên hội đồng.")})
    membership = CouncilMembership.objects.create(council=council, user=user, role=role)
    audit.record(
        actor,
        "evaluation.council.member_added",
        council,
        data={"user": user.pk, "role": role},
    )
    return membership
