"""Certificates: issuing, the Ministry's result, revoking and expiry."""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop import audit
from registry.models import Province

from .. import scoring
from ..enums import (
    CertificateStatus,
    DossierState,
    Outcome,
    RoundState,
    TierKind,
    TierLevel,
)
from ..models import (
    CERTIFICATE_VALIDITY_MONTHS,
    Certificate,
    Dossier,
    MinistryResult,
    Round,
    add_months,
)
from ._helpers import (
    _area_name,
    _locked,
    _require_past_date,
    _require_state,
    _require_text,
)
from .results import _end_dossier, _tier_specs

logger = logging.getLogger(__name__)


def next_certificate_number(province, year):
    """The next free number of the year's certificates: ``0007/2023/OCOP-12``.

    Call it in the transaction that saves the certificate: it locks the province's
    row until the end of that transaction, so two decisions issued at once take
    their numbers one after the other instead of the same one.
    """
    # FOR NO KEY UPDATE: it waits for another issuance in the province, but not
    # for the rows being added elsewhere that merely refer to the province.
    Province.objects.select_for_update(no_key=True).get(pk=province.pk)
    suffix = f"/{year}/OCOP-{province.code}"
    count = Certificate.objects.filter(number__endswith=suffix).count()
    number = count + 1
    while Certificate.objects.filter(number=f"{number:04d}{suffix}").exists():
        number += 1
    return f"{number:04d}{suffix}"


def _authority(tier, registration):
    if tier.level == TierLevel.DISTRICT and registration.district_id:
        area = registration.district.name
    else:
        area = registration.province.name
    return tier.authority_for(_area_name(area))


def _issue(
    dossier,
    actor,
    *,
    tier,
    stars,
    score,
    evaluation,
    ministry_result,
    decision_number,
    decision_date,
    issued_on,
):
    registration = dossier.registration
    product = registration.product
    producer = product.producer
    certificate = Certificate.objects.create(
        number=next_certificate_number(registration.province, registration.year),
        registration=registration,
        product=product,
        product_name=product.name,
        producer_name=producer.name,
        producer_address=producer.address,
        stars=stars,
        score=score,
        tier=tier,
        rulebook=dossier.rulebook,
        evaluation=evaluation,
        ministry_result=ministry_result,
        issuing_authority=_authority(tier, registration),
        decision_number=decision_number,
        decision_date=decision_date,
        issued_on=issued_on,
        expires_on=add_months(issued_on, CERTIFICATE_VALIDITY_MONTHS),
        follows=dossier.follows,
    )
    previous = dossier.state
    dossier.state = DossierState.CERTIFIED
    dossier.current_tier = tier
    dossier.save(update_fields=["state", "current_tier", "updated_at"])
    audit.record(
        actor,
        "evaluation.certificate.issued",
        certificate,
        to_state=certificate.status,
        data={"stars": stars, "decision": decision_number, "dossier": dossier.pk},
    )
    audit.record(
        actor,
        "evaluation.dossier.certified",
        dossier,
        from_state=previous,
        to_state=dossier.state,
        data={"certificate": certificate.number, "stars": stars},
    )
    transaction.on_commit(
        lambda: logger.info("Certificate %s issued", certificate.number)
    )
    return certificate


@dataclass
class CertificationGroup:
    """The results of a round that one authority certifies, under one decision."""

    authority: str
    evaluations: list = field(default_factory=list)


def _certified_stars(evaluation):
    """The highest level the certifying tier certifies at or below the stars."""
    return max(
        level
        for level in evaluation.certifying_tier.certifies_stars
        if level <= evaluation.stars
    )


def certification_groups(round, tier=None):
    """A closed round's certified results still without a certificate, grouped by
    the authority that certifies their stars, the highest tier's first.

    Under 148/QĐ-TTg a province round holds 4-star results, certified by the
    province, and 3-star ones, certified by the People's Committee of the district
    that referred each of them: one group per authority, each its own decision.
    Each evaluation carries ``certified_stars``.
    """
    evaluations = (
        round.evaluations.filter(outcome=Outcome.CERTIFIED, certificates__isnull=True)
        .select_related(
            "dossier__registration__product__producer",
            "dossier__registration__district",
            "dossier__registration__province",
            "certifying_tier",
        )
        .order_by("id")
    )
    if tier is not None:
        evaluations = evaluations.filter(certifying_tier=tier)
    groups = {}
    for evaluation in evaluations:
        evaluation.certified_stars = _certified_stars(evaluation)
        authority = _authority(
            evaluation.certifying_tier, evaluation.dossier.registration
        )
        groups.setdefault(authority, CertificationGroup(authority))
        groups[authority].evaluations.append(evaluation)
    return sorted(
        groups.values(),
        key=lambda g: (-g.evaluations[0].certifying_tier.order, g.authority),
    )


@transaction.atomic
def certify(
    round,
    actor,
    *,
    decision_number,
    decision_date,
    issued_on=None,
    tier=None,
    authority=None,
):
    """Issue, under one decision, the certificates of a closed round's certified
    results.

    A decision is one authority's: ``authority`` (or ``tier``) names the results it
    certifies, and a decision that would cover results of several authorities is
    refused (see ``certification_groups``). Returns the new certificates.
    Side effects: per certificate, audit entries ``evaluation.certificate.issued``
    and ``evaluation.dossier.certified``.
    """
    decision_number = _require_text(
        decision_number, "decision_number", _("Cần số quyết định công nhận.")
    )
    if decision_date is None:
        raise ValidationError({"decision_date": _("Cần ngày quyết định công nhận.")})
    _require_past_date(decision_date, "decision_date")
    round = _locked(Round, round)
    if round.state != RoundState.CLOSED:
        raise ValidationError(_("Cần đóng đợt đánh giá trước khi công nhận."))
    groups = certification_groups(round, tier)
    if authority is not None:
        groups = [group for group in groups if group.authority == authority]
    if len(groups) > 1:
        raise ValidationError(
            _(
                "Các kết quả này do %(count)s cơ quan công nhận (%(authorities)s): "
                "mỗi cơ quan ra một quyết định với số và ngày của mình; hãy công "
                "nhận theo từng cơ quan."
            )
            % {
                "count": len(groups),
                "authorities": "; ".join(group.authority for group in groups),
            }
        )

    certificates = []
    for evaluation in groups[0].evaluations if groups else []:
        certificates.append(
            _issue(
                evaluation.dossier,
                actor,
                tier=evaluation.certifying_tier,
                stars=evaluation.certified_stars,
                score=evaluation.score,
                evaluation=evaluation,
                ministry_result=None,
                decision_number=decision_number,
                decision_date=decision_date,
                issued_on=issued_on or decision_date,
            )
        )
    return certificates


@transaction.atomic
def record_ministry_result(
    dossier,
    actor,
    *,
    stars,
    decision_number,
    decision_date,
    score=None,
    note="",
    issued_on=None,
):
    """Record by hand the result of a tier that is not scored here (the Ministry).

    The stars are certified by the tier of the rulebook that certifies them (5 stars
    by the Ministry); below every certified level the dossier ends.
    Side effects: a certificate if certified; audit entries
    ``evaluation.ministry_result.recorded`` and the dossier's move.
    """
    decision_number = _require_text(
        decision_number, "decision_number", _("Cần số quyết định.")
    )
    if decision_date is None:
        raise ValidationError({"decision_date": _("Cần ngày quyết định.")})
    _require_past_date(decision_date, "decision_date")
    if stars is not None and not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Hạng sao phải từ 1 đến 5.")})
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": _("Điểm phải từ 0 đến 100.")})
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.WAITING)
    tier = dossier.current_tier
    if tier.kind != TierKind.RECORDED:
        raise ValidationError(_("Hồ sơ không chờ kết quả của cấp trung ương."))

    result = MinistryResult.objects.create(
        dossier=dossier,
        tier=tier,
        rulebook=dossier.rulebook,
        score=score,
        stars=stars,
        decision_number=decision_number,
        decision_date=decision_date,
        note=note,
        recorded_by=actor,
    )
    audit.record(
        actor,
        "evaluation.ministry_result.recorded",
        dossier,
        data={"stars": stars, "decision": decision_number},
    )
    outcome, tier_order, certified_stars = scoring.outcome_for(
        score, stars, _tier_specs(dossier.rulebook), tier.order
    )
    if outcome != Outcome.CERTIFIED:
        _end_dossier(dossier, actor, result)
        return result
    _issue(
        dossier,
        actor,
        tier=dossier.rulebook.tiers.get(order=tier_order),
        stars=certified_stars,
        score=score,
        evaluation=None,
        ministry_result=result,
        decision_number=decision_number,
        decision_date=decision_date,
        issued_on=issued_on or decision_date,
    )
    return result


@transaction.atomic
def revoke_certificate(certificate, actor, reason, *, revoked_on=None):
    """Revoke a certificate (thu hồi), keeping the reason.

    Side effects: an audit entry ``evaluation.certificate.revoked``.
    """
    reason = _require_text(reason, "reason", _("Cần ghi lý do thu hồi."))
    certificate = _locked(Certificate, certificate)
    if certificate.status == CertificateStatus.REVOKED:
        raise ValidationError(_("Giấy chứng nhận đã bị thu hồi."))
    previous = certificate.status
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_on = revoked_on or timezone.localdate()
    certificate.revoked_reason = reason
    certificate.revoked_by = actor
    certificate.save(
        update_fields=["status", "revoked_on", "revoked_reason", "revoked_by"]
    )
    audit.record(
        actor,
        "evaluation.certificate.revoked",
        certificate,
        from_state=previous,
        to_state=certificate.status,
        reason=reason,
    )
    return certificate


@transaction.atomic
def expire_certificates(today=None):
    """Mark the certificates past their expiry date as expired; returns how many.

    Run daily by Celery beat. Each certificate is claimed with a conditional update,
    so two runs at once (or a retried one) expire and record it once.
    Side effects: per certificate, an audit entry ``evaluation.certificate.expired``.
    """
    today = today or timezone.localdate()
    valid = Certificate.objects.filter(status=CertificateStatus.VALID)
    count = 0
    for certificate in valid.filter(expires_on__lt=today):
        claimed = valid.filter(pk=certificate.pk).update(
            status=CertificateStatus.EXPIRED
        )
        if not claimed:
            continue
        audit.record(
            None,
            "evaluation.certificate.expired",
            certificate,
            from_state=CertificateStatus.VALID,
            to_state=CertificateStatus.EXPIRED,
        )
        count += 1
    return count
