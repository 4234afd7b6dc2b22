"""The lists of producers, products and registrations: filters, search, paging,
sorting, and a number of SQL queries that does not grow with the rows."""

import pytest
from django.urls import reverse

from registry.enums import ProducerKind, RegistrationKind, Role
from registry.models import Commune, District, Producer, Product, Registration
from registry.text import fold
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    ProductSetFactory,
    RegistrationFactory,
    UserFactory,
    district,
    first_commune,
    province,
)

pytestmark = pytest.mark.django_db

# Session, user, the year choices, the count and the page, and the three lists the
# filter form offers (districts, communes, product sets).
PRODUCT_LIST_QUERIES = 8
PRODUCER_LIST_QUERIES = 8
REGISTRATION_LIST_QUERIES = 8


@pytest.fixture
def staff(lai_chau, client):
    user = UserFactory(role=Role.PROVINCE_STAFF)
    client.force_login(user)
    return user


def listed(response):
    return [obj.name for obj in response.context["object_list"]]


def test_search_ignores_accents_and_case(staff, client):
    wanted = ProductFactory(name="Đông trùng hạ thảo")
    ProductFactory(name="Chè Shan tuyết")

    plain = client.get(reverse("registry:product-list"), {"q": "dong trung ha thao"})
    shouting = client.get(reverse("registry:product-list"), {"q": "ĐÔNG TRÙNG"})

    assert listed(plain) == [wanted.name]
    assert listed(shouting) == [wanted.name]


def test_search_finds_products_by_their_producer(staff, client):
    producer = ProducerFactory(
        name="Hợp tác xã Thảo dược Sìn Hồ", representative="Đỗ Thị Hoà"
    )
    product = ProductFactory(producer=producer, name="Trà túi lọc")
    ProductFactory(name="Gạo tẻ râu")

    response = client.get(reverse("registry:product-list"), {"q": "do thi hoa"})

    assert listed(response) == [product.name]


def test_producer_search_by_name_representative_or_product(staff, client):
    by_name = ProducerFactory(name="Hợp tác xã Mường Khoa")
    by_representative = ProducerFactory(representative="Tẩn Láo Mẩy")
    by_product = ProductFactory(name="Miến dong Mường Khoa").producer
    ProducerFactory(name="Hộ kinh doanh khác")

    khoa = client.get(reverse("registry:producer-list"), {"q": "muong khoa"})
    may = client.get(reverse("registry:producer-list"), {"q": "tan lao may"})

    assert sorted(listed(khoa)) == sorted([by_name.name, by_product.name])
    assert listed(may) == [by_representative.name]


def test_year_district_and_kind_filter_the_same_registration(staff, client):
    # Tam Đường registered it as new in 2023; the city re-evaluated it in 2024.
    moved = RegistrationFactory(year=2023, district=district(TAM_DUONG)).product
    RegistrationFactory(
        product=moved,
        year=2024,
        district=district(LAI_CHAU_CITY),
        kind=RegistrationKind.RE_EVALUATION,
        previous_stars=3,
    )
    other = RegistrationFactory(year=2024, district=district(TAM_DUONG)).product
    url = reverse("registry:product-list")
    tam_duong = district(TAM_DUONG).pk

    in_2024 = client.get(url, {"year": 2024, "district": tam_duong})
    in_2023 = client.get(url, {"year": 2023, "district": tam_duong})
    re_evaluated = client.get(
        url, {"district": tam_duong, "registration_kind": "re_evaluation"}
    )

    assert listed(in_2024) == [other.name]
    assert listed(in_2023) == [moved.name]
    assert listed(re_evaluated) == []


def test_product_row_shows_the_registration_the_filters_matched(staff, client):
    registration = RegistrationFactory(year=2023, district=district(TAM_DUONG))
    RegistrationFactory(
        product=registration.product, year=2024, district=district(LAI_CHAU_CITY)
    )
    url = reverse("registry:product-list")

    latest = client.get(url).context["object_list"][0]
    of_2023 = client.get(url, {"year": 2023}).context["object_list"][0]

    assert (latest.shown_year, latest.shown_district) == (2024, "Thành phố Lai Châu")
    assert (of_2023.shown_year, of_2023.shown_district) == (2023, "Huyện Tam Đường")


def test_filters_by_commune_producer_kind_and_product_set(staff, client):
    dried_meat = ProductSetFactory(number=7, name="Thịt và sản phẩm từ thịt")
    city_commune = first_commune(LAI_CHAU_CITY)
    wanted = ProductFactory(
        producer__commune=city_commune,
        producer__kind=ProducerKind.ENTERPRISE,
        product_set=dried_meat,
    )
    ProductFactory(producer__commune=city_commune, product_set=dried_meat)
    ProductFactory(producer__kind=ProducerKind.ENTERPRISE)

    response = client.get(
        reverse("registry:product-list"),
        {
            "commune": city_commune.pk,
            "producer_kind": "enterprise",
            "product_set": dried_meat.pk,
        },
    )

    assert listed(response) == [wanted.name]


def test_registration_list_filters_by_kind(staff, client):
    upgrade = RegistrationFactory(kind=RegistrationKind.UPGRADE, previous_stars=3)
    RegistrationFactory()

    response = client.get(
        reverse("registry:registration-list"), {"registration_kind": "upgrade"}
    )

    assert list(response.context["object_list"]) == [upgrade]


def test_lists_page_by_fifty_and_keep_the_filters(staff, client):
    for n in range(120):
        ProductFactory(name=f"Sản phẩm {n:03d}")

    first = client.get(reverse("registry:product-list"), {"q": "san pham"})
    last = client.get(reverse("registry:product-list"), {"q": "san pham", "page": 3})

    assert len(first.context["object_list"]) == 50
    assert first.context["paginator"].count == 120
    assert listed(last) == [f"Sản phẩm {n:03d}" for n in range(100, 120)]
    assert "Tổng số: 120" in first.content.decode()
    assert "?q=san+pham&amp;page=2" in first.content.decode()


def test_columns_sort_both_ways(staff, client):
    names = ["Bánh chưng đen", "Atiso", "Chè"]
    for name in names:
        ProductFactory(name=name)
    url = reverse("registry:product-list")

    ascending = client.get(url, {"o": "name"})
    descending = client.get(url, {"o": "-name"})

    assert listed(ascending) == sorted(names)
    assert listed(descending) == sorted(names, reverse=True)
    assert ascending.context["columns"][0]["url"] == "?o=-name"
    assert ascending.context["columns"][0]["dir"] == "asc"


def test_producer_list_counts_products_and_sorts_by_it(staff, client):
    busy = ProducerFactory(name="Hợp tác xã Nhiều sản phẩm")
    for _ in range(3):
        ProductFactory(producer=busy)
    quiet = ProductFactory().producer

    response = client.get(reverse("registry:producer-list"), {"o": "-products"})

    rows = [(p.name, p.product_count) for p in response.context["object_list"]]
    assert rows == [(busy.name, 3), (quiet.name, 1)]


def bulk_registry(count, producers=1000, year=2023):
    """``count`` products of ``producers`` producers, each registered in ``year``,
    written with bulk_create (so the folded search fields are filled here)."""
    lai_chau = province()
    communes = list(Commune.objects.filter(province=lai_chau, is_current=False))
    made = Producer.objects.bulk_create(
        Producer(
            province=lai_chau,
            name=f"Hợp tác xã Số {n}",
            name_key=fold(f"Hợp tác xã Số {n}"),
            search_text=fold(f"Hợp tác xã Số {n}"),
            kind=ProducerKind.COOPERATIVE,
            phone=f"09{n:08d}",
            commune=communes[n % len(communes)],
        )
        for n in range(producers)
    )
    products = Product.objects.bulk_create(
        Product(
            producer=made[n % producers],
            name=f"Sản phẩm {n}",
            name_key=f"san pham {n}",
            search_text=f"san pham {n}",
        )
        for n in range(count)
    )
    by_commune = {c.pk: c.district_id for c in communes}
    Registration.objects.bulk_create(
        Registration(
            product=product,
            year=year,
            kind=RegistrationKind.NEW,
            province=lai_chau,
            district_id=by_commune[made[n % producers].commune_id],
        )
        for n, product in enumerate(products)
    )


def test_lists_answer_in_a_fixed_number_of_queries_with_twenty_thousand_products(
    staff, client, django_assert_num_queries
):
    bulk_registry(20_000)
    tam_duong = District.objects.get(code=TAM_DUONG)

    with django_assert_num_queries(PRODUCT_LIST_QUERIES):
        products = client.get(reverse("registry:product-list"), {"o": "-year"})
    # One more for the chosen district, which the form looks up.
    with django_assert_num_queries(PRODUCT_LIST_QUERIES + 1):
        filtered = client.get(
            reverse("registry:product-list"),
            {"year": 2023, "district": tam_duong.pk, "q": "san pham 1", "page": 2},
        )
    with django_assert_num_queries(PRODUCER_LIST_QUERIES):
        producers = client.get(reverse("registry:producer-list"), {"o": "-products"})
    with django_assert_num_queries(REGISTRATION_LIST_QUERIES):
        registrations = client.get(reverse("registry:registration-list"))

    assert products.context["paginator"].count == 20_000
    assert len(products.context["object_list"]) == 50
    assert len(filtered.context["object_list"]) == 50
    assert producers.context["paginator"].count == 1000
    assert producers.context["object_list"][0].product_count == 20
    assert registrations.context["paginator"].count == 20_000


def test_product_list_queries_are_the_same_with_a_few_products(
    staff, client, django_assert_num_queries
):
    bulk_registry(3, producers=2)

    with django_assert_num_queries(PRODUCT_LIST_QUERIES):
        response = client.get(reverse("registry:product-list"), {"o": "-year"})

    assert response.context["paginator"].count == 3


VIETNAMESE_ORDER = [
    "Bột sắn dây",
    "Bưởi da xanh",
    "Chả cá",
    "chè búp",
    "Chè Tu San",
    "Dê núi",
    "Đào Sa Pa",
    "Ếch đồng",
    "Ồi Hua Nà",
]


def test_products_are_listed_in_vietnamese_alphabetical_order(staff, client):
    for name in reversed(VIETNAMESE_ORDER):
        ProductFactory(name=name)

    default = listed(client.get(reverse("registry:product-list")))
    by_name = listed(client.get(reverse("registry:product-list"), {"o": "name"}))
    backwards = listed(client.get(reverse("registry:product-list"), {"o": "-name"}))

    assert default == VIETNAMESE_ORDER
    assert by_name == VIETNAMESE_ORDER
    assert backwards == VIETNAMESE_ORDER[::-1]


def test_producers_sort_in_vietnamese_alphabetical_order(staff, client):
    for name in ("HTX Ồi Hua Nà", "HTX Đào Sa Pa", "HTX Dê núi", "HTX Bưởi", "HTX Bột"):
        ProducerFactory(name=name)

    names = listed(client.get(reverse("registry:producer-list"), {"o": "name"}))

    assert names == [
        "HTX Bột",
        "HTX Bưởi",
        "HTX Dê núi",
        "HTX Đào Sa Pa",
        "HTX Ồi Hua Nà",
    ]


def test_a_page_out_of_range_shows_the_last_one_and_a_bad_page_the_first(staff, client):
    for number in range(60):
        ProductFactory(name=f"Sản phẩm {number:02}")
    url = reverse("registry:product-list")

    beyond = client.get(url, {"page": 99})
    garbled = client.get(url, {"page": "abc"})

    assert beyond.status_code == 200
    assert beyond.context["page_obj"].number == 2
    assert listed(beyond)[0] == "Sản phẩm 50"
    assert garbled.context["page_obj"].number == 1


def test_an_invalid_filter_value_is_said_not_used(staff, client):
    ProductFactory(name="Mật ong bạc hà")

    response = client.get(reverse("registry:product-list"), {"district": 999999})

    assert listed(response) == ["Mật ong bạc hà"]
    assert response.context["filter"].form.errors["district"]
    assert (
        "Có giá trị lọc không hợp lệ nên không được dùng: danh sách dưới đây chưa lọc "
        "theo ô đó." in response.content.decode()
    )
