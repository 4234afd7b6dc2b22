"""What the workflow moves share: row locks, guards, look-ups."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.enums import RegistrationKind

from ..enums import (
    CouncilRole,
    RoundState,
)
from ..models import (
    CouncilMembership,
    ProgrammeYear,
)
from ..sheets import scoring_sheet

# Registrations that renew or raise an earlier certificate.
FOLLOWING_KINDS = (RegistrationKind.RE_EVALUATION, RegistrationKind.UPGRADE)


def _locked(model, obj):
    """The row again, locked until the end of the transaction."""
    return model.objects.select_for_update().get(pk=obj.pk)


class StateRefusal(ValidationError):
    """A move refused because of the dossier's state (or its stage), not because of
    what was typed: the dossier moved on since the page was opened. The pages say
    so instead of showing the refusal at a form that may no longer be there."""


def _state_refusal(dossier):
    return StateRefusal(
        _("Hồ sơ đang ở trạng thái “%(state)s”, không thực hiện được thao tác này.")
        % {"state": dossier.get_state_display()},
        code="state",
    )


def _require_state(dossier, *states):
    if dossier.state not in states:
        raise _state_refusal(dossier)


def _require_text(value, field, message):
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _future_date_error(value):
    """The refusal of a date that has not come yet (a receipt, an assessment, a
    decision), or None."""
    if value is not None and value > timezone.localdate():
        return _("Ngày không được sau hôm nay.")
    return None


def _require_past_date(value, field):
    message = _future_date_error(value)
    if message:
        raise ValidationError({field: message})
    return value


def _before_dossier_year_error(value, dossier):
    """The refusal of a date (samples received, the Ministry's decision) before 1
    January of the dossier's programme year, or None: a typing slip, such as
    1900."""
    year = dossier.programme_year.year
    if value is not None and value < date(year, 1, 1):
        return _(
            "Ngày không được trước 01/01/%(year)s: hồ sơ thuộc năm chương trình "
            "%(year)s."
        ) % {"year": year}
    return None


def _before_round_year_error(value, round):
    """The refusal of a decision on a round's results dated before 1 January of
    the round's year, or None. (The day the sheets were entered is no bound: a
    round held on paper may be entered in the system after its decision.)"""
    if value is not None and value < date(round.year, 1, 1):
        return _(
            "Ngày không được trước 01/01/%(year)s: đợt đánh giá thuộc năm %(year)s."
        ) % {"year": round.year}
    return None


def _rulebook_validity(rulebook):
    """When a rulebook applies, as a sentence says it: “từ 24/02/2023 đến
    05/07/2025”."""
    if rulebook.valid_to is None:
        return _("từ %(start)s") % {"start": f"{rulebook.valid_from:%d/%m/%Y}"}
    return _("từ %(start)s đến %(end)s") % {
        "start": f"{rulebook.valid_from:%d/%m/%Y}",
        "end": f"{rulebook.valid_to:%d/%m/%Y}",
    }


def _area_name(name):
    """“Huyện Tam Đường” as it reads inside a sentence: “huyện Tam Đường”."""
    return name[:1].lower() + name[1:] if name else ""


def scoring_sheet_for(product_set, rulebook):
    """The sheet of a product set that the rulebook's councils score on: the newest
    version of its edition that passes its checks (``sheets.scoring_sheet``)."""
    if product_set is None:
        return None
    return scoring_sheet(product_set, rulebook.sheet_edition)


def programme_year_for(registration):
    programme = ProgrammeYear.objects.filter(
        province_id=registration.province_id, year=registration.year
    ).first()
    if programme is None:
        raise ValidationError(
            _("Chưa khai báo năm chương trình %(year)s của tỉnh và quy định áp dụng.")
            % {"year": registration.year}
        )
    return programme


def membership(council, user):
    """The user's membership of a council, or None."""
    if council is None or user is None or not user.is_authenticated:
        return None
    return CouncilMembership.objects.filter(council=council, user=user).first()


def _require_chair(council, actor):
    member = membership(council, actor)
    if member is None or member.role != CouncilRole.CHAIR:
        raise ValidationError(_("Chỉ Chủ tịch hội đồng được thực hiện thao tác này."))


def _require_unfrozen(evaluation):
    if evaluation.frozen_at is not None or evaluation.round.state != RoundState.OPEN:
        raise ValidationError(_("Kết quả đã chốt; không sửa được nữa."))
