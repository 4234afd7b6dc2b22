"""The small forms of the dossier and round pages: a refusal shows at the field it is
about, on the page again (status 400), with what was typed kept, and nothing saved."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.enums import DossierState
from evaluation.forms import EVIDENCE_TYPES
from evaluation.models import Certificate, Dossier, Evidence
from registry.enums import Role
from tests.evaluation_builders import (
    Meeting,
    binh_lu_officer,
    draft_dossier,
    programme_2023,
    tam_duong_officer,
    waiting_dossier,
)
from tests.factories import (
    UserFactory,
)
from tests.test_evaluation_views import score_all
from tests.test_evaluation_views_dossiers import submitted

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + timedelta(days=1)
FUTURE = "Ngày không được sau hôm nay."
# The dossiers and rounds here are of 2023.
BEFORE_DOSSIER_YEAR = (
    "Ngày không được trước 01/01/2023: hồ sơ thuộc năm chương trình 2023."
)
BEFORE_SUBMISSION = "Ngày nhận mẫu không được trước ngày nộp hồ sơ (03/04/2023)."
BEFORE_ROUND_YEAR = "Ngày không được trước 01/01/2023: đợt đánh giá thuộc năm 2023."


@pytest.fixture
def officer(lai_chau):
    return tam_duong_officer()


@pytest.fixture
def commune_officer(lai_chau):
    return binh_lu_officer()


@pytest.fixture
def draft(officer):
    return draft_dossier(officer)


@pytest.fixture
def waiting(officer):
    """Submitted on 03/04/2023 and sent up to Tam Đường's council: its samples are
    the district's to record."""
    programme_2023()
    return waiting_dossier(officer)


def post(client, name, dossier, data):
    return client.post(reverse(f"evaluation:{name}", args=[dossier.pk]), data)


# -- samples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"samples_received": "5000", "samples_received_on": "2023-05-02"},
            {
                "samples_received": [
                    "Số mẫu phải từ 1 đến 100: hồ sơ nộp 5 mẫu sản phẩm, thêm vài "
                    "mẫu khi cần kiểm nghiệm; số lớn hơn thường là gõ nhầm."
                ]
            },
        ),
        (
            {"samples_received": "-3", "samples_received_on": "2023-05-02"},
            {
                "samples_received": [
                    "Số mẫu phải từ 1 đến 100: hồ sơ nộp 5 mẫu sản phẩm, thêm vài "
                    "mẫu khi cần kiểm nghiệm; số lớn hơn thường là gõ nhầm."
                ]
            },
        ),
        (
            {"samples_received": "5", "samples_received_on": TOMORROW.isoformat()},
            {"samples_received_on": [FUTURE]},
        ),
        (
            {"samples_received": "5", "samples_received_on": "1900-01-01"},
            {"samples_received_on": [BEFORE_DOSSIER_YEAR]},
        ),
        (
            {"samples_received": "5", "samples_received_on": "2022-12-31"},
            {"samples_received_on": [BEFORE_DOSSIER_YEAR]},
        ),
        (
            {"samples_received": "5", "samples_received_on": "2023-04-02"},
            {"samples_received_on": [BEFORE_SUBMISSION]},
        ),
        (
            {"samples_received": "5", "samples_received_on": ""},
            {"samples_received_on": ["Cần ngày nhận mẫu."]},
        ),
        (
            {"samples_received": "", "samples_received_on": "2023-05-02"},
            {"samples_received": ["Cần số mẫu đã nhận."]},
        ),
    ],
)
def test_samples_refused_at_the_field_with_the_values_kept(
    client, officer, waiting, data, errors
):
    client.force_login(officer)

    response = post(client, "dossier-samples", waiting, data)

    waiting.refresh_from_db()
    form = response.context["samples_form"]
    content = response.content.decode()
    assert response.status_code == 400
    assert form.errors == errors
    for message in errors.values():
        assert f'<div class="invalid-feedback d-block">{message[0]}</div>' in content
    typed = [value for value in data.values() if value]
    assert [v for v in typed if f'value="{v}"' in content] == typed
    assert (waiting.samples_received, waiting.samples_received_on) == (0, None)


def test_samples_form_offers_days_from_the_submission_to_today_and_at_most_100(
    client, officer, waiting
):
    client.force_login(officer)

    content = client.get(reverse("evaluation:dossier-detail", args=[waiting.pk]))

    html = content.content.decode()
    field = html[html.index('name="samples_received_on"') :]
    field = field[: field.index(">")]
    assert f'max="{timezone.localdate().isoformat()}"' in field
    assert 'min="2023-04-03"' in field
    assert 'min="1" max="100"' in html


@pytest.mark.parametrize("day", [date(2023, 4, 3), date(2023, 5, 2), TODAY])
def test_samples_received_from_the_day_of_submission_to_today_are_recorded(
    client, officer, waiting, day
):
    client.force_login(officer)

    response = post(
        client,
        "dossier-samples",
        waiting,
        {"samples_received": "5", "samples_received_on": day.isoformat()},
    )

    waiting.refresh_from_db()
    assert response.status_code == 302
    assert (waiting.samples_received, waiting.samples_received_on) == (5, day)


# -- return, product set, commune assessment ------------------------------------------


def test_return_without_a_reason_is_refused_at_the_field(
    client, officer, commune_officer, draft
):
    submitted(draft, officer)
    client.force_login(commune_officer)

    response = post(client, "dossier-return", draft, {"reason": "  "})

    draft.refresh_from_db()
    content = response.content.decode()
    assert response.status_code == 400
    assert response.context["reason_form"].errors == {
        "reason": ["Cần ghi lý do trả lại hồ sơ."]
    }
    assert '<details class="card card-body mb-3" id="return-form" open>' in content
    assert draft.state == DossierState.SUBMITTED


def test_product_set_left_empty_is_refused_at_the_field(client, officer, draft):
    client.force_login(officer)

    response = post(client, "dossier-product-set", draft, {"product_set": ""})

    product = draft.registration.product
    product.refresh_from_db()
    assert response.status_code == 400
    assert response.context["product_set_form"].errors == {
        "product_set": ["Cần chọn bộ sản phẩm."]
    }
    assert product.is_product_set_confirmed is False


def test_commune_assessment_dated_after_today_is_refused_with_the_text_kept(
    client, officer, commune_officer, draft
):
    submitted(draft, officer)
    client.force_login(commune_officer)
    data = {
        "local_origin": "Nguyên liệu tại bản.",
        "local_labour": "Mười hộ trong bản.",
        "idea_origin": "Tổ hợp tác.",
        "local_identity": "Văn hóa Dao đỏ.",
        "assessed_on": TOMORROW.isoformat(),
    }

    response = post(client, "dossier-assess", draft, data)

    draft.refresh_from_db()
    content = response.content.decode()
    assert response.status_code == 400
    assert response.context["assessment_form"].errors == {"assessed_on": [FUTURE]}
    assert "Mười hộ trong bản.</textarea>" in content
    assert f'value="{TOMORROW.isoformat()}"' in content
    assert "is-invalid" in content
    assert draft.state == DossierState.SUBMITTED


# -- the Ministry's result and the round's decision -----------------------------------


@pytest.fixture
def staff(lai_chau):
    return UserFactory(username="canbo.tinh", role=Role.PROVINCE_STAFF)


def test_ministry_result_dated_after_today_or_off_the_scale_is_refused_at_the_fields(
    client, lai_chau, staff
):
    meeting = Meeting()
    ministry = meeting.programme.rulebook.tiers.get(order=4)
    Dossier.objects.filter(pk=meeting.dossier.pk).update(
        state=DossierState.WAITING, current_tier=ministry
    )
    client.force_login(staff)
    url = reverse("evaluation:dossier-ministry-result", args=[meeting.dossier.pk])

    future = client.post(
        url,
        {
            "stars": 5,
            "score": "92.50",
            "decision_number": "1234/QĐ-BNN",
            "decision_date": TOMORROW.isoformat(),
        },
    )
    off_scale = client.post(
        url,
        {
            "stars": 5,
            "score": "150",
            "decision_number": "1234/QĐ-BNN",
            "decision_date": "2023-12-20",
        },
    )

    meeting.dossier.refresh_from_db()
    assert (future.status_code, off_scale.status_code) == (400, 400)
    assert future.context["ministry_form"].errors == {"decision_date": [FUTURE]}
    assert off_scale.context["ministry_form"].errors == {
        "score": ["Điểm phải từ 0 đến 100."]
    }
    assert 'value="1234/QĐ-BNN"' in future.content.decode()
    assert meeting.dossier.state == DossierState.WAITING
    assert not Certificate.objects.exists()


def test_decision_dated_after_today_is_refused_at_the_field_of_the_round_page(
    client, lai_chau
):
    meeting = Meeting()
    score_all(meeting, low_parts=("C",))
    services.close_round(meeting.round, meeting.chair)
    client.force_login(meeting.officer)

    response = client.post(
        reverse("evaluation:round-certify", args=[meeting.round.pk]),
        {"decision_number": "123/QĐ-UBND", "decision_date": TOMORROW.isoformat()},
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert response.context["decision_form"].errors == {"decision_date": [FUTURE]}
    assert 'value="123/QĐ-UBND"' in content
    assert f'<div class="invalid-feedback d-block">{FUTURE}</div>' in content
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("day", ["1900-01-01", "2022-12-31"])
def test_ministry_decision_before_the_programme_year_is_refused_at_the_field(
    client, lai_chau, staff, day
):
    meeting = Meeting()
    ministry = meeting.programme.rulebook.tiers.get(order=4)
    Dossier.objects.filter(pk=meeting.dossier.pk).update(
        state=DossierState.WAITING, current_tier=ministry
    )
    client.force_login(staff)

    response = client.post(
        reverse("evaluation:dossier-ministry-result", args=[meeting.dossier.pk]),
        {
            "stars": 5,
            "score": "92.50",
            "decision_number": "1234/QĐ-BNN",
            "decision_date": day,
        },
    )

    content = response.content.decode()
    form = response.context["ministry_form"]
    assert response.status_code == 400
    assert form.errors == {"decision_date": [BEFORE_DOSSIER_YEAR]}
    assert form["decision_date"].field.widget.attrs["min"] == "2023-01-01"
    assert f'<div class="invalid-feedback d-block">{BEFORE_DOSSIER_YEAR}</div>' in (
        content
    )
    assert not Certificate.objects.exists()


def test_ministry_decision_on_the_first_day_of_the_programme_year_is_recorded(
    client, lai_chau, staff
):
    meeting = Meeting()
    ministry = meeting.programme.rulebook.tiers.get(order=4)
    Dossier.objects.filter(pk=meeting.dossier.pk).update(
        state=DossierState.WAITING, current_tier=ministry
    )
    client.force_login(staff)

    response = client.post(
        reverse("evaluation:dossier-ministry-result", args=[meeting.dossier.pk]),
        {
            "stars": 5,
            "score": "92.50",
            "decision_number": "1234/QĐ-BNN",
            "decision_date": "2023-01-01",
        },
    )

    assert response.status_code == 302
    assert list(Certificate.objects.values_list("stars", "decision_date")) == [
        (5, date(2023, 1, 1))
    ]


@pytest.mark.parametrize("day", ["1900-01-01", "2022-12-31"])
def test_decision_before_the_round_year_is_refused_at_the_field_of_the_round_page(
    client, lai_chau, day
):
    meeting = Meeting()
    score_all(meeting, low_parts=("C",))
    services.close_round(meeting.round, meeting.chair)
    client.force_login(meeting.officer)

    response = client.post(
        reverse("evaluation:round-certify", args=[meeting.round.pk]),
        {"decision_number": "123/QĐ-UBND", "decision_date": day},
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert response.context["decision_form"].errors == {
        "decision_date": [BEFORE_ROUND_YEAR]
    }
    assert f'<div class="invalid-feedback d-block">{BEFORE_ROUND_YEAR}</div>' in (
        content
    )
    assert not Certificate.objects.exists()


def test_round_page_offers_decision_days_of_the_round_year_to_today(client, lai_chau):
    meeting = Meeting()
    score_all(meeting, low_parts=("C",))
    services.close_round(meeting.round, meeting.chair)
    client.force_login(meeting.officer)

    response = client.get(reverse("evaluation:round-detail", args=[meeting.round.pk]))

    (group,) = response.context["certify_groups"]
    attrs = group.form["decision_date"].field.widget.attrs
    assert (attrs["min"], attrs["max"]) == (
        "2023-01-01",
        timezone.localdate().isoformat(),
    )


def test_decision_on_the_first_day_of_the_round_year_certifies(client, lai_chau):
    meeting = Meeting()
    score_all(meeting, low_parts=("C",))
    services.close_round(meeting.round, meeting.chair)
    client.force_login(meeting.officer)

    response = client.post(
        reverse("evaluation:round-certify", args=[meeting.round.pk]),
        {"decision_number": "123/QĐ-UBND", "decision_date": "2023-01-01"},
    )

    assert response.status_code == 302
    assert list(Certificate.objects.values_list("decision_date", flat=True)) == [
        date(2023, 1, 1)
    ]


# -- evidence: the content must be what the name says ---------------------------------


def png_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    return buffer.getvalue()


def office_bytes(main_part, padding=0):
    """A Word or Excel file as a ZIP archive with its main part; ``padding`` bytes of
    a stored part first push the main part past the first 8 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if padding:
            archive.writestr(
                "docProps/thumbnail.jpeg",
                bytes(range(256)) * (padding // 256),
                compress_type=zipfile.ZIP_STORED,
            )
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def xlsx_bytes():
    import openpyxl

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Danh sách lao động"
    workbook.save(buffer)
    return buffer.getvalue()


def upload_evidence(client, dossier, name, content):
    return client.post(
        reverse("evaluation:dossier-evidence", args=[dossier.pk]),
        {"file": SimpleUploadedFile(name, content, "application/octet-stream")},
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "danh-sach-lao-dong.xlsx",
            "png",
            "Tệp có đuôi .xlsx nhưng nội dung là ảnh PNG. Hãy tải lên đúng tệp gốc, "
            "hoặc đổi đuôi cho khớp nội dung.",
        ),
        (
            "giay-phep.pdf",
            "docx",
            "Tệp có đuôi .pdf nhưng nội dung là tệp Word (.docx). Hãy tải lên đúng "
            "tệp gốc, hoặc đổi đuôi cho khớp nội dung.",
        ),
        (
            "hop-dong.docx",
            "zip",
            "Tệp có đuôi .docx nhưng nội dung là tệp nén ZIP. Hãy tải lên đúng tệp "
            "gốc, hoặc đổi đuôi cho khớp nội dung.",
        ),
        (
            "anh-san-pham.jpg",
            "text",
            "Tệp có đuôi .jpg nhưng nội dung không phải ảnh JPG: tệp có thể đã hỏng "
            "hoặc bị đổi đuôi.",
        ),
        (
            "anh-san-pham.png",
            "exe",
            "Tệp có đuôi .png nhưng nội dung là tệp EXE. Hãy tải lên đúng tệp gốc, "
            "hoặc đổi đuôi cho khớp nội dung.",
        ),
    ],
)
def test_evidence_whose_content_is_not_what_its_name_says_is_refused(
    client, officer, draft, name, content, message
):
    contents = {
        "png": png_bytes,
        "docx": lambda: office_bytes("word/document.xml"),
        "zip": lambda: office_bytes("ghi-chu.txt"),
        "text": lambda: "Ảnh chụp sản phẩm".encode(),
        "exe": lambda: b"MZ\x90\x00" + bytes(60),
    }
    client.force_login(officer)

    response = upload_evidence(client, draft, name, contents[content]())

    assert response.status_code == 400
    assert response.context["evidence_form"].errors == {"file": [message]}
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("anh-san-pham.png", png_bytes, "image/png"),
        ("giay-phep.pdf", lambda: b"%PDF-1.7\n", "application/pdf"),
        ("danh-sach.xlsx", xlsx_bytes, EVIDENCE_TYPES[".xlsx"]),
        (
            "hop-dong.docx",
            lambda: office_bytes("word/document.xml", padding=20_000),
            EVIDENCE_TYPES[".docx"],
        ),
    ],
)
def test_evidence_whose_content_matches_its_name_is_kept_with_that_type(
    client, officer, draft, name, content, media_type
):
    client.force_login(officer)

    response = upload_evidence(client, draft, name, content())

    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert (evidence.original_name, evidence.content_type) == (name, media_type)


def test_evidence_up_to_the_configured_limit_is_kept(client, officer, draft, settings):
    settings.OCOP_EVIDENCE_MAX_BYTES = 3 * 1024 * 1024
    client.force_login(officer)

    response = upload_evidence(
        client, draft, "giay-phep.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024)
    )

    assert response.status_code == 302
    assert Evidence.objects.get().size > 2 * 1024 * 1024
