"""A council meeting ready to score, built through the evaluation services.

Used by the evaluation page tests and the browser test: Lai Châu's 2023 programme
under 148/QĐ-TTg, a Tam Đường tourism product (set 26, whose sheet passes its
checks) assessed by its commune and waiting at the district council, a council of
three scoring members and an advisor, an open round with the advisory report done.
"""

from datetime import date

from evaluation import services
from evaluation.enums import CouncilRole
from evaluation.models import Council, CouncilMembership, ProgrammeYear
from evaluation.rulebooks import load_rulebooks
from evaluation.sheets import load_scoring_sheets
from registry.enums import Role
from registry.models import ProductSet
from tests.factories import (
    TAM_DUONG,
    RegistrationFactory,
    UserFactory,
    commune,
    district,
    province,
)

TOURISM_SET = 26


def tam_duong_officer():
    """The Tam Đường district officer who keeps the dossier pages' drafts."""
    return UserFactory(
        username="canbo.tamduong",
        role=Role.DISTRICT_OFFICER,
        district=district(TAM_DUONG),
    )


def binh_lu_officer():
    """The officer of Xã Bình Lư (Tam Đường), who records its assessments."""
    return UserFactory(
        username="canbo.binhlu",
        role=Role.COMMUNE_OFFICER,
        district=district(TAM_DUONG),
        commune=commune("Xã Bình Lư", TAM_DUONG),
    )


def draft_dossier(officer):
    """A Bình Lư tourism product's 2023 dossier, still a draft, its set unconfirmed."""
    programme_2023()
    registration = RegistrationFactory(
        product__name="Du lịch cộng đồng bản Thèn Pả",
        product__producer__commune=commune("Xã Bình Lư", TAM_DUONG),
    )
    return services.create_dossier(registration, officer)


def programme_2023():
    rulebooks = load_rulebooks()
    load_scoring_sheets(numbers=[TOURISM_SET])
    programme, _ = ProgrammeYear.objects.get_or_create(
        province=province(), year=2023, defaults={"rulebook": rulebooks["148-2023"]}
    )
    return programme


def waiting_dossier(
    officer, name="Du lịch cộng đồng bản Sì Thâu Chải", commune_name="Xã Bình Lư"
):
    """A dossier of a Tam Đường product, assessed and sent up to the district."""
    registration = RegistrationFactory(
        product__name=name,
        product__product_set=ProductSet.objects.get(number=TOURISM_SET),
        product__is_product_set_confirmed=True,
        product__producer__commune=commune(commune_name, TAM_DUONG),
    )
    dossier = services.create_dossier(registration, officer)
    services.submit_dossier(dossier, officer, received_on=date(2023, 4, 3))
    services.record_commune_assessment(
        dossier,
        officer,
        local_origin="Bản người Dao đỏ, nguyên liệu tại chỗ.",
        local_labour="Hai mươi hộ trong bản làm dịch vụ.",
        idea_origin="Ý tưởng của tổ hợp tác trong bản.",
        local_identity="Nhà trình tường, lễ cấp sắc.",
        assessed_on=date(2023, 4, 14),
    )
    services.send_up(dossier, officer)
    dossier.refresh_from_db()
    return dossier


def district_council(members):
    """The Tam Đường council of 2023; ``members`` are ``(user, role)`` pairs."""
    programme = ProgrammeYear.objects.get(province=province(), year=2023)
    tier = programme.rulebook.tiers.get(order=2)
    council = Council.objects.create(
        tier=tier,
        province=province(),
        district=district(TAM_DUONG),
        year=2023,
        name="Hội đồng OCOP huyện Tam Đường năm 2023",
    )
    for user, role in members:
        CouncilMembership.objects.create(council=council, user=user, role=role)
    return council


def council_members():
    """A chair, a vice-chair and a member who score, and an advisor who does not."""
    return [
        (UserFactory(username="chutich", role=Role.COUNCIL_MEMBER), CouncilRole.CHAIR),
        (
            UserFactory(username="phochutich", role=Role.COUNCIL_MEMBER),
            CouncilRole.VICE_CHAIR,
        ),
        (UserFactory(username="uyvien", role=Role.COUNCIL_MEMBER), CouncilRole.MEMBER),
        (UserFactory(username="tuvan", role=Role.COUNCIL_MEMBER), CouncilRole.ADVISOR),
    ]


class Meeting:
    """Everything a council meeting needs, with the advisory report recorded."""

    def __init__(self, members=None, officer=None):
        self.programme = programme_2023()
        self.officer = officer or UserFactory(
            username="canbo.tamduong",
            role=Role.DISTRICT_OFFICER,
            district=district(TAM_DUONG),
        )
        self.dossier = waiting_dossier(self.officer)
        self.council = district_council(members or council_members())
        self.chair = self.council.memberships.get(role=CouncilRole.CHAIR).user
        self.round = services.open_round(
            self.dossier.current_tier,
            self.officer,
            council=self.council,
            year=2023,
            name="Đợt 1 năm 2023 huyện Tam Đường",
            closes_on=date(2023, 6, 30),
            district=district(TAM_DUONG),
        )
        self.evaluation = services.add_to_round(self.round, self.dossier, self.officer)
        services.record_precheck(
            self.evaluation, self.chair, "Hồ sơ đầy đủ, đã khảo sát thực địa."
        )
        self.evaluation.refresh_from_db()

    def scorers(self):
        return [
            m.user
            for m in self.council.memberships.exclude(role=CouncilRole.ADVISOR)
            .select_related("user")
            .order_by("id")
        ]
