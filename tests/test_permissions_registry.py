"""Who sees and changes what: each role against the records of its area and others'."""

from datetime import date

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.enums import CouncilRole
from ocop.models import AuditEntry
from registry.demo import create_demo_accounts
from registry.enums import ProducerKind, Role
from registry.models import Producer, Product, ProductSet, Province, Registration
from registry.permissions import visible_producers, visible_products
from tests.evaluation_builders import TOURISM_SET, district_council, programme_2023
from tests.factories import Area, ProducerFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(lai_chau, settings):
    # Demo accounts hash their password; a fast hasher keeps these tests quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create_demo_accounts("12")
    return Area()


@pytest.fixture
def login(client):
    from registry.models import User

    def login_as(username):
        user = User.objects.get(username=username)
        client.force_login(user)
        return user

    return login_as


def names(response):
    return sorted(p.name for p in response.context["object_list"])


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("tinh", ["binh_lu", "city", "crossed", "tam_duong"]),
        ("quantri", ["binh_lu", "city", "crossed", "tam_duong"]),
        # A council member reads only what their open rounds score: none here.
        ("hoidong1", []),
        # Tam Đường sees what it registered and what its producers make.
        ("huyen.tamduong", ["binh_lu", "crossed", "tam_duong"]),
        # The city sees what it registered, whoever makes it.
        ("huyen.thanhpho", ["city", "crossed"]),
        ("xa.binhlu", ["binh_lu"]),
    ],
)
def test_product_list_shows_only_the_role_area(area, client, login, username, expected):
    login(username)

    response = client.get(reverse("registry:product-list"))

    assert response.status_code == 200
    assert names(response) == sorted(getattr(area, key).name for key in expected)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("tinh", ["binh_lu", "city", "crossed", "tam_duong"]),
        ("huyen.tamduong", ["binh_lu", "crossed", "tam_duong"]),
        ("huyen.thanhpho", ["city", "crossed"]),
        ("xa.binhlu", ["binh_lu"]),
    ],
)
def test_producer_list_shows_only_the_role_area(
    area, client, login, username, expected
):
    login(username)

    response = client.get(reverse("registry:producer-list"))

    assert names(response) == sorted(
        getattr(area, key).producer.name for key in expected
    )


def test_registration_list_of_district_officer_shows_its_registrations(
    area, client, login
):
    login("huyen.thanhpho")

    response = client.get(reverse("registry:registration-list"))

    assert sorted(r.product.name for r in response.context["object_list"]) == sorted(
        [area.city.name, area.crossed.name]
    )


def test_province_staff_does_not_see_another_province(area, client, login):
    other = Province.objects.create(code="99", name="Tỉnh Thử", kind="tinh")
    stranger = ProducerFactory(province=other, commune=None, name="Chủ thể tỉnh khác")
    user = login("tinh")

    response = client.get(reverse("registry:producer-list"))

    assert stranger.name not in names(response)
    assert visible_producers(user).filter(pk=stranger.pk).exists() is False


@pytest.mark.parametrize(
    ("username", "key"),
    [
        ("huyen.tamduong", "city"),
        ("huyen.thanhpho", "tam_duong"),
        ("xa.binhlu", "tam_duong"),
        ("xa.binhlu", "city"),
    ],
)
def test_detail_of_another_area_is_not_found(area, client, login, username, key):
    product = getattr(area, key)
    login(username)

    product_page = client.get(reverse("registry:product-detail", args=[product.pk]))
    producer_page = client.get(
        reverse("registry:producer-detail", args=[product.producer.pk])
    )

    assert product_page.status_code == 404
    assert producer_page.status_code == 404


@pytest.mark.parametrize(
    ("username", "key"),
    [
        ("huyen.tamduong", "city"),
        ("huyen.thanhpho", "tam_duong"),
        ("xa.binhlu", "city"),
    ],
)
def test_edit_pages_of_another_area_are_not_found(area, client, login, username, key):
    product = getattr(area, key)
    registration = product.registrations.get()
    login(username)

    urls = [
        reverse("registry:product-update", args=[product.pk]),
        reverse("registry:producer-update", args=[product.producer.pk]),
        reverse("registry:registration-create", args=[product.pk]),
        reverse("registry:registration-update", args=[registration.pk]),
    ]

    assert [client.get(url).status_code for url in urls] == [404, 404, 404, 404]


def test_post_to_another_district_product_is_refused(area, client, login):
    login("huyen.tamduong")

    response = client.post(
        reverse("registry:product-update", args=[area.city.pk]),
        {"producer": area.city.producer.pk, "name": "Tên đã bị sửa"},
    )

    assert response.status_code == 404
    assert Product.objects.get(pk=area.city.pk).name == "Rượu San Thàng"
    assert AuditEntry.objects.count() == 0


def in_open_round_of(product, chair):
    """Put the product's 2023 dossier into an open round chaired by ``chair``."""
    programme_2023()
    product.product_set = ProductSet.objects.get(number=TOURISM_SET)
    product.is_product_set_confirmed = True
    product.save()
    officer = UserFactory(role=Role.PROVINCE_STAFF)
    dossier = services.create_dossier(product.registrations.get(), officer)
    services.submit_dossier(dossier, officer, received_on=date(2023, 4, 3))
    services.record_commune_assessment(
        dossier,
        officer,
        local_origin="Nguyên liệu tại xã.",
        local_labour="Hộ trong xã.",
        idea_origin="Nghề truyền thống.",
        local_identity="Bản sắc của bản.",
        assessed_on=date(2023, 4, 12),
    )
    dossier = services.send_up(dossier, officer)
    council = district_council([(chair, CouncilRole.CHAIR)])
    round = services.open_round(
        dossier.current_tier,
        officer,
        council=council,
        year=2023,
        name="Đợt 1 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 6, 30),
        district=council.district,
    )
    services.add_to_round(round, dossier, officer)


def test_council_member_reads_but_may_not_edit(area, client, login):
    product = area.tam_duong
    in_open_round_of(product, login("hoidong1"))

    detail = client.get(reverse("registry:product-detail", args=[product.pk]))
    edits = [
        client.get(reverse("registry:product-update", args=[product.pk])),
        client.get(reverse("registry:producer-create")),
        client.get(reverse("registry:registration-create", args=[product.pk])),
    ]
    post = client.post(
        reverse("registry:producer-create"),
        {"name": "Hợp tác xã Mới", "kind": ProducerKind.COOPERATIVE},
    )

    assert detail.status_code == 200
    assert detail.context["can_change"] is False
    assert b'href="/san-pham/%d/sua/"' % product.pk not in detail.content
    assert [e.status_code for e in edits] == [403, 403, 403]
    assert post.status_code == 403
    assert Producer.objects.filter(name="Hợp tác xã Mới").exists() is False


def test_district_officer_may_edit_a_product_of_its_area(area, client, login):
    login("huyen.tamduong")

    response = client.get(reverse("registry:product-update", args=[area.crossed.pk]))

    assert response.status_code == 200


def test_officer_sees_a_producer_it_just_added_without_products(area, login):
    user = login("huyen.tamduong")
    producer = ProducerFactory(commune=area.tam_duong.producer.commune)

    assert visible_producers(user).filter(pk=producer.pk).exists() is True
    assert visible_products(user).filter(producer=producer).count() == 0


def test_anonymous_is_sent_to_log_in(area, client):
    urls = [
        reverse("registry:home"),
        reverse("registry:product-list"),
        reverse("registry:product-detail", args=[area.city.pk]),
        reverse("registry:producer-create"),
    ]

    responses = [client.get(url) for url in urls]

    assert [r.status_code for r in responses] == [302, 302, 302, 302]
    assert all(r.url.startswith(reverse("login")) for r in responses)


def test_officer_without_area_sees_nothing(area, client):
    user = UserFactory(role=Role.DISTRICT_OFFICER, district=None)
    client.force_login(user)

    response = client.get(reverse("registry:product-list"))

    assert names(response) == []
    assert Registration.objects.count() == 4


def test_product_of_the_area_shows_its_whole_history_but_edits_only_the_area(
    area, client, login
):
    login("huyen.tamduong")
    own = area.crossed.registrations.get()
    RegistrationFactory(
        product=area.crossed,
        year=2024,
        district=area.tam_duong.registrations.get().district,
    )

    response = client.get(reverse("registry:product-detail", args=[area.crossed.pk]))

    rows = [
        (r.year, r.district.code, r.can_change)
        for r in response.context["registrations"]
    ]
    assert rows == [(2024, "106", True), (2023, "105", False)]
    assert reverse("registry:registration-update", args=[own.pk]) not in (
        response.content.decode()
    )
