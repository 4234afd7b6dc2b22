"""A clerk makes the certificates of a decision in the background and downloads them.

The job runs on a real Celery worker (in a thread of the test process, on the
project's broker: in-memory on the embedded default, Redis in CI), so the page shows
it queued, running "n trên N", then done.
"""

import re
import unicodedata

import pytest
from pypdf import PdfReader

from ocop.celery import app
from registry.demo import create_demo_accounts
from tests.conftest import log_in
from tests.document_builders import make_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRODUCTS = 24


@pytest.fixture
def celery_worker():
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False) as worker:
        yield worker


def test_clerk_makes_a_decisions_certificates_and_downloads_them(
    page, screenshot_dir, lai_chau, celery_worker
):
    create_demo_accounts("12")
    _round, certificates = make_decision(PRODUCTS)
    log_in(page, "tinh")

    page.goto(page.base_url + "/tai-lieu/")
    page.select_option("#id_decision_number", "1234/QĐ-UBND")
    page.screenshot(path=screenshot_dir / "documents-start.png", full_page=True)
    page.click("#start-certificates")
    page.wait_for_url(re.compile(r"/viec/\d+/$"))

    progress = page.locator("#job-progress-text")
    progress.wait_for(timeout=30_000)
    assert re.fullmatch(rf"\d+ trên {PRODUCTS}", progress.inner_text().strip())
    page.screenshot(path=screenshot_dir / "documents-running.png", full_page=True)
    page.locator("#job-state", has_text="Hoàn thành").wait_for(timeout=60_000)
    page.screenshot(path=screenshot_dir / "documents-done.png", full_page=True)
    bundle_link = page.locator(
        "a.job-document-link", has_text="Giấy chứng nhận theo Quyết định 1234/QĐ-UBND"
    )
    with page.expect_download() as download_info:
        bundle_link.click()

    download = download_info.value
    assert download.suggested_filename == "giay-chung-nhan-qd-1234-QD-UBND.pdf"
    reader = PdfReader(download.path())
    assert len(reader.pages) == PRODUCTS
    texts = [
        " ".join(unicodedata.normalize("NFC", p.extract_text()).split())
        for p in reader.pages
    ]
    assert all("GIẤY CHỨNG NHẬN" in text for text in texts)
    assert sorted(
        next(c.product_name for c in certificates if f"{c.product_name} " in text)
        for text in texts
    ) == sorted(c.product_name for c in certificates)

    page.goto(page.base_url + "/tai-lieu/")
    page.screenshot(path=screenshot_dir / "documents-list.png", full_page=True)
    assert page.locator("#document-list tbody tr").count() == PRODUCTS + 1
