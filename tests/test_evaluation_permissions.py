"""Each role sees and acts only on its own area: every forbidden action is tried."""

from datetime import date
from types import SimpleNamespace

import pytest

from evaluation import services
from evaluation.permissions import (
    visible_dossiers,
    visible_evaluations,
    visible_rounds,
)
from registry.enums import Role
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    district,
    first_commune,
)
from tests.factories_evaluation import (
    ProgrammeYearFactory,
    account,
    council_with_members,
    load_sheets,
    prepared_dossier,
    rulebook,
)

TEA = 11


def registration(tea, name, district_code):
    producer = ProducerFactory(commune=first_commune(district_code))
    product = ProductFactory(
        producer=producer, name=name, product_set=tea, is_product_set_confirmed=True
    )
    return RegistrationFactory(product=product)


@pytest.fixture
def area(lai_chau):
    tea = load_sheets(TEA)[TEA]
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    tam_duong, city = district(TAM_DUONG), district(LAI_CHAU_CITY)
    users = SimpleNamespace(
        province=account("p.tinh", Role.PROVINCE_STAFF),
        admin=account("p.quantri", Role.ADMINISTRATOR),
        tam_duong=account("p.huyen.td", Role.DISTRICT_OFFICER, district=tam_duong),
        city=account("p.huyen.tp", Role.DISTRICT_OFFICER, district=city),
        commune=account(
            "p.xa.td", Role.COMMUNE_OFFICER, commune=first_commune(TAM_DUONG)
        ),
        other_commune=account(
            "p.xa.tp", Role.COMMUNE_OFFICER, commune=first_commune(LAI_CHAU_CITY)
        ),
        outsider=account("p.hoidong.khac", Role.COUNCIL_MEMBER),
    )
    in_tam_duong = prepared_dossier(
        registration(tea, "Chè Tả Lèng", TAM_DUONG), users.tam_duong, users.commune
    )
    in_city = prepared_dossier(
        registration(tea, "Chè San Thàng", LAI_CHAU_CITY),
        users.city,
        users.other_commune,
    )
    tier = book.tiers.get(order=2)
    council, members = council_with_members(tier, 3, district=tam_duong, prefix="p")
    round = services.open_round(
        tier,
        users.tam_duong,
        council=council,
        year=2023,
        name="Đợt 1 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 6, 30),
        district=tam_duong,
    )
    evaluation = services.add_to_round(round, in_tam_duong, users.tam_duong)
    users.chair, users.member = members[0], members[1]
    return SimpleNamespace(
        users=users,
        in_tam_duong=in_tam_duong,
        in_city=in_city,
        round=round,
        evaluation=evaluation,
    )


def visible(user):
    return {d.registration.product.name for d in visible_dossiers(user)}


def test_each_role_sees_only_its_areas_dossiers(area):
    u = area.users

    assert visible(u.province) == {"Chè Tả Lèng", "Chè San Thàng"}
    assert visible(u.tam_duong) == {"Chè Tả Lèng"}
    assert visible(u.city) == {"Chè San Thàng"}
    assert visible(u.commune) == {"Chè Tả Lèng"}
    assert visible(u.other_commune) == {"Chè San Thàng"}
    assert visible(u.member) == {"Chè Tả Lèng"}
    assert visible(u.outsider) == set()


def test_council_member_no_longer_sees_the_dossiers_of_a_closed_round(area):
    area.round.state = "closed"
    area.round.save(update_fields=["state"])

    assert visible(area.users.member) == set()
    assert list(visible_evaluations(area.users.member)) == []


def test_visible_dossiers_is_one_query(area, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(visible_dossiers(area.users.member))


def test_visible_rounds_by_role(area):
    u = area.users

    assert list(visible_rounds(u.province)) == [area.round]
    assert list(visible_rounds(u.tam_duong)) == [area.round]
    assert list(visible_rounds(u.city)) == []
    assert list(visible_rounds(u.member)) == [area.round]
    assert list(visible_rounds(u.outsider)) == []
    assert list(visible_rounds(u.commune)) == []


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("province", True),
        ("tam_duong", True),
        ("commune", True),
        ("city", False),
        ("other_commune", False),
        ("member", False),
        ("outsider", False),
    ],
)
def test_change_dossier_is_limited_to_its_area(area, who, allowed):
    user = getattr(area.users, who)

    assert user.has_perm("evaluation.change_dossier", area.in_tam_duong) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("tam_duong", True),
        ("province", False),
        ("commune", False),
        ("city", False),
        ("other_commune", False),
        ("member", False),
        ("outsider", False),
    ],
)
def test_return_of_a_dossier_at_the_district_council_is_for_its_district(
    area, who, allowed
):
    user = getattr(area.users, who)

    assert user.has_perm("evaluation.return_dossier", area.in_tam_duong) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("province", True),
        ("commune", True),
        ("tam_duong", False),
        ("other_commune", False),
        ("member", False),
    ],
)
def test_commune_assessment_belongs_to_the_commune(area, who, allowed):
    user = getattr(area.users, who)

    assert user.has_perm("evaluation.assess_dossier", area.in_tam_duong) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("member", True),
        ("chair", True),
        ("outsider", False),
        ("province", False),
        ("tam_duong", False),
    ],
)
def test_only_the_rounds_council_members_score(area, who, allowed):
    user = getattr(area.users, who)

    assert user.has_perm("evaluation.score_evaluation", area.evaluation) is allowed


def test_nobody_scores_in_a_closed_round(area):
    area.round.state = "closed"
    area.round.save(update_fields=["state"])

    assert (
        area.users.member.has_perm("evaluation.score_evaluation", area.evaluation)
        is False
    )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("chair", True), ("member", False), ("province", False), ("tam_duong", False)],
)
def test_only_the_chair_closes_the_round_and_corrects_scores(area, who, allowed):
    user = getattr(area.users, who)

    assert user.has_perm("evaluation.close_round", area.round) is allowed
    assert user.has_perm("evaluation.correct_score", area.evaluation) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("province", True),
        ("tam_duong", True),
        ("city", False),
        ("commune", False),
        ("member", False),
    ],
)
def test_managing_a_district_round_is_for_its_district_and_the_province(
    area, who, allowed
):
    user = getattr(area.users, who)

    assert user.has_perm("evaluation.manage_round", area.round) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("province", True), ("admin", True), ("tam_duong", False), ("member", False)],
)
def test_ministry_results_and_revocations_are_for_the_province(area, who, allowed):
    user = getattr(area.users, who)

    assert user.has_perm("evaluation.record_ministry_result") is allowed
    assert user.has_perm("evaluation.revoke_certificate") is allowed


def test_only_administrators_correct_sheets(area):
    assert area.users.admin.has_perm("evaluation.manage_sheets") is True
    assert area.users.province.has_perm("evaluation.manage_sheets") is False
