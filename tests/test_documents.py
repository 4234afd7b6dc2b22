import io
import unicodedata
from datetime import date, timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from evaluation import tasks
from evaluation.documents.build import certificate_data
from evaluation.documents.services import make_certificate
from evaluation.documents.verification import certificate_token
from evaluation.enums import CertificateStatus, TierLevel
from evaluation.models import Certificate
from ocop.documents import store_document
from ocop.enums import DocumentKind, JobStatus
from ocop.jobs import start_job
from ocop.models import Document, Job
from tests.document_builders import make_decision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nfc(text):
    return unicodedata.normalize("NFC", text)


def pdf_pages(document):
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return reader, [nfc(page.extract_text()) for page in reader.pages]


def qr_codes_on(page):
    """The text of every QR code printed on a PDF page, read from its images."""
    import zxingcpp

    return [
        code.text
        for image in page.images
        for code in zxingcpp.read_barcodes(image.image)
        if code.format == zxingcpp.BarcodeFormat.QRCode
    ]


def one_line(text):
    return " ".join(text.split())


def test_certificate_pdf_prints_every_fact_in_vietnamese(lai_chau):
    _round, (certificate, *_rest) = make_decision(1)

    document = make_certificate(certificate)

    reader, (text,) = pdf_pages(document)
    text = one_line(text)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    for expected in (
        "GIẤY CHỨNG NHẬN",
        "SẢN PHẨM OCOP",
        "Ủy ban nhân dân huyện Tam Đường chứng nhận sản phẩm",
        "Miến dong Bình Lư loại 1",
        "HTX Nông nghiệp và dịch vụ Bình Lư 1",
        "Bản Thống Nhất, xã Bình Lư",
        "(3 sao) · Điểm đánh giá: 68,33/100",
        "Số 1234/QĐ-UBND ngày 12/10/2023",
        "Đến hết ngày 12/10/2026",
        "Số giấy chứng nhận: 0001/2023/OCOP-12",
        "Tam Đường, ngày 12 tháng 10 năm 2023",
        "Quét mã để xác minh giấy chứng nhận",
    ):
        assert nfc(expected) in text, expected
    assert text.count("★") == 3


# A product's and a producer's name at the most they hold (300 characters), an
# address too (500).
LONG_PRODUCT = (
    "Miến dong Bình Lư loại đặc biệt làm từ củ dong riềng trồng trên nương của "
    "đồng bào Dao đỏ bản Thống Nhất, tráng và phơi nắng tự nhiên theo bí quyết "
    "truyền thống, đóng gói túi giấy kraft 500 gam có in nhãn hiệu tập thể Miến "
    "dong Bình Lư, dùng cho nhà hàng, khách du lịch và làm quà biếu dịp Tết "
    "Nguyên đán hằng năm của huyện Tam"
)[:300]
LONG_PRODUCER = (
    "Hợp tác xã Nông nghiệp, Dịch vụ tổng hợp và Du lịch cộng đồng Bình Lư, "
    "thành viên Liên hiệp hợp tác xã nông nghiệp tỉnh Lai Châu, do bà Nguyễn "
    "Hoàng Thị Phương Thảo làm giám đốc, đại diện cho ba mươi hai hộ thành viên "
    "trồng dong riềng và chế biến miến tại các bản Thống Nhất, Nà Bỏ, Sin Suối "
    "Hồ và Hồ Pen của xã"
)[:300]
LONG_ADDRESS = (
    "Bản Thống Nhất, xã Bình Lư, huyện Tam Đường, tỉnh Lai Châu; xưởng chế biến "
    "tại khu sản xuất tập trung bản Nà Bỏ, cách trung tâm xã hai cây số theo "
    "quốc lộ 4D; điểm giới thiệu và bán sản phẩm OCOP tại số 123 đường Trần "
    "Hưng Đạo, phường Tân Phong, thành phố Lai Châu; kho hàng tại tổ 5 phường "
    "Đông Phong, thành phố Lai Châu; văn phòng đại diện tại số 45 phố Hàng "
    "Bạc, quận Hoàn Kiếm, thành phố Hà Nội; gian hàng trên các sàn thương mại "
    "điện tử Postmart, Voso và Shopee mang tên Miến dong Bình Lư Lai Châu "
    "chính hãng"
)[:500]


@pytest.mark.parametrize(
    ("product", "producer", "address"),
    [
        (LONG_PRODUCT, LONG_PRODUCER, LONG_ADDRESS),
        (LONG_PRODUCT[:150], LONG_PRODUCER[:150], LONG_ADDRESS[:200]),
    ],
)
def test_certificate_of_long_names_stays_one_a4_landscape_page(
    lai_chau, product, producer, address
):
    _round, (certificate, *_rest) = make_decision(1)
    Certificate.objects.filter(pk=certificate.pk).update(
        product_name=product, producer_name=producer, producer_address=address
    )
    certificate.refresh_from_db()

    document = make_certificate(certificate)

    reader, pages = pdf_pages(document)
    text = one_line(" ".join(pages))
    box = reader.pages[0].mediabox
    # The product's name is shortened in the document's title, not on the page.
    assert document.title.startswith("Giấy chứng nhận 0001/2023/OCOP-12: Miến dong")
    assert len(document.title) <= 300
    assert (len(LONG_PRODUCT), len(LONG_PRODUCER), len(LONG_ADDRESS)) == (
        300,
        300,
        500,
    )
    assert len(pages) == 1
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    for expected in (product, producer, address):
        assert one_line(expected) in text
    assert text.endswith(
        "Tam Đường, ngày 12 tháng 10 năm 2023 TM. ỦY BAN NHÂN DÂN CHỦ TỊCH"
    )


@pytest.mark.parametrize(
    ("rulebook", "level", "authority", "place"),
    [
        (
            "148-2023",
            TierLevel.DISTRICT,
            "Ủy ban nhân dân huyện Tam Đường",
            "Tam Đường",
        ),
        ("26-2026", TierLevel.PROVINCE, "Ủy ban nhân dân tỉnh Lai Châu", "Lai Châu"),
        ("26-2026", TierLevel.MINISTRY, "Bộ Nông nghiệp và Môi trường", "Hà Nội"),
    ],
)
def test_certificate_authority_is_the_one_its_tier_names(
    lai_chau, rulebook, level, authority, place
):
    _round, (certificate, *_rest) = make_decision(
        1,
        rulebook_code=rulebook,
        level=level,
        decision_date=date(2026, 7, 1),
        year=2026,
    )

    _reader, (text,) = pdf_pages(make_certificate(certificate))

    text = one_line(text)
    assert f"{authority} chứng nhận sản phẩm" in text
    assert f"{place}, ngày 01 tháng 07 năm 2026" in text


def test_certificate_qr_code_points_at_the_public_verification_page(
    lai_chau, client, settings
):
    settings.OCOP_PUBLIC_BASE_URL = "https://ocop.laichau.gov.vn"
    _round, (certificate, *_rest) = make_decision(1, decision_date=date.today())

    document = make_certificate(certificate)

    reader, _texts = pdf_pages(document)
    (url,) = qr_codes_on(reader.pages[0])
    path = reverse("ocop:verify", args=[certificate_token(certificate)])
    assert url == "https://ocop.laichau.gov.vn" + path
    assert document.input_data["verification_url"] == url
    response = client.get(path)
    assert response.status_code == 200
    assert response.context["status"] == CertificateStatus.VALID
    assert "Còn hiệu lực" in response.content.decode()


def test_certificate_rendered_again_from_the_same_data_is_the_same_document(lai_chau):
    _round, (certificate, *_rest) = make_decision(1)
    first = make_certificate(certificate)

    again = make_certificate(certificate)

    assert again.pk == first.pk
    assert Document.objects.filter(kind=DocumentKind.CERTIFICATE).count() == 1


def test_certificate_changed_after_issue_makes_a_new_version_and_keeps_the_old(
    lai_chau,
):
    _round, (certificate, *_rest) = make_decision(1)
    first = make_certificate(certificate)
    certificate.producer_name = "HTX Nông nghiệp Bình Lư (đổi tên)"
    certificate.save(update_fields=["producer_name"])

    second = make_certificate(certificate)

    assert (first.version, second.version) == (1, 2)
    assert second.key == first.key
    _reader, (old_text,) = pdf_pages(Document.objects.get(pk=first.pk))
    _reader, (new_text,) = pdf_pages(second)
    assert "HTX Nông nghiệp và dịch vụ Bình Lư 1" in one_line(old_text)
    assert "HTX Nông nghiệp Bình Lư (đổi tên)" in one_line(new_text)


def test_store_document_refuses_nothing_twice_for_the_same_input(lai_chau):
    calls = []

    def render(data):
        calls.append(data)
        return b"%PDF-1.7 fake"

    for _ in range(2):
        store_document(
            kind=DocumentKind.REPORT,
            key="report:test",
            title="Báo cáo thử",
            data={"rows": [1, 2, 3]},
            render=render,
            file_name="bao-cao.pdf",
        )

    assert len(calls) == 1
    assert Document.objects.get(key="report:test").media_type == "application/pdf"


def start_decision_job(task, kind, user, **params):
    return start_job(task, kind=kind, title="Việc thử", params=params, user=user)


def test_decision_certificates_job_makes_one_pdf_each_and_one_for_all(
    lai_chau, django_capture_on_commit_callbacks
):
    _round, certificates = make_decision(3)
    user = UserFactory(username="tinh")

    with django_capture_on_commit_callbacks(execute=True):
        job = start_decision_job(
            tasks.render_decision_certificates,
            "documents.decision_certificates",
            user,
            decision_number="1234/QĐ-UBND",
        )

    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (
        JobStatus.DONE,
        3,
        3,
    )
    bundle, *singles = Document.objects.filter(pk__in=job.result["document_ids"])
    bundle = Document.objects.get(kind=DocumentKind.CERTIFICATE_BUNDLE)
    assert len(singles) == 3
    reader, pages = pdf_pages(bundle)
    assert len(pages) == 3
    printed = [
        next(c for c in certificates if c.product_name in page) for page in pages
    ]
    assert sorted(c.pk for c in printed) == sorted(c.pk for c in certificates)
    # One QR code per certificate (WeasyPrint may share images between pages).
    printed_codes = {url for page in reader.pages for url in qr_codes_on(page)}
    assert printed_codes == {certificate_data(c).verification_url for c in printed}
    assert bundle.created_by == user


def test_decision_certificates_job_run_twice_makes_the_documents_once(
    lai_chau, django_capture_on_commit_callbacks
):
    make_decision(2)
    user = UserFactory(username="tinh")
    with django_capture_on_commit_callbacks(execute=True):
        first = start_decision_job(
            tasks.render_decision_certificates,
            "documents.decision_certificates",
            user,
            decision_number="1234/QĐ-UBND",
        )
    documents = Document.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        second = start_decision_job(
            tasks.render_decision_certificates,
            "documents.decision_certificates",
            user,
            decision_number="1234/QĐ-UBND",
        )
    tasks.render_decision_certificates.delay(second.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert Document.objects.count() == documents == 3
    assert second.status == JobStatus.DONE
    assert second.result == first.result


def test_decision_job_makes_the_decision_pdf_and_its_annex_xlsx(
    lai_chau, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    _round, certificates = make_decision(3)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_decision_job(
            tasks.render_decision,
            "documents.decision",
            None,
            decision_number="1234/QĐ-UBND",
        )

    decision = Document.objects.get(kind=DocumentKind.DECISION)
    annex = Document.objects.get(kind=DocumentKind.DECISION_ANNEX)
    job.refresh_from_db()
    assert sorted(job.result["document_ids"]) == sorted([decision.pk, annex.pk])
    _reader, pages = pdf_pages(decision)
    text = one_line(" ".join(pages))
    for expected in (
        "QUYẾT ĐỊNH",
        "Phê duyệt kết quả đánh giá, phân hạng sản phẩm OCOP",
        "Phê duyệt kết quả đánh giá, phân hạng và công nhận 3 sản phẩm đạt sao OCOP",
        "DANH SÁCH SẢN PHẨM ĐẠT SAO OCOP",
        "(Kèm theo Quyết định số 1234/QĐ-UBND ngày 12/10/2023)",
        "Miến dong Bình Lư loại 2",
        "62,00",
    ):
        assert expected in text, expected
    with annex.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[:3] == [
        (1, "Miến dong Bình Lư loại 1", "HTX Nông nghiệp và dịch vụ Bình Lư 1",
         "Huyện Tam Đường", 68.33, 3, "0001/2023/OCOP-12"),
        (2, "Miến dong Bình Lư loại 2", "HTX Nông nghiệp và dịch vụ Bình Lư 2",
         "Huyện Tam Đường", 62.0, 3, "0002/2023/OCOP-12"),
        (3, "Miến dong Bình Lư loại 3", "HTX Nông nghiệp và dịch vụ Bình Lư 3",
         "Huyện Tam Đường", 55.0, 3, "0003/2023/OCOP-12"),
    ]  # fmt: skip
    assert rows[3][1] == "Tổng cộng: 3 sản phẩm"
    assert sheet.freeze_panes == "A4"
    assert len(certificates) == 3


def test_round_summary_lists_each_members_total_and_the_result(
    lai_chau, django_capture_on_commit_callbacks
):
    round_, _certificates = make_decision(2)
    with django_capture_on_commit_callbacks(execute=True):
        start_decision_job(
            tasks.render_round_summary,
            "documents.round_summary",
            None,
            round_id=round_.pk,
        )

    summary = Document.objects.get(kind=DocumentKind.ROUND_SUMMARY)
    _reader, pages = pdf_pages(summary)
    text = one_line(" ".join(pages))
    assert "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM SẢN PHẨM OCOP" in text
    assert "Phạm Văn Chủ" in text and "Lê Thị Phó" in text and "Hoàng Văn Ủy" in text
    assert (
        "Miến dong Bình Lư loại 1 HTX Nông nghiệp và dịch vụ Bình Lư 1 68 70 67 "
        "68,33 3 Công nhận" in text
    )
    assert (
        "Miến dong Bình Lư loại 2 HTX Nông nghiệp và dịch vụ Bình Lư 2 62 60 64 "
        "62,00 3 Công nhận" in text
    )


@pytest.mark.parametrize(
    ("change", "status", "label"),
    [
        ({}, CertificateStatus.VALID, "Còn hiệu lực"),
        ({"expires_on": date.today() - timedelta(days=1)}, CertificateStatus.EXPIRED,
         "Hết hiệu lực"),
        ({"status": CertificateStatus.REVOKED, "revoked_on": date(2024, 5, 2),
          "revoked_reason": "Vi phạm quy định ghi nhãn"}, CertificateStatus.REVOKED,
         "Đã thu hồi"),
    ],
)  # fmt: skip
def test_verification_page_says_whether_the_certificate_stands(
    lai_chau, client, change, status, label
):
    _round, (certificate, *_rest) = make_decision(1, decision_date=date.today())
    for name, value in change.items():
        setattr(certificate, name, value)
    certificate.save()

    response = client.get(reverse("ocop:verify", args=[certificate_token(certificate)]))

    assert response.status_code == 200
    assert response.context["status"] == status
    html = response.content.decode()
    assert label in html
    assert "Miến dong Bình Lư loại 1" in html
    if status == CertificateStatus.REVOKED:
        assert "02/05/2024: Vi phạm quy định ghi nhãn" in html


def test_verification_page_by_product_shows_its_latest_certificate(lai_chau, client):
    from evaluation.documents.verification import new_verification_code, product_token

    _round, (old, *_rest) = make_decision(1, decision_date=date(2020, 3, 2), year=2020)
    newer = Certificate.objects.get(pk=old.pk)
    newer.pk = None
    newer.number = "017/2026/GCN-OCOP"
    newer.issued_on = newer.decision_date = date.today()
    newer.expires_on = date.today() + timedelta(days=3 * 365)
    newer.follows = old
    newer.verification_code = new_verification_code()
    newer.save()

    response = client.get(reverse("ocop:verify", args=[product_token(old.product)]))
    old_page = client.get(reverse("ocop:verify", args=[certificate_token(old)]))

    assert response.context["certificate"] == newer
    assert response.context["status"] == CertificateStatus.VALID
    assert old_page.context["status"] == CertificateStatus.EXPIRED
    assert "017/2026/GCN-OCOP" in old_page.content.decode()


def test_verification_page_refuses_a_forged_token(lai_chau, client):
    _round, (certificate, *_rest) = make_decision(1)
    token = certificate_token(certificate)
    forged = f"{certificate.pk}-{'0' * 12}"

    assert client.get(reverse("ocop:verify", args=[token])).status_code == 200
    assert client.get(reverse("ocop:verify", args=[forged])).status_code == 404
    assert client.get(reverse("ocop:verify", args=["sp1-x"])).status_code == 404


def test_pdf_renderer_fetches_nothing_but_the_shipped_fonts():
    from evaluation.documents.pdf import layout

    html = (
        '<html><body><img src="http://example.com/x.png"><p>Chữ Việt</p></body></html>'
    )

    with pytest.raises(BaseException, match="example.com"):
        layout(html)


def test_documents_page_lists_versions_and_starts_jobs(
    lai_chau, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    make_decision(2)
    user = UserFactory(username="tinh")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ocop:document-job-start"),
            {"job": "decision_certificates", "decision_number": "1234/QĐ-UBND"},
        )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ocop:job-detail", args=[job.pk])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("ocop:document-list"))
    html = page.content.decode()
    assert "Giấy chứng nhận theo Quyết định 1234/QĐ-UBND (2 sản phẩm)" in html
    assert len(page.context["document_groups"]) == 3


def district_officer(username, district_code):
    from registry.enums import Role
    from tests.factories import district

    return UserFactory(
        username=username,
        role=Role.DISTRICT_OFFICER,
        district=district(district_code),
        province=district(district_code).province,
    )


def test_district_officer_makes_its_own_districts_certificates(
    lai_chau, client, django_capture_on_commit_callbacks
):
    from tests.factories import LAI_CHAU_CITY, TAM_DUONG

    round_, certificates = make_decision(2)
    make_decision(1, number="77/QĐ-UBND", district_code=LAI_CHAU_CITY)
    officer = district_officer("huyen", TAM_DUONG)
    client.force_login(officer)

    page = client.get(reverse("ocop:document-list"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("ocop:document-job-start"),
            {"job": "decision_certificates", "decision_number": "1234/QĐ-UBND"},
        )

    job = Job.objects.get()
    assert [d["decision_number"] for d in page.context["decisions"]] == ["1234/QĐ-UBND"]
    assert (page.context["rounds"], page.context["reports"]) == ([round_], {})
    assert 'id="start-report"' not in page.content.decode()
    assert response.url == reverse("ocop:job-detail", args=[job.pk])
    assert (job.status, job.created_by, job.params["district_id"]) == (
        JobStatus.DONE,
        officer,
        officer.district_id,
    )
    made = Document.objects.filter(pk__in=job.result["document_ids"])
    assert sorted(d.key for d in made) == sorted(
        [f"decision:{lai_chau.pk}:{officer.district_id}:1234/QĐ-UBND"]
        + [f"certificate:{c.pk}" for c in certificates]
    )
    assert {d.district_id for d in made} == {officer.district_id}


def test_district_officer_cannot_make_another_districts_decision(
    lai_chau, client, django_capture_on_commit_callbacks
):
    from tests.factories import LAI_CHAU_CITY, TAM_DUONG

    make_decision(1)
    make_decision(1, number="77/QĐ-UBND", district_code=LAI_CHAU_CITY)
    client.force_login(district_officer("huyen", TAM_DUONG))

    with django_capture_on_commit_callbacks(execute=True):
        for job in ("decision_certificates", "decision"):
            client.post(
                reverse("ocop:document-job-start"),
                {"job": job, "decision_number": "77/QĐ-UBND"},
            )
        client.post(
            reverse("ocop:document-job-start"),
            {"job": "report", "report": "products"},
        )
        client.post(
            reverse("ocop:document-job-start"),
            {"job": "round_summary", "round_id": _round_of("77/QĐ-UBND").pk},
        )

    assert Job.objects.count() == 0
    assert Document.objects.count() == 0


def _round_of(number):
    return Certificate.objects.get(decision_number=number).evaluation.round


def test_district_officer_cannot_make_a_province_decision(lai_chau, client):
    from evaluation.enums import TierLevel
    from tests.factories import TAM_DUONG

    make_decision(
        1,
        number="55/QĐ-UBND",
        rulebook_code="26-2026",
        level=TierLevel.PROVINCE,
        decision_date=date(2026, 7, 1),
        year=2026,
    )
    client.force_login(district_officer("huyen", TAM_DUONG))

    page = client.get(reverse("ocop:document-list"))
    response = client.post(
        reverse("ocop:document-job-start"),
        {"job": "decision", "decision_number": "55/QĐ-UBND"},
    )

    assert page.context["decisions"] == []
    assert response.status_code == 400
    assert response.context["job_form"].errors == {
        "decision_number": ["Không có quyết định này, hoặc bạn không xem được."]
    }
    assert Job.objects.count() == 0


def test_documents_of_another_district_are_not_found(
    lai_chau, client, django_capture_on_commit_callbacks
):
    from tests.factories import LAI_CHAU_CITY, TAM_DUONG

    make_decision(1)
    owner = district_officer("huyen", TAM_DUONG)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_decision_job(
            tasks.render_decision,
            "documents.decision",
            owner,
            decision_number="1234/QĐ-UBND",
            province_id=lai_chau.pk,
            district_id=owner.district_id,
        )
    decision = Document.objects.get(kind=DocumentKind.DECISION)
    stranger = district_officer("thanhpho", LAI_CHAU_CITY)
    colleague = district_officer("huyen2", TAM_DUONG)

    client.force_login(stranger)
    hidden = client.get(decision.get_absolute_url())
    listed = client.get(reverse("ocop:document-list")).context["document_groups"]
    client.force_login(colleague)
    shown = client.get(decision.get_absolute_url())

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (hidden.status_code, listed) == (404, [])
    assert shown.status_code == 200
    assert shown["Content-Type"] == "application/pdf"


def test_documents_of_another_province_stay_hidden(lai_chau, client):
    from registry.enums import UnitKind
    from registry.models import Province

    ha_noi = Province.objects.create(
        code="01", name="Thành phố Hà Nội", kind=UnitKind.CITY_PROVINCE
    )
    for province, key in ((lai_chau, "report:products:12"), (ha_noi, "report:01")):
        store_document(
            kind=DocumentKind.REPORT,
            key=key,
            title=f"Báo cáo {province.name}",
            data={"province": province.code},
            render=lambda _data: b"PK fake",
            file_name="bao-cao.xlsx",
            province_id=province.pk,
        )
    client.force_login(UserFactory(username="tinh"))

    response = client.get(reverse("ocop:document-list"))
    hidden = Document.objects.get(province=ha_noi)

    titles = [group[0].title for group in response.context["document_groups"]]
    assert titles == ["Báo cáo Tỉnh Lai Châu"]
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_job_page_links_only_the_documents_its_viewer_may_download(lai_chau, client):
    from registry.enums import UnitKind
    from registry.models import Province

    ha_noi = Province.objects.create(
        code="01", name="Thành phố Hà Nội", kind=UnitKind.CITY_PROVINCE
    )
    staff = UserFactory(username="tinh")
    documents = [
        store_document(
            kind=DocumentKind.REPORT,
            key=f"report:{province.code}",
            title=f"Báo cáo {province.name}",
            data={"province": province.code},
            render=lambda _data: b"PK fake",
            file_name="bao-cao.xlsx",
            province_id=province.pk,
        )
        for province in (lai_chau, ha_noi)
    ]
    job = Job.objects.create(
        kind="documents.report",
        title="Báo cáo",
        status=JobStatus.DONE,
        created_by=staff,
        result={"document_ids": [d.pk for d in documents]},
    )
    client.force_login(staff)

    page = client.get(reverse("ocop:job-detail", args=[job.pk]))

    assert [d.title for d in page.context["documents"]] == ["Báo cáo Tỉnh Lai Châu"]
    assert documents[1].get_absolute_url() not in page.content.decode()
