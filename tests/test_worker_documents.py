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
