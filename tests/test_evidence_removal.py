"""An evidence file uploaded by mistake is removed from the dossier's page, by whoever
may upload evidence on it and while they still may: the removal is in the dossier's
history and the stored file goes once the removal is committed."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from evaluation import services
from evaluation.models import Evidence
from ocop.models import AuditEntry
from registry.enums import Role
from tests.evaluation_builders import (
    Meeting,
    binh_lu_officer,
    draft_dossier,
    tam_duong_officer,
)
from tests.factories import LAI_CHAU_CITY, UserFactory, district
from tests.test_evaluation_views_dossiers import confirm_set, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(lai_chau):
    return tam_duong_officer()


@pytest.fixture
def draft(officer):
    dossier = draft_dossier(officer)
    confirm_set(dossier, officer)
    dossier.refresh_from_db()
    return dossier


def attach(dossier, officer, name="dang-ky-sai.pdf", criterion=None):
    upload = SimpleUploadedFile(name, b"%PDF-1.4 Tam", "application/pdf")
    return services.attach_evidence(dossier, officer, upload, criterion=criterion)


def remove_url(evidence):
    return reverse(
        "evaluation:dossier-evidence-remove", args=[evidence.dossier_id, evidence.pk]
    )


def test_officer_removes_a_wrong_file_and_the_history_says_which(
    client, officer, draft, django_capture_on_commit_callbacks
):
    criterion = draft.sheet.criteria.get(code="1.1")
    wrong = attach(draft, officer, criterion=criterion)
    kept = attach(draft, officer, name="giay-phep.pdf")
    storage, path = wrong.file.storage, wrong.file.name
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(remove_url(wrong))
    # Until the removal is committed, the file stays where it was.
    still_stored = storage.exists(path)
    for callback in callbacks:
        callback()

    page = client.get(response["Location"])
    entry = AuditEntry.objects.get(action="evaluation.dossier.evidence_removed")
    assert response.status_code == 302
    assert [str(m) for m in page.context["messages"]] == [
        "Đã xoá minh chứng “dang-ky-sai.pdf”."
    ]
    assert list(draft.evidence.all()) == [kept]
    assert (still_stored, storage.exists(path)) == (True, False)
    assert storage.exists(kept.file.name)
    assert (entry.actor, entry.object_id) == (officer, str(draft.pk))
    assert entry.created_at is not None
    assert (entry.data["file"], entry.data["criterion"]) == ("dang-ky-sai.pdf", "1.1")
    history = page.content.decode().split('id="dossier-history"')[1]
    assert "Xoá minh chứng" in history
    assert "dang-ky-sai.pdf · 1.1" in history


def test_removal_rolled_back_keeps_the_file(
    officer, draft, django_capture_on_commit_callbacks
):
    evidence = attach(draft, officer)
    path = evidence.file.name

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.remove_evidence(draft, officer, evidence)
        raise RuntimeError("a later step of the same transaction failed")

    assert callbacks == []
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert evidence.file.storage.exists(path)


def test_commune_officer_of_the_dossier_removes_evidence_of_a_returned_dossier(
    client, officer, draft
):
    commune_officer = binh_lu_officer()
    submitted(draft, officer, received_on=date(2023, 4, 3))
    services.return_dossier(draft, commune_officer, "Thiếu giấy phép.")
    evidence = attach(draft, officer)
    client.force_login(commune_officer)

    response = client.post(remove_url(evidence), follow=True)

    assert response.status_code == 200
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("other_district", 404), ("member", 403)])
def test_users_who_may_not_upload_cannot_remove(client, officer, who, status):
    meeting = Meeting(officer=officer)
    # A file on a dossier the council scores (left from before it was submitted).
    evidence = Evidence.objects.create(
        dossier=meeting.dossier,
        file=ContentFile(b"%PDF-1.4", name="ban-do.pdf"),
        original_name="ban-do.pdf",
        size=8,
    )
    user = {
        "other_district": UserFactory(
            username="canbo.thanhpho",
            role=Role.DISTRICT_OFFICER,
            district=district(LAI_CHAU_CITY),
        ),
        "member": meeting.chair,
    }[who]
    client.force_login(user)

    response = client.post(remove_url(evidence))

    assert response.status_code == status
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert not AuditEntry.objects.filter(action="evaluation.dossier.evidence_removed")


def test_evidence_of_a_submitted_dossier_cannot_be_removed(client, officer, draft):
    evidence = attach(draft, officer)
    submitted(draft, officer, received_on=date(2023, 4, 3))
    client.force_login(officer)

    page = client.get(reverse("evaluation:dossier-detail", args=[draft.pk]))
    response = client.post(remove_url(evidence), follow=True)

    assert "evidence-remove" not in page.content.decode()
    assert [str(m) for m in response.context["messages"]] == [
        "Hồ sơ đã chuyển sang trạng thái “Đã nộp, chờ xã đánh giá” (đang ở Ủy ban "
        "nhân dân cấp xã) nên không xoá minh chứng được nữa; hãy xem lại hồ sơ."
    ]
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert evidence.file.storage.exists(evidence.file.name)
    assert not AuditEntry.objects.filter(action="evaluation.dossier.evidence_removed")


def test_service_refuses_the_removal_once_the_dossier_is_submitted(officer, draft):
    from django.core.exceptions import ValidationError

    evidence = attach(draft, officer)
    submitted(draft, officer, received_on=date(2023, 4, 3))

    with pytest.raises(ValidationError) as error:
        services.remove_evidence(draft, officer, evidence)

    assert error.value.messages == ["Hồ sơ đã nộp; không xoá minh chứng được nữa."]
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_page_offers_removal_beside_each_file_while_editable(client, officer, draft):
    first, second = attach(draft, officer), attach(draft, officer, "anh.pdf")
    client.force_login(officer)

    html = client.get(reverse("evaluation:dossier-detail", args=[draft.pk]))

    content = html.content.decode()
    assert content.count('class="d-inline evidence-remove"') == 2
    for evidence in (first, second):
        assert f'action="{remove_url(evidence)}"' in content
    assert "Xoá minh chứng “anh.pdf” khỏi hồ sơ?" in content


def test_removing_a_file_already_removed_says_so(client, officer, draft):
    evidence = attach(draft, officer)
    client.force_login(officer)
    client.post(remove_url(evidence), follow=True)

    again = client.post(remove_url(evidence), follow=True)

    assert [str(m) for m in again.context["messages"]] == [
        "Minh chứng này không còn trên hồ sơ: có thể đã được xoá."
    ]
    assert (
        AuditEntry.objects.filter(action="evaluation.dossier.evidence_removed").count()
        == 1
    )
