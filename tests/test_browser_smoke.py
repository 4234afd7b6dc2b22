import pytest

from registry.demo import create_demo_accounts
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_sees_the_home_page(page, screenshot_dir, lai_chau):
    create_demo_accounts("12")

    log_in(page, "tinh")

    assert page.locator("h1").first.inner_text() == "Tổng quan chương trình OCOP"
    page.screenshot(path=screenshot_dir / "home.png", full_page=True)
