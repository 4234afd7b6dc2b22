"""Who may see and act on dossiers, rounds, scores and certificates.

- Province staff (and administrators) act on everything of their province.
- A district officer acts only on the dossiers registered in their district, and on
  the rounds of their district's council.
- A commune officer acts only on the dossiers of their commune (registered there or
  made there), and records the commune's assessment.
- A council member sees the products of their council's open rounds, scores them,
  and, as chair, corrects scores and closes the round.
- Once a round is closed its members' submitted sheets (the options ticked, the
  chair's corrections) are part of the record: the council's members and whoever
  may open the round read them (``visible_member_sheets``).
- A council's result (average, stars, outcome) is provisional until the round is
  closed: a member sees it only once their own sheet is in, like the others'
  scores; someone outside the council sees it on the pages of rounds they may
  open. Once the round is closed it is shown to whoever may see the dossier.
- The reason a member gives for a conflict of interest is read by the council's
  chair and secretary, by those who manage its rounds and by the member; the
  other members read it once the round is closed (``sees_conflict_reasons``).
- Province staff set up and manage (members, roles, the founding decision) every
  council of the province; a district officer those of their own district, at a
  tier whose councils are the districts' (148/QĐ-TTg).
- Province staff open the province's programme years; they and district officers
  open the dossiers of a year's registrations, each within their own area.
- A dossier is returned for more information by the role of the stage it is at: the
  commune officer during the commune's assessment, the district officer while it
  waits at their district's council, province staff at the province's council (and
  at the Ministry, whose result the province records).
- The product samples are recorded by the tier that scores the dossier: the
  district officer at their district's council, province staff at the province's.
- An officer whose stage the dossier has left (``had_*`` permissions) is not
  refused as a stranger to the dossier: the page says it moved on.

Lists go through the ``visible_*`` functions; actions through the permissions at the
bottom (``user.has_perm("evaluation.score_evaluation", evaluation)``).
"""

import rules
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Value,
)

from registry.enums import Role
from registry.permissions import (
    is_administrator,
    is_commune_officer,
    is_council_member,
    is_district_officer,
    is_in_area,
    is_province_wide,
)

from .enums import SCORING_ROLES, CouncilRole, RoundState, TierKind, TierLevel
from .models import (
    Certificate,
    ConflictOfInterest,
    CouncilMembership,
    Dossier,
    Evaluation,
    MemberScore,
    ProgrammeYear,
    Round,
)

# -- lists ---------------------------------------------------------------------------


def _is_province_wide(user):
    return user.is_authenticated and (
        user.is_superuser or user.role in (Role.ADMINISTRATOR, Role.PROVINCE_STAFF)
    )


def member_council_ids(user):
    """The ids of the councils ``user`` sits on, as a subquery."""
    # A subquery rather than a join: no duplicate rows, so no DISTINCT, whose sort
    # over every selected column costs more than the rest of the query.
    return CouncilMembership.objects.filter(user=user).values("council_id")


def dossier_scope(user):
    """The ``Q`` over ``Dossier`` that a user's role and area allow."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if user.role in (Role.ADMINISTRATOR, Role.PROVINCE_STAFF):
        return Q(registration__province_id=user.province_id)
    if user.role == Role.DISTRICT_OFFICER and user.district_id:
        return Q(registration__district_id=user.district_id)
    if user.role == Role.COMMUNE_OFFICER and user.commune_id:
        return Q(registration__commune_id=user.commune_id) | Q(
            registration__product__producer__commune_id=user.commune_id
        )
    if user.role == Role.COUNCIL_MEMBER:
        in_open_round = Evaluation.objects.filter(
            dossier=OuterRef("pk"),
            round__state=RoundState.OPEN,
            round__council__memberships__user=user,
        )
        return Q(Exists(in_open_round))
    return Q(pk__in=[])


def visible_dossiers(user, queryset=None):
    queryset = Dossier.objects.all() if queryset is None else queryset
    return queryset.filter(dossier_scope(user))


def visible_rounds(user, queryset=None):
    queryset = Round.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if _is_province_wide(user):
        return queryset.filter(province_id=user.province_id)
    if user.role == Role.DISTRICT_OFFICER and user.district_id:
        return queryset.filter(district_id=user.district_id)
    if user.role == Role.COUNCIL_MEMBER:
        return queryset.filter(council_id__in=member_council_ids(user))
    return queryset.none()


def visible_evaluations(user, queryset=None):
    queryset = Evaluation.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.role == Role.COUNCIL_MEMBER:
        return queryset.filter(
            round__state=RoundState.OPEN, round__council_id__in=member_council_ids(user)
        )
    return queryset.filter(dossier__in=visible_dossiers(user))


def visible_member_sheets(user, queryset=None):
    """The members' submitted sheets ``user`` may open read-only: those of closed
    rounds, where the sheets stand in the council's record, for the council's
    members and for whoever may open the round (the province's staff, the
    district's officer for a round of their district)."""
    queryset = MemberScore.objects.all() if queryset is None else queryset
    return queryset.filter(
        submitted_at__isnull=False,
        evaluation__round__state=RoundState.CLOSED,
        evaluation__frozen_at__isnull=False,
        evaluation__round__in=visible_rounds(user),
    )


def evaluations_to_score(user):
    """What waits for a council member: the products of the open rounds of the
    councils where they score, their own sheet not yet submitted, those they
    declared a conflict on and those rejected whole left out; soonest closing
    round first, in one query.

    Each row says ``has_draft`` (a sheet saved, not submitted).
    """
    if not user.is_authenticated:
        return Evaluation.objects.none()
    own = MemberScore.objects.filter(evaluation=OuterRef("pk"), member=user)
    recused = ConflictOfInterest.objects.filter(
        council_id=OuterRef("round__council_id"),
        dossier_id=OuterRef("dossier_id"),
        member=user,
    )
    councils = CouncilMembership.objects.filter(
        user=user, role__in=SCORING_ROLES
    ).values("council_id")
    return (
        Evaluation.objects.filter(
            round__state=RoundState.OPEN,
            round__council_id__in=councils,
            frozen_at__isnull=True,
            rejected_at__isnull=True,
        )
        .exclude(Exists(own.filter(submitted_at__isnull=False)))
        .exclude(Exists(recused))
        .annotate(has_draft=Exists(own))
        .select_related("round", "dossier__registration__product__producer")
        .order_by("round__closes_on", "round_id", "id")
    )


def visible_programme_years(user, queryset=None):
    """The programme years of the user's province, for its staff and its district
    officers (who open their district's dossiers in them)."""
    queryset = ProgrammeYear.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if _is_province_wide(user) or (
        user.role == Role.DISTRICT_OFFICER and user.district_id
    ):
        return queryset.filter(province_id=user.province_id)
    return queryset.none()


def visible_certificates(user, queryset=None):
    """Certificates are public acts: everyone signed in sees their province's."""
    queryset = Certificate.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(registration__province_id=user.province_id)


def issued_in_district(district_id):
    """The ``Q`` over ``Certificate`` of those a district's People's Committee
    issued: under 148/QĐ-TTg, the 3 stars certified by its district council, or
    by the province's council for a product the district referred (the province
    round's result, certified at the district's tier by the district that
    referred it). Their PDFs and their decision are that district's documents."""
    return Q(tier__level=TierLevel.DISTRICT, registration__district_id=district_id)


def can_open(visible, user, field="pk"):
    """Whether the user may open the object at ``field`` of each row, as an
    expression to annotate with: its page finds it through ``visible(user)``.

    A page links to an object only when this holds, and shows its name otherwise;
    the answer comes in the page's own query, however many rows it lists.
    """
    return Exists(visible(user).filter(pk=OuterRef(field)))


def with_result_visibility(evaluations, user):
    """The evaluations annotated with ``is_result_shown`` (may ``user`` see the
    council's score, stars and outcome?), ``is_viewer_member`` (does ``user`` sit
    on the round's council?), ``is_viewer_scorer`` (in a scoring role) and
    ``is_viewer_recused`` (did they declare a conflict on the product?), in the
    list's own query.

    The round page's rule: a closed round's results are frozen and shown to all
    who see the row; before that a member of the round's council sees them once
    their own sheet is submitted (a dossier rejected whole, which no one scores,
    at once), and anyone else only if they may open the round. A member who
    declared a conflict on the product never submits for it and, like the public,
    sees its result only once the round is closed.
    """
    if not user.is_authenticated:
        return evaluations.annotate(
            is_result_shown=ExpressionWrapper(
                Q(frozen_at__isnull=False), output_field=BooleanField()
            ),
            is_viewer_member=Value(False),
            is_viewer_scorer=Value(False),
            is_viewer_recused=Value(False),
        )
    memberships = CouncilMembership.objects.filter(
        council_id=OuterRef("round__council_id"), user=user
    )
    is_member = Exists(memberships)
    is_recused = Exists(
        ConflictOfInterest.objects.filter(
            council_id=OuterRef("round__council_id"),
            dossier_id=OuterRef("dossier_id"),
            member=user,
        )
    )
    has_submitted = Exists(
        MemberScore.objects.filter(
            evaluation=OuterRef("pk"), member=user, submitted_at__isnull=False
        )
    )
    shown = (
        Q(frozen_at__isnull=False)
        | (is_member & Q(rejected_at__isnull=False))
        | (is_member & has_submitted & ~is_recused)
        | (~is_member & can_open(visible_rounds, user, "round_id"))
    )
    return evaluations.annotate(
        is_result_shown=ExpressionWrapper(shown, output_field=BooleanField()),
        is_viewer_member=is_member,
        is_viewer_scorer=Exists(memberships.filter(role__in=SCORING_ROLES)),
        is_viewer_recused=is_recused,
    )


# -- conflicts of interest -----------------------------------------------------------

# The council's officers who keep the meeting's record: the chair rules on a
# declared conflict, the secretary writes it into the minutes.
CONFLICT_REASON_ROLES = frozenset({CouncilRole.CHAIR, CouncilRole.SECRETARY})


def sees_conflict_reasons(user, membership, *, can_manage, is_closed):
    """Whether ``user`` reads the reasons the council's members gave for their
    conflicts of interest (each member always reads their own).

    The chair and the secretary (``CONFLICT_REASON_ROLES``) and those who manage
    the council's rounds (``can_manage``: the province's staff, the district's
    officer) do; the other members only once the round is closed, when the
    declarations stand in the minutes they all sign. ``membership`` is the user's
    on the council, or None.
    """
    if can_manage or user.is_superuser:
        return True
    if membership is None:
        return False
    return is_closed or membership.role in CONFLICT_REASON_ROLES


# -- predicates ----------------------------------------------------------------------


def _dossier(obj):
    return obj.dossier if isinstance(obj, Evaluation) else obj


@rules.predicate
def is_in_province(user, obj):
    if obj is None:
        return True
    dossier = _dossier(obj)
    return user.is_superuser or dossier.registration.province_id == user.province_id


@rules.predicate
def is_dossier_district(user, obj):
    if obj is None:
        return False
    registration = _dossier(obj).registration
    return bool(user.district_id) and registration.district_id == user.district_id


@rules.predicate
def is_dossier_commune(user, obj):
    if obj is None or not user.commune_id:
        return False
    registration = _dossier(obj).registration
    return user.commune_id in (
        registration.commune_id,
        registration.product.producer.commune_id,
    )


@rules.predicate
def is_in_open_round_of_my_council(user, obj):
    if obj is None:
        return False
    return Evaluation.objects.filter(
        dossier=_dossier(obj),
        round__state=RoundState.OPEN,
        round__council__memberships__user=user,
    ).exists()


def _tier(obj):
    return _dossier(obj).current_tier


@rules.predicate
def is_at_commune_stage(user, obj):
    """The dossier is at the commune's assessment, not yet sent up."""
    if obj is None:
        return False
    tier = _tier(obj)
    return tier is None or tier.kind == TierKind.ASSESSMENT


# The tier levels whose dossiers the province's own staff return.
PROVINCE_LEVELS = (TierLevel.PROVINCE, TierLevel.MINISTRY)


@rules.predicate
def is_at_district_tier(user, obj):
    """The dossier is at a tier whose rounds belong to a district (148/QĐ-TTg)."""
    tier = _tier(obj) if obj is not None else None
    return tier is not None and tier.level == TierLevel.DISTRICT


@rules.predicate
def is_at_province_tier(user, obj):
    """The dossier is at the province's council, or at the Ministry's tier, whose
    result the province records."""
    tier = _tier(obj) if obj is not None else None
    return tier is not None and tier.level in PROVINCE_LEVELS


def _round(obj):
    return obj.round if isinstance(obj, Evaluation) else obj


@rules.predicate
def is_scoring_member(user, obj):
    """A scoring member of the council of an open round (obj: evaluation or round)."""
    if obj is None:
        return False
    # The round's state is read from the database: a page may hold an older copy.
    return CouncilMembership.objects.filter(
        council__rounds=_round(obj).pk,
        council__rounds__state=RoundState.OPEN,
        user=user,
        role__in=SCORING_ROLES,
    ).exists()


@rules.predicate
def is_council_chair(user, obj):
    if obj is None:
        return False
    return CouncilMembership.objects.filter(
        council_id=_round(obj).council_id, user=user, role=CouncilRole.CHAIR
    ).exists()


@rules.predicate
def is_advisor_or_chair(user, obj):
    if obj is None:
        return False
    return CouncilMembership.objects.filter(
        council_id=_round(obj).council_id,
        user=user,
        role__in=[CouncilRole.ADVISOR, CouncilRole.CHAIR],
    ).exists()


@rules.predicate
def is_round_in_province(user, obj):
    return obj is None or user.is_superuser or obj.province_id == user.province_id


@rules.predicate
def is_round_of_my_district(user, obj):
    return (
        obj is not None
        and bool(user.district_id)
        and obj.district_id == user.district_id
    )


@rules.predicate
def is_round_member(user, obj):
    return (
        obj is not None
        and CouncilMembership.objects.filter(
            council_id=obj.council_id, user=user
        ).exists()
    )


@rules.predicate
def is_programme_in_province(user, obj):
    return obj is None or user.is_superuser or obj.province_id == user.province_id


@rules.predicate
def is_council_in_province(user, obj):
    return obj is None or user.is_superuser or obj.province_id == user.province_id


@rules.predicate
def is_council_of_my_district(user, obj):
    """A council of the user's district, at a tier whose councils are the
    districts' (148/QĐ-TTg: the tier after the commune)."""
    return (
        obj is not None
        and bool(user.district_id)
        and obj.district_id == user.district_id
        and obj.tier.level == TierLevel.DISTRICT
    )


@rules.predicate
def has_district(user):
    return bool(user.district_id)


province_on_dossier = is_province_wide & is_in_province
officer_on_dossier = (is_district_officer & is_dossier_district) | (
    is_commune_officer & is_dossier_commune
)
province_on_round = is_province_wide & is_round_in_province

can_view_dossier = (
    province_on_dossier
    | officer_on_dossier
    | (is_council_member & is_in_open_round_of_my_council)
)
can_change_dossier = province_on_dossier | officer_on_dossier
# Each stage's own role returns a dossier: no one sends back what another tier has
# to look at, and no commune can reopen a dossier already at a council.
can_return_dossier = (
    (is_commune_officer & is_dossier_commune & is_at_commune_stage)
    | (is_district_officer & is_dossier_district & is_at_district_tier)
    | (province_on_dossier & is_at_province_tier)
)
# The officers whose stage the dossier has since left: the commune's once it is
# sent up, the district's once it is referred to the province. A move of their
# stage posted by them comes from a page the dossier has outgrown: it is refused
# with what happened to the dossier, not as a role that never had the move.
has_left_officers_stage = (
    is_commune_officer & is_dossier_commune & ~is_at_commune_stage
) | (is_district_officer & is_dossier_district & is_at_province_tier)
# The product samples go to the tier that scores the dossier: its district's
# officer at a district council, the province's staff at the province's.
can_record_samples = (
    is_district_officer & is_dossier_district & is_at_district_tier
) | (province_on_dossier & is_at_province_tier)
can_assess_dossier = province_on_dossier | (is_commune_officer & is_dossier_commune)
can_manage_round = province_on_round | (is_district_officer & is_round_of_my_district)
# Province staff manage every council of the province; a district officer sets up
# and manages their own district's councils, where the rulebook has them.
can_manage_council = (is_province_wide & is_council_in_province) | (
    is_district_officer & is_council_of_my_district
)
can_view_round = can_manage_round | is_round_member

rules.add_perm("evaluation.view_dossier", can_view_dossier)
rules.add_perm("evaluation.change_dossier", can_change_dossier)
rules.add_perm("evaluation.submit_dossier", can_change_dossier)
rules.add_perm("evaluation.return_dossier", can_return_dossier)
rules.add_perm(
    "evaluation.had_return_dossier", can_return_dossier | has_left_officers_stage
)
rules.add_perm("evaluation.record_samples", can_record_samples)
rules.add_perm(
    "evaluation.had_record_samples",
    can_record_samples
    | (is_district_officer & is_dossier_district & is_at_province_tier),
)
rules.add_perm("evaluation.assess_dossier", can_assess_dossier)
rules.add_perm("evaluation.view_round", can_view_round)
rules.add_perm("evaluation.manage_round", can_manage_round)
rules.add_perm(
    "evaluation.add_council", is_province_wide | (is_district_officer & has_district)
)
rules.add_perm("evaluation.manage_council", can_manage_council)
rules.add_perm("evaluation.score_evaluation", is_scoring_member)
rules.add_perm("evaluation.precheck_evaluation", is_advisor_or_chair)
rules.add_perm("evaluation.correct_score", is_council_chair)
rules.add_perm("evaluation.reject_evaluation", is_council_chair)
rules.add_perm("evaluation.close_round", is_council_chair)
rules.add_perm("evaluation.record_ministry_result", is_province_wide)
rules.add_perm("evaluation.revoke_certificate", is_province_wide)
rules.add_perm("evaluation.manage_sheets", is_administrator)
rules.add_perm("evaluation.add_programme_year", is_province_wide)
rules.add_perm(
    "evaluation.open_dossiers",
    (is_province_wide | is_district_officer) & is_programme_in_province,
)
# The sheets are the official criteria every role fills or scores against: anyone
# signed in reads them, their checks and their versions; administrators import and
# correct them (manage_sheets).
rules.add_perm("evaluation.view_sheets", rules.is_authenticated)

# A certificate issued on paper before the system is recorded on its product's
# page by the province, or by the district officer of a product of the district.
rules.add_perm(
    "evaluation.record_earlier_certificate",
    is_province_wide | (is_district_officer & is_in_area),
)
