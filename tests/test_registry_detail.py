"""The producer's and the product's pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.enums import RegistrationKind, Role
from registry.models import CommuneSuccession
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    UserFactory,
    commune,
    district,
)

pytestmark = pytest.mark.django_db

# Session, user, the producer, its products, their registrations, today's communes,
# and the permission check on the producer.
PRODUCER_PAGE_QUERIES = 7


@pytest.fixture
def staff(lai_chau, client):
    user = UserFactory(role=Role.PROVINCE_STAFF)
    client.force_login(user)
    return user


def test_producer_page_shows_address_and_todays_commune(staff, client):
    old = commune("Xã Sơn Bình", TAM_DUONG)
    new = CommuneSuccession.objects.get(old=old).new
    producer = ProducerFactory(address="Bản Nà Khum", commune=old)

    response = client.get(producer.get_absolute_url())

    html = response.content.decode()
    assert "Bản Nà Khum, Xã Sơn Bình, Huyện Tam Đường" in html
    assert "Từ 01/07/2025 thuộc:" in html
    assert [s.new for s in response.context["successions"]] == [new]


def test_address_that_names_its_commune_does_not_repeat_it(staff, client):
    ward = commune("Phường Quyết Thắng", LAI_CHAU_CITY)
    producer = ProducerFactory(address="Tổ 1, phường Quyết Thắng", commune=ward)

    response = client.get(producer.get_absolute_url())

    assert producer.full_address == "Tổ 1, phường Quyết Thắng, Thành phố Lai Châu"
    assert "Tổ 1, phường Quyết Thắng, Thành phố Lai Châu" in response.content.decode()
    other = ProducerFactory(address="Bản Nà Khum", commune=ward)
    assert other.full_address == "Bản Nà Khum, Phường Quyết Thắng, Thành phố Lai Châu"


def test_producer_page_lists_its_products_with_their_years(staff, client):
    producer = ProducerFactory()
    tea = RegistrationFactory(
        product__producer=producer, product__name="Chè Shan tuyết", year=2023
    ).product
    RegistrationFactory(
        product=tea,
        year=2024,
        kind=RegistrationKind.UPGRADE,
        previous_stars=3,
        district=district(LAI_CHAU_CITY),
    )
    honey = ProductFactory(producer=producer, name="Mật ong")

    response = client.get(producer.get_absolute_url())

    products = list(response.context["products"])
    assert products == [tea, honey]
    assert [r.year for r in tea.registrations.order_by("-year")] == [2024, 2023]
    assert "2024: Nâng hạng sao · Thành phố Lai Châu" in response.content.decode()


def test_product_page_shows_registrations_across_years(staff, client):
    first = RegistrationFactory(year=2023)
    RegistrationFactory(
        product=first.product,
        year=2026,
        kind=RegistrationKind.RE_EVALUATION,
        previous_stars=4,
        previous_year=2023,
    )

    response = client.get(first.product.get_absolute_url())

    registrations = response.context["registrations"]
    assert [(r.year, r.kind) for r in registrations] == [
        (2026, "re_evaluation"),
        (2023, "new"),
    ]
    html = response.content.decode()
    assert 'id="product-history"' in html
    assert f'href="{first.product.producer.get_absolute_url()}"' in html


def test_product_page_offers_edit_and_registration_to_staff(staff, client):
    product = ProductFactory()

    response = client.get(product.get_absolute_url())

    html = response.content.decode()
    assert response.context["can_change"] is True
    assert reverse("registry:product-update", args=[product.pk]) in html
    assert reverse("registry:registration-create", args=[product.pk]) in html


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_detail_pages_queries_do_not_grow_with_products_or_years(staff, client):
    producer = ProducerFactory()
    product = RegistrationFactory(product__producer=producer, year=2023).product
    producer_url, product_url = producer.get_absolute_url(), product.get_absolute_url()
    few = page_queries(client, producer_url), page_queries(client, product_url)

    for year in (2024, 2025, 2026):
        RegistrationFactory(product=product, year=year)
        for _ in range(3):
            RegistrationFactory(product__producer=producer, year=year)
    many = page_queries(client, producer_url), page_queries(client, product_url)

    assert many == few
    assert few[0] == PRODUCER_PAGE_QUERIES
