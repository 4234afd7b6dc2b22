"""A province's programme years, and opening the dossiers of their registrations.

A programme year runs under one rulebook, which must be in force during the year:
the 2023 plan under 148/QĐ-TTg, a 2026 programme under 26/2026/QĐ-TTg. Each of the
year's registrations then gets its dossier, opened under that rulebook.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop import audit
from registry.enums import FIRST_PROGRAMME_YEAR, last_programme_year
from registry.models import Province

from ..models import ProgrammeYear
from ._helpers import _locked, _rulebook_validity
from .dossiers import create_dossier


def rulebook_covers_year(rulebook, year):
    """Whether the rulebook is in force on at least one day of ``year``.

    A rule that changes during a year (148/QĐ-TTg until 5 July 2025, 26/2026/QĐ-TTg
    from 22 May 2026) may govern that year's programme.
    """
    first_day = max(date(year, 1, 1), rulebook.valid_from)
    return first_day <= date(year, 12, 31) and rulebook.applies_on(first_day)


@transaction.atomic
def open_programme_year(actor, *, province, year, rulebook, plan_reference=""):
    """Open a province's programme for a year, under a rulebook in force that year.

    One programme per province and year; a year from 2018 (the programme's start)
    to the next one.
    Side effects: an audit entry ``evaluation.programme_year.opened``.
    """
    # Two offices opening the same year at once: the second waits, then is refused.
    province = _locked(Province, province)
    latest = last_programme_year()
    errors = {}
    if year is None or not FIRST_PROGRAMME_YEAR <= year <= latest:
        errors["year"] = _("Năm chương trình phải từ %(first)s đến %(last)s.") % {
            "first": FIRST_PROGRAMME_YEAR,
            "last": latest,
        }
    elif ProgrammeYear.objects.filter(province=province, year=year).exists():
        errors["year"] = _("%(province)s đã có năm chương trình %(year)s.") % {
            "province": province.name,
            "year": year,
        }
    if rulebook is None:
        errors["rulebook"] = _("Cần chọn quy định áp dụng.")
    elif "year" not in errors and not rulebook_covers_year(rulebook, year):
        errors["rulebook"] = _(
            "Quy định %(rulebook)s áp dụng %(validity)s, không áp dụng cho năm "
            "%(year)s."
        ) % {
            "rulebook": rulebook.legal_basis,
            "validity": _rulebook_validity(rulebook),
            "year": year,
        }
    if errors:
        raise ValidationError(errors)

    programme = ProgrammeYear.objects.create(
        province=province,
        year=year,
        rulebook=rulebook,
        plan_reference=(plan_reference or "").strip(),
    )
    audit.record(
        actor,
        "evaluation.programme_year.opened",
        programme,
        data={"year": year, "rulebook": rulebook.code},
    )
    return programme


@dataclass
class OpenedDossiers:
    """What opening a year's dossiers did: the dossiers opened, and the
    registrations skipped because they had one already."""

    opened: list = field(default_factory=list)
    already: list = field(default_factory=list)

    @property
    def without_product_set(self):
        return [d for d in self.opened if d.registration.product.product_set_id is None]


@transaction.atomic
def open_dossiers(programme, actor, registrations):
    """Open a dossier for each registration of the programme's year that has none.

    ``registrations`` is what the actor may act on (``visible_registrations``): a
    district officer opens only their district's. All in one transaction, the
    programme year locked, so that two offices opening at once open each dossier
    once. Opening again opens nothing more and records nothing.
    Side effects: an audit entry ``evaluation.dossier.created`` per dossier, and
    ``evaluation.programme_year.dossiers_opened`` once, when any was opened.
    """
    programme = _locked(ProgrammeYear, programme)
    of_year = (
        registrations.filter(province_id=programme.province_id, year=programme.year)
        .select_related("product__producer", "district", "commune")
        .order_by("district__code", "id")
    )
    result = OpenedDossiers(already=list(of_year.filter(dossier__isnull=False)))
    for registration in of_year.filter(dossier__isnull=True):
        result.opened.append(create_dossier(registration, actor))
    if result.opened:
        audit.record(
            actor,
            "evaluation.programme_year.dossiers_opened",
            programme,
            data={"opened": len(result.opened), "already": len(result.already)},
        )
    return result
