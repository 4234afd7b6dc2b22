"""The documents page (paged, filtered), each certificate's PDF on the certificate
list and the product page, and the decision's signer."""

import io
import unicodedata
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from evaluation import tasks
from evaluation.documents.services import make_certificate
from evaluation.enums import TierLevel
from evaluation.reports import EXPIRING_WITHIN_DAYS
from ocop.documents import store_document
from ocop.enums import DocumentKind, JobStatus
from ocop.jobs import start_job
from ocop.models import Document, Job
from registry.enums import Role
from tests.document_builders import make_decision
from tests.factories import LAI_CHAU_CITY, TAM_DUONG, UserFactory, district

pytestmark = pytest.mark.django_db


def pdf_text(document):
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def district_officer(username, code):
    return UserFactory(
        username=username, role=Role.DISTRICT_OFFICER, district=district(code)
    )


def run(django_capture_on_commit_callbacks, task, kind, user=None, **params):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(task, kind=kind, title="Việc thử", params=params, user=user)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    return job


def fake_report(province, index, year=2026):
    return store_document(
        kind=DocumentKind.REPORT,
        key=f"report:test:{index}",
        title=f"Báo cáo số {index}",
        data={"index": index},
        render=lambda _data: b"PK fake",
        file_name="bao-cao.xlsx",
        province_id=province.pk,
        year=year,
    )


# -- the certificate list and the product page: each certificate's PDF ------------


def test_certificate_list_links_a_made_pdf_and_offers_to_make_the_others(
    lai_chau, client
):
    _round, (made, missing) = make_decision(2)
    document = make_certificate(made)
    client.force_login(UserFactory(username="tinh"))

    response = client.get(reverse("evaluation:certificate-list"))

    html = response.content.decode()
    rows = {c.pk: c for c in response.context["certificates"]}
    assert (rows[made.pk].document_id, rows[missing.pk].document_id) == (
        document.pk,
        None,
    )
    assert f'href="{reverse("ocop:document-download", args=[document.pk])}"' in html
    assert reverse("ocop:certificate-document-start", args=[missing.pk]) in html
    assert reverse("ocop:certificate-document-start", args=[made.pk]) not in html


def test_certificate_pdf_button_makes_that_certificates_pdf_alone(
    lai_chau, client, django_capture_on_commit_callbacks
):
    _round, (first, second) = make_decision(2)
    staff = UserFactory(username="tinh")
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ocop:certificate-document-start", args=[second.pk])
        )

    job = Job.objects.get()
    document = Document.objects.get()
    assert response.url == reverse("ocop:job-detail", args=[job.pk])
    assert (job.kind, job.status, job.params) == (
        "documents.certificate",
        JobStatus.DONE,
        {"certificate_id": second.pk},
    )
    assert job.result == {"document_ids": [document.pk]}
    assert (document.kind, document.key, document.created_by) == (
        DocumentKind.CERTIFICATE,
        f"certificate:{second.pk}",
        staff,
    )
    assert (document.decision_number, document.year) == ("1234/QĐ-UBND", 2023)
    assert "Miến dong Bình Lư loại 2" in pdf_text(document)
    assert "Miến dong Bình Lư loại 1" not in pdf_text(document)
    job_page = client.get(reverse("ocop:job-detail", args=[job.pk])).content.decode()
    assert document.get_absolute_url() in job_page


def test_certificate_pdf_of_another_districts_round_is_not_offered(
    lai_chau, client, django_capture_on_commit_callbacks
):
    _round, (own,) = make_decision(1)
    _round, (other,) = make_decision(
        1, number="77/QĐ-UBND", district_code=LAI_CHAU_CITY
    )
    make_certificate(other)
    client.force_login(district_officer("huyen", TAM_DUONG))

    html = client.get(reverse("evaluation:certificate-list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(
            reverse("ocop:certificate-document-start", args=[other.pk])
        )

    assert reverse("ocop:certificate-document-start", args=[own.pk]) in html
    assert reverse("ocop:certificate-document-start", args=[other.pk]) not in html
    assert "certificate-pdf" not in html
    assert refused.status_code == 404
    assert Job.objects.count() == 0


@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICER, Role.COUNCIL_MEMBER])
def test_certificate_pdf_is_made_only_by_who_makes_documents(lai_chau, client, role):
    _round, (certificate,) = make_decision(1)
    client.force_login(UserFactory(username="xa", role=role))

    html = client.get(reverse("evaluation:certificate-list")).content.decode()
    refused = client.post(
        reverse("ocop:certificate-document-start", args=[certificate.pk])
    )

    assert certificate.number in html
    assert "certificate-make-pdf" not in html
    assert refused.status_code == 403
    assert Job.objects.count() == 0


def test_certificate_list_finds_the_pdfs_in_the_same_queries_for_one_or_many(
    lai_chau, client
):
    _round, certificates = make_decision(1)
    make_certificate(certificates[0])
    client.force_login(UserFactory(username="tinh"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("evaluation:certificate-list"))
    _round, more = make_decision(6, number="88/QĐ-UBND")
    for certificate in more[:3]:
        make_certificate(certificate)

    with CaptureQueriesContext(connection) as seven:
        client.get(reverse("evaluation:certificate-list"))

    assert len(seven) == len(one)


def test_product_page_links_its_certificates_pdf(lai_chau, client):
    _round, (certificate,) = make_decision(1)
    document = make_certificate(certificate)
    client.force_login(UserFactory(username="tinh"))

    response = client.get(
        reverse("registry:product-detail", args=[certificate.product_id])
    )

    html = response.content.decode()
    history = html[html.index('id="history-certificates"') :]
    assert f'href="{document.get_absolute_url()}"' in history


# -- the documents page: paged and filtered, its queries counted -------------------


def test_documents_page_shows_fifty_documents_a_page(lai_chau, client):
    for index in range(55):
        fake_report(lai_chau, index)
    client.force_login(UserFactory(username="tinh"))

    first = client.get(reverse("ocop:document-list"))
    second = client.get(reverse("ocop:document-list"), {"page": 2})

    assert len(first.context["document_groups"]) == 50
    assert [g[0].title for g in second.context["document_groups"]] == [
        f"Báo cáo số {index}" for index in range(4, -1, -1)
    ]
    assert "Trang 2/2" in second.content.decode()
    assert "55 tài liệu" in first.content.decode()


def test_documents_page_groups_a_documents_versions_under_its_latest(lai_chau, client):
    for state in ("A", "B", "C"):
        store_document(
            kind=DocumentKind.REPORT,
            key="report:versions",
            title=f"Báo cáo {state}",
            data={"state": state},
            render=lambda _data: b"PK",
            file_name="bao-cao.xlsx",
            province_id=lai_chau.pk,
        )
    client.force_login(UserFactory(username="tinh"))

    response = client.get(reverse("ocop:document-list"))

    (group,) = response.context["document_groups"]
    assert [(d.title, d.version) for d in group[:1]] == [("Báo cáo C", 3)]
    assert [d.version for d in group] == [3, 2, 1]


@pytest.fixture
def two_decisions(lai_chau, django_capture_on_commit_callbacks):
    """Tam Đường's 2023 decision and the province's 2026 one, with their documents."""
    round_2023, _c = make_decision(2)
    round_2026, _c = make_decision(
        1,
        number="55/QĐ-UBND",
        rulebook_code="26-2026",
        level=TierLevel.PROVINCE,
        decision_date=date(2026, 7, 1),
        year=2026,
    )
    for number in ("1234/QĐ-UBND", "55/QĐ-UBND"):
        for task, kind in (
            (tasks.render_decision_certificates, "documents.decision_certificates"),
            (tasks.render_decision, "documents.decision"),
        ):
            run(
                django_capture_on_commit_callbacks,
                task,
                kind,
                decision_number=number,
                province_id=lai_chau.pk,
            )
    run(
        django_capture_on_commit_callbacks,
        tasks.render_round_summary,
        "documents.round_summary",
        round_id=round_2023.pk,
    )
    return round_2023, round_2026


def listed(client, **filters):
    response = client.get(reverse("ocop:document-list"), filters)
    return sorted(
        (group[0].kind, group[0].decision_number, group[0].year)
        for group in response.context["document_groups"]
    )


def test_documents_page_filters_by_kind_decision_round_and_year(two_decisions, client):
    round_2023, round_2026 = two_decisions
    client.force_login(UserFactory(username="tinh"))

    by_kind = listed(client, kind=DocumentKind.DECISION)
    by_decision = listed(client, decision="55/QĐ-UBND")
    by_round = listed(client, round=round_2023.pk)
    by_year = listed(client, year=2026, kind=DocumentKind.CERTIFICATE)
    everything = listed(client)

    assert by_kind == [
        ("decision", "1234/QĐ-UBND", 2023),
        ("decision", "55/QĐ-UBND", 2026),
    ]
    assert by_decision == [
        ("certificate", "55/QĐ-UBND", 2026),
        ("certificate_bundle", "55/QĐ-UBND", 2026),
        ("decision", "55/QĐ-UBND", 2026),
        ("decision_annex", "55/QĐ-UBND", 2026),
    ]
    assert by_round == [
        ("certificate", "1234/QĐ-UBND", 2023),
        ("certificate", "1234/QĐ-UBND", 2023),
        ("certificate_bundle", "1234/QĐ-UBND", 2023),
        ("decision", "1234/QĐ-UBND", 2023),
        ("decision_annex", "1234/QĐ-UBND", 2023),
        ("round_summary", "", 2023),
    ]
    assert by_year == [("certificate", "55/QĐ-UBND", 2026)]
    assert len(everything) == 10


def test_documents_page_offers_the_filters_its_documents_are_about(
    two_decisions, client
):
    round_2023, round_2026 = two_decisions
    client.force_login(UserFactory(username="tinh"))

    form = client.get(reverse("ocop:document-list")).context["filters"]

    assert [value for value, _label in form.fields["decision"].choices] == [
        "",
        "1234/QĐ-UBND",
        "55/QĐ-UBND",
    ]
    assert [value for value, _label in form.fields["round"].choices] == [
        "",
        round_2026.pk,
        round_2023.pk,
    ]
    assert [value for value, _label in form.fields["year"].choices] == [
        "",
        2026,
        2023,
    ]


def test_documents_page_makes_the_same_queries_for_five_documents_or_fifty(
    lai_chau, client
):
    for index in range(5):
        fake_report(lai_chau, index, year=2023 + index % 2)
    client.force_login(UserFactory(username="tinh"))
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("ocop:document-list"), {"year": 2023})
    for index in range(5, 120):
        fake_report(lai_chau, index, year=2023 + index % 2)
    for state in ("B", "C"):
        store_document(
            kind=DocumentKind.REPORT,
            key="report:test:7",
            title="Báo cáo số 7",
            data={"state": state},
            render=lambda _data: b"PK",
            file_name="bao-cao.xlsx",
            province_id=lai_chau.pk,
            year=2024,
        )

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("ocop:document-list"), {"year": 2023})

    assert len(response.context["document_groups"]) == 50
    assert len(many) == len(five)


# -- the decision's signer ---------------------------------------------------------


def test_decision_prints_the_signer_the_job_form_names(
    lai_chau, client, django_capture_on_commit_callbacks
):
    make_decision(2)
    client.force_login(UserFactory(username="tinh"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ocop:document-job-start"),
            {
                "job": "decision",
                "decision_number": "1234/QĐ-UBND",
                "signer_title": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
                "signer_name": "Nguyễn Văn Ký",
            },
        )

    decision = Document.objects.get(kind=DocumentKind.DECISION)
    assert decision.input_data["signer_title"] == "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    assert decision.input_data["signer_name"] == "Nguyễn Văn Ký"
    assert (
        "chịu trách nhiệm thi hành Quyết định này. KT. CHỦ TỊCH PHÓ CHỦ TỊCH "
        "Nguyễn Văn Ký 1 PHỤ LỤC" in pdf_text(decision)
    )


def test_decision_without_a_signer_prints_the_authoritys_head(
    lai_chau, client, django_capture_on_commit_callbacks
):
    make_decision(1)
    client.force_login(UserFactory(username="tinh"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ocop:document-job-start"),
            {"job": "decision", "decision_number": "1234/QĐ-UBND"},
        )

    decision = Document.objects.get(kind=DocumentKind.DECISION)
    assert decision.input_data["signer_title"] == "TM. Ủy ban nhân dân\nChủ tịch"
    assert decision.input_data["signer_name"] == ""
    assert (
        "chịu trách nhiệm thi hành Quyết định này. TM. ỦY BAN NHÂN DÂN CHỦ TỊCH "
        "1 PHỤ LỤC" in pdf_text(decision)
    )


def test_decision_signed_by_someone_else_is_a_new_version(
    lai_chau, django_capture_on_commit_callbacks
):
    make_decision(1)

    for name in ("Nguyễn Văn Ký", "Trần Thị Thay"):
        run(
            django_capture_on_commit_callbacks,
            tasks.render_decision,
            "documents.decision",
            decision_number="1234/QĐ-UBND",
            signer_title="KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
            signer_name=name,
        )

    versions = Document.objects.filter(kind=DocumentKind.DECISION).order_by("version")
    assert [d.input_data["signer_name"] for d in versions] == [
        "Nguyễn Văn Ký",
        "Trần Thị Thay",
    ]


# A signer's name and title at the most the job form takes: 100 and 200 characters.
LONG_SIGNER_NAME = (
    "Nguyễn Hoàng Thị Phương Thảo Ngọc Bích Lan Anh Khánh Linh Minh Châu Bảo "
    "Ngọc Thanh Hương Diệu Tâm Vy"
)
LONG_SIGNER_TITLE = (
    "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH THƯỜNG TRỰC ỦY BAN NHÂN DÂN HUYỆN, PHỤ TRÁCH "
    "KINH TẾ, NÔNG NGHIỆP, PHÁT TRIỂN NÔNG THÔN, CHƯƠNG TRÌNH MỖI XÃ MỘT SẢN "
    "PHẨM VÀ XÂY DỰNG NÔNG THÔN MỚI, ĐÔ THỊ VĂN MINH Ở HUYỆN"
)


def test_decision_prints_a_signer_of_the_longest_name_and_title_whole(
    lai_chau, client, django_capture_on_commit_callbacks
):
    make_decision(2)
    client.force_login(UserFactory(username="tinh"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ocop:document-job-start"),
            {
                "job": "decision",
                "decision_number": "1234/QĐ-UBND",
                "signer_title": LONG_SIGNER_TITLE,
                "signer_name": LONG_SIGNER_NAME,
            },
        )

    decision = Document.objects.get(kind=DocumentKind.DECISION)
    text = pdf_text(decision)
    signature = text[text.index("chịu trách nhiệm thi hành Quyết định này.") :]
    assert (len(LONG_SIGNER_NAME), len(LONG_SIGNER_TITLE)) == (100, 200)
    assert response.status_code == 302
    assert signature.startswith(
        "chịu trách nhiệm thi hành Quyết định này. KT. CHỦ TỊCH PHÓ CHỦ TỊCH "
        "THƯỜNG TRỰC ỦY BAN NHÂN DÂN HUYỆN, PHỤ TRÁCH KINH TẾ, NÔNG NGHIỆP, PHÁT "
        "TRIỂN NÔNG THÔN, CHƯƠNG TRÌNH MỖI XÃ MỘT SẢN PHẨM VÀ XÂY DỰNG NÔNG THÔN "
        f"MỚI, ĐÔ THỊ VĂN MINH Ở HUYỆN {LONG_SIGNER_NAME} "
    )


def test_decision_heading_sets_the_body_and_the_nation_side_by_side(
    lai_chau, client, django_capture_on_commit_callbacks
):
    make_decision(1)
    client.force_login(UserFactory(username="tinh"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ocop:document-job-start"),
            {"job": "decision", "decision_number": "1234/QĐ-UBND"},
        )

    text = pdf_text(Document.objects.get(kind=DocumentKind.DECISION))
    # The heading's table read a row at a time: the body, then the nation beside
    # it; the number, then the place and date beside it.
    assert text.startswith(
        "ỦY BAN NHÂN DÂN HUYỆN TAM ĐƯỜNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập "
        "- Tự do - Hạnh phúc Số: 1234/QĐ-UBND Tam Đường, ngày 12 tháng 10 năm 2023 "
        "QUYẾT ĐỊNH"
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "signer_name",
            LONG_SIGNER_NAME + "x",
            "Họ tên người ký dài tối đa 100 ký tự (đang có 101).",
        ),
        (
            "signer_title",
            LONG_SIGNER_TITLE + "x",
            "Chức vụ người ký dài tối đa 200 ký tự (đang có 201): hãy viết gọn, mỗi "
            "dòng cách nhau bằng dấu /.",
        ),
    ],
)
def test_signer_longer_than_the_decision_takes_is_refused_at_the_field(
    lai_chau, client, field, value, message
):
    make_decision(1)
    client.force_login(UserFactory(username="tinh"))

    response = client.post(
        reverse("ocop:document-job-start"),
        {"job": "decision", "decision_number": "1234/QĐ-UBND", field: value},
    )

    html = response.content.decode()
    after = html[html.index(f'id="id_{field}"') :]
    assert response.status_code == 400
    assert response.context["job_form"].errors == {field: [message]}
    assert f'value="{value}"' in after[: after.index(">")]
    assert "is-invalid" in after[: after.index(">")]
    assert f'<div class="invalid-feedback d-block">{message}</div>' in after
    assert 'id="job-form-refused"' in html
    # The report's form, not the one posted, keeps its own defaults.
    assert (field_value(html, "id_day"), field_value(html, "id_days")) == (
        timezone.localdate().isoformat(),
        str(EXPIRING_WITHIN_DAYS),
    )
    assert Job.objects.count() == 0


def field_value(html, element_id):
    tag = html[html.index(f'id="{element_id}"') :]
    tag = tag[: tag.index(">")]
    return tag[tag.index('value="') + len('value="') :].split('"')[0]


def test_report_day_before_the_programme_began_is_refused_at_the_field(
    lai_chau, client
):
    client.force_login(UserFactory(username="tinh"))

    response = client.post(
        reverse("ocop:document-job-start"),
        {"job": "report", "report": "certificates", "day": "1900-01-01", "days": "90"},
    )

    message = "Ngày không được trước 01/01/2018: Chương trình OCOP bắt đầu năm 2018."
    html = response.content.decode()
    assert response.status_code == 400
    assert response.context["job_form"].errors == {"day": [message]}
    assert 'value="1900-01-01"' in html
    assert 'min="2018-01-01"' in html
    assert f'<div class="invalid-feedback d-block">{message}</div>' in html
    assert Job.objects.count() == 0


@pytest.mark.parametrize("day", ["9999-12-31", "tomorrow"])
def test_report_day_after_today_is_refused_at_the_field(lai_chau, client, day):
    if day == "tomorrow":
        day = (timezone.localdate() + timedelta(days=1)).isoformat()
    client.force_login(UserFactory(username="tinh"))

    response = client.post(
        reverse("ocop:document-job-start"),
        {"job": "report", "report": "certificates", "day": day, "days": "90"},
    )

    message = "Ngày không được sau hôm nay."
    html = response.content.decode()
    tag = html[html.index('id="id_day"') :]
    tag = tag[: tag.index(">")]
    assert response.status_code == 400
    assert response.context["job_form"].errors == {"day": [message]}
    assert f'value="{day}"' in tag
    assert f'max="{timezone.localdate().isoformat()}"' in tag
    assert "is-invalid" in tag
    assert f'<div class="invalid-feedback d-block">{message}</div>' in html
    assert Job.objects.count() == 0


def test_report_on_today_is_made(lai_chau, client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(username="tinh"))
    today = timezone.localdate().isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ocop:document-job-start"),
            {"job": "report", "report": "products", "day": today},
        )

    assert response.status_code == 302
    assert Job.objects.get().params["day"] == today


def test_report_on_the_first_day_of_the_programme_is_made(
    lai_chau, client, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(username="tinh"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ocop:document-job-start"),
            {"job": "report", "report": "products", "day": "2018-01-01"},
        )

    job = Job.objects.get()
    assert response.status_code == 302
    assert job.params["day"] == "2018-01-01"


# -- the report form: the day a report counts on -----------------------------------


def test_report_form_counts_on_the_day_and_window_it_names(
    lai_chau, client, django_capture_on_commit_callbacks
):
    make_decision(1)
    client.force_login(UserFactory(username="tinh"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("ocop:document-job-start"),
            {
                "job": "report",
                "report": "certificates",
                "day": "2024-03-15",
                "days": "90",
            },
        )

    job = Job.objects.get()
    document = Document.objects.get()
    assert job.params == {
        "report": "certificates",
        "province_id": lai_chau.pk,
        "day": "2024-03-15",
        "days": 90,
    }
    assert job.title == (
        "Báo cáo giấy chứng nhận: đã cấp, sắp hết hạn, thu hồi, ngày 15/03/2024"
    )
    assert (document.key, document.year) == (
        "report:certificates:12:2024-03-15:90",
        2024,
    )
    assert document.file_name == "bao-cao-giay-chung-nhan-20240315.xlsx"
    assert document.input_data["sheets"][1]["heading"] == (
        "Giấy chứng nhận hết hạn trong 90 ngày tới (tính từ 15/03/2024)"
    )


# -- district officers: the documents of their own district's rounds ---------------

START = "ocop:document-job-start"
ROUND_DOCUMENTS = [
    DocumentKind.CERTIFICATE,
    DocumentKind.CERTIFICATE_BUNDLE,
    DocumentKind.DECISION,
    DocumentKind.DECISION_ANNEX,
    DocumentKind.ROUND_SUMMARY,
]


@pytest.fixture
def two_districts(lai_chau, django_capture_on_commit_callbacks):
    """A closed round of Tam Đường and one of Thành phố Lai Châu, each certified by
    its People's Committee, with every document the province's staff make of them."""
    staff = UserFactory(username="tinh")
    rounds = {}
    for code, number in ((TAM_DUONG, "1234/QĐ-UBND"), (LAI_CHAU_CITY, "77/QĐ-UBND")):
        rounds[code], _certificates = make_decision(
            1, number=number, district_code=code
        )
        for task, kind in (
            (tasks.render_decision_certificates, "documents.decision_certificates"),
            (tasks.render_decision, "documents.decision"),
        ):
            run(
                django_capture_on_commit_callbacks,
                task,
                kind,
                user=staff,
                decision_number=number,
                province_id=lai_chau.pk,
            )
        run(
            django_capture_on_commit_callbacks,
            tasks.render_round_summary,
            "documents.round_summary",
            user=staff,
            round_id=rounds[code].pk,
        )
    return rounds


@pytest.mark.parametrize(
    ("own", "other"), [(TAM_DUONG, LAI_CHAU_CITY), (LAI_CHAU_CITY, TAM_DUONG)]
)
def test_district_officer_downloads_its_districts_documents_and_not_the_others(
    two_districts, client, own, other
):
    client.force_login(district_officer("huyen", own))

    page = client.get(reverse("ocop:document-list"))
    mine = Document.objects.filter(round=two_districts[own]).order_by("kind")
    theirs = Document.objects.filter(round=two_districts[other]).order_by("kind")
    downloads = [client.get(document.get_absolute_url()) for document in mine]
    refused = [client.get(document.get_absolute_url()) for document in theirs]

    assert sorted(
        (group[0].kind, group[0].round_id) for group in page.context["document_groups"]
    ) == [(kind, two_districts[own].pk) for kind in ROUND_DOCUMENTS]
    assert [(r.status_code, r["Content-Type"]) for r in downloads] == [
        (200, document.media_type) for document in mine
    ]
    assert [response.status_code for response in refused] == [404] * 5


def test_district_officer_makes_the_score_summary_of_its_districts_round(
    two_districts, client, django_capture_on_commit_callbacks
):
    Document.objects.filter(kind=DocumentKind.ROUND_SUMMARY).delete()
    Job.objects.all().delete()
    own, other = two_districts[TAM_DUONG], two_districts[LAI_CHAU_CITY]
    officer = district_officer("huyen", TAM_DUONG)
    client.force_login(officer)

    page = client.get(reverse("ocop:document-list"))
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post(reverse(START), {"job": "round_summary", "round_id": own.pk})
        refused = client.post(
            reverse(START), {"job": "round_summary", "round_id": other.pk}, follow=True
        )

    job = Job.objects.get()
    summary = Document.objects.get(kind=DocumentKind.ROUND_SUMMARY)
    html = page.content.decode()
    assert page.context["rounds"] == [own]
    assert f'<option value="{own.pk}">{own.name} (2023)</option>' in html
    assert 'id="start-report"' not in html
    assert made.url == reverse("ocop:job-detail", args=[job.pk])
    assert (job.status, job.created_by, job.params) == (
        JobStatus.DONE,
        officer,
        {"round_id": own.pk},
    )
    assert (summary.round_id, summary.district_id) == (own.pk, officer.district_id)
    assert refused.status_code == 400
    assert refused.context["job_form"].errors == {
        "round_id": ["Không có đợt đánh giá này, hoặc bạn không xem được."]
    }
    assert client.get(summary.get_absolute_url()).status_code == 200


def test_round_summary_migration_gives_earlier_summaries_their_district(
    two_districts,
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ocop.migrations.0008_round_summary_district")
    Document.objects.filter(kind=DocumentKind.ROUND_SUMMARY).update(district=None)

    migration.give_summaries_their_district(apps, None)

    summaries = Document.objects.filter(kind=DocumentKind.ROUND_SUMMARY)
    assert sorted(summaries.values_list("round_id", "district__code")) == sorted(
        (round_.pk, code) for code, round_ in two_districts.items()
    )


def test_demo_district_officers_see_the_documents_of_their_districts_rounds(
    lai_chau, client, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from registry.models import User

    with django_capture_on_commit_callbacks(execute=True):
        call_command("setup_demo", stdout=io.StringIO())
    summary = Document.objects.get(
        kind=DocumentKind.ROUND_SUMMARY, round__district__code="105"
    )
    # The city's first round's: its certificates, their bundle, the decision, its
    # annex and the score summary (the province's July round has its own).
    documents = Document.objects.filter(round=summary.round).order_by("pk")

    client.force_login(User.objects.get(username="huyen.thanhpho"))
    city_page = client.get(reverse("ocop:document-list"))
    city_summary = client.get(summary.get_absolute_url())
    client.force_login(User.objects.get(username="huyen.tamduong"))
    tam_duong_page = client.get(reverse("ocop:document-list"))
    tam_duong_downloads = {
        client.get(d.get_absolute_url()).status_code for d in Document.objects.all()
    }

    assert summary.round.name == "Đợt 1 năm 2023 – Lai Châu"
    assert (city_summary.status_code, city_summary["Content-Type"]) == (
        200,
        "application/pdf",
    )
    assert len(city_page.context["document_groups"]) == documents.count() == 8
    assert tam_duong_page.context["document_groups"] == []
    assert [r.name for r in tam_duong_page.context["rounds"]] == [
        "Đợt 1 năm 2023 – Tam Đường",
        "Đợt 2 năm 2023 – Tam Đường",
    ]
    assert 'id="start-summary"' in tam_duong_page.content.decode()
    assert tam_duong_downloads == {404}


# -- download names: readable, ASCII, the UTF-8 name too when it has diacritics ----


def test_certificate_downloads_under_its_number_with_hyphens_for_slashes(
    lai_chau, client
):
    _round, (certificate,) = make_decision(1)
    document = make_certificate(certificate)
    client.force_login(UserFactory(username="tinh"))

    attached = client.get(document.get_absolute_url())
    inline = client.get(document.get_absolute_url(), {"inline": "1"})

    assert certificate.number == "0001/2023/OCOP-12"
    assert attached["Content-Disposition"] == (
        'attachment; filename="giay-chung-nhan-0001-2023-OCOP-12.pdf"'
    )
    assert inline["Content-Disposition"] == (
        'inline; filename="giay-chung-nhan-0001-2023-OCOP-12.pdf"'
    )


def test_decision_and_summary_download_under_their_number_and_round(two_districts):
    names = dict(
        Document.objects.filter(round=two_districts[TAM_DUONG]).values_list(
            "kind", "file_name"
        )
    )

    assert names == {
        DocumentKind.CERTIFICATE: "giay-chung-nhan-0001-2023-OCOP-12.pdf",
        DocumentKind.CERTIFICATE_BUNDLE: "giay-chung-nhan-qd-1234-QD-UBND.pdf",
        DocumentKind.DECISION: "quyet-dinh-1234-QD-UBND.pdf",
        DocumentKind.DECISION_ANNEX: "phu-luc-quyet-dinh-1234-QD-UBND.xlsx",
        DocumentKind.ROUND_SUMMARY: "tong-hop-diem-Dot-1-nam-2023-Huyen-Tam-Duong.pdf",
    }


def test_download_named_in_vietnamese_carries_an_ascii_and_the_utf8_name(
    lai_chau, client
):
    document = store_document(
        kind=DocumentKind.REPORT,
        key="report:named",
        title="Báo cáo",
        data={},
        render=lambda _data: b"PK fake",
        file_name="Giấy phép kinh doanh Đợt 1.pdf",
        province_id=lai_chau.pk,
    )
    client.force_login(UserFactory(username="tinh"))

    response = client.get(document.get_absolute_url())

    assert response["Content-Disposition"] == (
        "attachment; "
        'filename="Giay-phep-kinh-doanh-Dot-1.pdf"; '
        "filename*=utf-8''Gi%E1%BA%A5y%20ph%C3%A9p%20kinh%20doanh%20%C4%90%E1%BB%A3t%201.pdf"
    )


def test_file_name_migration_renames_the_documents_made_before(two_districts):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ocop.migrations.0009_readable_file_names")
    made = dict(Document.objects.values_list("pk", "file_name"))
    old = {
        DocumentKind.CERTIFICATE: "giay-chung-nhan-00012023ocop-12.pdf",
        DocumentKind.CERTIFICATE_BUNDLE: "giay-chung-nhan-qd-1234qd-ubnd.pdf",
        DocumentKind.DECISION: "quyet-dinh-1234qd-ubnd.pdf",
        DocumentKind.DECISION_ANNEX: "phu-luc-quyet-dinh-1234qd-ubnd.xlsx",
        DocumentKind.ROUND_SUMMARY: "tong-hop-diem-dot-1-nam-2023-huyen-tam-duong.pdf",
    }
    for kind, name in old.items():
        Document.objects.filter(kind=kind).update(file_name=name)

    migration.rename(apps, None)

    assert dict(Document.objects.values_list("pk", "file_name")) == made
