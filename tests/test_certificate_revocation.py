"""Revoking a certificate (thu hồi) from its page, on the programme's grounds, and
the certificate list's filter by state."""

import unicodedata
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.enums import CertificateStatus, RevocationGround
from evaluation.models import Certificate
from ocop.models import AuditEntry
from registry.enums import Role
from tests.document_builders import make_decision
from tests.factories import TAM_DUONG, UserFactory, commune, district

pytestmark = pytest.mark.django_db

ISSUED = date(2024, 3, 1)
GROUNDS = {
    "ground": RevocationGround.LAW_VIOLATION,
    "found_on": date(2024, 9, 2),
    "decision_number": "88/QĐ-UBND",
    "decision_date": date(2024, 9, 12),
}


@pytest.fixture
def certificate(lai_chau):
    _round, (certificate,) = make_decision(1, decision_date=ISSUED)
    return certificate


@pytest.fixture
def staff(lai_chau):
    return UserFactory(username="tinh.ocop", role=Role.PROVINCE_STAFF)


def revoke(certificate, actor, reason="Nhãn ghi sai hạn sử dụng.", **changes):
    return services.revoke_certificate(
        certificate, actor, reason, **{**GROUNDS, **changes}
    )


def detail(certificate):
    return reverse("evaluation:certificate-detail", args=[certificate.pk])


def revoke_url(certificate):
    return reverse("evaluation:certificate-revoke", args=[certificate.pk])


def posted(**changes):
    data = {"reason": "Nhãn ghi sai hạn sử dụng.", **GROUNDS, **changes}
    return {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in data.items()
    }


def test_revocation_keeps_its_ground_finding_and_decision(certificate, staff):
    revoke(certificate, staff)

    certificate.refresh_from_db()
    entry = AuditEntry.objects.get(action="evaluation.certificate.revoked")
    assert (
        certificate.status,
        certificate.revocation_ground,
        certificate.revoked_reason,
        certificate.revocation_found_on,
        certificate.revocation_decision_number,
        certificate.revocation_decision_date,
        certificate.revoked_on,
        certificate.revoked_by,
    ) == (
        CertificateStatus.REVOKED,
        RevocationGround.LAW_VIOLATION,
        "Nhãn ghi sai hạn sử dụng.",
        date(2024, 9, 2),
        "88/QĐ-UBND",
        date(2024, 9, 12),
        date(2024, 9, 12),
        staff,
    )
    assert (entry.from_state, entry.to_state, entry.reason, entry.data) == (
        CertificateStatus.VALID,
        CertificateStatus.REVOKED,
        "Nhãn ghi sai hạn sử dụng.",
        {
            "ground": "law_violation",
            "found_on": "2024-09-02",
            "decision": "88/QĐ-UBND",
            "decision_date": "2024-09-12",
            "days_after_finding": 10,
        },
    )
    assert certificate.is_revocation_late is False


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ground": ""}, "ground", "Cần chọn căn cứ thu hồi."),
        ({"ground": "bad_weather"}, "ground", "Cần chọn căn cứ thu hồi."),
        ({"reason": " "}, "reason", "Cần ghi rõ nội dung vi phạm hoặc lý do thu hồi."),
        ({"decision_number": ""}, "decision_number", "Cần số quyết định thu hồi."),
        ({"found_on": None}, "found_on", "Cần ngày phát hiện."),
        ({"found_on": date.today() + timedelta(days=1)}, "found_on",
         "Ngày không được sau hôm nay."),
        ({"found_on": date(2024, 2, 29)}, "found_on",
         "Ngày không được trước ngày cấp giấy chứng nhận (01/03/2024)."),
        ({"decision_date": date(2024, 9, 1)}, "decision_date",
         "Quyết định thu hồi không được trước ngày phát hiện (02/09/2024)."),
        ({"decision_date": None}, "decision_date", "Cần ngày quyết định thu hồi."),
    ],
)  # fmt: skip
def test_revocation_refusal_is_at_its_field_and_changes_nothing(
    certificate, staff, changes, field, message
):
    changes = dict(changes)
    reason = changes.pop("reason", "Nhãn ghi sai hạn sử dụng.")

    with pytest.raises(ValidationError) as error:
        revoke(certificate, staff, reason, **changes)

    certificate.refresh_from_db()
    assert error.value.message_dict == {field: [message]}
    assert certificate.status == CertificateStatus.VALID
    assert not AuditEntry.objects.filter(
        action="evaluation.certificate.revoked"
    ).exists()


def test_revocation_of_a_revoked_certificate_is_refused_first(certificate, staff):
    revoke(certificate, staff)

    with pytest.raises(ValidationError) as error:
        services.revoke_certificate(certificate, staff, "")

    assert error.value.messages == ["Giấy chứng nhận đã bị thu hồi."]
    assert (
        AuditEntry.objects.filter(action="evaluation.certificate.revoked").count() == 1
    )


def test_revocation_decided_past_15_days_is_recorded_and_shown_late(
    client, certificate, staff
):
    revoke(certificate, staff, decision_date=date(2024, 9, 22))
    client.force_login(staff)

    html = client.get(detail(certificate)).content.decode()

    certificate.refresh_from_db()
    assert (certificate.revocation_days, certificate.is_revocation_late) == (20, True)
    assert "20 ngày sau khi phát hiện, quá 15 ngày" in html


def test_certificate_page_revokes_for_the_province_and_the_public_page_says_so(
    client, certificate, staff
):
    client.force_login(staff)

    response = client.post(revoke_url(certificate), posted())
    page = client.get(detail(certificate)).content.decode()
    client.logout()
    public = client.get(reverse("ocop:verify", args=[certificate.verification_code]))

    certificate.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == detail(certificate)
    assert certificate.status == CertificateStatus.REVOKED
    assert 'id="revoke-form"' not in page
    assert "Thu hồi giấy chứng nhận" in page
    assert public.context["status"] == CertificateStatus.REVOKED
    html = public.content.decode()
    assert "Đã thu hồi" in html
    assert (
        "12/09/2024: Vi phạm pháp luật về chất lượng, an toàn thực phẩm, ghi nhãn "
        "hoặc sở hữu trí tuệ. Nhãn ghi sai hạn sử dụng."
    ) in html
    assert "Quyết định thu hồi số 88/QĐ-UBND ngày 12/09/2024" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.DISTRICT_OFFICER, 403),
        (Role.COMMUNE_OFFICER, 403),
        (Role.COUNCIL_MEMBER, 403),
    ],
)
def test_certificate_revoke_is_forbidden_to_other_roles(
    client, certificate, role, status
):
    user = UserFactory(
        username="nguoi.khac",
        role=role,
        district=district(TAM_DUONG),
        commune=commune("Xã Bình Lư", TAM_DUONG),
    )
    client.force_login(user)

    page = client.get(detail(certificate))
    response = client.post(revoke_url(certificate), posted())

    certificate.refresh_from_db()
    assert page.status_code == 200
    assert 'id="revoke-form"' not in page.content.decode()
    assert response.status_code == status
    assert certificate.status == CertificateStatus.VALID


def test_certificate_of_another_province_is_not_found(client, certificate):
    from registry.places import load_province

    other, _ = load_province("11")
    client.force_login(
        UserFactory(username="tinh.dienbien", role=Role.PROVINCE_STAFF, province=other)
    )

    page = client.get(detail(certificate))
    response = client.post(revoke_url(certificate), posted())

    certificate.refresh_from_db()
    assert (page.status_code, response.status_code) == (404, 404)
    assert certificate.status == CertificateStatus.VALID


def test_certificate_revoke_refused_on_the_page_is_shown_at_the_field(
    client, certificate, staff
):
    client.force_login(staff)

    response = client.post(revoke_url(certificate), posted(decision_date="2024-09-01"))

    certificate.refresh_from_db()
    assert response.status_code == 400
    assert response.context["revoke_form"].errors == {
        "decision_date": [
            "Quyết định thu hồi không được trước ngày phát hiện (02/09/2024)."
        ]
    }
    assert 'id="revoke" open' in response.content.decode()
    assert certificate.status == CertificateStatus.VALID


def test_certificate_page_shows_its_history(client, certificate, staff):
    revoke(certificate, staff)
    client.force_login(staff)

    response = client.get(detail(certificate))

    assert [entry.action for entry in response.context["history"]] == [
        "evaluation.certificate.revoked",
        "evaluation.certificate.issued",
    ]
    assert response.context["state"] == CertificateStatus.REVOKED


def test_certificate_list_filters_by_state_today(client, lai_chau, staff):
    _round, (in_force, expired, revoked) = make_decision(
        3, decision_date=date.today() - timedelta(days=30)
    )
    # Past its date, not yet marked by the nightly run.
    Certificate.objects.filter(pk=expired.pk).update(
        expires_on=date.today() - timedelta(days=1)
    )
    revoke(
        revoked,
        staff,
        found_on=date.today() - timedelta(days=3),
        decision_date=date.today(),
    )
    client.force_login(staff)
    url = reverse("evaluation:certificate-list")

    listed = {
        state: [c.pk for c in client.get(url, {"state": state}).context["certificates"]]
        for state in ("valid", "expired", "revoked", "")
    }

    assert listed == {
        "valid": [in_force.pk],
        "expired": [expired.pk],
        "revoked": [revoked.pk],
        "": sorted([in_force.pk, expired.pk, revoked.pk], key=_by_number),
    }


def _by_number(pk):
    return Certificate.objects.get(pk=pk).number


def test_certificate_list_search_ignores_accents_case_and_finds_numbers(
    client, lai_chau, staff
):
    _round, (first, second) = make_decision(2)
    product = first.product
    product.name = "Mật ong bạc hà"
    product.save()
    client.force_login(staff)
    url = reverse("evaluation:certificate-list")

    def found(typed):
        return [c.pk for c in client.get(url, {"q": typed}).context["certificates"]]

    assert found("MẬT ONG") == [first.pk]
    assert found("mat ong") == [first.pk]
    assert found(unicodedata.normalize("NFD", "Mật ong")) == [first.pk]
    assert found(second.number) == [second.pk]
