"""A clerk makes one product's certificate from the certificate list, downloads it,
and finds it linked on the list afterwards."""

import re
import unicodedata

import pytest
from pypdf import PdfReader

from registry.demo import create_demo_accounts
from tests.conftest import log_in
from tests.document_builders import make_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_makes_one_certificates_pdf_from_the_certificate_list(
    page, screenshot_dir, lai_chau
):
    create_demo_accounts("12")
    _round, (_first, second, _third) = make_decision(3)
    log_in(page, "tinh")

    page.goto(page.base_url + "/danh-gia/giay-chung-nhan/")
    row = page.locator("#certificate-list tbody tr", has_text=second.number)
    row.locator("button.certificate-make-pdf").click()
    page.wait_for_url(re.compile(r"/viec/\d+/$"))
    page.locator("#job-state", has_text="Hoàn thành").wait_for(timeout=30_000)
    page.screenshot(path=screenshot_dir / "certificate-pdf-done.png", full_page=True)
    with page.expect_download() as download_info:
        page.locator("a.job-document-link").click()

    download = download_info.value
    text = " ".join(
        unicodedata.normalize(
            "NFC", PdfReader(download.path()).pages[0].extract_text()
        ).split()
    )
    assert download.suggested_filename == "giay-chung-nhan-0002-2023-OCOP-12.pdf"
    assert "Miến dong Bình Lư loại 2" in text
    page.goto(page.base_url + "/danh-gia/giay-chung-nhan/")
    page.screenshot(path=screenshot_dir / "certificate-list-pdf.png", full_page=True)
    assert page.locator("#certificate-list a.certificate-pdf").count() == 1
    assert page.locator("#certificate-list button.certificate-make-pdf").count() == 2
