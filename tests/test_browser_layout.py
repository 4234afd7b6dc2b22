"""The pages' layout at the two widths people use: a phone (375 px), where a wide
table scrolls inside its own box rather than widening the page, and an office
screen (1280×800), where the menu of the province's staff and of the administrator
fits on one line."""

import pytest

from ocop.documents import store_document
from ocop.enums import DocumentKind, JobStatus
from ocop.models import Job
from registry.demo import create_demo_accounts
from registry.models import User
from tests.conftest import log_in
from tests.document_builders import make_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
OFFICE = {"width": 1280, "height": 800}


def open_page(browser, live_server, username, viewport):
    page = browser.new_context(locale="vi-VN", viewport=viewport).new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    log_in(page, username)
    return page


def page_width(page, path, screenshot):
    """The page's laid-out width, once loaded and photographed."""
    page.goto(page.base_url + path)
    page.screenshot(path=screenshot, full_page=True)
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def documents(lai_chau):
    """A decision's documents, each in two versions, and the jobs that made them."""
    create_demo_accounts("12")
    make_decision(2)
    clerk = User.objects.get(username="tinh")
    titles = [
        "Giấy chứng nhận theo Quyết định 1234/QĐ-UBND (2 sản phẩm)",
        "Phụ lục Quyết định 1234/QĐ-UBND (.xlsx)",
        "Báo cáo giấy chứng nhận: đã cấp, sắp hết hạn, thu hồi, ngày 15/03/2024",
    ]
    for number, title in enumerate(titles):
        for version in (1, 2):
            store_document(
                kind=DocumentKind.REPORT,
                key=f"report:layout:{number}",
                title=title,
                data={"version": version},
                render=lambda _data: b"PK fake",
                file_name="bao-cao-giay-chung-nhan-20240315.xlsx",
                province_id=lai_chau.pk,
                year=2024,
                user=clerk,
            )
        Job.objects.create(
            kind="evaluation.report",
            title=title,
            status=JobStatus.RUNNING,
            progress_done=1,
            progress_total=24,
            created_by=clerk,
        )


def test_documents_page_on_a_phone_is_no_wider_than_the_screen(
    browser, live_server, screenshot_dir, documents
):
    page = open_page(browser, live_server, "tinh", PHONE)

    width = page_width(
        page, "/tai-lieu/", screenshot_dir / "layout-phone-documents.png"
    )

    assert width <= PHONE["width"]
    for table in ("#job-list", "#document-list"):
        assert page.locator(f".table-responsive > {table}").count() == 1


def test_menu_on_a_phone_opens_with_the_user_and_logout_in_reach(
    browser, live_server, screenshot_dir, documents
):
    page = open_page(browser, live_server, "tinh", PHONE)
    page.goto(page.base_url + "/tai-lieu/")

    page.click(".navbar-toggler")
    page.click("#nav-user")
    logout = page.locator("#nav-logout")
    logout.wait_for()
    page.screenshot(path=screenshot_dir / "layout-phone-menu.png")

    box = logout.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.locator("#nav-user-role").inner_text() == (
        "Nguyễn Văn Tỉnh · Cán bộ OCOP tỉnh"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


PHONE_PAGES = [
    "/",
    "/chu-the/",
    "/san-pham/",
    "/dang-ky/",
    "/nhap/",
    "/danh-gia/nam-chuong-trinh/",
    "/danh-gia/ho-so/",
    "/danh-gia/dot/",
    "/danh-gia/hoi-dong/",
    "/danh-gia/giay-chung-nhan/",
    "/danh-gia/phieu-cham/",
]


def test_lists_on_a_phone_are_no_wider_than_the_screen(
    browser, live_server, screenshot_dir, documents
):
    page = open_page(browser, live_server, "quantri", PHONE)

    widths = {
        path: page_width(
            page,
            path,
            screenshot_dir
            / f"layout-phone{path.rstrip('/').replace('/', '-') or '-home'}.png",
        )
        for path in PHONE_PAGES
    }

    assert {path: w for path, w in widths.items() if w > PHONE["width"]} == {}


def navbar_height(page, name, screenshot_dir):
    page.goto(page.base_url + "/tai-lieu/")
    page.screenshot(path=screenshot_dir / f"layout-office-{name}.png")
    links = page.locator("#mainnav .nav-link")
    tops = {round(link.bounding_box()["y"]) for link in links.all()}
    return page.locator("nav.navbar").bounding_box()["height"], tops


@pytest.mark.parametrize("username", ["tinh", "quantri"])
def test_menu_fits_on_one_line_of_an_office_screen(
    browser, live_server, screenshot_dir, documents, username
):
    page = open_page(browser, live_server, username, OFFICE)

    height, tops = navbar_height(page, username, screenshot_dir)

    # One line: the bar's own padding around one row of links (56 px in
    # Bootstrap); every link at the same height.
    assert height <= 60
    assert len(tops) == 1


def test_menu_in_english_fits_on_one_line_of_an_office_screen(
    browser, live_server, screenshot_dir, documents
):
    page = open_page(browser, live_server, "quantri", OFFICE)
    page.goto(page.base_url + "/tai-lieu/")
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")

    height, tops = navbar_height(page, "quantri-en", screenshot_dir)

    assert height <= 60
    assert len(tops) == 1
