"""A re-evaluation's window (180 to 120 days before expiry), the 180 days' grace
after expiry for a late filer, and what an upgrade says changed; dates worked out
by hand from a certificate issued on 15/12/2020, which expires on 15/12/2023."""

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState, FilingTiming
from evaluation.models import Certificate, Dossier
from evaluation.renewal import filing_timing, reevaluation_timing
from ocop.models import AuditEntry
from registry.enums import RegistrationKind, Role
from tests.certificate_builders import PAPER, following
from tests.factories import LAI_CHAU_CITY, UserFactory, district

pytestmark = pytest.mark.django_db


@pytest.fixture
def season(lai_chau):
    season = following()
    season.certificate = services.record_earlier_certificate(
        season.product, season.staff, **PAPER
    )
    season.dossier.refresh_from_db()
    return season


def dossier_page(client, dossier):
    return client.get(reverse("evaluation:dossier-detail", args=[dossier.pk]))


def test_certificate_window_and_grace_are_counted_from_its_expiry(season):
    certificate = season.certificate

    assert (
        certificate.expires_on,
        certificate.reevaluation_opens_on,
        certificate.reevaluation_closes_on,
        certificate.grace_ends_on,
    ) == (date(2023, 12, 15), date(2023, 6, 18), date(2023, 8, 17), date(2024, 6, 12))


@pytest.mark.parametrize(
    ("filed_on", "timing"),
    [
        (None, FilingTiming.NOT_FILED),
        (date(2023, 6, 17), FilingTiming.EARLY),
        (date(2023, 6, 18), FilingTiming.IN_WINDOW),
        (date(2023, 8, 17), FilingTiming.IN_WINDOW),
        (date(2023, 8, 18), FilingTiming.LATE),
        (date(2023, 12, 16), FilingTiming.LATE),
        (date(2024, 6, 12), FilingTiming.LATE),
        (date(2024, 6, 13), FilingTiming.TOO_LATE),
    ],
)
def test_filing_timing_at_the_window_edges(season, filed_on, timing):
    assert filing_timing(season.certificate, filed_on) == timing


def test_reevaluation_dossier_filed_in_the_window_says_so(client, season):
    services.submit_dossier(
        season.dossier, season.officer, received_on=date(2023, 7, 3)
    )
    season.dossier.refresh_from_db()
    client.force_login(season.officer)

    response = dossier_page(client, season.dossier)

    timing = response.context["timing"]
    html = response.content.decode()
    assert (timing.filed_on, timing.timing, timing.finish_by) == (
        date(2023, 7, 3),
        FilingTiming.IN_WINDOW,
        date(2023, 8, 17),
    )
    assert "18/06/2023 – 17/08/2023" in html
    assert 'data-timing="in_window"' in html
    assert "Nộp trong thời hạn" in html
    assert "17/08/2023" in html


def test_late_reevaluation_says_the_certificate_holds_until_the_grace_ends(
    client, season
):
    services.submit_dossier(
        season.dossier, season.officer, received_on=date(2023, 9, 1)
    )
    season.dossier.refresh_from_db()
    client.force_login(season.officer)

    html = dossier_page(client, season.dossier).content.decode()

    assert 'data-timing="late"' in html
    assert (
        "Nộp sau ngày 17/08/2023: giấy chứng nhận còn giá trị đến khi có kết quả "
        "đánh giá lại, chậm nhất đến ngày 12/06/2024 (180 ngày sau khi hết hạn)."
    ) in html


def test_unfiled_reevaluation_past_its_window_is_overdue(season):
    timing = reevaluation_timing(season.dossier, today=date(2023, 8, 18))
    on_time = reevaluation_timing(season.dossier, today=date(2023, 8, 17))

    assert (timing.timing, timing.is_overdue) == (FilingTiming.NOT_FILED, True)
    assert on_time.is_overdue is False


def test_filing_day_is_kept_when_a_returned_dossier_is_filed_again(season):
    services.submit_dossier(
        season.dossier, season.officer, received_on=date(2023, 7, 3)
    )
    services.return_dossier(season.dossier, season.officer, "Thiếu chữ ký chủ thể.")

    services.resubmit_dossier(
        season.dossier, season.officer, received_on=date(2023, 8, 28)
    )

    season.dossier.refresh_from_db()
    assert (season.dossier.filed_on, season.dossier.received_on) == (
        date(2023, 7, 3),
        date(2023, 8, 28),
    )
    assert reevaluation_timing(season.dossier).timing == FilingTiming.IN_WINDOW


def test_filed_on_migration_takes_the_day_the_commune_received_it(season):
    migration = importlib.import_module(
        "evaluation.migrations.0004_certificate_earlier_revocation_dossier_filed_on"
    )
    Dossier.objects.filter(pk=season.dossier.pk).update(
        state=DossierState.SUBMITTED, received_on=date(2023, 7, 3), filed_on=None
    )

    migration.fill_filed_on(apps, None)

    season.dossier.refresh_from_db()
    assert season.dossier.filed_on == date(2023, 7, 3)


def test_certificate_in_its_grace_is_shown_on_the_list_page_and_public_page(
    client, season
):
    expired = date.today() - timedelta(days=10)
    Certificate.objects.filter(pk=season.certificate.pk).update(expires_on=expired)
    services.submit_dossier(season.dossier, season.officer, received_on=date.today())
    grace = (expired + timedelta(days=180)).strftime("%d/%m/%Y")
    client.force_login(season.staff)

    listed = client.get(reverse("evaluation:certificate-list")).content.decode()
    page = client.get(season.certificate.get_absolute_url()).content.decode()
    client.logout()
    public = client.get(
        reverse("ocop:verify", args=[season.certificate.verification_code])
    )

    assert f"trong 180 ngày gia hạn, đến {grace} · đang đánh giá lại" in listed
    assert 'id="certificate-grace"' in page
    assert public.context["is_in_grace"] is True
    assert (
        f"sản phẩm đã nộp hồ sơ đánh giá lại nên giấy còn giá trị đến khi có kết "
        f"quả, chậm nhất đến ngày {grace}."
    ) in public.content.decode()


def test_certificate_past_its_grace_is_plainly_expired(client, season):
    client.force_login(season.staff)

    listed = client.get(reverse("evaluation:certificate-list")).content.decode()
    public = client.get(
        reverse("ocop:verify", args=[season.certificate.verification_code])
    )

    assert "certificate-grace" not in listed
    assert public.context["is_in_grace"] is False


@pytest.fixture
def upgrade(lai_chau):
    return following(
        RegistrationKind.UPGRADE,
        previous_stars=None,
        previous_year=2021,
        name="Du lịch cộng đồng bản Lao Chải",
    )


def test_upgrade_submission_without_changes_is_refused_at_the_field(upgrade):
    with pytest.raises(ValidationError) as error:
        services.submit_dossier(upgrade.dossier, upgrade.officer)

    upgrade.dossier.refresh_from_db()
    assert error.value.message_dict == {
        "changes_since_last": [
            "Hồ sơ nâng hạng cần ghi những gì đã thay đổi từ lần đánh giá trước (sản "
            "phẩm, bao bì, chất lượng, thị trường…) trước khi nộp."
        ]
    }
    assert (upgrade.dossier.state, upgrade.dossier.filed_on) == (
        DossierState.DRAFT,
        None,
    )


def test_upgrade_submitted_over_http_without_changes_is_refused_at_the_field(
    client, upgrade
):
    client.force_login(upgrade.officer)

    response = client.post(
        reverse("evaluation:dossier-submit", args=[upgrade.dossier.pk])
    )

    upgrade.dossier.refresh_from_db()
    assert response.status_code == 400
    assert response.context["changes_form"].errors == {
        "changes_since_last": [
            "Hồ sơ nâng hạng cần ghi những gì đã thay đổi từ lần đánh giá trước (sản "
            "phẩm, bao bì, chất lượng, thị trường…) trước khi nộp."
        ]
    }
    assert "is-invalid" in response.content.decode()
    assert upgrade.dossier.state == DossierState.DRAFT


def test_upgrade_with_its_changes_recorded_is_submitted(client, upgrade):
    client.force_login(upgrade.officer)

    recorded = client.post(
        reverse("evaluation:dossier-changes", args=[upgrade.dossier.pk]),
        {"changes_since_last": "Bao bì mới, thêm điểm bán tại Hà Nội."},
    )
    submitted = client.post(
        reverse("evaluation:dossier-submit", args=[upgrade.dossier.pk])
    )

    upgrade.dossier.refresh_from_db()
    assert (recorded.status_code, submitted.status_code) == (302, 302)
    assert upgrade.dossier.changes_since_last == "Bao bì mới, thêm điểm bán tại Hà Nội."
    assert upgrade.dossier.state == DossierState.SUBMITTED
    assert (
        AuditEntry.objects.filter(action="evaluation.dossier.changes_recorded").count()
        == 1
    )


def test_upgrade_changes_left_empty_are_refused_at_the_field(client, upgrade):
    client.force_login(upgrade.officer)

    response = client.post(
        reverse("evaluation:dossier-changes", args=[upgrade.dossier.pk]),
        {"changes_since_last": "  "},
    )

    assert response.status_code == 400
    assert list(response.context["changes_form"].errors) == ["changes_since_last"]


@pytest.mark.parametrize("role", [Role.DISTRICT_OFFICER, Role.COUNCIL_MEMBER])
def test_upgrade_changes_are_refused_to_who_may_not_see_the_dossier(
    client, upgrade, role
):
    client.force_login(
        UserFactory(username="nguoi.khac", role=role, district=district(LAI_CHAU_CITY))
    )

    response = client.post(
        reverse("evaluation:dossier-changes", args=[upgrade.dossier.pk]),
        {"changes_since_last": "Đổi bao bì."},
    )

    upgrade.dossier.refresh_from_db()
    assert response.status_code == 404
    assert upgrade.dossier.changes_since_last == ""
