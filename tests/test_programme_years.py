"""Programme years and the dossiers of their registrations: province staff open a
year under a rulebook in force that year; they, and district officers within their
district, open the year's dossiers in one action, each keeping its registration
form."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import services
from evaluation.models import Dossier, ProgrammeYear
from ocop.models import AuditEntry
from registry.enums import RegistrationKind, Role
from registry.models import Province
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    Area,
    RegistrationFactory,
    commune,
    district,
)
from tests.factories_evaluation import ProgrammeYearFactory, account, rulebook

pytestmark = pytest.mark.django_db

LIST = reverse("evaluation:programme-year-list")


@pytest.fixture
def people(lai_chau):
    rulebook("148-2023")
    return SimpleNamespace(
        staff=account("n.tinh", Role.PROVINCE_STAFF),
        admin=account("n.quantri", Role.ADMINISTRATOR),
        tam_duong=account(
            "n.huyen.td", Role.DISTRICT_OFFICER, district=district(TAM_DUONG)
        ),
        city=account(
            "n.huyen.tp", Role.DISTRICT_OFFICER, district=district(LAI_CHAU_CITY)
        ),
        commune=account(
            "n.xa.bl", Role.COMMUNE_OFFICER, commune=commune("Xã Bình Lư", TAM_DUONG)
        ),
        member=account("n.hoidong", Role.COUNCIL_MEMBER),
    )


def open_year(client, user, year, code, plan=""):
    client.force_login(user)
    return client.post(
        LIST,
        {
            "year": str(year),
            "rulebook": str(rulebook(code).pk),
            "plan_reference": plan,
        },
    )


def open_dossiers(client, user, programme):
    client.force_login(user)
    return client.post(
        reverse("evaluation:programme-year-open-dossiers", args=[programme.pk]),
        follow=True,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def products_with_dossiers():
    return sorted(Dossier.objects.values_list("registration__product__name", flat=True))


# -- the programme year ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "year", "covers"),
    [
        ("148-2023", 2022, False),
        ("148-2023", 2023, True),
        ("148-2023", 2025, True),
        ("148-2023", 2026, False),
        ("26-2026", 2025, False),
        ("26-2026", 2026, True),
        ("26-2026", 2030, True),
    ],
)
def test_rulebook_covers_a_year_it_is_in_force_on_one_day_of(
    lai_chau, code, year, covers
):
    assert services.rulebook_covers_year(rulebook(code), year) is covers


def test_province_staff_opens_a_programme_year_under_a_rulebook_in_force(
    client, people
):
    response = open_year(
        client, people.staff, 2026, "26-2026", "Kế hoạch OCOP tỉnh Lai Châu năm 2026"
    )

    programme = ProgrammeYear.objects.get()
    entry = AuditEntry.objects.get(action="evaluation.programme_year.opened")
    assert response.status_code == 302
    assert (programme.province.code, programme.year, programme.rulebook.code) == (
        "12",
        2026,
        "26-2026",
    )
    assert programme.plan_reference == "Kế hoạch OCOP tỉnh Lai Châu năm 2026"
    assert (entry.actor, entry.data) == (
        people.staff,
        {"year": 2026, "rulebook": "26-2026"},
    )


@pytest.mark.parametrize(
    ("year", "code", "message"),
    [
        (
            2026,
            "148-2023",
            "Quy định 148/QĐ-TTg áp dụng từ 24/02/2023 đến 05/07/2025, không áp dụng "
            "cho năm 2026.",
        ),
        (
            2024,
            "26-2026",
            "Quy định 26/2026/QĐ-TTg áp dụng từ 22/05/2026, không áp dụng cho "
            "năm 2024.",
        ),
    ],
)
def test_programme_year_with_a_rulebook_not_in_force_is_refused_at_the_field(
    client, people, year, code, message
):
    response = open_year(client, people.staff, year, code)

    content = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {"rulebook": [message]}
    assert f'<div class="invalid-feedback d-block">{message}</div>' in content
    assert f'value="{year}"' in content
    assert ProgrammeYear.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2023, "Tỉnh Lai Châu đã có năm chương trình 2023."),
        (2017, f"Năm chương trình phải từ 2018 đến {date.today().year + 1}."),
    ],
)
def test_programme_year_taken_or_out_of_range_is_refused_at_the_year(
    client, people, year, message
):
    ProgrammeYearFactory(year=2023)

    response = open_year(client, people.staff, year, "148-2023")

    assert response.status_code == 400
    assert response.context["form"].errors == {"year": [message]}
    assert list(ProgrammeYear.objects.values_list("year", flat=True)) == [2023]


@pytest.mark.parametrize(
    ("who", "status"),
    [("tam_duong", 403), ("commune", 403), ("member", 403)],
)
def test_programme_year_opened_by_another_role_is_refused(client, people, who, status):
    response = open_year(client, getattr(people, who), 2026, "26-2026")

    assert response.status_code == status
    assert ProgrammeYear.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status", "has_form"),
    [
        ("staff", 200, True),
        ("admin", 200, True),
        ("tam_duong", 200, False),
        ("commune", 403, None),
        ("member", 403, None),
    ],
)
def test_programme_year_page_is_for_the_province_and_its_districts(
    client, people, who, status, has_form
):
    ProgrammeYearFactory(year=2023)
    client.force_login(getattr(people, who))

    response = client.get(LIST)

    assert response.status_code == status
    if status == 200:
        assert [p.year for p in response.context["programme_years"]] == [2023]
        assert ('id="programme-year-create"' in response.content.decode()) is has_form


def test_programme_year_of_another_province_is_not_listed(client, people):
    other = Province.objects.create(code="99", name="Tỉnh Thử", kind="tinh")
    ProgrammeYearFactory(province=other, year=2023)
    ProgrammeYearFactory(year=2023)
    client.force_login(people.staff)

    response = client.get(LIST)

    assert [p.province.code for p in response.context["programme_years"]] == ["12"]


def test_programme_year_list_queries_do_not_grow_with_its_rows(client, people):
    Area()
    ProgrammeYearFactory(year=2023)
    client.force_login(people.staff)
    with CaptureQueriesContext(connection) as one_year:
        client.get(LIST)
    for year in (2024, 2025, 2026):
        ProgrammeYearFactory(year=year)
        RegistrationFactory(year=year)

    with CaptureQueriesContext(connection) as four_years:
        response = client.get(LIST)

    assert len(four_years) == len(one_year)
    assert [
        (p.year, p.registration_count, p.dossier_count, p.unopened_count)
        for p in response.context["programme_years"]
    ] == [(2026, 1, 0, 1), (2025, 1, 0, 1), (2024, 1, 0, 1), (2023, 4, 0, 4)]


# -- opening the dossiers -------------------------------------------------------------


@pytest.fixture
def year_2023(people):
    """Lai Châu's 2023 programme, with four registrations in two districts (Area)."""
    return SimpleNamespace(programme=ProgrammeYearFactory(year=2023), area=Area())


def test_opening_a_years_dossiers_opens_one_per_registration(client, people, year_2023):
    response = open_dossiers(client, people.staff, year_2023.programme)

    area = year_2023.area
    assert products_with_dossiers() == sorted(
        p.name for p in (area.tam_duong, area.binh_lu, area.city, area.crossed)
    )
    assert {d.programme_year for d in Dossier.objects.all()} == {year_2023.programme}
    assert {d.current_tier.order for d in Dossier.objects.all()} == {1}
    assert messages_of(response)[0] == "Đã mở 4 hồ sơ cho các đăng ký năm 2023."
    assert "4 hồ sơ vừa mở chưa có bộ sản phẩm" in messages_of(response)[1]
    assert AuditEntry.objects.filter(action="evaluation.dossier.created").count() == 4
    summary = AuditEntry.objects.get(action="evaluation.programme_year.dossiers_opened")
    assert summary.data == {"opened": 4, "already": 0}


def test_opening_dossiers_twice_opens_nothing_more(client, people, year_2023):
    open_dossiers(client, people.staff, year_2023.programme)
    audit = AuditEntry.objects.count()

    again = open_dossiers(client, people.staff, year_2023.programme)

    assert Dossier.objects.count() == 4
    assert AuditEntry.objects.count() == audit
    assert messages_of(again) == [
        "Không mở thêm hồ sơ nào: không còn đăng ký năm 2023 chưa có hồ sơ.",
        # By district (the city's 105, then Tam Đường's 106), as registered.
        "Bỏ qua 4 đăng ký đã có hồ sơ từ trước: Rượu San Thàng, Mật ong Bản Bo, "
        "Chè Shan tuyết Tam Đường, Miến dong Bình Lư.",
    ]


def test_district_officer_opens_only_its_districts_dossiers(client, people, year_2023):
    area = year_2023.area

    response = open_dossiers(client, people.tam_duong, year_2023.programme)

    # Tam Đường registered its two products; the city registered the crossed one.
    assert products_with_dossiers() == sorted([area.tam_duong.name, area.binh_lu.name])
    assert messages_of(response)[0] == "Đã mở 2 hồ sơ cho các đăng ký năm 2023."
    listed = client.get(LIST).context["programme_years"]
    assert [
        (p.registration_count, p.dossier_count, p.unopened_count) for p in listed
    ] == [(2, 2, 0)]


def test_district_officer_cannot_open_another_provinces_year(client, people):
    other = Province.objects.create(code="99", name="Tỉnh Thử", kind="tinh")
    programme = ProgrammeYearFactory(province=other, year=2023)
    RegistrationFactory(province=other, district=None)
    client.force_login(people.tam_duong)

    response = client.post(
        reverse("evaluation:programme-year-open-dossiers", args=[programme.pk])
    )

    assert response.status_code == 404
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize("who", ["commune", "member"])
def test_opening_dossiers_by_another_role_is_refused(client, people, year_2023, who):
    client.force_login(getattr(people, who))

    response = client.post(
        reverse(
            "evaluation:programme-year-open-dossiers", args=[year_2023.programme.pk]
        )
    )

    assert response.status_code == 404
    assert Dossier.objects.count() == 0


def test_dossier_keeps_the_registration_form_and_shows_it(client, people, year_2023):
    registration = RegistrationFactory(
        product__name="Chè Shan tuyết San Thàng",
        product__producer__name="HTX Chè San Thàng",
        product__producer__commune=commune("Xã Bình Lư", TAM_DUONG),
        commune=commune("Xã Bình Lư", TAM_DUONG),
        kind=RegistrationKind.RE_EVALUATION,
        previous_stars=3,
        previous_year=2020,
    )
    open_dossiers(client, people.staff, year_2023.programme)
    dossier = Dossier.objects.get(registration=registration)

    page = client.get(reverse("evaluation:dossier-detail", args=[dossier.pk]))

    assert dossier.form_data == {
        "kind": "re_evaluation",
        "year": 2023,
        "product": "Chè Shan tuyết San Thàng",
        "producer": "HTX Chè San Thàng",
        "district": "Huyện Tam Đường",
        "commune": "Xã Bình Lư",
        "previous_stars": 3,
        "previous_year": 2020,
    }
    assert page.context["form_rows"] == [
        ("Hình thức", "Đánh giá lại"),
        ("Năm", "2023"),
        ("Sản phẩm", "Chè Shan tuyết San Thàng"),
        ("Chủ thể", "HTX Chè San Thàng"),
        ("Huyện đăng ký", "Huyện Tam Đường"),
        ("Xã đăng ký", "Xã Bình Lư"),
        ("Hạng sao trước đó", "3★"),
        ("Năm đạt sao trước đó", "2020"),
    ]
    html = page.content.decode()
    assert (
        '<dt class="col-sm-4">Hạng sao trước đó</dt><dd class="col-sm-8">3★</dd>'
        in (html)
    )


def test_opening_the_dossiers_of_a_year_without_registrations_says_so(client, people):
    programme = ProgrammeYearFactory(year=2026, rulebook=rulebook("26-2026"))

    response = open_dossiers(client, people.staff, programme)

    assert messages_of(response) == [
        "Năm 2026 chưa có đăng ký nào: không có hồ sơ nào được mở."
    ]
    assert AuditEntry.objects.count() == 0
