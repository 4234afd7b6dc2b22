"""Adding and editing producers, products and registrations through the pages."""

import pytest
from django.urls import reverse

from ocop.models import AuditEntry
from registry.demo import create_demo_accounts
from registry.enums import ProducerKind, RegistrationKind
from registry.models import Producer, Product, Registration, User
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    commune,
    district,
    first_commune,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(lai_chau, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return {user.username: user for user in create_demo_accounts("12")}


def producer_data(**overrides):
    data = {
        "name": "Hợp tác xã Chè Bình Lư",
        "kind": ProducerKind.COOPERATIVE,
        "representative": "Lò Thị Mai",
        "phone": "0912.345.678",
        "address": "Bản Nà Đon",
        "commune": commune("Xã Bình Lư", TAM_DUONG).pk,
        "tax_code": "",
    }
    data.update(overrides)
    return data


def test_producer_create_normalises_phone_and_writes_audit(accounts, client):
    client.force_login(accounts["huyen.tamduong"])

    response = client.post(reverse("registry:producer-create"), producer_data())

    producer = Producer.objects.get(name="Hợp tác xã Chè Bình Lư")
    assert response.status_code == 302
    assert response.url == producer.get_absolute_url()
    assert producer.phone == "0912345678"
    assert producer.province.code == "12"
    entry = AuditEntry.objects.get()
    assert entry.action == "registry.producer.created"
    assert entry.actor == accounts["huyen.tamduong"]
    assert entry.object_id == str(producer.pk)
    assert entry.data["changed"]["phone"] == [None, "0912345678"]


def test_producer_create_refuses_a_bad_phone_at_the_field(accounts, client):
    client.force_login(accounts["tinh"])

    response = client.post(
        reverse("registry:producer-create"), producer_data(phone="12345")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Số điện thoại phải có 10 chữ số (di động) hoặc 11 chữ số (cố định), "
        "bắt đầu bằng số 0."
    ]
    assert Producer.objects.count() == 0


@pytest.mark.parametrize("phone", ["abc", "-", "0912 abc 678", "không có"])
def test_producer_phone_with_letters_or_no_digits_is_refused_at_the_field(
    accounts, client, phone
):
    client.force_login(accounts["tinh"])

    response = client.post(
        reverse("registry:producer-create"), producer_data(phone=phone)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Số điện thoại chỉ gồm chữ số (được có dấu chấm, dấu gạch, khoảng trắng), "
        "ví dụ 0912 345 678."
    ]
    assert 'class="form-control is-invalid"' in response.content.decode()
    assert Producer.objects.count() == 0


def test_producer_phone_may_be_left_blank(accounts, client):
    client.force_login(accounts["tinh"])

    response = client.post(reverse("registry:producer-create"), producer_data(phone=""))

    assert response.status_code == 302
    assert Producer.objects.get().phone == ""


def test_producer_phone_typed_without_leading_zero_is_restored(accounts, client):
    client.force_login(accounts["tinh"])

    client.post(reverse("registry:producer-create"), producer_data(phone="912345678"))

    assert Producer.objects.get().phone == "0912345678"


def test_duplicate_phone_warns_until_confirmed(accounts, client):
    existing = ProducerFactory(name="Hộ kinh doanh Lò Văn Tư", phone="0912345678")
    client.force_login(accounts["tinh"])

    warned = client.post(reverse("registry:producer-create"), producer_data())
    confirmed = client.post(
        reverse("registry:producer-create"),
        producer_data(confirm_duplicate_phone="on"),
    )

    assert warned.context["form"].errors["phone"] == [
        f"Số điện thoại này đã có ở chủ thể: {existing.name}. Nếu đúng là một chủ thể "
        "khác, đánh dấu ô “Vẫn lưu” rồi lưu lại."
    ]
    assert confirmed.status_code == 302
    assert Producer.objects.filter(phone="0912345678").count() == 2


def test_editing_a_producer_keeps_its_own_phone_without_warning(accounts, client):
    producer = ProducerFactory(phone="0912345678", commune=first_commune(TAM_DUONG))
    client.force_login(accounts["tinh"])

    response = client.post(
        reverse("registry:producer-update", args=[producer.pk]),
        producer_data(name="Hợp tác xã Đổi Tên", commune=producer.commune_id),
    )

    producer.refresh_from_db()
    assert response.status_code == 302
    assert producer.name == "Hợp tác xã Đổi Tên"
    entry = AuditEntry.objects.get(action="registry.producer.updated")
    assert entry.data["changed"]["name"][1] == "Hợp tác xã Đổi Tên"


def test_district_officer_may_not_place_a_producer_in_another_district(
    accounts, client
):
    client.force_login(accounts["huyen.tamduong"])
    city_commune = first_commune(LAI_CHAU_CITY)

    response = client.post(
        reverse("registry:producer-create"), producer_data(commune=city_commune.pk)
    )

    assert response.context["form"].errors["commune"] == [
        "Xã này không thuộc địa bàn của tài khoản."
    ]
    assert Producer.objects.count() == 0


def test_producer_form_offers_only_the_officer_district_communes(accounts, client):
    client.force_login(accounts["huyen.tamduong"])

    response = client.get(reverse("registry:producer-create"))

    offered = response.context["form"].fields["commune"].queryset
    assert {c.district.code for c in offered} == {TAM_DUONG}
    assert offered.count() == district(TAM_DUONG).communes.count()


def test_tax_code_of_a_branch_is_accepted_and_a_bad_one_refused(accounts, client):
    client.force_login(accounts["tinh"])

    bad = client.post(
        reverse("registry:producer-create"), producer_data(tax_code="62001")
    )
    good = client.post(
        reverse("registry:producer-create"),
        producer_data(tax_code="6200123456-001"),
    )

    assert bad.context["form"].errors["tax_code"] == [
        "Mã số thuế gồm 10 chữ số; chi nhánh thêm dấu gạch và 3 chữ số "
        "(ví dụ 6200123456-001)."
    ]
    assert good.status_code == 302
    assert Producer.objects.get().tax_code == "6200123456-001"


def test_product_create_for_a_producer_and_audit(accounts, client):
    producer = ProducerFactory(commune=first_commune(TAM_DUONG))
    client.force_login(accounts["huyen.tamduong"])

    response = client.post(
        reverse("registry:product-create"),
        {"producer": producer.pk, "name": "  Đông trùng  hạ thảo  "},
    )

    product = Product.objects.get()
    assert response.url == product.get_absolute_url()
    assert product.name == "Đông trùng hạ thảo"
    assert product.name_key == "dong trung ha thao"
    assert AuditEntry.objects.get().action == "registry.product.created"


def test_product_of_a_producer_outside_the_area_is_refused(accounts, client):
    stranger = ProducerFactory(commune=first_commune(LAI_CHAU_CITY))
    client.force_login(accounts["huyen.tamduong"])

    response = client.post(
        reverse("registry:product-create"),
        {"producer": stranger.pk, "name": "Rượu ngô"},
    )

    assert response.context["form"].errors["producer"] == [
        "Chủ thể này không thuộc địa bàn của tài khoản."
    ]
    assert Product.objects.count() == 0


def test_same_product_name_twice_for_one_producer_is_refused(accounts, client):
    product = ProductFactory(name="Chè xanh")
    client.force_login(accounts["tinh"])

    response = client.post(
        reverse("registry:product-create"),
        {"producer": product.producer_id, "name": "chè xanh"},
    )

    assert response.context["form"].errors["name"] == [
        "Chủ thể này đã có một sản phẩm cùng tên."
    ]


def registration_data(**overrides):
    data = {
        "year": 2024,
        "kind": RegistrationKind.NEW,
        "district": district(TAM_DUONG).pk,
        "commune": "",
        "previous_stars": "",
        "previous_year": "",
    }
    data.update(overrides)
    return data


def test_district_officer_registers_into_its_own_district(accounts, client):
    product = ProductFactory(producer__commune=first_commune(TAM_DUONG))
    client.force_login(accounts["huyen.tamduong"])

    response = client.post(
        reverse("registry:registration-create", args=[product.pk]),
        registration_data(),
    )

    registration = Registration.objects.get()
    assert response.url == product.get_absolute_url()
    assert (registration.year, registration.district.code) == (2024, TAM_DUONG)
    assert registration.province.code == "12"
    assert AuditEntry.objects.get().action == "registry.registration.created"


def test_district_officer_may_not_register_into_another_district(accounts, client):
    product = ProductFactory(producer__commune=first_commune(TAM_DUONG))
    client.force_login(accounts["huyen.tamduong"])

    response = client.post(
        reverse("registry:registration-create", args=[product.pk]),
        registration_data(district=district(LAI_CHAU_CITY).pk),
    )

    assert response.context["form"].errors["district"] == [
        "Cán bộ huyện chỉ đăng ký sản phẩm vào huyện của mình."
    ]
    assert Registration.objects.count() == 0


def test_a_product_registers_once_a_year(accounts, client):
    registration = RegistrationFactory(year=2024)
    client.force_login(accounts["tinh"])

    response = client.post(
        reverse("registry:registration-create", args=[registration.product_id]),
        registration_data(),
    )

    assert response.context["form"].errors["year"] == [
        "Sản phẩm này đã đăng ký năm 2024."
    ]


@pytest.mark.parametrize(
    ("kind", "stars", "error"),
    [
        (
            RegistrationKind.RE_EVALUATION,
            "",
            "Đánh giá lại và nâng hạng cần hạng sao sản phẩm đã đạt.",
        ),
        (
            RegistrationKind.RE_EVALUATION,
            2,
            "Chỉ sản phẩm đã đạt từ 3 đến 5 sao mới được đánh giá lại hay nâng hạng.",
        ),
        (RegistrationKind.UPGRADE, 5, "Sản phẩm 5 sao không thể nâng hạng thêm."),
        (
            RegistrationKind.NEW,
            3,
            "Sản phẩm đăng ký mới chưa có hạng sao trước đó.",
        ),
    ],
)
def test_previous_stars_follow_the_registration_kind(
    accounts, client, kind, stars, error
):
    product = ProductFactory()
    client.force_login(accounts["tinh"])

    response = client.post(
        reverse("registry:registration-create", args=[product.pk]),
        registration_data(kind=kind, previous_stars=stars, previous_year=2020),
    )

    assert response.context["form"].errors["previous_stars"] == [error]


def test_re_evaluation_of_a_three_star_product_is_saved(accounts, client):
    product = ProductFactory()
    client.force_login(accounts["tinh"])

    client.post(
        reverse("registry:registration-create", args=[product.pk]),
        registration_data(
            kind=RegistrationKind.RE_EVALUATION, previous_stars=3, previous_year=2020
        ),
    )

    registration = Registration.objects.get()
    assert (registration.previous_stars, registration.previous_year) == (3, 2020)


def test_registration_update_writes_its_change(accounts, client):
    registration = RegistrationFactory(year=2023)
    client.force_login(accounts["tinh"])

    client.post(
        reverse("registry:registration-update", args=[registration.pk]),
        registration_data(year=2023, kind=RegistrationKind.UPGRADE, previous_stars=3),
    )

    registration.refresh_from_db()
    assert registration.kind == RegistrationKind.UPGRADE
    entry = AuditEntry.objects.get(action="registry.registration.updated")
    assert entry.data["changed"]["kind"] == ["new", "upgrade"]


def test_commune_officer_adds_a_producer_only_in_its_commune(accounts, client):
    officer = User.objects.get(username="xa.binhlu")
    client.force_login(officer)

    response = client.get(reverse("registry:producer-create"))

    offered = list(response.context["form"].fields["commune"].queryset)
    assert offered == [officer.commune]


def test_household_named_only_hkd_takes_its_representative_name(accounts, client):
    client.force_login(accounts["tinh"])

    client.post(
        reverse("registry:producer-create"),
        producer_data(name="Hộ kinh doanh", kind=ProducerKind.HOUSEHOLD),
    )

    assert Producer.objects.get().name == "Hộ kinh doanh Lò Thị Mai"


def test_producer_without_a_name_is_refused(accounts, client):
    client.force_login(accounts["tinh"])

    response = client.post(reverse("registry:producer-create"), producer_data(name=""))

    assert response.context["form"].errors["name"] == ["Nhập tên chủ thể."]


def _as_opened(response):
    """The values an edit form shows, as the browser would post them unchanged."""
    form = response.context["form"]
    return {
        name: "" if (value := form[name].value()) is None else value
        for name in form.fields
    }


def test_registration_edit_shows_and_keeps_what_is_stored(accounts, client):
    registration = RegistrationFactory(
        year=2023,
        district=district(LAI_CHAU_CITY),
        commune=commune("Phường Đoàn Kết", LAI_CHAU_CITY),
    )
    client.force_login(accounts["huyen.thanhpho"])
    url = reverse("registry:registration-update", args=[registration.pk])

    opened = _as_opened(client.get(url))
    response = client.post(url, opened)

    assert response.status_code == 302
    assert (opened["year"], opened["commune"]) == (2023, registration.commune_id)
    registration.refresh_from_db()
    assert (registration.year, registration.commune.name) == (2023, "Phường Đoàn Kết")


def test_product_edit_shows_its_producer_and_saves_as_opened(accounts, client):
    product = ProductFactory(name="Chè Shan Tuyết", description="Chè cổ thụ.")
    client.force_login(accounts["tinh"])
    url = reverse("registry:product-update", args=[product.pk])

    opened = _as_opened(client.get(url))
    response = client.post(url, opened)

    assert opened["producer"] == product.producer_id
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.description) == ("Chè Shan Tuyết", "Chè cổ thụ.")


def test_registration_with_a_dossier_keeps_its_year_kind_and_area(accounts, client):
    from tests.evaluation_builders import draft_dossier, tam_duong_officer

    dossier = draft_dossier(tam_duong_officer())
    registration = dossier.registration
    client.force_login(accounts["tinh"])
    url = reverse("registry:registration-update", args=[registration.pk])
    posted = _as_opened(client.get(url))
    posted.update(year=2024, kind=RegistrationKind.UPGRADE, previous_stars=3)

    client.post(url, posted)

    registration.refresh_from_db()
    assert (registration.year, registration.kind, registration.previous_stars) == (
        2023,
        RegistrationKind.NEW,
        None,
    )


def test_previous_year_before_the_programme_is_refused(accounts, client):
    product = ProductFactory()
    client.force_login(accounts["tinh"])

    response = client.post(
        reverse("registry:registration-create", args=[product.pk]),
        registration_data(
            kind=RegistrationKind.RE_EVALUATION, previous_stars=3, previous_year=0
        ),
    )

    assert response.context["form"].errors["previous_year"] == [
        "Chương trình OCOP bắt đầu năm 2018: năm đạt sao trước đó không thể sớm hơn."
    ]


def test_product_description_over_5000_characters_is_refused(accounts, client):
    product = ProductFactory()
    client.force_login(accounts["tinh"])
    url = reverse("registry:product-update", args=[product.pk])
    posted = _as_opened(client.get(url))
    posted["description"] = "x" * 5001

    response = client.post(url, posted)

    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [
        "Chỉ được tối đa 5000 ký tự (đang có 5001)."
    ]


def test_producer_sent_twice_is_refused_the_second_time(accounts, client):
    client.force_login(accounts["huyen.tamduong"])
    url = reverse("registry:producer-create")

    client.post(url, producer_data())
    again = client.post(url, producer_data(confirm_duplicate_phone="on"))

    assert Producer.objects.filter(name="Hợp tác xã Chè Bình Lư").count() == 1
    assert again.context["form"].errors["name"] == [
        "Tỉnh đã có chủ thể «Hợp tác xã Chè Bình Lư» (điện thoại 0912345678); sửa chủ "
        "thể đó thay vì thêm một chủ thể trùng tên."
    ]


def test_two_households_of_one_name_with_two_phones_are_two_producers(accounts, client):
    client.force_login(accounts["huyen.tamduong"])
    url = reverse("registry:producer-create")
    household = {"name": "", "kind": ProducerKind.HOUSEHOLD, "representative": "Lò A"}

    client.post(url, producer_data(**household, phone="0912000001"))
    client.post(url, producer_data(**household, phone="0912000002"))

    assert list(
        Producer.objects.filter(name="Hộ kinh doanh Lò A")
        .order_by("phone")
        .values_list("phone", flat=True)
    ) == ["0912000001", "0912000002"]


def test_producer_name_too_long_says_only_so(accounts, client):
    client.force_login(accounts["huyen.tamduong"])

    response = client.post(
        reverse("registry:producer-create"), producer_data(name="H" * 301)
    )

    assert response.context["form"].errors["name"] == [
        "Chỉ được tối đa 300 ký tự (đang có 301)."
    ]


def test_household_named_in_english_pages_is_named_in_vietnamese(accounts, client):
    client.force_login(accounts["huyen.tamduong"])
    client.cookies["django_language"] = "en"

    client.post(
        reverse("registry:producer-create"),
        producer_data(name="", kind=ProducerKind.HOUSEHOLD, representative="Lò B"),
    )

    assert Producer.objects.filter(name="Hộ kinh doanh Lò B").count() == 1
