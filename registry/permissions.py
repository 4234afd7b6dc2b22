"""Who may see and change what in the registry.

Every list goes through one of the ``visible_*`` functions, so that an officer of one
district never sees another's records, whatever page or URL it comes through. A
council member reads only the products (and their producers) that their council's
open rounds are scoring. The
predicates (``rules``) decide actions and are checked in views and templates alike.
"""

import rules
from django.db.models import Exists, OuterRef, Q

from .enums import Role
from .models import Producer, Product, Registration


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and (
        user.is_superuser or user.role == Role.ADMINISTRATOR
    )


@rules.predicate
def is_province_staff(user):
    return user.is_authenticated and user.role == Role.PROVINCE_STAFF


@rules.predicate
def is_district_officer(user):
    return user.is_authenticated and user.role == Role.DISTRICT_OFFICER


@rules.predicate
def is_commune_officer(user):
    return user.is_authenticated and user.role == Role.COMMUNE_OFFICER


@rules.predicate
def is_council_member(user):
    return user.is_authenticated and user.role == Role.COUNCIL_MEMBER


is_province_wide = is_administrator | is_province_staff


def registration_scope(user):
    """The ``Q`` over ``Registration`` that a user's role and area allow."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if user.role in (Role.ADMINISTRATOR, Role.PROVINCE_STAFF):
        return Q(province_id=user.province_id)
    if user.role == Role.COUNCIL_MEMBER:
        return Q(Exists(_in_open_rounds_of_council(user)))
    if user.role == Role.DISTRICT_OFFICER and user.district_id:
        return Q(district_id=user.district_id)
    if user.role == Role.COMMUNE_OFFICER and user.commune_id:
        return Q(commune_id=user.commune_id) | Q(
            product__producer__commune_id=user.commune_id
        )
    return Q(pk__in=[])


def _in_open_rounds_of_council(user):
    """The evaluations, in an open round of a council ``user`` sits on, of the
    registration at ``OuterRef("pk")``: what a council member has to score."""
    from evaluation.enums import RoundState
    from evaluation.models import CouncilMembership, Evaluation

    return Evaluation.objects.filter(
        dossier__registration=OuterRef("pk"),
        round__state=RoundState.OPEN,
        round__council_id__in=CouncilMembership.objects.filter(user=user).values(
            "council_id"
        ),
    )


def visible_registrations(user, queryset=None):
    queryset = Registration.objects.all() if queryset is None else queryset
    return queryset.filter(registration_scope(user))


def _is_province_wide_reader(user):
    return user.is_authenticated and user.role in (
        Role.ADMINISTRATOR,
        Role.PROVINCE_STAFF,
    )


def visible_products(user, queryset=None):
    """Products registered in the user's area, or made by a producer of it; for a
    council member, the products their council's open rounds are scoring."""
    queryset = Product.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.is_superuser:
        return queryset
    if _is_province_wide_reader(user):
        return queryset.filter(producer__province_id=user.province_id)
    registrations = visible_registrations(user).filter(product=OuterRef("pk"))
    return queryset.filter(
        Exists(registrations) | _producer_area(user, prefix="producer__")
    )


def visible_producers(user, queryset=None):
    """Producers of the user's area, or with a product registered in it."""
    queryset = Producer.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.is_superuser:
        return queryset
    if _is_province_wide_reader(user):
        return queryset.filter(province_id=user.province_id)
    products = visible_products(user).filter(producer=OuterRef("pk"))
    return queryset.filter(Exists(products) | _producer_area(user))


def _producer_area(user, prefix=""):
    """The ``Q`` over a producer's address that puts it in an officer's area.

    A producer just added by an officer has no registration yet; it is still theirs.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.DISTRICT_OFFICER and user.district_id:
        return Q(**{f"{prefix}commune__district_id": user.district_id})
    if user.role == Role.COMMUNE_OFFICER and user.commune_id:
        return Q(**{f"{prefix}commune_id": user.commune_id})
    return Q(pk__in=[])


_VISIBLE = {
    Producer: visible_producers,
    Product: visible_products,
    Registration: visible_registrations,
}


@rules.predicate
def is_in_area(user, obj):
    """Whether a producer, product or registration is within the user's area."""
    if obj is None or not user.is_authenticated:
        return False
    return _VISIBLE[type(obj)](user).filter(pk=obj.pk).exists()


# Who may write at all; the area is checked on each object.
can_edit_registry = is_province_wide | is_district_officer | is_commune_officer

rules.add_perm("registry.import_registrations", is_province_wide)
rules.add_perm("registry.add_producer", can_edit_registry)
rules.add_perm("registry.add_product", can_edit_registry)
rules.add_perm("registry.add_registration", can_edit_registry)
rules.add_perm("registry.change_producer", can_edit_registry & is_in_area)
rules.add_perm("registry.change_product", can_edit_registry & is_in_area)
rules.add_perm("registry.change_registration", can_edit_registry & is_in_area)
