"""The home page: the counts a programme office reports, within the user's area."""

import pytest
from django.urls import reverse

from registry.demo import create_demo_accounts
from registry.enums import ProducerKind, RegistrationKind
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    district,
    first_commune,
)

pytestmark = pytest.mark.django_db

HOME_QUERIES = 8


@pytest.fixture
def registry(lai_chau, settings):
    """2023: Tam Đường registers 3 products of 2 producers (one re-evaluated), the
    city 1 of an enterprise; 2024: Tam Đường registers 1."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create_demo_accounts("12")
    tam_duong, city = district(TAM_DUONG), district(LAI_CHAU_CITY)
    cooperative = ProducerFactory(commune=first_commune(TAM_DUONG))
    household = ProducerFactory(
        commune=first_commune(TAM_DUONG), kind=ProducerKind.HOUSEHOLD
    )
    enterprise = ProducerFactory(
        commune=first_commune(LAI_CHAU_CITY), kind=ProducerKind.ENTERPRISE
    )
    for producer in (cooperative, cooperative):
        RegistrationFactory(product__producer=producer, year=2023, district=tam_duong)
    RegistrationFactory(
        product__producer=household,
        year=2023,
        district=tam_duong,
        kind=RegistrationKind.RE_EVALUATION,
        previous_stars=3,
    )
    RegistrationFactory(product__producer=enterprise, year=2023, district=city)
    RegistrationFactory(
        product=ProductFactory(producer=cooperative), year=2024, district=tam_duong
    )


def rows(table):
    return {row["label"]: (row["products"], row["producers"]) for row in table}


def test_home_counts_by_district_for_the_chosen_year(registry, client):
    client.login(username="tinh", password="ocop-demo-2023")

    response = client.get(reverse("registry:home"), {"year": 2023})

    by_district = rows(response.context["by_district"])
    assert response.context["totals"] == {"products": 4, "producers": 3}
    assert by_district["Huyện Tam Đường"] == (3, 2)
    assert by_district["Thành phố Lai Châu"] == (1, 1)
    assert by_district["Huyện Mường Tè"] == (0, 0)
    assert len(by_district) == 8


def test_home_counts_by_producer_kind_and_registration_kind(registry, client):
    client.login(username="tinh", password="ocop-demo-2023")

    response = client.get(reverse("registry:home"), {"year": 2023})

    assert rows(response.context["by_producer_kind"]) == {
        "Hợp tác xã": (2, 1),
        "Hộ kinh doanh": (1, 1),
        "Doanh nghiệp": (1, 1),
    }
    assert rows(response.context["by_registration_kind"]) == {
        "Đăng ký mới": (3, 2),
        "Đánh giá lại": (1, 1),
    }


def test_home_defaults_to_the_latest_year(registry, client):
    client.login(username="tinh", password="ocop-demo-2023")

    response = client.get(reverse("registry:home"))

    assert response.context["year"] == 2024
    assert response.context["years"] == [2024, 2023]
    assert response.context["totals"] == {"products": 1, "producers": 1}


def test_home_of_a_district_officer_counts_only_its_district(registry, client):
    client.login(username="huyen.thanhpho", password="ocop-demo-2023")

    response = client.get(reverse("registry:home"))

    assert response.context["years"] == [2023]
    assert rows(response.context["by_district"]) == {"Thành phố Lai Châu": (1, 1)}
    assert response.context["totals"] == {"products": 1, "producers": 1}


def test_home_draws_charts_from_local_files(registry, client):
    client.login(username="tinh", password="ocop-demo-2023")

    response = client.get(reverse("registry:home"), {"year": 2023})

    html = response.content.decode()
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js">' in html
    assert 'id="chart-district"' in html
    assert response.context["chart_data"]["district"]["labels"][1] == "Huyện Tam Đường"
    assert response.context["chart_data"]["district"]["products"][1] == 3
    assert "cdn" not in html.lower()


def test_home_answers_in_a_fixed_number_of_queries(
    registry, client, django_assert_num_queries
):
    client.login(username="tinh", password="ocop-demo-2023")

    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("registry:home"), {"year": 2023})
    for _ in range(30):
        RegistrationFactory(year=2023)
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("registry:home"), {"year": 2023})

    assert response.context["totals"]["products"] == 34


def test_home_without_registrations_says_so(lai_chau, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create_demo_accounts("12")
    client.login(username="tinh", password="ocop-demo-2023")

    response = client.get(reverse("registry:home"))

    assert response.context["year"] is None
    assert "Chưa có sản phẩm nào đăng ký" in response.content.decode()
