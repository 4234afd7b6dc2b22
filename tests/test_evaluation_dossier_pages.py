"""The dossier pages: the commune's assessment dated between receipt and today, the
product-set form as the product page has it, and the dossier list's district
filter, total and paging."""

import re
import unicodedata
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState
from evaluation.models import CommuneAssessment
from ocop.models import AuditEntry
from registry.enums import Role
from registry.models import ProductSet
from tests.evaluation_builders import (
    Meeting,
    binh_lu_officer,
    draft_dossier,
    programme_2023,
    tam_duong_officer,
)
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProductSetFactory,
    RegistrationFactory,
    UserFactory,
    district,
    first_commune,
)

pytestmark = pytest.mark.django_db

RECEIVED = date(2023, 4, 3)
BEFORE_RECEIPT = "Ngày đánh giá không được trước ngày xã nhận hồ sơ (03/04/2023)."
TEXTS = {
    "local_origin": "Nguyên liệu tại bản.",
    "local_labour": "Mười hộ trong bản.",
    "idea_origin": "Tổ hợp tác.",
    "local_identity": "Văn hóa Dao đỏ.",
}


@pytest.fixture
def officer(lai_chau):
    return tam_duong_officer()


@pytest.fixture
def commune_officer(lai_chau):
    return binh_lu_officer()


@pytest.fixture
def received(officer):
    """A dossier the commune received on 3 April 2023."""
    dossier = draft_dossier(officer)
    services.confirm_product_set(
        dossier.registration.product, officer, ProductSet.objects.get(number=26)
    )
    return services.submit_dossier(dossier, officer, received_on=RECEIVED)


def detail(dossier):
    return reverse("evaluation:dossier-detail", args=[dossier.pk])


# -- the commune's assessment ---------------------------------------------------------


def test_assessment_dated_before_the_receipt_is_refused_at_the_field(
    received, commune_officer
):
    with pytest.raises(ValidationError) as error:
        services.record_commune_assessment(
            received, commune_officer, **TEXTS, assessed_on=RECEIVED - timedelta(1)
        )

    received.refresh_from_db()
    assert error.value.message_dict == {"assessed_on": [BEFORE_RECEIPT]}
    assert received.state == DossierState.SUBMITTED
    assert not CommuneAssessment.objects.exists()


def test_assessment_dated_on_the_day_of_receipt_is_recorded(received, commune_officer):
    assessment = services.record_commune_assessment(
        received, commune_officer, **TEXTS, assessed_on=RECEIVED
    )

    received.refresh_from_db()
    assert assessment.assessed_on == RECEIVED
    assert received.state == DossierState.ASSESSED


def test_assessment_form_refuses_a_day_before_the_receipt_with_the_text_kept(
    client, received, commune_officer
):
    client.force_login(commune_officer)

    response = client.post(
        reverse("evaluation:dossier-assess", args=[received.pk]),
        {**TEXTS, "assessed_on": "2023-04-02"},
    )

    content = response.content.decode()
    received.refresh_from_db()
    assert response.status_code == 400
    assert response.context["assessment_form"].errors == {
        "assessed_on": [BEFORE_RECEIPT]
    }
    assert "Mười hộ trong bản.</textarea>" in content
    assert 'value="2023-04-02"' in content
    assert received.state == DossierState.SUBMITTED


def test_assessment_form_offers_days_from_the_receipt_to_today(
    client, received, commune_officer
):
    client.force_login(commune_officer)

    response = client.get(detail(received))

    field = response.context["assessment_form"]["assessed_on"]
    assert field.field.widget.attrs["min"] == "2023-04-03"
    assert field.field.widget.attrs["max"] == date.today().isoformat()


def assessment_section(response):
    """The dossier page's «Đánh giá của xã» card, as its text reads."""
    html = response.content.decode()
    part = html.split('id="commune-assessment"')[1].split("</dl>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def test_assessment_proposal_letter_is_kept_and_shown_on_the_dossier_page(
    client, received, commune_officer, officer
):
    client.force_login(commune_officer)
    form = client.get(detail(received)).content.decode()

    client.post(
        reverse("evaluation:dossier-assess", args=[received.pk]),
        {
            **TEXTS,
            "assessed_on": "2023-04-14",
            "proposal_reference": "  Tờ trình 12/TTr-UBND  ",
        },
    )
    client.force_login(officer)
    page = client.get(detail(received))

    received.refresh_from_db()
    assert 'placeholder="Ví dụ: Tờ trình số 12/TTr-UBND ngày 14/4/2023"' in form
    assert received.commune_assessment.proposal_reference == "Tờ trình 12/TTr-UBND"
    assert assessment_section(page).endswith(
        "Ngày đánh giá 14/04/2023 Văn bản đề nghị Tờ trình 12/TTr-UBND"
    )
    assert AuditEntry.objects.get(action="evaluation.dossier.assessed").data[
        "proposal_reference"
    ] == ("Tờ trình 12/TTr-UBND")


def test_assessment_without_a_proposal_letter_says_none_is_recorded(
    client, received, commune_officer
):
    services.record_commune_assessment(
        received, commune_officer, **TEXTS, assessed_on=RECEIVED
    )
    client.force_login(commune_officer)

    section = assessment_section(client.get(detail(received)))

    assert section.endswith("Văn bản đề nghị chưa ghi")


# -- the product set, from the dossier's page ----------------------------------------


@pytest.fixture
def renumbered(lai_chau):
    """A product set made before the 26, so that no set's id is its number."""
    return ProductSetFactory(number=99, name="Bộ thử, tạo trước")


def test_dossier_page_proposes_the_suggested_set_by_its_id(client, renumbered, officer):
    dossier = draft_dossier(officer)
    tourism = ProductSet.objects.get(number=26)
    client.force_login(officer)

    response = client.get(detail(dossier))

    form = response.context["product_set_form"]
    assert tourism.pk != 26
    assert response.context["suggestion"].number == 26
    assert form["product_set"].value() == tourism.pk
    assert f'<option value="{tourism.pk}" selected>' in response.content.decode()


def test_dossier_page_keeps_the_products_own_set_over_the_suggestion(
    client, renumbered, officer
):
    dossier = draft_dossier(officer)
    product = dossier.registration.product
    honey = ProductSetFactory(number=4, name="Mật ong")
    product.product_set = honey
    product.save(update_fields=["product_set"])
    client.force_login(officer)

    response = client.get(detail(dossier))

    assert response.context["product_set_form"]["product_set"].value() == honey.pk


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def forms_on_both_pages(client, user, dossier):
    """Whether the dossier's page and its product's page offer the set's form."""
    client.force_login(user)
    dossier_page = client.get(detail(dossier)).content.decode()
    product = dossier.registration.product
    product_page = client.get(product.get_absolute_url()).content.decode()
    return (
        'id="product-set-form"' in dossier_page,
        'action="{}"'.format(
            reverse("evaluation:product-set-confirm", args=[product.pk])
        )
        in product_page,
    )


def test_product_set_form_is_offered_by_the_product_pages_permission(
    client, officer, commune_officer
):
    dossier = draft_dossier(officer)
    other_district = UserFactory(
        username="canbo.thanhpho",
        role=Role.DISTRICT_OFFICER,
        district=district(LAI_CHAU_CITY),
    )
    staff = UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)
    product = dossier.registration.product

    seen = {
        user.username: (
            user.has_perm("registry.change_product", product),
            forms_on_both_pages(client, user, dossier),
        )
        for user in (officer, commune_officer, staff)
    }

    assert seen == {
        officer.username: (True, (True, True)),
        commune_officer.username: (True, (True, True)),
        staff.username: (True, (True, True)),
    }
    assert other_district.has_perm("registry.change_product", product) is False


def test_product_set_posted_from_the_dossier_by_a_council_member_is_forbidden(
    client, meeting
):
    member = meeting.scorers()[1]
    product = meeting.dossier.registration.product
    client.force_login(member)

    response = client.post(
        reverse("evaluation:dossier-product-set", args=[meeting.dossier.pk]),
        {"product_set": ProductSetFactory(number=4, name="Mật ong").pk},
    )

    product.refresh_from_db()
    assert client.get(detail(meeting.dossier)).status_code == 200
    assert response.status_code == 403
    assert product.product_set.number == 26


def test_product_set_posted_from_the_dossier_is_confirmed_for_the_officer(
    client, officer
):
    dossier = draft_dossier(officer)
    tourism = ProductSet.objects.get(number=26)
    client.force_login(officer)

    response = client.post(
        reverse("evaluation:dossier-product-set", args=[dossier.pk]),
        {"product_set": tourism.pk},
    )

    product = dossier.registration.product
    product.refresh_from_db()
    assert response.status_code == 302
    assert (product.product_set, product.is_product_set_confirmed) == (tourism, True)


# -- the dossier list ----------------------------------------------------------------


@pytest.fixture
def staff(lai_chau):
    return UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)


def dossiers_of(count, district_code):
    programme_2023()
    opener = UserFactory(username="canbo.mo", role=Role.PROVINCE_STAFF)
    return [
        services.create_dossier(
            RegistrationFactory(
                product__name=f"Sản phẩm {district_code} số {n}",
                product__producer__commune=first_commune(district_code),
            ),
            opener,
        )
        for n in range(count)
    ]


def listing(client, **params):
    return client.get(reverse("evaluation:dossier-list"), params)


def test_dossier_list_filters_by_district_for_the_province_staff(client, staff):
    tam_duong = dossiers_of(2, TAM_DUONG)
    dossiers_of(3, LAI_CHAU_CITY)
    client.force_login(staff)

    everything = listing(client)
    filtered = listing(client, district=district(TAM_DUONG).pk)

    content = filtered.content.decode()
    assert [d.pk for d in filtered.context["dossiers"]] == [d.pk for d in tam_duong]
    assert everything.context["paginator"].count == 5
    assert '<p class="small text-muted mb-1" id="dossier-count">2 hồ sơ</p>' in content
    assert (
        f'<option value="{district(TAM_DUONG).pk}" selected>Huyện Tam Đường</option>'
        in content
    )
    assert [d.name for d in filtered.context["districts"]][:2] == [
        "Thành phố Lai Châu",
        "Huyện Tam Đường",
    ]


def test_dossier_list_offers_no_district_filter_to_a_district_officer(client, officer):
    dossiers_of(2, TAM_DUONG)
    dossiers_of(1, LAI_CHAU_CITY)
    client.force_login(officer)

    response = listing(client, district=district(LAI_CHAU_CITY).pk)

    assert "districts" not in response.context
    assert 'id="f-district"' not in response.content.decode()
    # The filter does not widen what the officer may see.
    assert list(response.context["dossiers"]) == []


def test_dossier_list_queries_do_not_grow_with_its_rows(client, staff):
    dossiers_of(1, TAM_DUONG)
    tam_duong = district(TAM_DUONG).pk
    client.force_login(staff)
    listing(client)
    with CaptureQueriesContext(connection) as one:
        listing(client, district=tam_duong)
    dossiers_of(4, TAM_DUONG)

    with CaptureQueriesContext(connection) as five:
        response = listing(client, district=tam_duong)

    # Session, user, the total, the rows and the districts of the filter.
    assert len(one.captured_queries) == 5
    assert len(five.captured_queries) == 5
    assert response.context["paginator"].count == 5


@pytest.mark.parametrize(
    "name",
    [
        "evaluation:dossier-list",
        "evaluation:round-list",
        "evaluation:council-list",
        "evaluation:programme-year-list",
        "evaluation:certificate-list",
    ],
)
@pytest.mark.parametrize("page", ["99", "abc"])
def test_evaluation_list_past_its_last_page_shows_a_page(
    client, meeting, staff, name, page
):
    client.force_login(staff)

    response = client.get(reverse(name), {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


@pytest.mark.parametrize(
    "typed",
    [
        "Mật ong",
        "MẬT ONG",
        "mat ong",
        unicodedata.normalize("NFD", "Mật ong"),
        "ong mat",
        "HTX Tả Lèng",
    ],
)
def test_dossier_search_ignores_accents_case_and_unicode_form(client, staff, typed):
    programme_2023()
    opener = UserFactory(username="canbo.mo", role=Role.PROVINCE_STAFF)
    honey = services.create_dossier(
        RegistrationFactory(
            product__name="Mật ong bạc hà",
            product__producer__name="HTX Tả Lèng",
            product__producer__commune=first_commune(TAM_DUONG),
        ),
        opener,
    )
    services.create_dossier(
        RegistrationFactory(
            product__name="Chè Shan tuyết",
            product__producer__commune=first_commune(TAM_DUONG),
        ),
        opener,
    )
    client.force_login(staff)

    found = listing(client, q=typed)

    assert [d.pk for d in found.context["dossiers"]] == [honey.pk]
