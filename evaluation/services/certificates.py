"""Certificates: issuing, the Ministry's result, certificates issued on paper
before the system, revoking and expiry."""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop import audit
from registry.enums import FIRST_PROGRAMME_YEAR, RegistrationKind
from registry.models import Product, Province

from .. import scoring
from ..enums import (
    DOSSIER_OPEN_STATES,
    CertificateStatus,
    DossierState,
    Outcome,
    RevocationGround,
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
    FOLLOWING_KINDS,
    StateRefusal,
    _area_name,
    _before_dossier_year_error,
    _before_round_year_error,
    _future_date_error,
    _locked,
    _require_past_date,
    _require_state,
    _require_text,
    _rulebook_validity,
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
    # A number typed from a paper certificate is not one of the sequence's.
    count = Certificate.objects.filter(
        number__endswith=suffix, is_recorded_by_hand=False
    ).count()
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
    """The results of a round that one authority certifies, under one decision;
    ``tier`` is the rulebook's tier that certifies their stars."""

    authority: str
    tier: object = None
    evaluations: list = field(default_factory=list)

    @property
    def stars_text(self):
        """The stars the tier certifies, as a sentence says them: “3”, “3 và 4”."""
        levels = [str(level) for level in sorted(self.tier.certifies_stars)]
        if len(levels) < 2:
            return "".join(levels)
        return _("%(first)s và %(last)s") % {
            "first": ", ".join(levels[:-1]),
            "last": levels[-1],
        }


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
        groups.setdefault(
            authority, CertificationGroup(authority, evaluation.certifying_tier)
        )
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
    refused (see ``certification_groups``). The decision is dated from 1 January
    of the round's year to today. Returns the new certificates.
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
    year_error = _before_round_year_error(decision_date, round)
    if year_error:
        raise ValidationError({"decision_date": year_error})
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
    by the Ministry); below every certified level the dossier ends. The decision
    is dated from 1 January of the dossier's programme year to today.
    Side effects: a certificate if certified; audit entries
    ``evaluation.ministry_result.recorded`` and the dossier's move.
    """
    decision_number = _require_text(
        decision_number, "decision_number", _("Cần số quyết định.")
    )
    if decision_date is None:
        raise ValidationError({"decision_date": _("Cần ngày quyết định.")})
    _require_past_date(decision_date, "decision_date")
    year_error = _before_dossier_year_error(decision_date, dossier)
    if year_error:
        raise ValidationError({"decision_date": year_error})
    if stars is not None and not 1 <= stars <= 5:
        raise ValidationError({"stars": _("Hạng sao phải từ 1 đến 5.")})
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": _("Điểm phải từ 0 đến 100.")})
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.WAITING)
    tier = dossier.current_tier
    if tier.kind != TierKind.RECORDED:
        raise StateRefusal(
            _("Hồ sơ không chờ kết quả của cấp trung ương."), code="state"
        )

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
def revoke_certificate(
    certificate,
    actor,
    reason,
    *,
    ground=None,
    found_on=None,
    decision_number="",
    decision_date=None,
):
    """Revoke a certificate (thu hồi) on one of the programme's grounds.

    ``reason`` is the detail of the finding; ``found_on`` the day it was found,
    ``decision_number`` and ``decision_date`` the revoking decision, whose date is
    the day of revocation. A decision more than 15 days after the finding is
    recorded and shown late, not refused. An already revoked certificate is refused
    before anything else is checked.
    Side effects: an audit entry ``evaluation.certificate.revoked``.
    """
    certificate = _locked(Certificate, certificate)
    if certificate.status == CertificateStatus.REVOKED:
        raise ValidationError(_("Giấy chứng nhận đã bị thu hồi."))
    errors = {}
    if ground not in RevocationGround.values:
        errors["ground"] = _("Cần chọn căn cứ thu hồi.")
    if not (reason or "").strip():
        errors["reason"] = _("Cần ghi rõ nội dung vi phạm hoặc lý do thu hồi.")
    if not (decision_number or "").strip():
        errors["decision_number"] = _("Cần số quyết định thu hồi.")
    found_error = _date_error(found_on, _("Cần ngày phát hiện.")) or (
        _before_issue_error(found_on, certificate)
    )
    if found_error:
        errors["found_on"] = found_error
    decision_error = _date_error(decision_date, _("Cần ngày quyết định thu hồi."))
    if not (decision_error or found_error) and decision_date < found_on:
        decision_error = _(
            "Quyết định thu hồi không được trước ngày phát hiện (%(found)s)."
        ) % {"found": f"{found_on:%d/%m/%Y}"}
    if decision_error:
        errors["decision_date"] = decision_error
    if errors:
        raise ValidationError(errors)

    previous = certificate.status
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_on = decision_date
    certificate.revoked_reason = reason.strip()
    certificate.revoked_by = actor
    certificate.revocation_ground = ground
    certificate.revocation_found_on = found_on
    certificate.revocation_decision_number = decision_number.strip()
    certificate.revocation_decision_date = decision_date
    certificate.save(
        update_fields=[
            "status",
            "revoked_on",
            "revoked_reason",
            "revoked_by",
            "revocation_ground",
            "revocation_found_on",
            "revocation_decision_number",
            "revocation_decision_date",
        ]
    )
    audit.record(
        actor,
        "evaluation.certificate.revoked",
        certificate,
        from_state=previous,
        to_state=certificate.status,
        reason=certificate.revoked_reason,
        data={
            "ground": ground,
            "found_on": found_on.isoformat(),
            "decision": certificate.revocation_decision_number,
            "decision_date": decision_date.isoformat(),
            "days_after_finding": certificate.revocation_days,
        },
    )
    transaction.on_commit(
        lambda: logger.info("Certificate %s revoked", certificate.number)
    )
    return certificate


def _date_error(value, required_message):
    if value is None:
        return required_message
    return _future_date_error(value)


def _before_issue_error(value, certificate):
    if value is not None and value < certificate.issued_on:
        return _("Ngày không được trước ngày cấp giấy chứng nhận (%(issued)s).") % {
            "issued": f"{certificate.issued_on:%d/%m/%Y}"
        }
    return None


# The programme began in 2018: a certificate dated earlier is a typing slip.
FIRST_CERTIFICATE_DAY = date(FIRST_PROGRAMME_YEAR, 1, 1)


def registration_for_earlier_certificate(product):
    """The registration a certificate issued before the system hangs on: the
    product's latest re-evaluation or upgrade, else its latest registration."""
    registrations = product.registrations.select_related("province", "district")
    return (
        registrations.filter(kind__in=FOLLOWING_KINDS).order_by("-year").first()
        or registrations.order_by("-year").first()
    )


def _earlier_certificate_errors(
    registration,
    *,
    number,
    stars,
    issuing_authority,
    decision_number,
    decision_date,
    issued_on,
    rulebook=None,
):
    errors = {}
    if not number:
        errors["number"] = _("Cần số giấy chứng nhận.")
    elif Certificate.objects.filter(number__iexact=number).exists():
        errors["number"] = _("Đã có giấy chứng nhận số %(number)s.") % {
            "number": number
        }
    stars_error = _earlier_stars_error(registration, stars)
    if stars_error:
        errors["stars"] = stars_error
    if not issuing_authority:
        errors["issuing_authority"] = _("Cần cơ quan công nhận.")
    if not decision_number:
        errors["decision_number"] = _("Cần số quyết định công nhận.")
    dates = {"decision_date": decision_date}
    # Left empty, the issue day is the decision's, and so are its errors.
    if issued_on is not None:
        dates["issued_on"] = issued_on
    for field_name, day in dates.items():
        message = _date_error(day, _("Cần ngày quyết định công nhận."))
        if not message and day < FIRST_CERTIFICATE_DAY:
            message = _("Chương trình OCOP bắt đầu năm %(year)s: ngày này sớm hơn.") % {
                "year": FIRST_PROGRAMME_YEAR
            }
        if message:
            errors[field_name] = message
    dates_given = issued_on and not errors.keys() & dates.keys()
    if dates_given and issued_on < decision_date:
        errors["issued_on"] = _(
            "Ngày cấp không được trước ngày quyết định công nhận (%(day)s)."
        ) % {"day": f"{decision_date:%d/%m/%Y}"}
    if rulebook is not None and "decision_date" not in errors:
        rulebook_error = _earlier_rulebook_error(rulebook, decision_date)
        if rulebook_error:
            errors["rulebook"] = rulebook_error
    return errors


def _earlier_rulebook_error(rulebook, decision_date):
    """The rulebook a certificate was issued under was in force on the day of the
    decision that recognised the product (the decision applies the rule; the
    certificate is printed from it, on that day or later)."""
    if rulebook.applies_on(decision_date):
        return None
    return _(
        "Quy định %(rulebook)s áp dụng %(validity)s, không áp dụng cho quyết định "
        "công nhận ngày %(day)s: chọn đúng quy định, hoặc «Không rõ»."
    ) % {
        "rulebook": rulebook.legal_basis,
        "validity": _rulebook_validity(rulebook),
        "day": f"{decision_date:%d/%m/%Y}",
    }


def _earlier_stars_error(registration, stars):
    """3 to 5 stars, those the re-evaluation or upgrade registration names."""
    if stars not in (3, 4, 5):
        return _("Giấy chứng nhận OCOP có hạng từ 3 đến 5 sao.")
    previous = registration.previous_stars
    if registration.kind in FOLLOWING_KINDS and previous and stars != previous:
        return _(
            "Đăng ký %(kind)s năm %(year)s ghi sản phẩm đạt %(previous)s sao, "
            "giấy chứng nhận ghi %(stars)s sao: hãy đối chiếu lại; nếu đăng ký ghi "
            "sai, sửa đăng ký trước."
        ) % {
            "kind": registration.get_kind_display().lower(),
            "year": registration.year,
            "previous": previous,
            "stars": stars,
        }
    if registration.kind == RegistrationKind.UPGRADE and stars == 5:
        return _("Sản phẩm 5 sao không thể nâng hạng thêm.")
    return None


def _earlier_certificate_warnings(registration, decision_date):
    """What is worth a second look but not a refusal."""
    year = registration.previous_year
    if registration.kind in FOLLOWING_KINDS and year and year != decision_date.year:
        return [
            _(
                "Đăng ký năm %(year)s ghi năm đạt sao là %(previous)s, quyết định "
                "công nhận ký năm %(decision)s: hãy kiểm tra lại."
            )
            % {
                "year": registration.year,
                "previous": year,
                "decision": decision_date.year,
            }
        ]
    return []


@transaction.atomic
def record_earlier_certificate(
    product,
    actor,
    *,
    number,
    stars,
    issuing_authority,
    decision_number,
    decision_date,
    issued_on=None,
    rulebook=None,
):
    """Record a certificate issued on paper before the system, as it reads.

    It keeps its own number (not the system's sequence), expires 36 months from
    issue like the others (already expired if that day has passed), is marked as
    recorded by hand with who and when, and hangs on
    ``registration_for_earlier_certificate``. Its stars must be the previous stars
    a re-evaluation or upgrade registration names; its rulebook, if known, one in
    force on the day of the recognising decision. The product's open
    re-evaluation and upgrade dossiers that follow no certificate then follow it.
    The returned certificate's ``warnings`` lists what deserves a second look
    and ``dossiers_linked`` how many dossiers now follow it.
    Side effects: an audit entry ``evaluation.certificate.recorded``; per dossier
    linked, ``evaluation.dossier.follows_linked``.
    """
    product = _locked(Product, product)
    registration = registration_for_earlier_certificate(product)
    if registration is None:
        raise ValidationError(
            _("Sản phẩm chưa có đăng ký nào để gắn giấy chứng nhận vào.")
        )
    number = (number or "").strip()
    issuing_authority = (issuing_authority or "").strip()
    decision_number = (decision_number or "").strip()
    errors = _earlier_certificate_errors(
        registration,
        number=number,
        stars=stars,
        issuing_authority=issuing_authority,
        decision_number=decision_number,
        decision_date=decision_date,
        issued_on=issued_on,
        rulebook=rulebook,
    )
    if errors:
        raise ValidationError(errors)

    issued_on = issued_on or decision_date
    expires_on = add_months(issued_on, CERTIFICATE_VALIDITY_MONTHS)
    is_expired = expires_on < timezone.localdate()
    producer = product.producer
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                number=number,
                registration=registration,
                product=product,
                product_name=product.name,
                producer_name=producer.name,
                producer_address=producer.address,
                stars=stars,
                rulebook=rulebook,
                issuing_authority=issuing_authority,
                decision_number=decision_number,
                decision_date=decision_date,
                issued_on=issued_on,
                expires_on=expires_on,
                status=CertificateStatus.EXPIRED
                if is_expired
                else CertificateStatus.VALID,
                is_recorded_by_hand=True,
                recorded_by=actor,
                recorded_at=timezone.now(),
            )
    except IntegrityError:
        # Another person recorded the same number a moment ago.
        raise ValidationError(
            {"number": _("Đã có giấy chứng nhận số %(number)s.") % {"number": number}}
        ) from None
    audit.record(
        actor,
        "evaluation.certificate.recorded",
        certificate,
        to_state=certificate.status,
        data={
            "stars": stars,
            "decision": decision_number,
            "issued_on": issued_on.isoformat(),
            "registration": registration.pk,
        },
    )
    certificate.dossiers_linked = _link_following_dossiers(certificate, actor)
    certificate.warnings = _earlier_certificate_warnings(registration, decision_date)
    transaction.on_commit(
        lambda: logger.info(
            "Certificate %s recorded by hand for product %s", number, product.pk
        )
    )
    return certificate


def _link_following_dossiers(certificate, actor):
    """The product's open re-evaluation and upgrade dossiers of a year from the
    certificate's on, without a certificate to follow, now follow this one."""
    dossiers = Dossier.objects.select_for_update().filter(
        registration__product_id=certificate.product_id,
        registration__kind__in=FOLLOWING_KINDS,
        registration__year__gte=certificate.issued_on.year,
        state__in=DOSSIER_OPEN_STATES,
        follows__isnull=True,
    )
    count = 0
    for dossier in dossiers.order_by("id"):
        dossier.follows = certificate
        dossier.save(update_fields=["follows", "updated_at"])
        audit.record(
            actor,
            "evaluation.dossier.follows_linked",
            dossier,
            data={"certificate": certificate.number},
        )
        count += 1
    return count


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
