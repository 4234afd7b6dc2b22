"""The admin shows the workflow's records but does not change them: they change
through the workflow's pages, which write the audit log. Reference data stays
editable, with an audit entry for each change."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from evaluation.models import (
    Certificate,
    CouncilSettings,
    MemberScore,
    ProgrammeYear,
)
from evaluation.rulebooks import load_rulebooks
from ocop.models import AuditEntry
from registry.models import ProductSet
from tests.document_builders import make_decision
from tests.factories import ProductFactory, ProductSetFactory, province

pytestmark = pytest.mark.django_db

WORKFLOW_MODELS = [
    "rulebook",
    "council",
    "round",
    "dossier",
    "communeassessment",
    "evaluation",
    "memberscore",
    "scorecorrection",
    "conflictofinterest",
    "ministryresult",
    "certificate",
]


@pytest.fixture
def decision(lai_chau):
    """A district decision: three products scored and certified."""
    return make_decision(3)


def test_admin_change_form_post_of_a_certificate_is_forbidden(decision, admin_client):
    certificate = decision[1][0]
    url = reverse("admin:evaluation_certificate_change", args=[certificate.pk])

    page = admin_client.get(url)
    response = admin_client.post(
        url, {"number": "9999/2023/OCOP-12", "stars": 5, "status": "revoked"}
    )

    certificate.refresh_from_db()
    assert page.status_code == 200
    assert response.status_code == 403
    assert (certificate.number, certificate.stars, certificate.status) == (
        "0001/2023/OCOP-12",
        3,
        "valid",
    )


def test_admin_change_form_post_of_a_member_score_is_forbidden(decision, admin_client):
    score = MemberScore.objects.order_by("id").first()
    url = reverse("admin:evaluation_memberscore_change", args=[score.pk])

    page = admin_client.get(url)
    response = admin_client.post(url, {"total": 100, "part_a": 40})

    score.refresh_from_db()
    assert page.status_code == 200
    assert response.status_code == 403
    assert (score.total, score.part_a) == (68, 0)


@pytest.mark.parametrize("model", WORKFLOW_MODELS)
def test_admin_may_not_add_a_workflow_record(model, lai_chau, admin_client):
    response = admin_client.get(reverse(f"admin:evaluation_{model}_add"))

    assert response.status_code == 403


def test_admin_may_not_delete_a_certificate(decision, admin_client):
    certificate = decision[1][0]

    response = admin_client.post(
        reverse("admin:evaluation_certificate_delete", args=[certificate.pk]),
        {"post": "yes"},
    )

    assert response.status_code == 403
    assert Certificate.objects.count() == 3


def test_admin_council_settings_change_is_audited(lai_chau, admin_client):
    response = admin_client.post(
        reverse("admin:evaluation_councilsettings_add"),
        {
            "province": province().pk,
            "max_spread": "8",
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "is_chair_required": "on",
        },
    )

    settings = CouncilSettings.objects.get()
    entry = AuditEntry.objects.get(action="evaluation.councilsettings.created")
    assert response.status_code == 302
    assert (settings.max_spread, settings.quorum_numerator) == (Decimal("8"), 2)
    assert entry.object_id == str(settings.pk)
    assert entry.data["changed"]["max_spread"] == [None, "8"]
    assert entry.data["changed"]["quorum_denominator"] == [None, "3"]


def test_admin_programme_year_rulebook_change_is_audited(lai_chau, admin_client):
    rulebooks = load_rulebooks()
    programme = ProgrammeYear.objects.create(
        province=province(), year=2027, rulebook=rulebooks["148-2023"]
    )

    admin_client.post(
        reverse("admin:evaluation_programmeyear_change", args=[programme.pk]),
        {
            "province": province().pk,
            "year": 2027,
            "rulebook": rulebooks["26-2026"].pk,
            "plan_reference": "",
        },
    )

    programme.refresh_from_db()
    entry = AuditEntry.objects.get(action="evaluation.programmeyear.updated")
    assert programme.rulebook == rulebooks["26-2026"]
    assert entry.data["changed"] == {
        "rulebook": [str(rulebooks["148-2023"].pk), str(rulebooks["26-2026"].pk)]
    }


def test_admin_programme_year_with_dossiers_keeps_its_rulebook(decision, admin_client):
    rulebooks = load_rulebooks()
    programme = ProgrammeYear.objects.get(year=2023)

    admin_client.post(
        reverse("admin:evaluation_programmeyear_change", args=[programme.pk]),
        {
            "province": province().pk,
            "year": 2023,
            "rulebook": rulebooks["26-2026"].pk,
            "plan_reference": "Kế hoạch OCOP 2023",
        },
    )

    programme.refresh_from_db()
    assert programme.rulebook == rulebooks["148-2023"]
    assert programme.plan_reference == "Kế hoạch OCOP 2023"


def test_admin_may_not_change_a_product_set(lai_chau, admin_client):
    product = ProductFactory(name="Miến dong Bình Lư")
    tea = ProductSetFactory(number=11, name="Chè")
    url = reverse("admin:registry_product_change", args=[product.pk])

    response = admin_client.post(
        url,
        {
            "producer": product.producer_id,
            "name": "Miến dong Bình Lư",
            "product_set": tea.pk,
            "is_product_set_confirmed": "on",
            "code": "",
            "description": "",
            "registrations-TOTAL_FORMS": 0,
            "registrations-INITIAL_FORMS": 0,
        },
    )

    product.refresh_from_db()
    assert response.status_code == 302
    assert (product.product_set, product.is_product_set_confirmed) == (None, False)
    assert ProductSet.objects.filter(number=11).count() == 1


@pytest.mark.parametrize(
    "model", ["council", "evaluation", "rulebook", "round", "certificate"]
)
def test_admin_shows_a_workflow_record_read_only(model, decision, admin_client):
    obj = apps.get_model("evaluation", model).objects.order_by("id").first()

    listing = admin_client.get(reverse(f"admin:evaluation_{model}_changelist"))
    page = admin_client.get(reverse(f"admin:evaluation_{model}_change", args=[obj.pk]))

    assert (listing.status_code, page.status_code) == (200, 200)
    assert 'name="_save"' not in page.content.decode()
