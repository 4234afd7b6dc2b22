"""Certifying a round's results by the authority that certifies their stars.

Under 148/QĐ-TTg a product that a district refers to the province and that scores
only 3 stars there is certified by its district's People's Committee, not under the
province's decision: the round's page groups the results by authority, each group
with its own decision. Under 26/2026/QĐ-TTg the province certifies 3 and 4 stars
under one decision.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState
from evaluation.models import Certificate
from registry.enums import Role
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    ProducerFactory,
    ProductFactory,
    RegistrationFactory,
    district,
    first_commune,
)
from tests.factories_evaluation import (
    ProgrammeYearFactory,
    account,
    council_with_members,
    load_sheets,
    prepared_dossier,
    rulebook,
    score_by_council,
)

pytestmark = pytest.mark.django_db

TEA = 11
PROVINCE = "Ủy ban nhân dân tỉnh Lai Châu"
TAM_DUONG_UBND = "Ủy ban nhân dân huyện Tam Đường"
CITY_UBND = "Ủy ban nhân dân thành phố Lai Châu"


def tea_dossier(tea, name, district_code, officer, year=2023):
    producer = ProducerFactory(commune=first_commune(district_code))
    product = ProductFactory(
        producer=producer, name=name, product_set=tea, is_product_set_confirmed=True
    )
    # Since 1 July 2025 there are no districts: the commune receives the dossier.
    no_district = {"district": None} if year >= 2025 else {}
    registration = RegistrationFactory(product=product, year=year, **no_district)
    commune_officer = account(f"xa.{district_code}", Role.COMMUNE_OFFICER)
    return prepared_dossier(registration, officer, commune_officer)


def district_round(tier, district_code, scores, officer):
    """A district's round scored by three members, closed and referred."""
    area = district(district_code)
    council, members = council_with_members(tier, 3, district=area)
    round_ = services.open_round(
        tier,
        officer,
        council=council,
        year=2023,
        name=f"Đợt 1 năm 2023 – {area.name}",
        closes_on=date(2023, 6, 30),
        district=area,
    )
    for dossier, totals in scores:
        score_by_council(
            services.add_to_round(round_, dossier, officer), members, totals
        )
    services.close_round(round_, members[0])
    services.refer_round(round_, officer)


@pytest.fixture
def province_round_148(lai_chau):
    return make_province_round_148()


def make_province_round_148(staff=None):
    """Lai Châu's July 2023 province round under 148/QĐ-TTg, closed: products
    referred by Tam Đường and by Lai Châu city, one of them 4 stars, two 3 stars."""
    tea = load_sheets(TEA)[TEA]
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    district_tier, province_tier = book.tiers.get(order=2), book.tiers.get(order=3)
    staff = staff or account("tinh.cn", Role.PROVINCE_STAFF)
    dossiers = {
        "ta_leng": tea_dossier(tea, "Chè Shan tuyết Tả Lèng", TAM_DUONG, staff),
        "ban_giang": tea_dossier(tea, "Chè xanh Bản Giang", TAM_DUONG, staff),
        "san_thang": tea_dossier(tea, "Chè búp San Thàng", LAI_CHAU_CITY, staff),
    }
    # The districts: 71.00, 79.00 and 75.00, each 4 stars and referred (70 and up).
    district_round(
        district_tier,
        TAM_DUONG,
        [(dossiers["ta_leng"], [72, 71, 70]), (dossiers["ban_giang"], [80, 79, 78])],
        staff,
    )
    district_round(
        district_tier, LAI_CHAU_CITY, [(dossiers["san_thang"], [75, 76, 74])], staff
    )

    council, members = council_with_members(province_tier, 4, prefix="tinhcn")
    round_ = services.open_round(
        province_tier,
        staff,
        council=council,
        year=2023,
        name="Đợt tháng 7 năm 2023 cấp tỉnh",
        closes_on=date(2023, 7, 31),
    )
    province_totals = {
        "ta_leng": [66, 65, 64, 65],  # 65.00: 3 stars, the district certifies
        "ban_giang": [74, 73, 72, 71],  # 72.50: 4 stars, the province certifies
        "san_thang": [60, 61, 62, 61],  # 61.00: 3 stars, the city certifies
    }
    for key, totals in province_totals.items():
        evaluation = services.add_to_round(round_, dossiers[key], staff)
        score_by_council(evaluation, members, totals)
    services.close_round(round_, members[0])
    round_.staff, round_.dossiers = staff, dossiers
    return round_


def groups_of(round_):
    return [
        (
            group.authority,
            [
                (
                    e.dossier.registration.product.name,
                    e.certified_stars,
                    e.score,
                )
                for e in group.evaluations
            ],
        )
        for group in services.certification_groups(round_)
    ]


def issued(certificates):
    return sorted(
        (c.product_name, c.stars, c.issuing_authority, c.decision_number)
        for c in certificates
    )


def test_148_province_round_groups_results_by_the_authority_of_their_stars(
    province_round_148,
):
    groups = groups_of(province_round_148)

    assert groups == [
        (PROVINCE, [("Chè xanh Bản Giang", 4, Decimal("72.50"))]),
        (TAM_DUONG_UBND, [("Chè Shan tuyết Tả Lèng", 3, Decimal("65.00"))]),
        (CITY_UBND, [("Chè búp San Thàng", 3, Decimal("61.00"))]),
    ]


def test_148_one_decision_for_results_of_several_authorities_is_refused(
    province_round_148,
):
    with pytest.raises(ValidationError) as error:
        services.certify(
            province_round_148,
            province_round_148.staff,
            decision_number="1020/QĐ-UBND",
            decision_date=date(2023, 8, 15),
        )

    assert error.value.messages == [
        "Các kết quả này do 3 cơ quan công nhận (Ủy ban nhân dân tỉnh Lai Châu; "
        "Ủy ban nhân dân huyện Tam Đường; Ủy ban nhân dân thành phố Lai Châu): mỗi "
        "cơ quan ra một quyết định với số và ngày của mình; hãy công nhận theo từng "
        "cơ quan."
    ]
    assert Certificate.objects.count() == 0


def test_148_each_authority_certifies_its_group_under_its_decision(
    province_round_148,
):
    round_, staff = province_round_148, province_round_148.staff

    by_district = services.certify(
        round_,
        staff,
        decision_number="140/QĐ-UBND",
        decision_date=date(2023, 8, 20),
        authority=TAM_DUONG_UBND,
    )
    by_province = services.certify(
        round_,
        staff,
        decision_number="1020/QĐ-UBND",
        decision_date=date(2023, 8, 15),
        authority=PROVINCE,
    )
    left = groups_of(round_)

    assert issued(by_district) == [
        ("Chè Shan tuyết Tả Lèng", 3, TAM_DUONG_UBND, "140/QĐ-UBND")
    ]
    assert [c.decision_date for c in by_district] == [date(2023, 8, 20)]
    assert issued(by_province) == [("Chè xanh Bản Giang", 4, PROVINCE, "1020/QĐ-UBND")]
    assert [c.tier.order for c in by_district + by_province] == [2, 3]
    assert left == [(CITY_UBND, [("Chè búp San Thàng", 3, Decimal("61.00"))])]
    round_.dossiers["san_thang"].refresh_from_db()
    assert round_.dossiers["san_thang"].state == DossierState.IN_EVALUATION


def test_148_round_page_offers_one_decision_form_per_authority(
    province_round_148, client
):
    client.force_login(province_round_148.staff)

    response = client.get(
        reverse("evaluation:round-detail", args=[province_round_148.pk])
    )

    html = response.content.decode()
    groups = response.context["certify_groups"]
    assert [g.authority for g in groups] == [PROVINCE, TAM_DUONG_UBND, CITY_UBND]
    assert [g.form.initial for g in groups] == [
        {"authority": PROVINCE},
        {"authority": TAM_DUONG_UBND},
        {"authority": CITY_UBND},
    ]
    assert [g.button_id for g in groups] == [
        "certify-round",
        "certify-round-2",
        "certify-round-3",
    ]
    assert html.count('name="decision_number"') == 3
    assert 'id="id_g3_decision_number"' in html
    assert f'value="{CITY_UBND}"' in html
    assert "do 3 cơ quan công nhận" in html


def test_148_round_page_certifies_the_group_posted_with_its_decision(
    province_round_148, client
):
    client.force_login(province_round_148.staff)
    url = reverse("evaluation:round-certify", args=[province_round_148.pk])

    response = client.post(
        url,
        {
            "decision_number": "2150/QĐ-UBND",
            "decision_date": "2023-08-18",
            "authority": CITY_UBND,
        },
        follow=True,
    )

    certificate = Certificate.objects.get()
    assert (
        certificate.product_name,
        certificate.stars,
        certificate.issuing_authority,
        certificate.decision_number,
        certificate.decision_date,
    ) == ("Chè búp San Thàng", 3, CITY_UBND, "2150/QĐ-UBND", date(2023, 8, 18))
    assert [g.authority for g in response.context["certify_groups"]] == [
        PROVINCE,
        TAM_DUONG_UBND,
    ]


def test_148_round_page_refuses_a_decision_naming_no_authority_at_the_form(
    province_round_148, client
):
    client.force_login(province_round_148.staff)

    response = client.post(
        reverse("evaluation:round-certify", args=[province_round_148.pk]),
        {"decision_number": "1020/QĐ-UBND", "decision_date": "2023-08-15"},
    )

    assert response.status_code == 400
    first = response.context["certify_groups"][0]
    assert first.form.non_field_errors()[0].startswith(
        "Các kết quả này do 3 cơ quan công nhận"
    )
    assert 'value="1020/QĐ-UBND"' in response.content.decode()
    assert Certificate.objects.count() == 0


def test_council_member_may_not_certify_a_group_over_http(province_round_148, client):
    member = province_round_148.council.memberships.filter(role="member")[0].user
    client.force_login(member)

    response = client.post(
        reverse("evaluation:round-certify", args=[province_round_148.pk]),
        {
            "decision_number": "1020/QĐ-UBND",
            "decision_date": "2023-08-15",
            "authority": PROVINCE,
        },
    )

    assert response.status_code == 403
    assert Certificate.objects.count() == 0


def test_district_officer_may_not_certify_the_province_round(
    province_round_148, client
):
    officer = account(
        "huyen.tamduong.cn", Role.DISTRICT_OFFICER, district=district(TAM_DUONG)
    )
    client.force_login(officer)

    response = client.post(
        reverse("evaluation:round-certify", args=[province_round_148.pk]),
        {
            "decision_number": "140/QĐ-UBND",
            "decision_date": "2023-08-20",
            "authority": TAM_DUONG_UBND,
        },
    )

    assert response.status_code == 404
    assert Certificate.objects.count() == 0


def test_148_round_page_says_which_authority_certifies_each_group_and_why(
    province_round_148, client
):
    client.force_login(province_round_148.staff)

    response = client.get(
        reverse("evaluation:round-detail", args=[province_round_148.pk])
    )

    html = response.content.decode()
    assert [why_of(html, position) for position in (1, 2, 3)] == [
        "Theo 148/QĐ-TTg, cấp tỉnh công nhận sản phẩm 4 sao: Ủy ban nhân dân tỉnh "
        "Lai Châu ra quyết định công nhận và cấp giấy chứng nhận.",
        "Theo 148/QĐ-TTg, cấp huyện công nhận sản phẩm 3 sao, kể cả sản phẩm đã được "
        "chuyển lên cấp tỉnh mà hội đồng cấp tỉnh chấm đạt 3 sao: Ủy ban nhân dân "
        "huyện Tam Đường, nơi đã chuyển hồ sơ lên, ra quyết định công nhận và cấp "
        "giấy chứng nhận.",
        "Theo 148/QĐ-TTg, cấp huyện công nhận sản phẩm 3 sao, kể cả sản phẩm đã được "
        "chuyển lên cấp tỉnh mà hội đồng cấp tỉnh chấm đạt 3 sao: Ủy ban nhân dân "
        "thành phố Lai Châu, nơi đã chuyển hồ sơ lên, ra quyết định công nhận và cấp "
        "giấy chứng nhận.",
    ]


def why_of(html, position):
    """The sentence saying why the ``position``-th group is certified by whom."""
    section = html[html.index(f'id="certify-group-{position}"') :]
    text = section[section.index('class="small text-muted mb-1 certify-why">') :]
    text = text[text.index(">") + 1 : text.index("</p>")]
    return " ".join(text.split())


# -- 148/QĐ-TTg: the district's certificate after a province round is the district's


@pytest.fixture
def district_certified(province_round_148):
    """The province round with Tam Đường's and the city's 3-star groups certified
    by their People's Committees, and the province's 4 stars by the province."""
    round_, staff = province_round_148, province_round_148.staff
    for number, day, authority in (
        ("140/QĐ-UBND", date(2023, 8, 20), TAM_DUONG_UBND),
        ("2150/QĐ-UBND", date(2023, 8, 18), CITY_UBND),
        ("1020/QĐ-UBND", date(2023, 8, 15), PROVINCE),
    ):
        services.certify(
            round_,
            staff,
            decision_number=number,
            decision_date=day,
            authority=authority,
        )
    round_.certificates = {
        c.decision_number: c for c in Certificate.objects.select_related("tier")
    }
    return round_


def officer_of(code, username):
    return account(username, Role.DISTRICT_OFFICER, district=district(code))


def run_job(django_capture_on_commit_callbacks, client, data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("ocop:document-job-start"), data)


def test_148_district_certificate_of_a_province_round_is_the_districts(
    district_certified,
):
    from evaluation.documents.build import issuing_district_id
    from evaluation.permissions import issued_in_district

    certificates = district_certified.certificates
    tam_duong = district(TAM_DUONG)

    issued_by_tam_duong = Certificate.objects.filter(issued_in_district(tam_duong.pk))

    assert [c.decision_number for c in issued_by_tam_duong] == ["140/QĐ-UBND"]
    assert {number: issuing_district_id(c) for number, c in certificates.items()} == {
        "140/QĐ-UBND": tam_duong.pk,
        "2150/QĐ-UBND": district(LAI_CHAU_CITY).pk,
        "1020/QĐ-UBND": None,
    }


def test_148_district_officer_makes_the_pdf_of_its_districts_certificate_not_others(
    district_certified, client, django_capture_on_commit_callbacks
):
    from ocop.models import Document

    own = district_certified.certificates["140/QĐ-UBND"]
    city = district_certified.certificates["2150/QĐ-UBND"]
    province = district_certified.certificates["1020/QĐ-UBND"]
    officer = officer_of(TAM_DUONG, "huyen.tamduong.cn")
    client.force_login(officer)

    listing = client.get(reverse("evaluation:certificate-list"))
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(reverse("ocop:certificate-document-start", args=[own.pk]))
    refused = [
        client.post(reverse("ocop:certificate-document-start", args=[other.pk]))
        for other in (city, province)
    ]
    document = Document.objects.get()
    after = client.get(reverse("evaluation:certificate-list"))

    rows = {c.pk: c for c in listing.context["certificates"]}
    assert {pk: row.can_make_document for pk, row in rows.items()} == {
        own.pk: True,
        city.pk: False,
        province.pk: False,
    }
    assert made.status_code == 302
    assert [response.status_code for response in refused] == [404, 404]
    assert (document.key, document.district_id) == (
        f"certificate:{own.pk}",
        officer.district_id,
    )
    assert {c.pk: c.document_id for c in after.context["certificates"]} == {
        own.pk: document.pk,
        city.pk: None,
        province.pk: None,
    }
    assert client.get(document.get_absolute_url()).status_code == 200


def test_148_district_officer_sees_and_makes_its_districts_decision_not_the_others(
    district_certified, client, django_capture_on_commit_callbacks
):
    from ocop.enums import DocumentKind
    from ocop.models import Document

    officer = officer_of(TAM_DUONG, "huyen.tamduong.cn")
    city_officer = officer_of(LAI_CHAU_CITY, "huyen.thanhpho.cn")
    client.force_login(officer)

    page = client.get(reverse("ocop:document-list"))
    made = run_job(
        django_capture_on_commit_callbacks,
        client,
        {"job": "decision", "decision_number": "140/QĐ-UBND"},
    )
    refused = [
        run_job(
            django_capture_on_commit_callbacks,
            client,
            {"job": "decision", "decision_number": number},
        )
        for number in ("2150/QĐ-UBND", "1020/QĐ-UBND")
    ]
    decision = Document.objects.get(kind=DocumentKind.DECISION)
    own_download = client.get(decision.get_absolute_url())
    listed = client.get(reverse("ocop:document-list")).context["document_groups"]
    client.force_login(city_officer)
    city_download = client.get(decision.get_absolute_url())
    city_page = client.get(reverse("ocop:document-list"))

    assert [d["decision_number"] for d in page.context["decisions"]] == ["140/QĐ-UBND"]
    assert made.status_code == 302
    assert [r.status_code for r in refused] == [400, 400]
    assert [r.context["job_form"].errors for r in refused] == [
        {"decision_number": ["Không có quyết định này, hoặc bạn không xem được."]}
    ] * 2
    assert Document.objects.filter(kind=DocumentKind.DECISION).count() == 1
    assert (decision.decision_number, decision.district_id) == (
        "140/QĐ-UBND",
        officer.district_id,
    )
    assert own_download.status_code == 200
    assert sorted(group[0].kind for group in listed) == sorted(
        [DocumentKind.DECISION, DocumentKind.DECISION_ANNEX]
    )
    assert city_download.status_code == 404
    assert city_page.context["document_groups"] == []
    assert [d["decision_number"] for d in city_page.context["decisions"]] == [
        "2150/QĐ-UBND"
    ]


def test_148_district_certificate_pdf_made_before_gets_its_district_when_remade(
    district_certified, client, django_capture_on_commit_callbacks
):
    from evaluation.documents.services import make_certificate

    own = district_certified.certificates["140/QĐ-UBND"]
    made_before = make_certificate(own, user=district_certified.staff)
    # As the rule before this one stored it: no district, the province's only.
    type(made_before).objects.filter(pk=made_before.pk).update(district=None)
    officer = officer_of(TAM_DUONG, "huyen.tamduong.cn")
    client.force_login(officer)
    hidden = client.get(made_before.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ocop:certificate-document-start", args=[own.pk]))

    made_before.refresh_from_db()
    assert hidden.status_code == 404
    assert type(made_before).objects.count() == 1
    assert made_before.district_id == officer.district_id
    assert client.get(made_before.get_absolute_url()).status_code == 200


# -- 26/2026/QĐ-TTg: the province certifies 3 and 4 stars ---------------------------


@pytest.fixture
def province_round_2026(lai_chau):
    tea = load_sheets(TEA)[TEA]
    book = rulebook("26-2026")
    ProgrammeYearFactory(year=2026, rulebook=book)
    province_tier = book.tiers.get(order=2)
    staff = account("tinh.cn26", Role.PROVINCE_STAFF)
    council, members = council_with_members(province_tier, 4, prefix="hd26cn")
    round_ = services.open_round(
        province_tier,
        staff,
        council=council,
        year=2026,
        name="Đợt 1 năm 2026 cấp tỉnh",
        closes_on=date(2026, 6, 30),
    )
    products = [
        ("Chè Shan tuyết Pu Sam Cáp", TAM_DUONG, [55, 56, 57, 56]),  # 56.00: 3★
        ("Chè xanh San Thàng", LAI_CHAU_CITY, [85, 84, 86, 85]),  # 85.00: 4★
        ("Chè búp Nà Tăm", TAM_DUONG, [45, 48, 44, 46]),  # 45.75: 2★, ends
    ]
    for name, district_code, totals in products:
        dossier = tea_dossier(tea, name, district_code, staff, year=2026)
        score_by_council(services.add_to_round(round_, dossier, staff), members, totals)
    services.close_round(round_, members[0])
    round_.staff = staff
    return round_


def test_2026_province_certifies_3_and_4_stars_in_one_group(province_round_2026):
    groups = groups_of(province_round_2026)

    assert groups == [
        (
            PROVINCE,
            [
                ("Chè Shan tuyết Pu Sam Cáp", 3, Decimal("56.00")),
                ("Chè xanh San Thàng", 4, Decimal("85.00")),
            ],
        )
    ]


def test_2026_round_page_certifies_3_and_4_stars_under_one_decision(
    province_round_2026, client
):
    client.force_login(province_round_2026.staff)
    page = client.get(reverse("evaluation:round-detail", args=[province_round_2026.pk]))

    response = client.post(
        reverse("evaluation:round-certify", args=[province_round_2026.pk]),
        {
            "decision_number": "890/QĐ-UBND",
            "decision_date": "2026-07-10",
            "authority": PROVINCE,
        },
    )

    assert len(page.context["certify_groups"]) == 1
    assert "cơ quan công nhận, tùy hạng sao" not in page.content.decode()
    assert why_of(page.content.decode(), 1) == (
        "Theo 26/2026/QĐ-TTg, cấp tỉnh công nhận sản phẩm 3 và 4 sao: Ủy ban nhân "
        "dân tỉnh Lai Châu ra quyết định công nhận và cấp giấy chứng nhận."
    )
    assert response.status_code == 302
    assert issued(Certificate.objects.all()) == [
        ("Chè Shan tuyết Pu Sam Cáp", 3, PROVINCE, "890/QĐ-UBND"),
        ("Chè xanh San Thàng", 4, PROVINCE, "890/QĐ-UBND"),
    ]
