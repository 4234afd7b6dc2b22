"""From the evaluation's records to the plain data the renderers print.

A decision (quyết định công nhận) is not a record of its own: it is the set of
certificates that carry the same decision number and issuing authority.
"""

from django.db.models import Count, Max, Min

from evaluation.enums import SCORING_ROLES, CouncilRole, TierLevel
from evaluation.models import Certificate, Evaluation, Round
from evaluation.permissions import issued_in_district

from .data import (
    CertificateData,
    DecisionData,
    DecisionRow,
    RoundSummaryData,
    SummaryRow,
)
from .verification import verification_url

ROLE_ORDER = [
    CouncilRole.CHAIR,
    CouncilRole.VICE_CHAIR,
    CouncilRole.SECRETARY,
    CouncilRole.MEMBER,
    CouncilRole.ADVISOR,
]
MINISTRY_PREFIX = "bộ "
PEOPLES_COMMITTEE = "ủy ban nhân dân"
ADMINISTRATIVE_WORDS = ("tỉnh", "thành phố", "huyện", "thị xã", "quận")


def person_name(user):
    """Vietnamese order, family name first: 'Phạm Văn Chủ'."""
    return " ".join(part for part in (user.last_name, user.first_name) if part) or (
        user.username
    )


def signing_place(authority):
    """Where an authority signs: 'Ủy ban nhân dân huyện Tam Đường' signs in Tam
    Đường, a ministry in Hà Nội."""
    lowered = authority.lower()
    if lowered.startswith(MINISTRY_PREFIX):
        return "Hà Nội"
    if lowered.startswith(PEOPLES_COMMITTEE):
        rest = authority[len(PEOPLES_COMMITTEE) :].strip()
        for word in ADMINISTRATIVE_WORDS:
            if rest.lower().startswith(word + " "):
                return rest[len(word) :].strip()
        return rest
    return ""


def signer_title(authority):
    """'TM. Ủy ban nhân dân / Chủ tịch' for a People's Committee, else its head."""
    if authority.lower().startswith(PEOPLES_COMMITTEE):
        return "TM. Ủy ban nhân dân\nChủ tịch"
    if authority.lower().startswith(MINISTRY_PREFIX):
        return "Bộ trưởng"
    return "Thủ trưởng cơ quan"


def certificate_data(certificate):
    authority = certificate.issuing_authority
    product_set = certificate.product.product_set
    return CertificateData(
        number=certificate.number,
        product=certificate.product_name,
        producer=certificate.producer_name,
        address=certificate.producer_address,
        stars=certificate.stars,
        score=certificate.score,
        decision_number=certificate.decision_number,
        decision_date=certificate.decision_date,
        valid_until=certificate.expires_on,
        authority=authority,
        place=signing_place(authority),
        signer_title=signer_title(authority),
        verification_url=verification_url(certificate),
        product_group=product_set.group_name if product_set else "",
    )


def decision_certificates(decision_number, province_id=None, district_id=None):
    """The certificates of a decision; two provinces may use the same number, and
    so may two districts' People's Committees (``district_id`` keeps to the
    certificates that district's People's Committee issued)."""
    # A certificate recorded from paper is not printed again, nor its decision.
    certificates = Certificate.objects.filter(
        decision_number=decision_number, is_recorded_by_hand=False
    )
    if province_id is not None:
        certificates = certificates.filter(registration__province_id=province_id)
    if district_id is not None:
        certificates = certificates.filter(issued_in_district(district_id))
    return certificates.select_related(
        "tier",
        "product__product_set",
        "registration__district",
        "registration__product__producer__commune__district",
        "rulebook",
        "evaluation__round",
    ).order_by("-stars", "-score", "number")


def round_id_of(certificate):
    """The round that certified it, or None for the Ministry's certificate."""
    if certificate.evaluation_id is None:
        return None
    return certificate.evaluation.round_id


def shared_round_id(certificates):
    """The round all of them were certified in, or None."""
    rounds = {round_id_of(certificate) for certificate in certificates}
    return rounds.pop() if len(rounds) == 1 else None


def issuing_district_id(certificate):
    """The district whose People's Committee issued it (3 stars under the 2023
    rulebook, in the district's round or after a province round, as
    ``issued_in_district`` says), or None for a province's or the Ministry's
    certificate."""
    if certificate.tier_id is None or certificate.tier.level != TierLevel.DISTRICT:
        return None
    return certificate.registration.district_id


def shared_district_id(certificates):
    """The district whose People's Committee issued all of them, or None: a
    decision of one district's People's Committee is that district's document."""
    districts = {issuing_district_id(certificate) for certificate in certificates}
    return districts.pop() if len(districts) == 1 else None


def decisions(queryset=None):
    """One row per decision: number, date, authority, how many certificates."""
    queryset = Certificate.objects.all() if queryset is None else queryset
    return (
        queryset.filter(is_recorded_by_hand=False)
        .values("decision_number")
        .annotate(
            decision_date=Max("decision_date"),
            issuing_authority=Min("issuing_authority"),
            count=Count("id"),
        )
        .order_by("-decision_date", "decision_number")
    )


def district_name(registration):
    if registration.district_id:
        return registration.district.name
    commune = registration.product.producer.commune
    if commune and commune.district_id:
        return commune.district.name
    return ""


def signer_lines(text):
    """A title typed on one line, 'KT. CHỦ TỊCH / PHÓ CHỦ TỊCH', as printed: a
    line for each part."""
    parts = (part.strip() for line in text.splitlines() for part in line.split("/"))
    return "\n".join(part for part in parts if part)


def decision_data(
    decision_number,
    province_id=None,
    district_id=None,
    *,
    signer_title_text="",
    signer_name="",
):
    """The decision as printed; the signer's title defaults to the authority's head
    (``signer_title``), the name is left for the signature when not given."""
    certificates = list(
        decision_certificates(decision_number, province_id, district_id)
    )
    if not certificates:
        raise Certificate.DoesNotExist(decision_number)
    first = certificates[0]
    rows = tuple(
        DecisionRow(
            product=certificate.product_name,
            producer=certificate.producer_name,
            district=district_name(certificate.registration),
            score=certificate.score,
            stars=certificate.stars,
            certificate_number=certificate.number,
        )
        for certificate in certificates
    )
    return DecisionData(
        number=decision_number,
        date=first.decision_date,
        authority=first.issuing_authority,
        place=signing_place(first.issuing_authority),
        signer_title=signer_lines(signer_title_text)
        or signer_title(first.issuing_authority),
        signer_name=signer_name.strip(),
        round_name=_round_name(first),
        rulebook=f"{first.rulebook.legal_basis}",
        rows=rows,
    )


def _round_name(certificate):
    if certificate.evaluation_id:
        return certificate.evaluation.round.name
    return ""


def round_summary_data(round_id):
    round_ = Round.objects.select_related("council", "tier").get(pk=round_id)
    evaluations = list(
        Evaluation.objects.filter(round=round_)
        .select_related("dossier__registration__product__producer")
        .prefetch_related("member_scores__member")
        .order_by("dossier__registration__product__name", "id")
    )
    members = _members(round_, evaluations)
    rows = []
    for evaluation in evaluations:
        by_member = {
            score.member_id: score.total
            for score in evaluation.member_scores.all()
            if score.submitted_at
        }
        product = evaluation.dossier.registration.product
        rows.append(
            SummaryRow(
                product=product.name,
                producer=product.producer.name,
                scores=tuple(by_member.get(pk) for pk, _ in members),
                average=evaluation.score,
                stars=evaluation.stars,
                result=evaluation.get_outcome_display() if evaluation.outcome else "",
            )
        )
    return RoundSummaryData(
        round_name=round_.name,
        council=round_.council.name if round_.council_id else "",
        date=round_.closes_on,
        members=tuple(name for _, name in members),
        rows=tuple(rows),
    )


def _members(round_, evaluations):
    """The scoring members in the council's order, then anyone else who scored."""
    seen = {}
    if round_.council_id:
        memberships = round_.council.memberships.filter(
            role__in=SCORING_ROLES
        ).select_related("user")
        for membership in sorted(
            memberships, key=lambda m: (ROLE_ORDER.index(m.role), m.pk)
        ):
            seen[membership.user_id] = person_name(membership.user)
    for evaluation in evaluations:
        for score in evaluation.member_scores.all():
            seen.setdefault(score.member_id, person_name(score.member))
    return list(seen.items())
