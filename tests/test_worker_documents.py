"""Documents made by a real Celery worker, through Redis, on the test database.

These tests start ``celery -A ocop worker`` in a subprocess pointed at the test
database, so they need a database that two processes can share (PostgreSQL) and a
broker: they run when CELERY_BROKER_URL is set, as in CI (``.ci/run``).
"""

import io
import os
import subprocess
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation import tasks
from evaluation.documents.services import REPORT_REGISTRATIONS
from ocop.enums import DocumentKind, JobStatus
from ocop.jobs import start_job
from ocop.models import Document, Job
from tests.conftest import REGISTRATION_XLSX
from tests.document_builders import make_decision
from tests.factories import UserFactory

BROKER = os.environ.get("CELERY_BROKER_URL", "")
ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 120

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not BROKER,
        reason="CELERY_BROKER_URL không đặt: cần Redis và PostgreSQL để chạy Celery "
        "worker thật (CI đặt cả hai)",
    ),
]


def database_url():
    """The test database as a URL the worker process reads from DATABASE_URL."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        pytest.skip("CSDL kiểm thử SQLite trong bộ nhớ không chia sẻ được với worker")
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def spawn_worker(log, **extra_env):
    """Start a Celery worker subprocess on the test database, logging to ``log``."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "OCOP_PUBLIC_BASE_URL": settings.OCOP_PUBLIC_BASE_URL,
        **extra_env,
    }
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ocop", "worker", "-l", "info"]
            + ["--pool", "solo", "--without-mingle", "--without-gossip"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop_worker(process, log):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    print(log.read_text()[-4000:])


@pytest.fixture
def worker(tmp_path):
    """A Celery worker subprocess on the test database; stopped after the test."""
    log = tmp_path / "worker.log"
    process = spawn_worker(log)
    yield process
    stop_worker(process, log)


def wait_for(job, process):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        assert process.poll() is None, "the Celery worker stopped"
        time.sleep(0.3)
    raise AssertionError(f"job {job.pk} still {job.status} after {WAIT_SECONDS} s")


def test_worker_renders_a_decisions_certificates_through_redis(lai_chau, worker):
    make_decision(3)
    user = UserFactory(username="tinh")

    job = start_job(
        tasks.render_decision_certificates,
        kind="documents.decision_certificates",
        title="Giấy chứng nhận theo Quyết định 1234/QĐ-UBND",
        params={"decision_number": "1234/QĐ-UBND"},
        user=user,
    )
    wait_for(job, worker)

    assert job.status == JobStatus.DONE, job.message
    assert (job.progress_done, job.progress_total) == (3, 3)
    bundle = Document.objects.get(kind=DocumentKind.CERTIFICATE_BUNDLE)
    with bundle.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = unicodedata.normalize("NFC", reader.pages[0].extract_text())
    assert len(reader.pages) == 3
    assert "GIẤY CHỨNG NHẬN" in text
    assert "Ủy ban nhân dân huyện Tam Đường chứng nhận sản phẩm" in " ".join(
        text.split()
    )
    assert Document.objects.filter(kind=DocumentKind.CERTIFICATE).count() == 3


def test_worker_exports_the_lai_chau_registration_list(lai_chau, worker):
    from registry.importer import preview_file
    from registry.importer.committer import commit_plan

    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau, year=2023))

    job = start_job(
        tasks.render_report,
        kind="documents.report",
        title="Danh sách đăng ký 2023",
        params={
            "report": REPORT_REGISTRATIONS,
            "province_id": lai_chau.pk,
            "year": 2023,
        },
    )
    wait_for(job, worker)

    assert job.status == JobStatus.DONE, job.message
    document = Document.objects.get(kind=DocumentKind.REGISTRATION_LIST)
    with document.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    products = [
        row
        for row in sheet.iter_rows(min_row=5, values_only=True)
        if row[1] and isinstance(row[0], int)
    ]
    assert len(products) == 105
    assert Job.objects.get(pk=job.pk).result == {"document_ids": [document.pk]}


def pdf_text(document):
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    pages = [unicodedata.normalize("NFC", page.extract_text()) for page in reader.pages]
    return reader, " ".join(" ".join(pages).split())


def test_worker_renders_a_decision_with_its_annex_pdf_and_xlsx(lai_chau, worker):
    make_decision(3)

    job = start_job(
        tasks.render_decision,
        kind="documents.decision",
        title="Quyết định 1234/QĐ-UBND và phụ lục",
        params={
            "decision_number": "1234/QĐ-UBND",
            "province_id": lai_chau.pk,
            "signer_title": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
            "signer_name": "Nguyễn Văn Ký",
        },
        total=2,
    )
    wait_for(job, worker)

    assert job.status == JobStatus.DONE, job.message
    assert (job.progress_done, job.progress_total) == (2, 2)
    decision = Document.objects.get(kind=DocumentKind.DECISION)
    annex = Document.objects.get(kind=DocumentKind.DECISION_ANNEX)
    assert job.result == {"document_ids": [decision.pk, annex.pk]}
    reader, text = pdf_text(decision)
    assert len(reader.pages) == 2
    for expected in (
        # The heading's table, a row at a time.
        "ỦY BAN NHÂN DÂN HUYỆN TAM ĐƯỜNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - "
        "Tự do - Hạnh phúc Số: 1234/QĐ-UBND Tam Đường, ngày 12 tháng 10 năm 2023",
        "Phê duyệt kết quả đánh giá, phân hạng và công nhận 3 sản phẩm đạt sao OCOP",
        "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn Ký",
        "(Kèm theo Quyết định số 1234/QĐ-UBND ngày 12/10/2023)",
        "1 Miến dong Bình Lư loại 1 HTX Nông nghiệp và dịch vụ Bình Lư 1 "
        "Huyện Tam Đường 68,33 3 0001/2023/OCOP-12",
        "3 Miến dong Bình Lư loại 3 HTX Nông nghiệp và dịch vụ Bình Lư 3 "
        "Huyện Tam Đường 55,00 3 0003/2023/OCOP-12",
    ):
        assert expected in text, expected
    with annex.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert sheet["A1"].value == (
        "Danh sách sản phẩm đạt sao OCOP (kèm theo Quyết định số 1234/QĐ-UBND)"
    )
    assert [cell.value for cell in sheet[3]] == [
        "TT", "Tên sản phẩm", "Chủ thể", "Huyện", "Điểm", "Hạng sao",
        "Số giấy chứng nhận",
    ]  # fmt: skip
    assert list(sheet.iter_rows(min_row=4, values_only=True)) == [
        (1, "Miến dong Bình Lư loại 1", "HTX Nông nghiệp và dịch vụ Bình Lư 1",
         "Huyện Tam Đường", 68.33, 3, "0001/2023/OCOP-12"),
        (2, "Miến dong Bình Lư loại 2", "HTX Nông nghiệp và dịch vụ Bình Lư 2",
         "Huyện Tam Đường", 62.0, 3, "0002/2023/OCOP-12"),
        (3, "Miến dong Bình Lư loại 3", "HTX Nông nghiệp và dịch vụ Bình Lư 3",
         "Huyện Tam Đường", 55.0, 3, "0003/2023/OCOP-12"),
        (None, "Tổng cộng: 3 sản phẩm", None, None, None, None, None),
    ]  # fmt: skip
    assert sheet["E4"].number_format == "0.00"


def test_worker_renders_a_rounds_score_summary(lai_chau, worker):
    round_, _certificates = make_decision(3)

    job = start_job(
        tasks.render_round_summary,
        kind="documents.round_summary",
        title=f"Tổng hợp điểm: {round_.name}",
        params={"round_id": round_.pk},
        total=1,
    )
    wait_for(job, worker)

    assert job.status == JobStatus.DONE, job.message
    summary = Document.objects.get(kind=DocumentKind.ROUND_SUMMARY)
    assert (summary.round_id, summary.year) == (round_.pk, 2023)
    _reader, text = pdf_text(summary)
    for expected in (
        "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM SẢN PHẨM OCOP",
        "Đợt 1 năm 2023 – Huyện Tam Đường",
        "Phạm Văn Chủ",
        "Lê Thị Phó",
        "Hoàng Văn Ủy",
        "Miến dong Bình Lư loại 1 HTX Nông nghiệp và dịch vụ Bình Lư 1 68 70 67 "
        "68,33 3 Công nhận",
        "Miến dong Bình Lư loại 2 HTX Nông nghiệp và dịch vụ Bình Lư 2 62 60 64 "
        "62,00 3 Công nhận",
        "Miến dong Bình Lư loại 3 HTX Nông nghiệp và dịch vụ Bình Lư 3 55 58 52 "
        "55,00 3 Công nhận",
    ):
        assert expected in text, expected


def test_worker_makes_the_products_report_of_lai_chau(lai_chau, worker):
    from evaluation.documents.services import REPORT_PRODUCTS
    from tests.factories import LAI_CHAU_CITY

    make_decision(3)
    make_decision(
        2,
        number="77/QĐ-UBND",
        district_code=LAI_CHAU_CITY,
        decision_date=date(2024, 5, 6),
    )

    job = start_job(
        tasks.render_report,
        kind="documents.report",
        title="Sản phẩm OCOP còn hiệu lực",
        params={
            "report": REPORT_PRODUCTS,
            "province_id": lai_chau.pk,
            "day": "2025-01-01",
        },
        total=1,
    )
    wait_for(job, worker)

    assert job.status == JobStatus.DONE, job.message
    document = Document.objects.get(kind=DocumentKind.REPORT)
    assert (document.key, document.year) == ("report:products:12:2025-01-01", 2025)
    with document.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames == ["Huyện", "Loại hình chủ thể", "Nhóm sản phẩm", "Năm"]
    assert book["Huyện"]["A1"].value == (
        "Sản phẩm OCOP có giấy chứng nhận còn hiệu lực ngày 01/01/2025: Tỉnh Lai Châu"
    )
    assert list(book["Huyện"].iter_rows(min_row=3, values_only=True)) == [
        ("Huyện", "3 sao", "4 sao", "5 sao", "Tổng số"),
        ("Huyện Tam Đường", 3, 0, 0, 3),
        ("Thành phố Lai Châu", 2, 0, 0, 2),
        ("Tổng cộng", 5, 0, 0, 5),
    ]
    assert list(book["Năm"].iter_rows(min_row=4, values_only=True)) == [
        ("2023", 3, 0, 0, 3),
        ("2024", 2, 0, 0, 2),
        ("Tổng cộng", 5, 0, 0, 5),
    ]
    assert (book["Huyện"]["A5"].font.b, book["Huyện"]["A6"].font.b) == (False, True)


def test_worker_killed_mid_job_is_replaced_by_the_next_worker(lai_chau, tmp_path):
    """The first worker dies (SIGKILL) while it renders; the broker hands the
    unacknowledged task to the next worker, which takes the silent job over."""
    make_decision(40)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = spawn_worker(first_log)
    job = start_job(
        tasks.render_decision_certificates,
        kind="documents.decision_certificates",
        title="Giấy chứng nhận theo Quyết định 1234/QĐ-UBND",
        params={"decision_number": "1234/QĐ-UBND"},
        total=40,
    )
    deadline = time.monotonic() + WAIT_SECONDS
    while not (job.status == JobStatus.RUNNING and job.progress_done >= 1):
        assert time.monotonic() < deadline, "the first worker never started the job"
        time.sleep(0.05)
        job.refresh_from_db()

    first.kill()
    first.wait(timeout=20)
    job.refresh_from_db()
    stopped_at = job.progress_done
    # The first worker has been silent for longer than a take-over waits.
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=job.heartbeat_at - timedelta(minutes=6)
    )
    second = spawn_worker(second_log, CELERY_VISIBILITY_TIMEOUT="1")
    try:
        wait_for(job, second)
    finally:
        stop_worker(second, second_log)

    assert 1 <= stopped_at < 40
    assert (job.status, job.attempts, job.progress_done) == (JobStatus.DONE, 2, 40)
    bundle = Document.objects.get(kind=DocumentKind.CERTIFICATE_BUNDLE)
    _reader, text = pdf_text(bundle)
    assert len(_reader.pages) == 40
    singles = Document.objects.filter(kind=DocumentKind.CERTIFICATE)
    assert sorted(set(singles.values_list("version", flat=True))) == [1]
    assert singles.count() == 40


# -- the Lai Châu list ------------------------------------------------------------

# Member totals of the Tam Đường council, in a cycle over its products in the
# list's order — worked out by hand:
# (60 + 62 + 61) / 3 = 61.00 → 3★, certified by the district;
# (68 + 66 + 67) / 3 = 67.00 → 3★, certified by the district;
# (49 + 50 + 50) / 3 = 49.67 → 2★, no certificate;
# (72 + 70 + 69) / 3 = 70.33 → 4★, referred to the province.
# Each with the star level whose minimums the members' sheets meet.
TAM_DUONG_TOTALS = (
    ([60, 62, 61], 3),
    ([68, 66, 67], 3),
    ([49, 50, 50], 3),
    ([72, 70, 69], 4),
)
# The six the district certifies, numbered in the list's order, as the list names
# them, their producers and addresses; the decision lists them by stars, then
# score, then number.
TAM_DUONG_ANNEX = [
    ("Miến dong Gia Huy",
     "HTX sản xuất và thương mại nông nghiệp sạch Ngọc Cường",
     "Bản Thống nhất, xã Bình Lư", "67,00", "0002/2023/OCOP-12"),
    ("Thịt trâu gác bếp Lục Lệ", "Hộ kinh doanh Teo Thị Uyên",
     "Bản Sân Bay, thị trấn Tam Đường", "67,00", "0004/2023/OCOP-12"),
    ("Du lịch cộng đồng", "Tổ Hợp Tác Bản Sì Thâu Chải",
     "Bản Sì Thâu Chải, xã Hồ Thầu", "67,00", "0006/2023/OCOP-12"),
    ("Khèn mông A Dơ", "Hộ kinh doanh Giàng Văn Sơn", "Xã Thèn Sin", "61,00",
     "0001/2023/OCOP-12"),
    ("Hồng trà kim tuyến việt", "Công ty cổ phần xuất nhập khẩu trà Sinh An Nam",
     "Xã Bản Bo", "61,00", "0003/2023/OCOP-12"),
    ("Trà hồng trà", "Công ty CP đầu tư phát triển Chè Tam Đường", "Xã Bản Bo",
     "61,00", "0005/2023/OCOP-12"),
]  # fmt: skip
# Not certified by the district: 49.67 (ended) or 70.33 (referred).
TAM_DUONG_NOT_CERTIFIED = [
    "Đông phương mỹ nhân việt",
    "Oolong kim tuyến việt",
    "Lạp sườn hun khói Lục Lệ",
    "Thịt lợn gác bếp Lục Lệ",
    "Tổ Hợp Tác Bản Lao Chải 1",
    "Miến dong Bình Lư",
]


def certify_tam_duong_from_the_list(lai_chau):
    """The 2023 list imported; Tam Đường's 12 products through its council's round,
    closed and certified by decision 456/QĐ-UBND of 12/10/2023."""
    from evaluation import services
    from evaluation.demo import propose_product_sets
    from registry.enums import Role
    from registry.importer import import_once
    from registry.models import Product, Registration
    from tests.factories import TAM_DUONG, district
    from tests.factories_evaluation import (
        ProgrammeYearFactory,
        account,
        council_with_members,
        load_sheets,
        prepared_dossier,
        rulebook,
        score_by_council,
    )

    assert import_once(REGISTRATION_XLSX, lai_chau, year=2023) is not None
    propose_product_sets(lai_chau)
    registrations = list(
        Registration.objects.filter(year=2023, district__code=TAM_DUONG)
        .select_related("product__product_set")
        .order_by("source_row", "id")
    )
    Product.objects.filter(registrations__in=registrations).update(
        is_product_set_confirmed=True
    )
    load_sheets(*{r.product.product_set.number for r in registrations})
    book = rulebook("148-2023")
    ProgrammeYearFactory(year=2023, rulebook=book)
    tier = book.tiers.get(order=2)
    tam_duong = district(TAM_DUONG)
    officer = account("huyen.tamduong.gcn", Role.DISTRICT_OFFICER, district=tam_duong)
    council, members = council_with_members(
        tier, 3, district=tam_duong, prefix="tamduong."
    )
    round_ = services.open_round(
        tier,
        officer,
        council=council,
        year=2023,
        name="Đợt 2 năm 2023 huyện Tam Đường",
        closes_on=date(2023, 10, 30),
        district=tam_duong,
    )
    for position, registration in enumerate(registrations):
        registration.refresh_from_db()
        dossier = prepared_dossier(registration, officer, officer)
        evaluation = services.add_to_round(round_, dossier, officer)
        totals, level = TAM_DUONG_TOTALS[position % len(TAM_DUONG_TOTALS)]
        score_by_council(evaluation, members, totals, level=level)
    services.close_round(round_, members[0])
    certificates = services.certify(
        round_, officer, decision_number="456/QĐ-UBND", decision_date=date(2023, 10, 12)
    )
    return len(registrations), certificates


def test_worker_renders_the_decision_and_certificates_of_real_lai_chau_products(
    lai_chau, worker
):
    count, certificates = certify_tam_duong_from_the_list(lai_chau)
    params = {"decision_number": "456/QĐ-UBND", "province_id": lai_chau.pk}

    decision_job = start_job(
        tasks.render_decision,
        kind="documents.decision",
        title="Quyết định 456/QĐ-UBND và phụ lục",
        params={
            **params,
            "signer_title": "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH",
            "signer_name": "Lò Văn Thắng",
        },
        total=2,
    )
    wait_for(decision_job, worker)
    certificates_job = start_job(
        tasks.render_decision_certificates,
        kind="documents.decision_certificates",
        title="Giấy chứng nhận theo Quyết định 456/QĐ-UBND",
        params=params,
    )
    wait_for(certificates_job, worker)

    assert count == 12
    assert decision_job.status == JobStatus.DONE, decision_job.message
    assert certificates_job.status == JobStatus.DONE, certificates_job.message
    assert [c.number for c in certificates] == [
        f"000{n}/2023/OCOP-12" for n in range(1, 7)
    ]
    _reader, decision = pdf_text(Document.objects.get(kind=DocumentKind.DECISION))
    for expected in (
        "ỦY BAN NHÂN DÂN HUYỆN TAM ĐƯỜNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - "
        "Tự do - Hạnh phúc Số: 456/QĐ-UBND Tam Đường, ngày 12 tháng 10 năm 2023",
        "Phê duyệt kết quả đánh giá, phân hạng và công nhận 6 sản phẩm đạt sao OCOP",
        "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Lò Văn Thắng",
        "(Kèm theo Quyết định số 456/QĐ-UBND ngày 12/10/2023)",
    ):
        assert expected in decision, expected
    annex = decision.split("Số giấy chứng nhận ", 1)[1]
    assert annex.startswith(
        " ".join(
            f"{position} {product} {producer} Huyện Tam Đường {score} 3 {number}"
            for position, (product, producer, _address, score, number) in enumerate(
                TAM_DUONG_ANNEX, start=1
            )
        )
    )
    for name in TAM_DUONG_NOT_CERTIFIED:
        assert name not in decision, name
    annex_xlsx = Document.objects.get(kind=DocumentKind.DECISION_ANNEX)
    with annex_xlsx.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert [row[1:3] for row in sheet.iter_rows(min_row=4, values_only=True)] == [
        *[(product, producer) for product, producer, *_rest in TAM_DUONG_ANNEX],
        ("Tổng cộng: 6 sản phẩm", None),
    ]
    reader, _text = pdf_text(Document.objects.get(kind=DocumentKind.CERTIFICATE_BUNDLE))
    pages = [
        " ".join(unicodedata.normalize("NFC", page.extract_text()).split())
        for page in reader.pages
    ]
    assert len(pages) == 6
    for page, (product, producer, address, score, number) in zip(
        pages, TAM_DUONG_ANNEX, strict=True
    ):
        assert (
            f"Ủy ban nhân dân huyện Tam Đường chứng nhận sản phẩm {product} "
            f"Chủ thể sản xuất: {producer} Địa chỉ: {address} "
            f"Đạt hạng: ★★★ (3 sao) · Điểm đánh giá: {score}/100"
        ) in page, page
        assert f"Số giấy chứng nhận: {number}" in page
    assert Document.objects.filter(kind=DocumentKind.CERTIFICATE).count() == 6
