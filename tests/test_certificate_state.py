"""A certificate's state as of today, from its dates: past its expiry date it reads
expired on every page the day after, not once the nightly run has marked it; a
revoked one reads revoked whatever its dates."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.enums import CertificateStatus
from evaluation.models import Certificate
from registry.enums import Role
from tests.certificate_builders import PAPER, following
from tests.document_builders import make_decision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)


def expire_by_date(certificate, on=YESTERDAY):
    """Past its expiry date, still marked valid: the nightly run has not run."""
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=on, status=CertificateStatus.VALID
    )


@pytest.fixture
def staff(lai_chau):
    return UserFactory(username="tinh.ocop", role=Role.PROVINCE_STAFF)


@pytest.fixture
def three(lai_chau, staff):
    """In force, expired yesterday by its date, and revoked today."""
    _round, (in_force, expired, revoked) = make_decision(
        3, decision_date=TODAY - timedelta(days=30), year=TODAY.year
    )
    expire_by_date(expired)
    services.revoke_certificate(
        revoked,
        staff,
        "Nhãn ghi sai hạn sử dụng.",
        ground="law_violation",
        found_on=TODAY - timedelta(days=2),
        decision_number="88/QĐ-UBND",
        decision_date=TODAY,
    )
    return in_force, expired, revoked


def test_state_is_computed_from_the_dates_in_the_query(three):
    in_force, expired, revoked = three

    states = dict(Certificate.objects.with_state().values_list("pk", "state"))
    by_state = {
        state: sorted(Certificate.objects.in_state(state).values_list("pk", flat=True))
        for state in CertificateStatus.values
    }

    assert states == {
        in_force.pk: "valid",
        expired.pk: "expired",
        revoked.pk: "revoked",
    }
    assert by_state == {
        "valid": [in_force.pk],
        "expired": [expired.pk],
        "revoked": [revoked.pk],
    }


def test_certificate_expiring_today_is_still_valid_today(three):
    in_force, _expired, _revoked = three
    Certificate.objects.filter(pk=in_force.pk).update(expires_on=TODAY)

    state = Certificate.objects.with_state().get(pk=in_force.pk).state

    assert state == "valid"


def test_revoked_certificate_past_its_date_stays_revoked(three):
    _in_force, _expired, revoked = three
    Certificate.objects.filter(pk=revoked.pk).update(expires_on=YESTERDAY)

    state = Certificate.objects.with_state().get(pk=revoked.pk).state

    assert state == "revoked"


def test_certificate_list_reads_the_state_as_of_today(client, staff, three):
    in_force, expired, revoked = three
    client.force_login(staff)

    response = client.get(reverse("evaluation:certificate-list"))
    found = client.get(reverse("evaluation:certificate-list"), {"state": "expired"})

    html = response.content.decode()
    row = html[html.index(expired.number) :]
    row = row[: row.index("</tr>")]
    assert {c.pk: c.state for c in response.context["certificates"]} == {
        in_force.pk: "valid",
        expired.pk: "expired",
        revoked.pk: "revoked",
    }
    assert "Hết hiệu lực" in row
    assert "Còn hiệu lực" not in row
    assert [c.pk for c in found.context["certificates"]] == [expired.pk]


def test_certificate_list_filter_makes_the_same_queries_for_one_or_many(
    client, staff, three
):
    client.force_login(staff)
    url = reverse("evaluation:certificate-list")
    client.get(url, {"state": "expired"})
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"state": "expired"})
    _round, more = make_decision(
        4, number="77/QĐ-UBND", decision_date=TODAY - timedelta(days=20), year=2026
    )
    for certificate in more:
        expire_by_date(certificate)

    with CaptureQueriesContext(connection) as five:
        response = client.get(url, {"state": "expired"})

    assert len(response.context["certificates"]) == 5
    assert len(five) == len(one)


def test_certificate_page_reads_the_state_as_of_today(client, staff, three):
    _in_force, expired, _revoked = three
    client.force_login(staff)

    response = client.get(reverse("evaluation:certificate-detail", args=[expired.pk]))

    html = response.content.decode()
    assert (response.context["state"], response.context["state_label"]) == (
        "expired",
        "Hết hiệu lực",
    )
    assert 'data-state="expired">Hết hiệu lực</span>' in html
    # In the 180 days after expiry, and replaced by nothing.
    assert 'id="certificate-grace"' in html


def test_product_page_history_reads_the_state_as_of_today(client, staff, three):
    _in_force, expired, _revoked = three
    client.force_login(staff)

    response = client.get(reverse("registry:product-detail", args=[expired.product_id]))

    html = response.content.decode()
    history = html[html.index('id="history-certificates"') :]
    history = history[: history.index("</table>")]
    assert 'data-state="expired"' in history
    assert "Hết hiệu lực" in history
    assert "Còn hiệu lực" not in history
    grace = f"{YESTERDAY + timedelta(days=180):%d/%m/%Y}"
    assert f"trong 180 ngày gia hạn, đến {grace}" in history


def test_product_page_history_makes_the_same_queries_for_one_certificate_or_three(
    client, staff, three
):
    in_force, _expired, _revoked = three
    client.force_login(staff)
    url = reverse("registry:product-detail", args=[in_force.product_id])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for index, day in enumerate((YESTERDAY, TODAY - timedelta(days=400))):
        copy = Certificate.objects.get(pk=in_force.pk)
        copy.pk, copy.number = None, f"99{index}/2026/OCOP-12"
        copy.verification_code = f"code-{index}"
        copy.save()
        expire_by_date(copy, on=day)

    with CaptureQueriesContext(connection) as three_of_them:
        response = client.get(url)

    html = response.content.decode()
    history = html[html.index('id="history-certificates"') :]
    history = history[: history.index("</table>")]
    assert history.count('data-state="expired"') == 2
    assert history.count('data-state="valid"') == 1
    assert len(three_of_them) == len(one)


def test_dossier_page_reads_the_followed_certificates_state_as_of_today(client):
    season = following()
    certificate = services.record_earlier_certificate(
        season.product, season.staff, **PAPER
    )
    # Issued 15/12/2020, it expired on 15/12/2023: marked valid still, as before
    # the nightly run.
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.VALID)
    client.force_login(season.officer)

    response = client.get(
        reverse("evaluation:dossier-detail", args=[season.dossier.pk])
    )

    html = response.content.decode()
    follows = html[html.index('id="dossier-follows"') :]
    follows = follows[: follows.index("</dd>")]
    assert response.context["followed"].state == "expired"
    assert 'data-state="expired"' in follows
    assert "Hết hiệu lực" in follows
    assert (
        'id="followed-certificate-state" data-state="expired">Hết hiệu lực</span>'
        in html
    )


def test_admin_list_shows_and_filters_the_state_as_of_today(admin_client, three):
    in_force, expired, _revoked = three
    url = reverse("admin:evaluation_certificate_changelist")

    response = admin_client.get(url)
    found = admin_client.get(url, {"state": "expired"})

    shown = {c.pk: c.state for c in response.context["cl"].result_list}
    assert shown[expired.pk] == "expired"
    assert shown[in_force.pk] == "valid"
    assert [c.pk for c in found.context["cl"].result_list] == [expired.pk]


def test_verification_page_reads_the_state_as_of_today(client, three):
    _in_force, expired, _revoked = three

    response = client.get(reverse("ocop:verify", args=[expired.verification_code]))

    assert (response.context["status"], response.context["status_label"]) == (
        "expired",
        "Hết hiệu lực",
    )


def test_nightly_run_marks_what_the_pages_already_read(three):
    _in_force, expired, _revoked = three

    marked = services.expire_certificates()

    expired.refresh_from_db()
    assert marked == 1
    assert expired.status == CertificateStatus.EXPIRED
    assert Certificate.objects.with_state().get(pk=expired.pk).state == "expired"


def test_expiry_date_decides_with_a_given_day(three):
    in_force, _expired, _revoked = three
    expires_on = Certificate.objects.get(pk=in_force.pk).expires_on

    on_expiry = Certificate.objects.with_state(expires_on).get(pk=in_force.pk)
    after = Certificate.objects.with_state(expires_on + timedelta(days=1)).get(
        pk=in_force.pk
    )

    assert (on_expiry.state, after.state) == ("valid", "expired")
