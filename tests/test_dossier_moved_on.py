"""A move posted from a dossier's page that the dossier has outgrown (another tab,
another officer moved it on) comes back to the dossier's page saying what happened,
with what the user typed shown again, and changes nothing; a user without the
right on the dossier is still refused (403) or does not find it (404)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation import services
from evaluation.enums import DossierState
from evaluation.models import CommuneAssessment, Dossier, Evidence
from evaluation.views.dossiers import DossierAssess
from ocop.models import AuditEntry
from registry.enums import Role
from tests.evaluation_builders import (
    binh_lu_officer,
    draft_dossier,
    tam_duong_officer,
)
from tests.factories import TAM_DUONG, UserFactory, commune, district
from tests.test_evaluation_views_dossiers import confirm_set, submitted

pytestmark = pytest.mark.django_db

TAB_A = {
    "local_origin": "Nguyên liệu tại bản Sì Thâu Chải.",
    "local_labour": "Hai mươi hộ trong bản.",
    "idea_origin": "Tổ hợp tác du lịch của bản.",
    "local_identity": "Nhà trình tường của người Hà Nhì.",
    "assessed_on": "2023-04-10",
    "proposal_reference": "",
}
TAB_B = {
    "local_origin": "Gạo nếp và măng rừng của xã.",
    "local_labour": "Ba mươi lao động,\nphần lớn là phụ nữ.",
    "idea_origin": "Ý tưởng của Đoàn thanh niên xã.",
    "local_identity": "Lễ hội Gầu Tào.",
    "assessed_on": "2023-04-11",
    "proposal_reference": "Tờ trình số 12/TTr-UBND",
}
REASON = "Thiếu phiếu kết quả kiểm nghiệm."
WAITING_AT_DISTRICT = (
    "Hồ sơ đã chuyển sang trạng thái “Chờ hội đồng đánh giá” (đang ở Hội đồng đánh "
    "giá, phân hạng cấp huyện) nên không {action} được nữa; hãy xem lại hồ sơ."
)


@pytest.fixture
def officer(lai_chau):
    return tam_duong_officer()


@pytest.fixture
def commune_officer(lai_chau):
    return binh_lu_officer()


@pytest.fixture
def dossier(officer):
    """Submitted to Xã Bình Lư on 03/04/2023, waiting for its assessment."""
    dossier = draft_dossier(officer)
    submitted(dossier, officer, received_on=date(2023, 4, 3))
    return Dossier.objects.get(pk=dossier.pk)


def url(name, dossier, *args):
    return reverse(f"evaluation:{name}", args=[dossier.pk, *args])


def said(client, response):
    """The messages of the dossier's page a refused move went back to."""
    assert response.status_code == 302
    assert "/ho-so/" in response["Location"]
    page = client.get(response["Location"])
    return [(m.level_tag, str(m.message)) for m in page.context["messages"]]


def entries(action):
    return AuditEntry.objects.filter(action=action).count()


def test_commune_assessment_posted_from_a_second_tab_keeps_its_text(
    client, commune_officer, dossier
):
    client.force_login(commune_officer)

    first = client.post(url("dossier-assess", dossier), TAB_A, follow=True)
    second = client.post(url("dossier-assess", dossier), TAB_B)

    assert [str(m) for m in first.context["messages"]] == ["Đã ghi đánh giá của xã."]
    [(level, message)] = said(client, second)
    assert level == "warning"
    assert message.startswith(
        "Hồ sơ đã chuyển sang trạng thái “Xã đã đánh giá” (đang ở Ủy ban nhân dân "
        "cấp xã) nên không ghi đánh giá của xã được nữa; hãy xem lại hồ sơ."
    )
    # Tab B's text, not saved, comes back with the message, escaped, line breaks kept.
    assert "Nội dung bạn đã nhập, chưa được ghi:" in message
    for field in ("local_origin", "local_labour", "idea_origin", "local_identity"):
        assert TAB_B[field] in message
    assert "Tờ trình số 12/TTr-UBND" in message
    assessment = CommuneAssessment.objects.get(dossier=dossier)
    assert (assessment.local_origin, assessment.assessed_on) == (
        TAB_A["local_origin"],
        date(2023, 4, 10),
    )
    assert entries("evaluation.dossier.assessed") == 1


def test_kept_text_is_escaped(client, commune_officer, dossier):
    assess(dossier, commune_officer)
    client.force_login(commune_officer)

    response = client.post(
        url("dossier-assess", dossier),
        dict(TAB_B, local_origin="<script>alert(1)</script>"),
    )

    page = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_invalid_assessment_on_a_dossier_moved_on_still_says_what_happened(
    client, commune_officer, dossier
):
    client.force_login(commune_officer)
    client.post(url("dossier-assess", dossier), TAB_A, follow=True)

    response = client.post(url("dossier-assess", dossier), dict(TAB_B, local_labour=""))

    [(level, message)] = said(client, response)
    assert level == "warning"
    assert "nên không ghi đánh giá của xã được nữa" in message
    assert TAB_B["idea_origin"] in message


def test_dossier_moved_on_between_the_check_and_the_lock_says_so_too(
    client, commune_officer, dossier, monkeypatch
):
    """The service's own check, under its row lock, is the last word."""
    client.force_login(commune_officer)
    client.post(url("dossier-assess", dossier), TAB_A, follow=True)
    checked = []
    real_refusal = DossierAssess.refusal

    def refusal_of_a_page_read_too_early(self, user, dossier):
        checked.append(dossier.state)
        return None if len(checked) == 1 else real_refusal(self, user, dossier)

    monkeypatch.setattr(DossierAssess, "refusal", refusal_of_a_page_read_too_early)

    response = client.post(url("dossier-assess", dossier), TAB_B)

    [(level, message)] = said(client, response)
    assert level == "warning"
    assert "“Xã đã đánh giá”" in message and TAB_B["local_identity"] in message
    assert (
        CommuneAssessment.objects.get(dossier=dossier).local_origin
        == (TAB_A["local_origin"])
    )


def test_return_after_the_dossier_was_sent_up_keeps_the_reason(
    client, commune_officer, dossier
):
    client.force_login(commune_officer)
    client.post(url("dossier-assess", dossier), TAB_A, follow=True)
    client.post(url("dossier-send-up", dossier), follow=True)

    response = client.post(url("dossier-return", dossier), {"reason": REASON})

    [(level, message)] = said(client, response)
    dossier.refresh_from_db()
    assert level == "warning"
    assert message.startswith(WAITING_AT_DISTRICT.format(action="trả lại hồ sơ"))
    assert f'Lý do:</strong> <span style="white-space: pre-line">{REASON}' in message
    assert (dossier.state, dossier.returned_reason) == (DossierState.WAITING, "")
    assert entries("evaluation.dossier.returned") == 0


def test_return_posted_twice_keeps_the_first_reason(client, commune_officer, dossier):
    client.force_login(commune_officer)

    client.post(url("dossier-return", dossier), {"reason": REASON}, follow=True)
    again = client.post(url("dossier-return", dossier), {"reason": "Thiếu ảnh."})

    [(level, message)] = said(client, again)
    dossier.refresh_from_db()
    assert level == "warning"
    assert message.startswith(
        "Hồ sơ đã chuyển sang trạng thái “Trả lại để bổ sung” (đang ở Ủy ban nhân "
        "dân cấp xã) nên không trả lại hồ sơ được nữa; hãy xem lại hồ sơ."
    )
    assert "Thiếu ảnh." in message
    assert (dossier.state, dossier.returned_reason) == (DossierState.RETURNED, REASON)
    assert entries("evaluation.dossier.returned") == 1


@pytest.mark.parametrize(
    ("name", "who", "audit", "sentence"),
    [
        (
            "dossier-submit",
            "officer",
            "evaluation.dossier.submitted",
            "Hồ sơ đã chuyển sang trạng thái “Đã nộp, chờ xã đánh giá” (đang ở Ủy "
            "ban nhân dân cấp xã) nên không nộp hồ sơ được nữa; hãy xem lại hồ sơ.",
        ),
        (
            "dossier-resubmit",
            "officer",
            "evaluation.dossier.resubmitted",
            "Hồ sơ đã chuyển sang trạng thái “Đã nộp, chờ xã đánh giá” (đang ở Ủy "
            "ban nhân dân cấp xã) nên không nộp lại hồ sơ được nữa; hãy xem lại hồ "
            "sơ.",
        ),
        (
            "dossier-send-up",
            "commune_officer",
            "evaluation.dossier.sent_up",
            WAITING_AT_DISTRICT.format(action="gửi hồ sơ lên cấp trên"),
        ),
    ],
)
def test_a_move_posted_twice_is_done_once_and_then_says_what_happened(
    client, officer, commune_officer, dossier, name, who, audit, sentence
):
    if name == "dossier-submit":
        # A draft of its own, its set confirmed: the fixture's is submitted.
        dossier = Dossier.objects.get(pk=draft_dossier(officer).pk)
        confirm_set(dossier, officer)
    elif name == "dossier-resubmit":
        services.return_dossier(dossier, commune_officer, REASON)
    else:
        assess(dossier, commune_officer)
    before = entries(audit)
    client.force_login({"officer": officer, "commune_officer": commune_officer}[who])

    first = client.post(url(name, dossier))
    client.get(first["Location"])  # its success message, read
    again = client.post(url(name, dossier))

    assert said(client, again) == [("warning", sentence)]
    assert entries(audit) == before + 1


def assess(dossier, commune_officer):
    services.record_commune_assessment(
        dossier,
        commune_officer,
        **{k: v for k, v in TAB_A.items() if k != "assessed_on"},
    )


def test_evidence_uploaded_once_the_dossier_is_submitted_says_so(
    client, officer, dossier
):
    client.force_login(officer)
    upload = SimpleUploadedFile("giay-phep.pdf", b"%PDF-1.4 Tam", "application/pdf")

    response = client.post(
        url("dossier-evidence", dossier),
        {"file": upload, "description": "Giấy phép kinh doanh"},
    )

    [(level, message)] = said(client, response)
    assert level == "warning"
    assert message.startswith(
        "Hồ sơ đã chuyển sang trạng thái “Đã nộp, chờ xã đánh giá” (đang ở Ủy ban "
        "nhân dân cấp xã) nên không tải lên minh chứng được nữa; hãy xem lại hồ sơ."
    )
    assert "Giấy phép kinh doanh" in message
    assert not Evidence.objects.exists()


def test_self_assessment_of_a_submitted_dossier_says_so(client, officer, dossier):
    client.force_login(officer)

    response = client.post(url("dossier-self-assessment", dossier), {})

    assert said(client, response) == [
        (
            "warning",
            "Hồ sơ đã chuyển sang trạng thái “Đã nộp, chờ xã đánh giá” (đang ở Ủy "
            "ban nhân dân cấp xã) nên không lưu phiếu tự đánh giá được nữa; hãy xem "
            "lại hồ sơ.",
        )
    ]
    assert entries("evaluation.dossier.self_assessed") == 0


# -- the right on the dossier comes first ---------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        # No right to assess: refused, whatever the state.
        ("district", 403),
        ("city_district", 404),
        ("other_commune", 404),
    ],
)
def test_a_user_without_the_right_is_refused_whatever_the_state(
    client, commune_officer, dossier, who, status
):
    assess(dossier, commune_officer)
    user = {
        "district": tam_duong_officer(),
        "city_district": UserFactory(
            username="canbo.thanhpho",
            role=Role.DISTRICT_OFFICER,
            district=district("105"),
        ),
        "other_commune": UserFactory(
            username="canbo.banbo",
            role=Role.COMMUNE_OFFICER,
            district=district(TAM_DUONG),
            commune=commune("Xã Bản Bo", TAM_DUONG),
        ),
    }[who]
    client.force_login(user)

    assessed = client.post(url("dossier-assess", dossier), TAB_B)
    returned = client.post(url("dossier-return", dossier), {"reason": REASON})

    dossier.refresh_from_db()
    assert (assessed.status_code, returned.status_code) == (status, status)
    assert (dossier.state, dossier.returned_reason) == (DossierState.ASSESSED, "")
    assert (
        CommuneAssessment.objects.get(dossier=dossier).local_origin
        == (TAB_A["local_origin"])
    )
