"""A province's council rules (quy chế hội đồng), saved as its ``CouncilSettings``,
decide what blocks its rounds' results: the largest spread between the members'
totals and the quorum, the chair among it or not. Another province's settings do
not reach them; a province without settings keeps the defaults (10 points, three
quarters with the chair).

Each round here is a province council's round of 2026 under 26/2026/QĐ-TTg, on a
tourism product (set 26, whose sheet passes its checks as printed); the members'
totals are integers, so their spread is a whole number of points.
"""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from evaluation import services
from evaluation.enums import CouncilRole, Outcome, RoundState
from evaluation.models import CouncilSettings, Evaluation
from evaluation.sheets import sheet_spec
from registry.enums import Role
from registry.models import Commune, Province
from registry.places import load_province
from tests.factories import ProducerFactory, ProductFactory, RegistrationFactory
from tests.factories_evaluation import (
    CouncilFactory,
    MembershipFactory,
    ProgrammeYearFactory,
    account,
    load_sheets,
    prepared_dossier,
    rulebook,
    selections_for_total,
)

pytestmark = pytest.mark.django_db

TOURISM = 26
LAI_CHAU, DIEN_BIEN = "12", "11"


def spread_reason(gap, limit):
    return (
        f"Điểm của các thành viên chênh nhau {gap} điểm, vượt mức cho phép {limit}: "
        "hội đồng cần thảo luận và chấm lại."
    )


def quorum_reason(done, total, quorum, needed, *, chair=""):
    """The sentence of a quorum not met; ``chair`` is "missing" when the settings
    require the chair and the chair has not submitted, "counted" when they require
    the chair and it has."""
    if chair == "missing" and done >= needed:
        state = (
            f"Đã có {done} trong {total} thành viên được chấm sản phẩm này nộp "
            "phiếu nhưng chưa có phiếu của Chủ tịch hội đồng"
        )
    elif chair == "missing":
        state = (
            f"Mới có {done} trong {total} thành viên được chấm sản phẩm này nộp "
            "phiếu, chưa có phiếu của Chủ tịch hội đồng"
        )
    else:
        state = (
            f"Mới có {done} trong {total} thành viên được chấm sản phẩm này nộp phiếu"
        )
    if quorum == "1/1":
        rule = f"quy chế cần tất cả thành viên đó ({needed} người) nộp phiếu"
    else:
        rule = (
            f"quy chế cần ít nhất {quorum} số thành viên đó ({needed} người) nộp phiếu"
        )
    return f"{state}; {rule}{', kể cả Chủ tịch' if chair else ''}."


def save_settings(code, *, spread, quorum=(3, 4), chair=True):
    return CouncilSettings.objects.create(
        province=Province.objects.get(code=code),
        max_spread=Decimal(spread),
        quorum_numerator=quorum[0],
        quorum_denominator=quorum[1],
        is_chair_required=chair,
    )


def province_round(code, members, name="Du lịch cộng đồng bản Sì Thâu Chải"):
    """A province's 2026 round with one tourism product, its council of ``members``
    scoring members (the first chairs); returns ``(round, evaluation, users)``."""
    province = Province.objects.get(code=code)
    sets = load_sheets(TOURISM)
    book = rulebook("26-2026")
    ProgrammeYearFactory(province=province, year=2026, rulebook=book)
    tier = book.tiers.get(order=2)
    staff = account(f"tinh{code}", Role.PROVINCE_STAFF, province=province)
    council = CouncilFactory(tier=tier, province=province)
    users = [
        account(f"hd{code}.{position}", Role.COUNCIL_MEMBER, province=province)
        for position in range(1, members + 1)
    ]
    for position, user in enumerate(users):
        role = CouncilRole.CHAIR if position == 0 else CouncilRole.MEMBER
        MembershipFactory(council=council, user=user, role=role)
    round = services.open_round(
        tier,
        staff,
        council=council,
        year=2026,
        name=f"Đợt 1 năm 2026 tỉnh {province.name}",
        closes_on=date(2026, 6, 30),
    )
    commune = (
        Commune.objects.filter(province=province, is_current=True)
        .order_by("code")
        .first()
    )
    product = ProductFactory(
        name=name,
        producer=ProducerFactory(province=province, commune=commune),
        product_set=sets[TOURISM],
        is_product_set_confirmed=True,
    )
    registration = RegistrationFactory(product=product, year=2026)
    dossier = prepared_dossier(registration, staff, staff)
    evaluation = services.add_to_round(round, dossier, staff)
    services.record_precheck(evaluation, users[0], "Hồ sơ đầy đủ, đã khảo sát.")
    return round, evaluation, users


def submit(evaluation, users, totals):
    """Each of ``users`` submits a sheet of the total given, star minimums met."""
    spec = sheet_spec(evaluation.sheet)
    for user, total in zip(users, totals, strict=True):
        services.submit_member_score(
            evaluation, user, selections_for_total(spec, total, level=4)
        )


@pytest.fixture
def dien_bien(lai_chau):
    province, _ = load_province(DIEN_BIEN)
    return province


# -- the largest spread ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "totals", "blocked"),
    [
        # 74 - 70 = 4: exactly the limit of 4 stands.
        ("4", [70, 72, 74], []),
        # 75 - 70 = 5 > 4.
        ("4", [70, 72, 75], [spread_reason(5, "4")]),
        # 5 > 4.5, the limit written as the province saved it.
        ("4.50", [70, 72, 75], [spread_reason(5, "4.5")]),
        ("5", [70, 72, 75], []),
    ],
)
def test_compute_result_obeys_the_provinces_largest_spread(
    lai_chau, limit, totals, blocked
):
    save_settings(LAI_CHAU, spread=limit)
    _round, evaluation, users = province_round(LAI_CHAU, 3)
    submit(evaluation, users, totals)

    evaluation = services.compute_result(evaluation, users[0])

    assert evaluation.blocked_reasons == blocked


def test_close_round_is_refused_over_the_provinces_spread_and_changes_nothing(
    lai_chau,
):
    save_settings(LAI_CHAU, spread="4")
    round, evaluation, users = province_round(LAI_CHAU, 3)
    submit(evaluation, users, [70, 72, 75])

    with pytest.raises(ValidationError) as error:
        services.close_round(round, users[0])

    round.refresh_from_db()
    evaluation.refresh_from_db()
    assert error.value.messages == [
        f"Du lịch cộng đồng bản Sì Thâu Chải: {spread_reason(5, '4')}"
    ]
    assert round.state == RoundState.OPEN
    assert evaluation.frozen_at is None


def test_close_round_at_exactly_the_provinces_spread_certifies(lai_chau):
    save_settings(LAI_CHAU, spread="4")
    round, evaluation, users = province_round(LAI_CHAU, 3)
    submit(evaluation, users, [70, 72, 74])

    services.close_round(round, users[0])

    evaluation.refresh_from_db()
    # (70 + 72 + 74) / 3 = 72.00: 4★, certified by the province under 26/2026.
    assert (evaluation.score, evaluation.stars) == (Decimal("72.00"), 4)
    assert evaluation.outcome == Outcome.CERTIFIED
    assert evaluation.blocked_reasons == []
    assert evaluation.frozen_at is not None


# -- the quorum ------------------------------------------------------------------------

# A council of four, quorum two thirds without the chair: 2/3 × 4 = 8/3, rounded up
# 3 people: 3 of 4 stand, 2 of 4 do not.


def test_quorum_of_two_thirds_without_the_chair_lets_three_of_four_close(lai_chau):
    save_settings(LAI_CHAU, spread="10", quorum=(2, 3), chair=False)
    round, evaluation, users = province_round(LAI_CHAU, 4)
    submit(evaluation, users[1:], [70, 71, 72])

    services.close_round(round, users[0])

    evaluation.refresh_from_db()
    # (70 + 71 + 72) / 3 = 71.00.
    assert (evaluation.score, evaluation.stars) == (Decimal("71.00"), 4)
    assert evaluation.blocked_reasons == []
    assert evaluation.outcome == Outcome.CERTIFIED


def test_quorum_of_two_thirds_blocks_two_of_four(lai_chau):
    save_settings(LAI_CHAU, spread="10", quorum=(2, 3), chair=False)
    round, evaluation, users = province_round(LAI_CHAU, 4)
    submit(evaluation, users[2:], [70, 71])

    with pytest.raises(ValidationError) as error:
        services.close_round(round, users[0])

    assert error.value.messages == [
        f"Du lịch cộng đồng bản Sì Thâu Chải: {quorum_reason(2, 4, '2/3', 3)}"
    ]


def test_quorum_of_two_thirds_of_three_is_two(lai_chau):
    """2/3 × 3 = 2 people: 2 of 3 stand, 1 of 3 does not."""
    save_settings(LAI_CHAU, spread="10", quorum=(2, 3), chair=False)
    _round, evaluation, users = province_round(LAI_CHAU, 3)
    submit(evaluation, users[2:], [70])
    one = list(services.compute_result(evaluation, users[0]).blocked_reasons)
    submit(evaluation, users[1:2], [71])

    two = services.compute_result(evaluation, users[0]).blocked_reasons

    assert one == [quorum_reason(1, 3, "2/3", 2)]
    assert two == []


def test_chair_required_by_the_province_blocks_without_the_chair(lai_chau):
    save_settings(LAI_CHAU, spread="10", quorum=(2, 3), chair=True)
    _round, evaluation, users = province_round(LAI_CHAU, 4)
    submit(evaluation, users[1:], [70, 71, 72])

    evaluation = services.compute_result(evaluation, users[0])

    # 3 of 4 meet 2/3 (3 people), but not without the chair.
    assert evaluation.blocked_reasons == [
        quorum_reason(3, 4, "2/3", 3, chair="missing")
    ]


def test_council_rules_read_the_provinces_saved_settings(lai_chau):
    save_settings(LAI_CHAU, spread="4", quorum=(2, 3), chair=False)

    rules = services.council_rules(lai_chau)

    assert (rules.max_spread, rules.quorum, rules.is_chair_required) == (
        Decimal("4"),
        Fraction(2, 3),
        False,
    )


# -- one province's settings stay its own ---------------------------------------------


def test_another_provinces_settings_do_not_reach_lai_chau(dien_bien):
    """Điện Biên allows 20 points and half of the members without the chair; Lai
    Châu saved nothing and keeps 10 points, three quarters, the chair required."""
    save_settings(DIEN_BIEN, spread="20", quorum=(1, 2), chair=False)
    lai_chau_round, lai_chau_evaluation, lai_chau_users = province_round(LAI_CHAU, 4)
    dien_bien_round, dien_bien_evaluation, dien_bien_users = province_round(
        DIEN_BIEN, 4, name="Du lịch cộng đồng bản Mường Phăng"
    )
    # 81 - 70 = 11 points apart, the chair absent, 2 of 4 members.
    submit(lai_chau_evaluation, lai_chau_users[2:], [70, 81])
    submit(dien_bien_evaluation, dien_bien_users[2:], [70, 81])

    lai_chau_result = services.compute_result(lai_chau_evaluation, lai_chau_users[0])
    dien_bien_result = services.compute_result(dien_bien_evaluation, dien_bien_users[0])
    services.close_round(dien_bien_round, dien_bien_users[0])

    assert lai_chau_result.blocked_reasons == [
        spread_reason(11, "10"),
        quorum_reason(2, 4, "3/4", 3, chair="missing"),
    ]
    assert dien_bien_result.blocked_reasons == []
    dien_bien_round.refresh_from_db()
    lai_chau_round.refresh_from_db()
    assert (dien_bien_round.state, lai_chau_round.state) == (
        RoundState.CLOSED,
        RoundState.OPEN,
    )
    # (70 + 81) / 2 = 75.50: 4★, certified by Điện Biên.
    closed = Evaluation.objects.get(pk=dien_bien_evaluation.pk)
    assert (closed.score, closed.stars, closed.outcome) == (
        Decimal("75.50"),
        4,
        Outcome.CERTIFIED,
    )


def test_lai_chau_settings_do_not_reach_another_province(dien_bien):
    """Lai Châu allows only 4 points; Điện Biên saved nothing and keeps 10."""
    save_settings(LAI_CHAU, spread="4")
    _lai_chau_round, lai_chau_evaluation, lai_chau_users = province_round(LAI_CHAU, 3)
    _dien_bien_round, dien_bien_evaluation, dien_bien_users = province_round(
        DIEN_BIEN, 3, name="Du lịch cộng đồng bản Mường Phăng"
    )
    submit(lai_chau_evaluation, lai_chau_users, [70, 72, 76])
    submit(dien_bien_evaluation, dien_bien_users, [70, 72, 76])

    lai_chau_result = services.compute_result(lai_chau_evaluation, lai_chau_users[0])
    dien_bien_result = services.compute_result(dien_bien_evaluation, dien_bien_users[0])

    assert lai_chau_result.blocked_reasons == [spread_reason(6, "4")]
    assert dien_bien_result.blocked_reasons == []
    assert not CouncilSettings.objects.filter(province=dien_bien).exists()


# -- settings that no council could meet ---------------------------------------------


QUORUM_TOO_LARGE = (
    "Tử số phải từ 1 đến mẫu số (4): số thành viên tối thiểu là một phần của hội "
    "đồng, không quá cả hội đồng."
)


@pytest.mark.parametrize(
    ("spread", "numerator", "denominator", "errors"),
    [
        # 3/0 was saved, and every result of the province then failed with
        # ZeroDivisionError.
        (
            "10",
            3,
            0,
            {"quorum_denominator": ["Mẫu số phải từ 1 trở lên."]},
        ),
        # 0/4: no member needed at all.
        ("10", 0, 4, {"quorum_numerator": [QUORUM_TOO_LARGE]}),
        # 5/4: more members than the council has, no result could ever stand.
        ("10", 5, 4, {"quorum_numerator": [QUORUM_TOO_LARGE]}),
        ("-1", 3, 4, {"max_spread": ["Chênh lệch tối đa không được nhỏ hơn 0."]}),
    ],
)
def test_admin_refuses_council_settings_no_council_could_meet(
    lai_chau, admin_client, spread, numerator, denominator, errors
):
    from django.urls import reverse

    from ocop.models import AuditEntry

    response = admin_client.post(
        reverse("admin:evaluation_councilsettings_add"),
        {
            "province": lai_chau.pk,
            "max_spread": spread,
            "quorum_numerator": numerator,
            "quorum_denominator": denominator,
            "is_chair_required": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors
    assert not CouncilSettings.objects.exists()
    assert not AuditEntry.objects.filter(
        action="evaluation.councilsettings.created"
    ).exists()


def test_a_spread_of_zero_and_a_quorum_of_the_whole_council_are_settings_too(
    lai_chau,
):
    """0 points apart and every member (1/1): equal totals of all three stand."""
    settings = CouncilSettings(
        province=lai_chau,
        max_spread=Decimal("0"),
        quorum_numerator=1,
        quorum_denominator=1,
    )
    settings.full_clean()
    settings.save()
    _round, evaluation, users = province_round(LAI_CHAU, 3)
    submit(evaluation, users[:2], [70, 70])
    two_of_three = list(services.compute_result(evaluation, users[0]).blocked_reasons)
    submit(evaluation, users[2:], [70])

    all_three = services.compute_result(evaluation, users[0]).blocked_reasons

    assert two_of_three == [quorum_reason(2, 3, "1/1", 3, chair="counted")]
    assert all_three == []
