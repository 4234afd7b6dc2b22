"""A move repeated with nothing new changes nothing, records nothing, and the page
says so (a notice, not a success)."""

import pytest
from django.urls import reverse

from evaluation import services
from evaluation.models import ConflictOfInterest, ScoreCorrection
from evaluation.sheets import sheet_spec
from ocop.models import AuditEntry
from registry.models import ProductSet
from tests.evaluation_builders import (
    Meeting,
    draft_dossier,
    programme_2023,
    tam_duong_officer,
    waiting_dossier,
)
from tests.test_evaluation_views import as_post, second_options

pytestmark = pytest.mark.django_db


def said(response):
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def entries(action):
    return AuditEntry.objects.filter(action=action).count()


@pytest.fixture
def officer(lai_chau):
    return tam_duong_officer()


@pytest.fixture
def draft(officer):
    return draft_dossier(officer)


def twice(client, url, data):
    first = client.post(url, data, follow=True)
    again = client.post(url, data, follow=True)
    return first, again


def test_confirming_the_confirmed_product_set_again_changes_nothing(
    client, officer, draft
):
    client.force_login(officer)
    tourism = ProductSet.objects.get(number=26)

    first, again = twice(
        client,
        reverse("evaluation:dossier-product-set", args=[draft.pk]),
        {"product_set": tourism.pk},
    )

    assert said(first) == [("success", "Đã xác nhận bộ sản phẩm.")]
    assert said(again) == [
        ("info", "Bộ sản phẩm này đã được xác nhận từ trước: không có gì thay đổi.")
    ]
    assert entries("registry.product.product_set_confirmed") == 1


def test_recording_the_same_samples_again_changes_nothing(client, officer):
    programme_2023()
    waiting = waiting_dossier(officer)
    client.force_login(officer)

    first, again = twice(
        client,
        reverse("evaluation:dossier-samples", args=[waiting.pk]),
        {"samples_received": "5", "samples_received_on": "2023-05-02"},
    )

    assert said(first) == [("success", "Đã ghi nhận mẫu sản phẩm.")]
    assert said(again) == [
        (
            "info",
            "Số mẫu và ngày nhận mẫu giống lần ghi trước: không có gì thay đổi.",
        )
    ]
    assert entries("evaluation.dossier.samples_received") == 1


def test_saving_the_same_self_assessment_again_changes_nothing(client, officer, draft):
    services.confirm_product_set(
        draft.registration.product, officer, ProductSet.objects.get(number=26)
    )
    draft.refresh_from_db()
    spec = sheet_spec(draft.sheet)
    chosen = [leaf.options[-1].id for leaf in spec.leaves()[:3]]
    client.force_login(officer)

    first, again = twice(
        client,
        reverse("evaluation:dossier-self-assessment", args=[draft.pk]),
        as_post(chosen, spec),
    )

    assert said(first) == [("success", "Đã lưu phiếu tự đánh giá.")]
    assert said(again) == [
        ("info", "Phiếu tự đánh giá giống lần lưu trước: không có gì thay đổi.")
    ]
    assert entries("evaluation.dossier.self_assessed") == 1


@pytest.fixture
def meeting(lai_chau):
    return Meeting()


def test_declaring_a_conflict_again_keeps_the_first_and_says_so(client, meeting):
    member = meeting.scorers()[2]
    client.force_login(member)
    url = reverse("evaluation:conflict-declare", args=[meeting.evaluation.pk])

    first = client.post(url, {"reason": "Là người thân của chủ thể."}, follow=True)
    again = client.post(url, {"reason": "Lý do khác."}, follow=True)

    conflict = ConflictOfInterest.objects.get()
    assert said(first) == [
        (
            "success",
            "Đã ghi khai báo xung đột lợi ích; bạn không chấm sản phẩm này.",
        )
    ]
    assert said(again) == [
        (
            "info",
            "Bạn đã khai xung đột lợi ích với sản phẩm này từ trước (Là người thân "
            "của chủ thể.): không có gì thay đổi.",
        )
    ]
    assert conflict.reason == "Là người thân của chủ thể."
    assert entries("evaluation.conflict.declared") == 1


def test_a_correction_identical_to_the_submitted_sheet_is_refused(client, meeting):
    chair, _vice, member = meeting.scorers()
    selections = second_options(meeting.evaluation)
    score = services.submit_member_score(meeting.evaluation, member, selections)
    spec = sheet_spec(meeting.evaluation.sheet)
    client.force_login(chair)

    response = client.post(
        reverse("evaluation:score-correct", args=[score.pk]),
        as_post(selections, spec, reason="Kiểm tra lại."),
    )

    assert response.status_code == 200
    assert response.context["errors"] == [
        "Phiếu hiệu chỉnh giống hệt phiếu đã nộp: không có gì để hiệu chỉnh. Hãy "
        "chọn lại các tiêu chí cần sửa."
    ]
    assert response.context["reason"] == "Kiểm tra lại."
    assert not ScoreCorrection.objects.exists()
    assert entries("evaluation.score.corrected") == 0
