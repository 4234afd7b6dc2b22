"""A council member reads in the registry only the products their council's open
rounds are scoring, and those products' producers: not the whole province."""

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole
from registry.enums import Role
from registry.permissions import (
    visible_producers,
    visible_products,
    visible_registrations,
)
from tests.evaluation_builders import Meeting
from tests.factories import Area, UserFactory
from tests.test_evaluation_views import second_options

pytestmark = pytest.mark.django_db

MEETING_PRODUCT = "Du lịch cộng đồng bản Sì Thâu Chải"


@pytest.fixture
def meeting(lai_chau):
    """Tam Đường's open round scoring one product, beside four other products."""
    meeting = Meeting()
    meeting.area = Area()
    return meeting


def listed(client, user, name):
    client.force_login(user)
    response = client.get(reverse(f"registry:{name}-list"))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("username", ["chutich", "uyvien", "tuvan"])
def test_council_member_lists_only_the_products_of_their_open_rounds(
    client, meeting, username
):
    user = meeting.council.memberships.get(user__username=username).user
    producer = meeting.dossier.registration.product.producer

    products = listed(client, user, "product")
    producers = listed(client, user, "producer")
    registrations = listed(client, user, "registration")

    assert [p.name for p in products.context["object_list"]] == [MEETING_PRODUCT]
    assert [p.name for p in producers.context["object_list"]] == [producer.name]
    assert [r.product.name for r in registrations.context["object_list"]] == [
        MEETING_PRODUCT
    ]
    assert meeting.area.city.name not in products.content.decode()


def test_council_member_guessing_another_products_page_is_not_found(client, meeting):
    client.force_login(meeting.chair)
    other = meeting.area.city
    own = meeting.dossier.registration.product

    pages = [
        client.get(reverse("registry:product-detail", args=[other.pk])),
        client.get(reverse("registry:producer-detail", args=[other.producer.pk])),
        client.get(reverse("registry:product-detail", args=[own.pk])),
        client.get(reverse("registry:producer-detail", args=[own.producer.pk])),
    ]

    assert [page.status_code for page in pages] == [404, 404, 200, 200]


def test_member_of_another_council_sees_no_product(client, meeting):
    outsider = UserFactory(username="hoidong.khac", role=Role.COUNCIL_MEMBER)

    products = listed(client, outsider, "product")
    page = client.get(
        reverse(
            "registry:product-detail", args=[meeting.dossier.registration.product.pk]
        )
    )

    assert list(products.context["object_list"]) == []
    assert page.status_code == 404


def test_council_member_no_longer_reads_the_products_of_a_closed_round(meeting):
    for member in meeting.scorers():
        services.submit_member_score(
            meeting.evaluation, member, second_options(meeting.evaluation)
        )
    services.close_round(meeting.round, meeting.chair)

    assert list(visible_products(meeting.chair)) == []
    assert list(visible_producers(meeting.chair)) == []
    assert list(visible_registrations(meeting.chair)) == []


def test_council_member_visible_products_is_one_query(
    meeting, django_assert_num_queries
):
    advisor = meeting.council.memberships.get(role=CouncilRole.ADVISOR).user

    with django_assert_num_queries(1):
        names = [p.name for p in visible_products(advisor)]

    assert names == [MEETING_PRODUCT]
