"""Dossier, council and product-history pages, for each role."""

import importlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, reverse

from evaluation import services
from evaluation.enums import DossierState
from evaluation.models import Evidence, ScoreCorrection
from evaluation.sheets import sheet_spec
from registry.enums import Role
from registry.models import ProductSet
from tests.evaluation_builders import (
    Meeting,
    binh_lu_officer,
    draft_dossier,
    tam_duong_officer,
)
from tests.factories import (
    LAI_CHAU_CITY,
    UserFactory,
    commune,
    district,
)
from tests.test_evaluation_views import as_post, second_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(lai_chau):
    return tam_duong_officer()


@pytest.fixture
def commune_officer(lai_chau):
    return binh_lu_officer()


@pytest.fixture
def draft(officer):
    return draft_dossier(officer)


def detail(dossier):
    return reverse("evaluation:dossier-detail", args=[dossier.pk])


def test_dossier_page_proposes_the_product_set_from_the_name(client, officer, draft):
    client.force_login(officer)

    response = client.get(detail(draft))

    assert response.status_code == 200
    assert response.context["suggestion"].number == 26
    assert "bộ số 26" in response.content.decode()


def test_officer_confirms_the_product_set_and_submits(client, officer, draft):
    client.force_login(officer)
    tourism = ProductSet.objects.get(number=26)

    client.post(
        reverse("evaluation:dossier-product-set", args=[draft.pk]),
        {"product_set": tourism.pk},
    )
    client.post(reverse("evaluation:dossier-submit", args=[draft.pk]))

    draft.refresh_from_db()
    product = draft.registration.product
    product.refresh_from_db()
    assert product.product_set == tourism
    assert product.is_product_set_confirmed is True
    assert draft.sheet.product_set == tourism
    assert draft.state == DossierState.SUBMITTED
    assert draft.received_on == date.today()


def test_submit_is_refused_before_the_product_set_is_confirmed(client, officer, draft):
    client.force_login(officer)

    response = client.post(
        reverse("evaluation:dossier-submit", args=[draft.pk]), follow=True
    )

    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT
    assert "Cần xác nhận bộ sản phẩm" in response.content.decode()


def submitted(dossier, officer, received_on=None):
    confirm_set(dossier, officer)
    return services.submit_dossier(dossier, officer, received_on=received_on)


def confirm_set(dossier, officer):
    services.confirm_product_set(
        dossier.registration.product, officer, ProductSet.objects.get(number=26)
    )


def test_return_keeps_the_reason_and_resubmit_goes_back(
    client, officer, commune_officer, draft
):
    submitted(draft, officer)
    client.force_login(commune_officer)

    empty = client.post(
        reverse("evaluation:dossier-return", args=[draft.pk]),
        {"reason": " "},
        follow=True,
    )
    client.post(
        reverse("evaluation:dossier-return", args=[draft.pk]),
        {"reason": "Thiếu giấy chứng nhận an toàn thực phẩm."},
    )
    draft.refresh_from_db()
    returned_state, reason = draft.state, draft.returned_reason
    client.force_login(officer)
    client.post(reverse("evaluation:dossier-resubmit", args=[draft.pk]))

    draft.refresh_from_db()
    assert "Cần ghi lý do trả lại hồ sơ." in empty.content.decode()
    assert returned_state == DossierState.RETURNED
    assert reason == "Thiếu giấy chứng nhận an toàn thực phẩm."
    assert draft.state == DossierState.SUBMITTED
    history = client.get(detail(draft)).content.decode()
    assert "Thiếu giấy chứng nhận an toàn thực phẩm." in history
    assert "(Đã nộp, chờ xã đánh giá → Trả lại để bổ sung)" in history


def test_evidence_of_a_wrong_type_is_refused_at_the_field(client, officer, draft):
    client.force_login(officer)
    upload = SimpleUploadedFile("ho-so.exe", b"MZ", content_type="application/x-dos")

    response = client.post(
        reverse("evaluation:dossier-evidence", args=[draft.pk]), {"file": upload}
    )

    assert response.status_code == 400
    assert response.context["evidence_form"].errors == {
        "file": ["Chỉ nhận tệp PDF, ảnh JPG/PNG, Word (.docx) hoặc Excel (.xlsx)."]
    }
    assert Evidence.objects.count() == 0


def test_evidence_over_the_size_limit_is_refused(client, officer, draft, settings):
    settings.OCOP_EVIDENCE_MAX_BYTES = 1024 * 1024
    client.force_login(officer)
    upload = SimpleUploadedFile(
        "giay-phep.pdf", b"%PDF" + b"0" * (2 * 1024 * 1024), "application/pdf"
    )

    response = client.post(
        reverse("evaluation:dossier-evidence", args=[draft.pk]), {"file": upload}
    )

    assert response.context["evidence_form"].errors == {
        "file": ["Tệp nặng 2.0 MB, vượt mức 1.0 MB."]
    }
    assert Evidence.objects.count() == 0


def test_evidence_is_attached_to_a_criterion(client, officer, draft):
    confirm_set(draft, officer)
    draft.refresh_from_db()
    criterion = draft.sheet.criteria.get(code="1.1")
    client.force_login(officer)
    upload = SimpleUploadedFile("dang-ky.pdf", b"%PDF-1.4", "application/pdf")

    client.post(
        reverse("evaluation:dossier-evidence", args=[draft.pk]),
        {"file": upload, "criterion": criterion.pk, "description": "Đăng ký KD"},
    )

    evidence = Evidence.objects.get()
    assert (evidence.criterion, evidence.original_name, evidence.size) == (
        criterion,
        "dang-ky.pdf",
        8,
    )


def attached_evidence(draft, officer):
    upload = SimpleUploadedFile("dang-ky.pdf", b"%PDF-1.4 Tam", "application/pdf")
    return services.attach_evidence(draft, officer, upload)


def test_evidence_downloads_through_its_view_for_its_district(client, officer, draft):
    evidence = attached_evidence(draft, officer)
    client.force_login(officer)

    page = client.get(detail(draft)).content.decode()
    response = client.get(evidence.get_absolute_url())

    assert f'href="/danh-gia/minh-chung/{evidence.pk}/tai-ve/"' in page
    assert "/media/" not in page
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 Tam"
    assert response["Content-Disposition"] == 'attachment; filename="dang-ky.pdf"'


def test_evidence_of_another_district_is_not_found(client, officer, draft):
    evidence = attached_evidence(draft, officer)
    stranger = UserFactory(
        username="canbo.thanhpho",
        role=Role.DISTRICT_OFFICER,
        district=district(LAI_CHAU_CITY),
    )
    client.force_login(stranger)

    response = client.get(evidence.get_absolute_url())

    assert response.status_code == 404


@pytest.fixture
def urls_in_debug(settings):
    """The URLs as ``ocop.urls`` builds them with DEBUG on (it reads it at import)."""
    import ocop.urls

    settings.DEBUG = True
    importlib.reload(ocop.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(ocop.urls)
    clear_url_caches()


def test_evidence_file_is_not_served_by_its_path(client, officer, draft, urls_in_debug):
    evidence = attached_evidence(draft, officer)
    client.force_login(officer)

    response = client.get(f"/media/{evidence.file.name}")

    assert evidence.file.storage.exists(evidence.file.name)
    assert response.status_code == 404


def test_commune_assessment_errors_show_at_the_field(
    client, officer, commune_officer, draft
):
    submitted(draft, officer, received_on=date(2023, 4, 3))
    client.force_login(commune_officer)
    data = {
        "local_origin": "Nguyên liệu tại bản.",
        "local_labour": "",
        "idea_origin": "Tổ hợp tác.",
        "local_identity": "Văn hóa Dao đỏ.",
        "assessed_on": "2023-04-10",
    }

    refused = client.post(reverse("evaluation:dossier-assess", args=[draft.pk]), data)
    data["local_labour"] = "Mười hộ trong bản."
    client.post(reverse("evaluation:dossier-assess", args=[draft.pk]), data)

    draft.refresh_from_db()
    assert refused.status_code == 400
    assert list(refused.context["assessment_form"].errors) == ["local_labour"]
    assert draft.state == DossierState.ASSESSED
    assert draft.commune_assessment.local_labour == "Mười hộ trong bản."


def test_district_officer_cannot_record_the_commune_assessment(client, officer, draft):
    submitted(draft, officer)
    client.force_login(officer)

    response = client.post(
        reverse("evaluation:dossier-assess", args=[draft.pk]), {"local_origin": "x"}
    )

    assert response.status_code == 403


def test_dossier_list_highlights_overdue_assessments(
    client, officer, draft, django_assert_max_num_queries
):
    submitted(draft, officer, received_on=date(2023, 4, 3))
    client.force_login(officer)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("evaluation:dossier-list"))

    content = response.content.decode()
    assert [d.is_overdue for d in response.context["dossiers"]] == [True]
    # 15 working days from Monday 3 April 2023.
    assert "24/04/2023" in content
    assert 'class="overdue"' in content


def test_dossier_list_shows_no_due_date_once_the_commune_assessed(
    client, officer, commune_officer, draft
):
    submitted(draft, officer, received_on=date(2023, 4, 3))
    services.record_commune_assessment(
        draft,
        commune_officer,
        local_origin="Cảnh quan và nhà sàn của bản.",
        local_labour="Hai mươi hộ trong bản làm du lịch.",
        idea_origin="Ý tưởng của bản.",
        local_identity="Văn hóa người Dao đỏ.",
        assessed_on=date(2023, 4, 28),
    )
    client.force_login(officer)

    response = client.get(reverse("evaluation:dossier-list"))

    (row,) = response.context["dossiers"]
    assert (row.is_awaiting_assessment, row.is_overdue) == (False, False)
    assert "24/04/2023" not in response.content.decode()
    assert 'class="overdue"' not in response.content.decode()


def test_dossier_of_another_commune_is_not_found(client, officer, draft):
    other = UserFactory(
        username="canbo.thanhpho",
        role=Role.COMMUNE_OFFICER,
        district=district(LAI_CHAU_CITY),
        commune=commune("Phường Tân Phong", LAI_CHAU_CITY),
    )
    client.force_login(other)

    assert client.get(detail(draft)).status_code == 404


# -- councils, corrections and the product's history ---------------------------------


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def test_council_page_lists_members_for_a_member_only_of_it(client, meeting):
    outsider = UserFactory(username="hoidong.khac", role=Role.COUNCIL_MEMBER)
    url = reverse("evaluation:council-detail", args=[meeting.council.pk])
    client.force_login(meeting.scorers()[2])
    member_view = client.get(url)
    client.force_login(outsider)

    outsider_view = client.get(url)

    assert member_view.status_code == 200
    assert [m.get_role_display() for m in member_view.context["memberships"]] == [
        "Chủ tịch",
        "Phó Chủ tịch",
        "Ủy viên",
        "Tổ tư vấn",
    ]
    assert outsider_view.status_code == 404


def test_chair_corrects_a_submitted_sheet_with_a_reason(client, meeting):
    chair, vice, member = meeting.scorers()
    selections = second_options(meeting.evaluation)
    score = services.submit_member_score(meeting.evaluation, member, selections)
    spec = sheet_spec(meeting.evaluation.sheet)
    lower = second_options(meeting.evaluation, low_parts=("C",))
    url = reverse("evaluation:score-correct", args=[score.pk])
    client.force_login(vice)
    refused = client.get(url)
    client.force_login(chair)

    client.post(url, as_post(lower, spec, reason="Nhầm phần C khi chấm."))

    score.refresh_from_db()
    correction = ScoreCorrection.objects.get()
    assert refused.status_code == 403
    assert (score.total, correction.before["total"], correction.after["total"]) == (
        57,
        71,
        57,
    )
    assert correction.reason == "Nhầm phần C khi chấm."


def test_product_page_shows_the_whole_evaluation_history(client, meeting):
    lower = second_options(meeting.evaluation, low_parts=("C",))
    for member in meeting.scorers():
        services.submit_member_score(meeting.evaluation, member, lower)
    services.close_round(meeting.round, meeting.chair)
    services.certify(
        meeting.round,
        meeting.officer,
        decision_number="45/QĐ-UBND",
        decision_date=date(2023, 7, 10),
    )
    product = meeting.dossier.registration.product
    client.force_login(meeting.officer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("registry:product-detail", args=[product.pk]))

    content = response.content.decode()
    certificate = product.certificates.get()
    history_queries = [q for q in queries.captured_queries if "evaluation_" in q["sql"]]
    # Dossiers, evaluations, their sheets, certificates; and the audit lookups.
    assert len(history_queries) == 7
    assert 'id="evaluation-history"' in content
    assert certificate.number in content
    assert "45/QĐ-UBND" in content
    assert "57,00" in content or "57.00" in content
    assert "Được công nhận" in content
    assert "Thành viên nộp phiếu chấm" in content


def test_self_assessment_is_saved_on_the_product_sets_sheet(client, officer, draft):
    confirm_set(draft, officer)
    draft.refresh_from_db()
    spec = sheet_spec(draft.sheet)
    chosen = [leaf.options[-1].id for leaf in spec.leaves()[:3]]
    client.force_login(officer)

    client.post(
        reverse("evaluation:dossier-self-assessment", args=[draft.pk]),
        as_post(chosen, spec),
    )
    page = client.get(detail(draft))

    draft.refresh_from_db()
    assert sorted(draft.self_assessment) == sorted(chosen)
    assert page.context["parts"][0]["total"] == sum(
        spec.option(i).points for i in chosen
    )
