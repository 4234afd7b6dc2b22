"""A council member's home page starts with what waits for them: the products of
their open rounds whose sheet they have not submitted, with the rounds' closing
dates and a link to each scoring page."""

from datetime import date

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole
from evaluation.models import Round
from evaluation.permissions import evaluations_to_score
from registry.enums import Role
from tests.evaluation_builders import Meeting, district_council, waiting_dossier
from tests.factories import UserFactory
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def add_product(meeting, name):
    dossier = waiting_dossier(meeting.officer, name=name)
    evaluation = services.add_to_round(meeting.round, dossier, meeting.officer)
    services.record_precheck(evaluation, meeting.chair, "Hồ sơ đầy đủ.")
    return evaluation


def test_products_to_score_leave_out_the_submitted_and_the_declared(meeting):
    _chair, vice, _member = meeting.scorers()
    drafted = add_product(meeting, "Du lịch cộng đồng bản Lao Chải")
    declared = add_product(meeting, "Du lịch cộng đồng bản Thèn Pả")
    submitted = add_product(meeting, "Du lịch cộng đồng bản Nà Khương")
    services.save_member_score(drafted, vice, second_options(drafted)[:3])
    services.declare_conflict(meeting.council, vice, declared.dossier, "Họ hàng.")
    services.submit_member_score(submitted, vice, second_options(submitted))

    waiting = list(evaluations_to_score(vice))

    assert [(e.dossier.registration.product.name, e.has_draft) for e in waiting] == [
        ("Du lịch cộng đồng bản Sì Thâu Chải", False),
        ("Du lịch cộng đồng bản Lao Chải", True),
    ]


def test_products_to_score_come_soonest_closing_round_first_in_one_query(
    meeting, django_assert_num_queries
):
    chair = meeting.chair
    later = Round.objects.create(
        tier=meeting.round.tier,
        council=meeting.council,
        province=meeting.round.province,
        district=meeting.round.district,
        year=2023,
        name="Đợt 2 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 10, 30),
    )
    dossier = waiting_dossier(meeting.officer, name="Du lịch cộng đồng bản Lao Chải")
    services.add_to_round(later, dossier, meeting.officer)

    with django_assert_num_queries(1):
        rows = [
            (
                e.dossier.registration.product.name,
                e.dossier.registration.product.producer.name,
                e.round.name,
                e.round.closes_on,
                e.has_draft,
                e.precheck_at is not None,
            )
            for e in evaluations_to_score(chair)
        ]

    producer = meeting.dossier.registration.product.producer.name
    assert rows == [
        (
            "Du lịch cộng đồng bản Sì Thâu Chải",
            producer,
            "Đợt 1 năm 2023 huyện Tam Đường",
            date(2023, 6, 30),
            False,
            True,
        ),
        (
            "Du lịch cộng đồng bản Lao Chải",
            dossier.registration.product.producer.name,
            "Đợt 2 năm 2023 huyện Tam Đường",
            date(2023, 10, 30),
            False,
            False,
        ),
    ]


def test_products_to_score_leave_out_closed_rounds_other_councils_and_advisors(
    meeting,
):
    advisor = meeting.council.memberships.get(role=CouncilRole.ADVISOR).user
    outsider = UserFactory(username="hoidong.khac", role=Role.COUNCIL_MEMBER)
    district_council([(outsider, CouncilRole.MEMBER)])
    chair = meeting.chair
    for user in meeting.scorers():
        services.submit_member_score(
            meeting.evaluation, user, second_options(meeting.evaluation)
        )
    still_open = (
        list(evaluations_to_score(advisor)),
        list(evaluations_to_score(outsider)),
    )
    services.close_round(meeting.round, chair)

    assert still_open == ([], [])
    assert list(evaluations_to_score(chair)) == []


def test_home_of_a_council_member_starts_with_the_products_to_score(client, meeting):
    member = meeting.scorers()[2]
    client.force_login(member)

    response = client.get(reverse("registry:home"))

    content = response.content.decode()
    waiting = content.split('id="to-score"')[1].split("</div></div>")[0]
    score_url = reverse("evaluation:evaluation-score", args=[meeting.evaluation.pk])
    round_url = reverse("evaluation:round-detail", args=[meeting.round.pk])
    assert content.index('id="to-score"') < content.index('id="total-products"')
    assert [e.pk for e in response.context["to_score"]] == [meeting.evaluation.pk]
    assert "Du lịch cộng đồng bản Sì Thâu Chải" in waiting
    assert f'href="{score_url}"' in waiting
    assert f'href="{round_url}">Đợt 1 năm 2023 huyện Tam Đường</a>' in waiting
    assert "hạn 30/06/2023" in waiting


def test_home_of_a_council_member_with_nothing_to_score_says_so(client, meeting):
    member = meeting.scorers()[2]
    services.submit_member_score(
        meeting.evaluation, member, second_options(meeting.evaluation)
    )
    client.force_login(member)

    response = client.get(reverse("registry:home"))

    assert response.context["to_score"] == []
    assert (
        "Không có sản phẩm nào chờ bạn chấm: mọi phiếu của bạn ở các đợt đang mở đã "
        "nộp."
    ) in response.content.decode()


def test_home_of_an_officer_has_no_products_to_score(client, meeting):
    client.force_login(meeting.officer)

    response = client.get(reverse("registry:home"))

    assert "to_score" not in response.context
    assert 'id="to-score"' not in response.content.decode()
