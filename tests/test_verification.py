"""The public verification page a certificate's QR code opens: /xac-minh/<code>/."""

import hashlib
import hmac
import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from evaluation.enums import CertificateStatus
from evaluation.models import Certificate
from tests.document_builders import make_decision

pytestmark = pytest.mark.django_db


def verify(client, code):
    return client.get(reverse("ocop:verify", args=[code]))


@pytest.mark.parametrize(
    ("change", "status", "label"),
    [
        ({}, CertificateStatus.VALID, "Còn hiệu lực"),
        ({"status": CertificateStatus.EXPIRED}, CertificateStatus.EXPIRED,
         "Hết hiệu lực"),
        ({"status": CertificateStatus.REVOKED, "revoked_on": date(2026, 5, 2),
          "revoked_reason": "Vi phạm quy định ghi nhãn"}, CertificateStatus.REVOKED,
         "Đã thu hồi"),
    ],
)  # fmt: skip
def test_verification_code_answers_whether_the_certificate_stands(
    lai_chau, client, change, status, label
):
    _round, (certificate, *_rest) = make_decision(1, decision_date=date.today())
    Certificate.objects.filter(pk=certificate.pk).update(**change)

    response = verify(client, certificate.verification_code)

    assert response.status_code == 200
    assert response.context["certificate"] == certificate
    assert response.context["status"] == status
    assert label in response.content.decode()


def test_verification_code_is_what_the_qr_code_prints(lai_chau, settings):
    from evaluation.documents.build import certificate_data

    settings.OCOP_PUBLIC_BASE_URL = "https://ocop.laichau.gov.vn/"
    _round, (certificate, *_rest) = make_decision(1)

    url = certificate_data(certificate).verification_url

    assert url == (
        f"https://ocop.laichau.gov.vn/xac-minh/{certificate.verification_code}/"
    )


def test_verification_code_still_verifies_after_the_secret_key_changes(
    lai_chau, client, settings
):
    _round, (certificate, *_rest) = make_decision(1, decision_date=date.today())
    code = certificate.verification_code

    settings.SECRET_KEY = "a-new-key-after-the-server-was-reinstalled-" + "x" * 20
    response = verify(client, code)

    assert response.status_code == 200
    assert response.context["status"] == CertificateStatus.VALID
    assert response.context["certificate"] == certificate


def test_verification_code_made_up_is_not_found(lai_chau, client):
    _round, (certificate, *_rest) = make_decision(1)

    responses = [
        verify(client, code).status_code
        for code in (
            "abcdefghijklmnop",
            certificate.verification_code[:-1],
            certificate.verification_code.upper(),
            f"{certificate.pk}-{'0' * 12}",
        )
    ]

    assert responses == [404, 404, 404, 404]


def test_verification_codes_are_random_and_each_its_own(lai_chau):
    _round, certificates = make_decision(3)

    codes = [certificate.verification_code for certificate in certificates]

    assert len(set(codes)) == 3
    assert [len(code) for code in codes] == [16, 16, 16]
    assert all(code.isalnum() and code.islower() for code in codes)


def test_verification_code_migration_keeps_the_token_already_printed(
    lai_chau, client, settings
):
    migration = importlib.import_module(
        "evaluation.migrations.0002_certificate_verification_code"
    )
    _round, (certificate, *_rest) = make_decision(1, decision_date=date.today())
    key = hashlib.sha256(b"ocop.certificate.verify" + settings.SECRET_KEY.encode())
    printed = "{}-{}".format(
        certificate.pk,
        hmac.new(
            key.digest(), str(certificate.pk).encode(), hashlib.sha256
        ).hexdigest()[:12],
    )

    migration.fill_codes(apps, None)
    settings.SECRET_KEY = "the-key-was-changed-after-the-migration-" + "y" * 20
    response = verify(client, printed)

    certificate.refresh_from_db()
    assert certificate.verification_code == printed
    assert response.status_code == 200
    assert response.context["certificate"] == certificate


def test_verification_by_an_expired_date_says_expired_before_the_nightly_run(
    lai_chau, client
):
    _round, (certificate, *_rest) = make_decision(1, decision_date=date.today())
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=date.today() - timedelta(days=1)
    )

    response = verify(client, certificate.verification_code)

    assert response.context["status"] == CertificateStatus.EXPIRED
