"""The dossier's moves: from its draft to the commune's assessment and up."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop import audit
from registry.enums import RegistrationKind

from .. import scoring
from ..enums import (
    DOSSIER_EDITABLE_STATES,
    SAMPLES_MAX,
    CertificateStatus,
    DossierState,
    RoundState,
    TierKind,
)
from ..models import (
    Certificate,
    CommuneAssessment,
    Dossier,
    Evaluation,
    Evidence,
)
from ..sheets import cached_sheet_spec
from ._helpers import (
    FOLLOWING_KINDS,
    StateRefusal,
    _before_dossier_year_error,
    _future_date_error,
    _locked,
    _require_state,
    _require_text,
    _state_refusal,
    programme_year_for,
    scoring_sheet_for,
)


def registration_form_data(registration):
    """The registration form (phiếu đăng ký) as the dossier keeps it: what the
    registration says on the day the dossier is opened, names included, so that a
    later change to the registry does not rewrite the dossier."""
    product = registration.product
    return {
        "kind": registration.kind,
        "year": registration.year,
        "product": product.name,
        "producer": product.producer.name,
        "district": registration.district.name if registration.district_id else None,
        "commune": registration.commune.name if registration.commune_id else None,
        "previous_stars": registration.previous_stars,
        "previous_year": registration.previous_year,
    }


@transaction.atomic
def create_dossier(registration, actor, *, form_data=None, follows=None):
    """Open the dossier of a registration under its programme year's rulebook.

    The dossier keeps the registration form's data (``registration_form_data``)
    unless ``form_data`` is given. A re-evaluation or an upgrade follows the
    product's latest certificate unless ``follows`` names another.
    Side effects: an audit entry ``evaluation.dossier.created``.
    """
    if Dossier.objects.filter(registration=registration).exists():
        raise ValidationError(_("Đăng ký này đã có hồ sơ."))
    programme = programme_year_for(registration)
    rulebook = programme.rulebook
    if follows is None and registration.kind in FOLLOWING_KINDS:
        follows = (
            Certificate.objects.filter(product_id=registration.product_id)
            .exclude(status=CertificateStatus.REVOKED)
            .order_by("-issued_on", "-id")
            .first()
        )
    dossier = Dossier.objects.create(
        registration=registration,
        programme_year=programme,
        current_tier=rulebook.tiers.order_by("order").first(),
        form_data=registration_form_data(registration)
        if form_data is None
        else form_data,
        sheet=scoring_sheet_for(registration.product.product_set, rulebook),
        follows=follows,
    )
    audit.record(
        actor,
        "evaluation.dossier.created",
        dossier,
        to_state=dossier.state,
        data={
            "rulebook": rulebook.code,
            "follows": follows.number if follows else None,
        },
    )
    return dossier


@transaction.atomic
def save_self_assessment(dossier, actor, selections):
    """Keep the producer's self-assessment: chosen option ids on the dossier's sheet.

    The same choices again change nothing and are not recorded; the returned
    dossier's ``self_assessment_changed`` says which.
    """
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.DRAFT, DossierState.RETURNED)
    if dossier.sheet is None:
        raise ValidationError(_("Sản phẩm chưa được xác nhận bộ sản phẩm."))
    spec = cached_sheet_spec(dossier.sheet)
    unknown = [i for i in selections if spec.option(i) is None]
    if unknown:
        raise ValidationError(_("Có lựa chọn không thuộc phiếu của hồ sơ."))
    dossier.self_assessment_changed = sorted(dossier.self_assessment) != sorted(
        selections
    )
    if not dossier.self_assessment_changed:
        return dossier
    dossier.self_assessment = list(selections)
    dossier.save(update_fields=["self_assessment", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.self_assessed",
        dossier,
        data={"total": sum(scoring.part_totals(spec, selections).values())},
    )
    return dossier


@transaction.atomic
def submit_dossier(dossier, actor, *, received_on=None):
    """A district or commune officer submits the dossier to the commune.

    The commune's 15 working days run from ``received_on`` (today by default),
    which is also the day the dossier is filed (``filed_on``, kept ever after). An
    upgrade is refused until it says what changed since the last evaluation.
    Side effects: an audit entry ``evaluation.dossier.submitted``.
    """
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.DRAFT)
    product = dossier.registration.product
    if product.product_set_id is None or not product.is_product_set_confirmed:
        raise ValidationError(
            _("Cần xác nhận bộ sản phẩm của sản phẩm trước khi nộp hồ sơ.")
        )
    _require_changes_of_upgrade(dossier)
    if dossier.sheet_id is None:
        dossier.sheet = scoring_sheet_for(product.product_set, dossier.rulebook)

    previous = dossier.state
    dossier.state = DossierState.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.submitted_by = actor
    dossier.received_on = received_on or timezone.localdate()
    dossier.filed_on = dossier.filed_on or dossier.received_on
    dossier.save(
        update_fields=[
            "state",
            "sheet",
            "submitted_at",
            "submitted_by",
            "received_on",
            "filed_on",
            "updated_at",
        ]
    )
    audit.record(
        actor,
        "evaluation.dossier.submitted",
        dossier,
        from_state=previous,
        to_state=dossier.state,
    )
    return dossier


def _require_changes_of_upgrade(dossier):
    """An upgrade dossier says what changed since the last evaluation."""
    is_upgrade = dossier.registration.kind == RegistrationKind.UPGRADE
    if is_upgrade and not dossier.changes_since_last.strip():
        raise ValidationError({"changes_since_last": _changes_required()})


def _changes_required():
    return _(
        "Hồ sơ nâng hạng cần ghi những gì đã thay đổi từ lần đánh giá trước (sản "
        "phẩm, bao bì, chất lượng, thị trường…) trước khi nộp."
    )


@transaction.atomic
def record_changes_since_last(dossier, actor, text):
    """Keep what changed since the last evaluation, on an upgrade or a
    re-evaluation dossier still being drafted or returned; required of an upgrade.

    The same text again changes nothing and is not recorded; the returned dossier's
    ``changes_changed`` says which.
    Side effects: an audit entry ``evaluation.dossier.changes_recorded``.
    """
    text = (text or "").strip()
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, *DOSSIER_EDITABLE_STATES)
    kind = dossier.registration.kind
    if kind not in FOLLOWING_KINDS:
        raise ValidationError(
            _("Chỉ hồ sơ đánh giá lại hoặc nâng hạng ghi thay đổi từ lần trước.")
        )
    if kind == RegistrationKind.UPGRADE and not text:
        raise ValidationError({"changes_since_last": _changes_required()})
    dossier.changes_changed = dossier.changes_since_last != text
    if not dossier.changes_changed:
        return dossier
    dossier.changes_since_last = text
    dossier.save(update_fields=["changes_since_last", "updated_at"])
    audit.record(actor, "evaluation.dossier.changes_recorded", dossier)
    return dossier


# The states from which a dossier may be sent back for more information: at the
# commune (before or after its assessment), or waiting for a council or the Ministry.
RETURNABLE_STATES = frozenset(
    {DossierState.SUBMITTED, DossierState.ASSESSED, DossierState.WAITING}
)


def is_at_commune_stage(dossier):
    """Whether the dossier is still at its rulebook's first step, the commune's
    assessment (it has not been sent up to a council yet)."""
    tier = dossier.current_tier
    return tier is None or tier.kind == TierKind.ASSESSMENT


@transaction.atomic
def return_dossier(dossier, actor, reason):
    """Send the dossier back for more information, keeping the reason.

    The dossier stays at its tier: once resubmitted it goes back to where it was
    returned from (see ``resubmit_dossier``).
    Side effects: an audit entry ``evaluation.dossier.returned``.
    """
    reason = _require_text(reason, "reason", _("Cần ghi lý do trả lại hồ sơ."))
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, *RETURNABLE_STATES)
    previous = dossier.state
    dossier.state = DossierState.RETURNED
    dossier.returned_reason = reason
    dossier.save(update_fields=["state", "returned_reason", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.returned",
        dossier,
        from_state=previous,
        to_state=dossier.state,
        reason=reason,
    )
    return dossier


@transaction.atomic
def resubmit_dossier(dossier, actor, *, received_on=None):
    """Submit a returned dossier again; it goes back to where it was returned from.

    Returning leaves the dossier at its tier. One returned while waiting at a council
    (or at the Ministry) waits there again, for that tier to score it: it is never
    sent on unscored. One returned at the commune goes back to the commune: to wait
    for its assessment (the 15 working days start over), or, already assessed, to
    be sent up.
    Side effects: an audit entry ``evaluation.dossier.resubmitted``.
    """
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.RETURNED)
    _require_changes_of_upgrade(dossier)
    assessed = CommuneAssessment.objects.filter(dossier=dossier).exists()
    at_commune = is_at_commune_stage(dossier)
    if not at_commune:
        dossier.state = DossierState.WAITING
    elif assessed:
        dossier.state = DossierState.ASSESSED
    else:
        dossier.state = DossierState.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.submitted_by = actor
    if at_commune and not assessed:
        dossier.received_on = received_on or timezone.localdate()
    dossier.save(
        update_fields=[
            "state",
            "submitted_at",
            "submitted_by",
            "received_on",
            "updated_at",
        ]
    )
    audit.record(
        actor,
        "evaluation.dossier.resubmitted",
        dossier,
        from_state=DossierState.RETURNED,
        to_state=dossier.state,
        reason=dossier.returned_reason,
    )
    return dossier


@transaction.atomic
def record_commune_assessment(
    dossier,
    actor,
    *,
    local_origin,
    local_labour,
    idea_origin,
    local_identity,
    assessed_on=None,
    proposal_reference="",
):
    """The commune's four narrative assessments; without them no dossier goes up.

    The assessment is dated (today by default) between the day the commune received
    the dossier and today; ``proposal_reference`` names the commune's letter that
    sends the dossier up (``Tờ trình số 12/TTr-UBND``), if it has one yet.
    Side effects: an audit entry ``evaluation.dossier.assessed`` (noting a late
    assessment, past the 15 working days).
    """
    texts = {
        "local_origin": (
            local_origin,
            _("Cần đánh giá nguồn gốc sản phẩm và nguyên liệu tại địa phương."),
        ),
        "local_labour": (
            local_labour,
            _("Cần đánh giá việc sử dụng lao động địa phương."),
        ),
        "idea_origin": (idea_origin, _("Cần đánh giá nguồn gốc ý tưởng sản phẩm.")),
        "local_identity": (
            local_identity,
            _("Cần đánh giá tính đặc trưng, bản sắc địa phương."),
        ),
    }
    errors = {
        field: message
        for field, (text, message) in texts.items()
        if not (text or "").strip()
    }
    date_error = _future_date_error(assessed_on) or _before_receipt_error(
        assessed_on or timezone.localdate(), dossier.received_on
    )
    if date_error:
        errors["assessed_on"] = date_error
    if errors:
        raise ValidationError(errors)
    dossier = _locked(Dossier, dossier)
    _require_state(dossier, DossierState.SUBMITTED)

    assessment = CommuneAssessment.objects.create(
        dossier=dossier,
        local_origin=local_origin.strip(),
        local_labour=local_labour.strip(),
        idea_origin=idea_origin.strip(),
        local_identity=local_identity.strip(),
        assessed_on=assessed_on or timezone.localdate(),
        proposal_reference=(proposal_reference or "").strip(),
        assessed_by=actor,
    )
    dossier.state = DossierState.ASSESSED
    dossier.save(update_fields=["state", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.assessed",
        dossier,
        from_state=DossierState.SUBMITTED,
        to_state=dossier.state,
        data={
            "assessed_on": assessment.assessed_on.isoformat(),
            "due_on": dossier.assessment_due_on.isoformat(),
            "is_late": assessment.is_late,
            "proposal_reference": assessment.proposal_reference,
        },
    )
    return assessment


def _before_receipt_error(assessed_on, received_on):
    """The refusal of an assessment dated before the commune had the dossier."""
    if received_on is not None and assessed_on < received_on:
        return _(
            "Ngày đánh giá không được trước ngày xã nhận hồ sơ (%(received)s)."
        ) % {"received": f"{received_on:%d/%m/%Y}"}
    return None


@transaction.atomic
def send_up(dossier, actor):
    """The commune sends an assessed dossier to the first council of its rulebook.

    Only from the commune's own step: a dossier further up moves on only by its
    council's referral (``refer_round``).
    Side effects: an audit entry ``evaluation.dossier.sent_up``.
    """
    dossier = _locked(Dossier, dossier)
    if not CommuneAssessment.objects.filter(dossier=dossier).exists():
        raise ValidationError(
            _("Hồ sơ chưa có đánh giá của xã nên chưa gửi lên cấp trên được.")
        )
    if not is_at_commune_stage(dossier):
        raise StateRefusal(
            _(
                "Hồ sơ đang ở %(tier)s, không còn ở cấp xã: chỉ hồ sơ xã đã đánh giá "
                "mới gửi lên cấp trên được."
            )
            % {"tier": dossier.current_tier.name},
            code="state",
        )
    _require_state(dossier, DossierState.ASSESSED)
    previous_tier = dossier.current_tier
    dossier.current_tier = previous_tier.next_tier()
    dossier.state = DossierState.WAITING
    dossier.save(update_fields=["state", "current_tier", "updated_at"])
    audit.record(
        actor,
        "evaluation.dossier.sent_up",
        dossier,
        from_state=DossierState.ASSESSED,
        to_state=dossier.state,
        data={"from_tier": previous_tier.name, "to_tier": dossier.current_tier.name},
    )
    return dossier


@transaction.atomic
def attach_evidence(dossier, actor, upload, *, criterion=None, description=""):
    """Attach a checked file to a dossier, on one criterion of its sheet or on all.

    The file's type and size are checked by the form that received it.
    Side effects: an audit entry ``evaluation.dossier.evidence_added``.
    """
    dossier = _locked(Dossier, dossier)
    if dossier.state not in DOSSIER_EDITABLE_STATES:
        raise StateRefusal(
            _("Hồ sơ đã nộp; không thêm minh chứng được nữa."), code="state"
        )
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
def remove_evidence(dossier, actor, evidence):
    """Remove an evidence file from a dossier whose producer's side may still be
    edited (the states in which evidence is attached, ``DOSSIER_EDITABLE_STATES``).

    The row goes at once; the stored file only once the transaction has committed,
    so that a rollback never leaves a row pointing to a file that is gone.
    Side effects: an audit entry ``evaluation.dossier.evidence_removed`` naming the
    file, its criterion and who had uploaded it when.
    """
    dossier = _locked(Dossier, dossier)
    if dossier.state not in DOSSIER_EDITABLE_STATES:
        raise StateRefusal(
            _("Hồ sơ đã nộp; không xoá minh chứng được nữa."), code="state"
        )
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("criterion")
        .filter(pk=evidence.pk, dossier=dossier)
        .first()
    )
    if evidence is None:
        raise ValidationError(_("Minh chứng này không còn trên hồ sơ."))
    storage, name = evidence.file.storage, evidence.file.name
    audit.record(
        actor,
        "evaluation.dossier.evidence_removed",
        dossier,
        data={
            "file": evidence.original_name,
            "criterion": evidence.criterion and evidence.criterion.code,
            "size": evidence.size,
            "uploaded_by": evidence.uploaded_by_id,
            "uploaded_at": evidence.uploaded_at.isoformat(),
        },
    )
    evidence.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    return evidence


def samples_may_change(dossier):
    """Whether the samples of a dossier may be recorded or changed now.

    The samples go to the tier that scores the dossier, once the commune has sent
    it up: they are recorded while it waits at a council, and in its round until
    the council starts scoring (a member's sheet saved) or the round is closed,
    when the scores stand on the samples as they were.
    """
    tier = dossier.current_tier
    if tier is None or tier.kind != TierKind.COUNCIL:
        return False
    if dossier.state == DossierState.WAITING:
        return True
    return dossier.state == DossierState.IN_EVALUATION and not scoring_begun(dossier)


def scoring_begun(dossier):
    """Whether the council of the dossier's tier has begun scoring it: a member's
    sheet saved, its result frozen, or its round closed."""
    return (
        Evaluation.objects.filter(dossier=dossier, tier_id=dossier.current_tier_id)
        .filter(
            Q(member_scores__isnull=False)
            | Q(frozen_at__isnull=False)
            | Q(round__state=RoundState.CLOSED)
        )
        .exists()
    )


def _before_submission_error(received_on, dossier):
    """The refusal of samples received before the dossier was submitted (the day
    the commune received it), or None."""
    if dossier.received_on is not None and received_on < dossier.received_on:
        return _("Ngày nhận mẫu không được trước ngày nộp hồ sơ (%(submitted)s).") % {
            "submitted": f"{dossier.received_on:%d/%m/%Y}"
        }
    return None


@transaction.atomic
def record_samples(dossier, actor, *, count, received_on):
    """Record the product samples a council's tier received for a dossier.

    Only while the samples may change (``samples_may_change``): sent up to a
    council, before it starts scoring. From 1 to ``SAMPLES_MAX`` samples, received
    on a day that has come, not before the dossier's programme year
    (``_before_dossier_year_error``) nor before the dossier was submitted. The same
    count and day again change nothing and are not recorded; the returned
    dossier's ``samples_changed`` says which.
    Side effects: an audit entry ``evaluation.dossier.samples_received``.
    """
    dossier = _locked(Dossier, dossier)
    if not samples_may_change(dossier):
        if dossier.state == DossierState.IN_EVALUATION:
            raise StateRefusal(
                _(
                    "Hội đồng đã bắt đầu chấm điểm hồ sơ: số mẫu và ngày nhận mẫu "
                    "không đổi được nữa."
                ),
                code="state",
            )
        raise _state_refusal(dossier)
    errors = {}
    if count is None or not 1 <= count <= SAMPLES_MAX:
        errors["samples_received"] = _(
            "Số mẫu phải từ 1 đến %(max)s: hồ sơ nộp 5 mẫu sản phẩm, thêm vài mẫu "
            "khi cần kiểm nghiệm; số lớn hơn thường là gõ nhầm."
        ) % {"max": SAMPLES_MAX}
    date_error = (
        _("Cần ngày nhận mẫu.")
        if received_on is None
        else _future_date_error(received_on)
        or _before_dossier_year_error(received_on, dossier)
        or _before_submission_error(received_on, dossier)
    )
    if date_error:
        errors["samples_received_on"] = date_error
    if errors:
        raise ValidationError(errors)
    dossier.samples_changed = (
        dossier.samples_received,
        dossier.samples_received_on,
    ) != (
        count,
        received_on,
    )
    if not dossier.samples_changed:
        return dossier

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


def dossier_history(product):
    """Every audit entry about a product's dossiers, evaluations and certificates."""
    from django.contrib.contenttypes.models import ContentType

    from ocop.models import AuditEntry

    dossiers = [
        str(pk)
        for pk in Dossier.objects.filter(registration__product=product).values_list(
            "pk", flat=True
        )
    ]
    evaluations = [
        str(pk)
        for pk in Evaluation.objects.filter(
            dossier__registration__product=product
        ).values_list("pk", flat=True)
    ]
    certificates = [
        str(pk)
        for pk in Certificate.objects.filter(product=product).values_list(
            "pk", flat=True
        )
    ]
    types = ContentType.objects.get_for_models(Dossier, Evaluation, Certificate)
    return AuditEntry.objects.filter(
        Q(content_type=types[Dossier], object_id__in=dossiers)
        | Q(content_type=types[Evaluation], object_id__in=evaluations)
        | Q(content_type=types[Certificate], object_id__in=certificates)
    ).select_related("actor")
