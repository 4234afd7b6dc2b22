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


@pytest.fixture
def worker(tmp_path):
    """A Celery worker subprocess on the test database; stopped after the test."""
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "OCOP_PUBLIC_BASE_URL": settings.OCOP_PUBLIC_BASE_URL,
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ocop", "worker", "-l", "info"]
            + ["--pool", "solo", "--without-mingle", "--without-gossip"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    print(log.read_text()[-4000:])


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
