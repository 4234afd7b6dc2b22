"""Which certificates' PDFs a person may make, and the PDF each one already has.

Anyone who sees a certificate sees the link to its PDF when they may download that
PDF (``ocop.permissions.visible_documents``). Making one is for those who make
documents: the province's staff for all their province's certificates, a district
officer for those its district's People's Committee issued, in the district's
rounds or after a province round (``issued_in_district``), as for a whole
decision. A
certificate issued on paper before the system and recorded by hand is never printed
here.
"""

from django.db.models import (
    BooleanField,
    CharField,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Concat

from ocop.enums import DocumentKind
from registry.permissions import is_district_officer

from ..permissions import issued_in_district, visible_certificates


def makeable_certificates(user, queryset=None):
    """The certificates whose PDF ``user`` may have made."""
    certificates = visible_certificates(user, queryset).filter(
        is_recorded_by_hand=False
    )
    if not user.has_perm("ocop.start_document_jobs"):
        return certificates.none()
    if is_district_officer(user):
        return certificates.filter(issued_in_district(user.district_id))
    return certificates


def with_documents(certificates, user):
    """Annotate each certificate with ``document_id`` (its latest PDF that ``user``
    may download, or None) and ``can_make_document``; in the list's own query."""
    from ocop.permissions import visible_documents

    if not user.is_authenticated:
        return certificates.annotate(
            document_id=Value(None), can_make_document=Value(False)
        )
    latest = (
        visible_documents(user)
        .filter(
            kind=DocumentKind.CERTIFICATE,
            key=Concat(Value("certificate:"), Cast(OuterRef("pk"), CharField())),
        )
        .order_by("-version")
        .values("pk")[:1]
    )
    if not user.has_perm("ocop.start_document_jobs"):
        makeable = Value(False)
    elif is_district_officer(user):
        makeable = ExpressionWrapper(
            issued_in_district(user.district_id) & Q(is_recorded_by_hand=False),
            output_field=BooleanField(),
        )
    else:
        makeable = ExpressionWrapper(
            Q(is_recorded_by_hand=False), output_field=BooleanField()
        )
    return certificates.annotate(
        document_id=Subquery(latest), can_make_document=makeable
    )
