"""Products of the 2023 list whose certificate was issued on paper before the
system: a Tam Đường product starred 3 in 2020 and registered for re-evaluation in
2023 (section B), and one applying for an upgrade (section C), each with its
dossier opened through the evaluation's services."""

from dataclasses import dataclass
from datetime import date

from evaluation import services
from evaluation.models import Dossier
from registry.enums import RegistrationKind, Role
from registry.models import ProductSet, Registration
from tests.evaluation_builders import TOURISM_SET, programme_2023
from tests.factories import (
    TAM_DUONG,
    RegistrationFactory,
    UserFactory,
    commune,
    district,
)

# As a paper certificate of 2020 reads.
PAPER = {
    "number": "125/GCN-UBND",
    "stars": 3,
    "issuing_authority": "Ủy ban nhân dân tỉnh Lai Châu",
    "decision_number": "2150/QĐ-UBND",
    "decision_date": date(2020, 12, 15),
}


@dataclass
class Season:
    staff: object
    officer: object
    registration: Registration
    dossier: Dossier

    @property
    def product(self):
        return self.registration.product


def province_staff():
    return UserFactory(username="tinh.ocop", role=Role.PROVINCE_STAFF)


def district_officer():
    return UserFactory(
        username="huyen.tamduong",
        role=Role.DISTRICT_OFFICER,
        district=district(TAM_DUONG),
    )


def following(
    kind=RegistrationKind.RE_EVALUATION,
    *,
    previous_stars=3,
    previous_year=2020,
    name="Du lịch cộng đồng bản Sin Suối Hồ",
):
    """A 2023 re-evaluation (or upgrade) of a Tam Đường tourism product, its set
    confirmed, its dossier a draft that follows no certificate."""
    programme_2023()
    registration = RegistrationFactory(
        product__name=name,
        product__product_set=ProductSet.objects.get(number=TOURISM_SET),
        product__is_product_set_confirmed=True,
        product__producer__commune=commune("Xã Bình Lư", TAM_DUONG),
        kind=kind,
        previous_stars=previous_stars,
        previous_year=previous_year,
    )
    officer = district_officer()
    dossier = services.create_dossier(registration, officer)
    return Season(province_staff(), officer, registration, dossier)
