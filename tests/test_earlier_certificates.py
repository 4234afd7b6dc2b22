"""Certificates issued on paper before the system, recorded on the product's page:
the 2020 products the 2023 list re-evaluates, the 2021 product it upgrades."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.enums import CertificateStatus
from evaluation.models import Certificate, Dossier
from evaluation.services import next_certificate_number
from ocop.models import AuditEntry
from registry.enums import RegistrationKind, Role
from tests.certificate_builders import PAPER, following
from tests.factories import (
    LAI_CHAU_CITY,
    TAM_DUONG,
    UserFactory,
    commune,
    district,
    province,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(lai_chau):
    return following()


def record(season, **changes):
    return services.record_earlier_certificate(
        season.product, season.staff, **{**PAPER, **changes}
    )


def form_data(**changes):
    data = {**PAPER, **changes}
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in data.items()
    }


def record_url(product):
    return reverse("evaluation:earlier-certificate-record", args=[product.pk])


def test_earlier_certificate_is_recorded_as_it_reads_and_the_open_dossier_follows_it(
    season,
):
    certificate = record(season)

    season.dossier.refresh_from_db()
    assert (
        certificate.number,
        certificate.stars,
        certificate.issuing_authority,
        certificate.decision_number,
        certificate.decision_date,
        certificate.issued_on,
        certificate.expires_on,
    ) == (
        "125/GCN-UBND",
        3,
        "Ủy ban nhân dân tỉnh Lai Châu",
        "2150/QĐ-UBND",
        date(2020, 12, 15),
        date(2020, 12, 15),
        date(2023, 12, 15),
    )
    assert certificate.status == CertificateStatus.EXPIRED
    assert (certificate.is_recorded_by_hand, certificate.recorded_by) == (
        True,
        season.staff,
    )
    assert certificate.recorded_at is not None
    assert (certificate.tier, certificate.rulebook, certificate.evaluation) == (
        None,
        None,
        None,
    )
    assert certificate.registration == season.registration
    assert (certificate.product_name, certificate.producer_name) == (
        season.product.name,
        season.product.producer.name,
    )
    assert season.dossier.follows == certificate
    assert certificate.dossiers_linked == 1
    assert certificate.warnings == []
    assert list(
        AuditEntry.objects.filter(
            action__in=[
                "evaluation.certificate.recorded",
                "evaluation.dossier.follows_linked",
            ]
        )
        .order_by("id")
        .values_list("action", "object_id", "to_state", "data")
    ) == [
        (
            "evaluation.certificate.recorded",
            str(certificate.pk),
            CertificateStatus.EXPIRED,
            {
                "stars": 3,
                "decision": "2150/QĐ-UBND",
                "issued_on": "2020-12-15",
                "registration": season.registration.pk,
            },
        ),
        (
            "evaluation.dossier.follows_linked",
            str(season.dossier.pk),
            "",
            {"certificate": "125/GCN-UBND"},
        ),
    ]


def test_earlier_certificate_still_in_force_is_recorded_valid(season):
    issued = date.today() - timedelta(days=400)

    certificate = record(season, decision_date=issued, issued_on=issued)

    assert certificate.status == CertificateStatus.VALID
    assert certificate.expires_on > date.today()


def test_earlier_certificate_is_followed_by_a_dossier_opened_after_it(lai_chau):
    season = following()
    Dossier.objects.filter(pk=season.dossier.pk).delete()
    certificate = record(season)

    dossier = services.create_dossier(season.registration, season.officer)

    assert certificate.dossiers_linked == 0
    assert dossier.follows == certificate


def test_earlier_certificate_leaves_a_dossier_that_follows_one_already(season):
    first = record(season)

    second = record(
        season,
        number="126/GCN-UBND",
        decision_date=date(2021, 3, 1),
        issued_on=date(2021, 3, 1),
    )

    season.dossier.refresh_from_db()
    assert season.dossier.follows == first
    assert second.dossiers_linked == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"stars": 4}, "stars",
         "Đăng ký đánh giá lại năm 2023 ghi sản phẩm đạt 3 sao, giấy chứng nhận ghi "
         "4 sao: hãy đối chiếu lại; nếu đăng ký ghi sai, sửa đăng ký trước."),
        ({"stars": 2}, "stars", "Giấy chứng nhận OCOP có hạng từ 3 đến 5 sao."),
        ({"number": "  "}, "number", "Cần số giấy chứng nhận."),
        ({"issuing_authority": ""}, "issuing_authority", "Cần cơ quan công nhận."),
        ({"decision_number": ""}, "decision_number", "Cần số quyết định công nhận."),
        ({"decision_date": None}, "decision_date", "Cần ngày quyết định công nhận."),
        ({"decision_date": date.today() + timedelta(days=1)}, "decision_date",
         "Ngày không được sau hôm nay."),
        ({"issued_on": date.today() + timedelta(days=1)}, "issued_on",
         "Ngày không được sau hôm nay."),
        ({"decision_date": date(2017, 12, 31)}, "decision_date",
         "Chương trình OCOP bắt đầu năm 2018: ngày này sớm hơn."),
        ({"issued_on": date(2020, 12, 14)}, "issued_on",
         "Ngày cấp không được trước ngày quyết định công nhận (15/12/2020)."),
    ],
)  # fmt: skip
def test_earlier_certificate_refusal_is_at_its_field_and_changes_nothing(
    season, changes, field, message
):
    with pytest.raises(ValidationError) as error:
        record(season, **changes)

    season.dossier.refresh_from_db()
    assert error.value.message_dict == {field: [message]}
    assert Certificate.objects.count() == 0
    assert season.dossier.follows is None
    assert not AuditEntry.objects.filter(
        action="evaluation.certificate.recorded"
    ).exists()


def test_earlier_certificate_number_taken_is_refused_whatever_its_case(season):
    record(season, number="125/GCN-UBND")

    with pytest.raises(ValidationError) as error:
        record(season, number="125/gcn-ubnd ")

    assert error.value.message_dict == {
        "number": ["Đã có giấy chứng nhận số 125/gcn-ubnd."]
    }
    assert Certificate.objects.count() == 1


def test_earlier_certificate_of_a_5_star_product_is_no_upgrade(lai_chau):
    season = following(
        RegistrationKind.UPGRADE, previous_stars=None, previous_year=2021
    )

    with pytest.raises(ValidationError) as error:
        record(season, stars=5)

    assert error.value.message_dict == {
        "stars": ["Sản phẩm 5 sao không thể nâng hạng thêm."]
    }


def test_earlier_certificate_of_another_year_than_the_registration_is_warned(season):
    certificate = record(
        season, decision_date=date(2021, 1, 8), issued_on=date(2021, 1, 8)
    )

    assert certificate.warnings == [
        "Đăng ký năm 2023 ghi năm đạt sao là 2020, quyết định công nhận ký năm 2021: "
        "hãy kiểm tra lại."
    ]
    assert certificate.pk is not None


def test_earlier_certificate_number_is_no_number_of_the_sequence(season):
    record(season, number="0005/2023/OCOP-12")

    number = next_certificate_number(province(), 2023)

    assert number == "0001/2023/OCOP-12"


@pytest.mark.parametrize("who", ["staff", "officer"])
def test_earlier_certificate_form_records_for_the_province_and_the_district(
    client, season, who
):
    client.force_login(getattr(season, who))

    response = client.post(record_url(season.product), form_data(issued_on=""))

    certificate = Certificate.objects.get()
    season.dossier.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("registry:product-detail", args=[season.product.pk])
        + "#earlier-certificate"
    )
    assert (certificate.number, certificate.issued_on, certificate.recorded_by) == (
        "125/GCN-UBND",
        date(2020, 12, 15),
        getattr(season, who),
    )
    assert season.dossier.follows == certificate


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COMMUNE_OFFICER, 403),
        (Role.COUNCIL_MEMBER, 404),
        ("other district", 404),
    ],
)
def test_earlier_certificate_form_is_refused_to_other_roles(
    client, season, role, status
):
    if role == "other district":
        user = UserFactory(
            username="huyen.thanhpho",
            role=Role.DISTRICT_OFFICER,
            district=district(LAI_CHAU_CITY),
        )
    else:
        user = UserFactory(
            username="nguoi.khac",
            role=role,
            district=district(TAM_DUONG),
            commune=commune("Xã Bình Lư", TAM_DUONG),
        )
    client.force_login(user)

    response = client.post(record_url(season.product), form_data())

    assert response.status_code == status
    assert Certificate.objects.count() == 0


def test_earlier_certificate_refused_on_the_page_is_shown_at_the_field(client, season):
    client.force_login(season.staff)

    response = client.post(record_url(season.product), form_data(stars=4))

    html = response.content.decode()
    form = response.context["earlier_certificate_form"]
    assert response.status_code == 400
    assert form.errors == {
        "stars": [
            "Đăng ký đánh giá lại năm 2023 ghi sản phẩm đạt 3 sao, giấy chứng nhận "
            "ghi 4 sao: hãy đối chiếu lại; nếu đăng ký ghi sai, sửa đăng ký trước."
        ]
    }
    assert 'value="125/GCN-UBND"' in html
    assert 'id="earlier-certificate" open' in html
    assert Certificate.objects.count() == 0


def test_product_page_offers_the_form_to_who_may_record_it(client, season):
    commune_officer = UserFactory(
        username="xa.binhlu",
        role=Role.COMMUNE_OFFICER,
        district=district(TAM_DUONG),
        commune=commune("Xã Bình Lư", TAM_DUONG),
    )
    url = reverse("registry:product-detail", args=[season.product.pk])

    client.force_login(season.officer)
    offered = client.get(url).content.decode()
    client.force_login(commune_officer)
    withheld = client.get(url).content.decode()

    assert 'id="earlier-certificate-form"' in offered
    assert "Hồ sơ đánh giá lại năm 2023 chưa theo giấy chứng nhận nào" in offered
    assert 'id="earlier-certificate-form"' not in withheld


def test_dossier_without_a_certificate_says_so_and_links_to_recording_one(
    client, season
):
    client.force_login(season.officer)

    html = client.get(
        reverse("evaluation:dossier-detail", args=[season.dossier.pk])
    ).content.decode()

    assert 'id="no-certificate"' in html
    assert (
        reverse("registry:product-detail", args=[season.product.pk])
        + "#earlier-certificate"
    ) in html


def test_certificate_recorded_by_hand_is_listed_shown_and_verified_unprinted(
    client, season
):
    certificate = record(season)
    client.force_login(season.staff)

    listed = client.get(reverse("evaluation:certificate-list")).content.decode()
    product_page = client.get(
        reverse("registry:product-detail", args=[season.product.pk])
    ).content.decode()
    dossier_page = client.get(
        reverse("evaluation:dossier-detail", args=[season.dossier.pk])
    ).content.decode()
    client.logout()
    public = client.get(reverse("ocop:verify", args=[certificate.verification_code]))

    assert "125/GCN-UBND" in listed
    assert "ghi nhận từ bản giấy" in listed
    assert "certificate-make-pdf" not in listed
    assert certificate.get_absolute_url() in product_page
    assert certificate.get_absolute_url() in dossier_page
    assert 'id="no-certificate"' not in dossier_page
    assert public.status_code == 200
    assert public.context["status"] == CertificateStatus.EXPIRED
    assert "Giấy cấp trước khi có phần mềm" in public.content.decode()


def test_certificate_recorded_by_hand_makes_no_pdf_nor_decision(client, season):
    from ocop.models import Job

    certificate = record(season)
    client.force_login(season.staff)

    refused = client.post(
        reverse("ocop:certificate-document-start", args=[certificate.pk])
    )
    documents = client.get(reverse("ocop:document-list")).content.decode()

    assert refused.status_code == 404
    assert Job.objects.count() == 0
    assert "2150/QĐ-UBND" not in documents


def test_product_without_a_following_registration_offers_the_form_when_asked(
    client, lai_chau
):
    season = following(RegistrationKind.NEW, previous_stars=None, previous_year=None)
    url = reverse("registry:product-detail", args=[season.product.pk])
    client.force_login(season.staff)

    plain = client.get(url).content.decode()
    asked = client.get(url, {"ghi-nhan-giay": "1"}).content.decode()

    assert 'id="ask-earlier-certificate"' in plain
    assert 'id="earlier-certificate-form"' not in plain
    assert 'id="earlier-certificate-form"' in asked
    assert 'id="earlier-certificate" open' in asked


def rulebook_148():
    from evaluation.models import Rulebook

    return Rulebook.objects.get(code="148-2023")


def test_earlier_certificate_of_2020_is_refused_under_148_at_the_rulebook_field(
    season,
):
    with pytest.raises(ValidationError) as error:
        record(season, rulebook=rulebook_148())

    assert error.value.message_dict == {
        "rulebook": [
            "Quy định 148/QĐ-TTg áp dụng từ 24/02/2023 đến 05/07/2025, không áp dụng "
            "cho quyết định công nhận ngày 15/12/2020: chọn đúng quy định, hoặc "
            "«Không rõ»."
        ]
    }
    assert Certificate.objects.count() == 0


@pytest.mark.parametrize(
    ("decided", "accepted"),
    [
        (date(2023, 2, 23), False),
        (date(2023, 2, 24), True),
        (date(2023, 3, 1), True),
        (date(2025, 7, 5), True),
        (date(2025, 7, 6), False),
    ],
)
def test_earlier_certificate_rulebook_is_one_in_force_on_the_decision_day(
    season, decided, accepted
):
    def attempt():
        return record(
            season, rulebook=rulebook_148(), decision_date=decided, issued_on=None
        )

    if accepted:
        assert attempt().rulebook == rulebook_148()
    else:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert list(error.value.message_dict) == ["rulebook"]


def test_earlier_certificate_issued_after_a_decision_under_148_keeps_148(season):
    """The decision applies the rule; the certificate printed later is of it."""
    certificate = record(
        season,
        rulebook=rulebook_148(),
        decision_date=date(2025, 7, 4),
        issued_on=date(2025, 7, 10),
    )

    assert (certificate.rulebook, certificate.issued_on) == (
        rulebook_148(),
        date(2025, 7, 10),
    )


def test_earlier_certificate_without_a_rulebook_is_recorded_whatever_its_date(
    season,
):
    certificate = record(season, rulebook=None)

    assert (certificate.rulebook, certificate.decision_date) == (
        None,
        date(2020, 12, 15),
    )


def test_earlier_certificate_rulebook_refused_on_the_page_is_shown_at_its_field(
    client, season
):
    client.force_login(season.staff)

    refused = client.post(
        record_url(season.product), form_data(rulebook=rulebook_148().pk)
    )
    accepted = client.post(
        record_url(season.product),
        form_data(
            rulebook=rulebook_148().pk,
            decision_date=date(2023, 3, 1),
            issued_on=date(2023, 3, 1),
        ),
    )

    form = refused.context["earlier_certificate_form"]
    assert refused.status_code == 400
    assert list(form.errors) == ["rulebook"]
    assert "is-invalid" in form.fields["rulebook"].widget.attrs["class"]
    assert (
        "không áp dụng cho quyết định công nhận ngày 15/12/2020"
        in refused.content.decode()
    )
    assert accepted.status_code == 302
    certificate = Certificate.objects.get()
    assert (certificate.rulebook, certificate.decision_date) == (
        rulebook_148(),
        date(2023, 3, 1),
    )
