"""A provincial officer imports the 2023 registration list in a real browser."""

import pytest
from django.urls import NoReverseMatch, reverse

from registry.demo import create_demo_accounts
from registry.models import Producer, Registration
from tests.conftest import REGISTRATION_XLSX, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _text(page, selector):
    return page.locator(selector).inner_text().strip()


def test_staff_uploads_previews_and_commits_the_registration_list(
    page, screenshot_dir, lai_chau
):
    create_demo_accounts("12")
    log_in(page, "tinh")

    page.click("#nav-import")
    page.click("#import-new")
    page.set_input_files("#id_file", str(REGISTRATION_XLSX))
    page.click("#import-upload-form button[type=submit]")
    page.wait_for_selector("#import-counts")
    page.screenshot(path=screenshot_dir / "import-preview.png", full_page=True)

    assert _text(page, "#count-registrations-created") == "105"
    assert _text(page, "#count-producers-created") == "57"
    assert _text(page, "#kind-new") == "65"
    assert page.locator("#import-issues tbody tr").count() >= 1
    assert Registration.objects.count() == 0

    page.click("#import-commit")
    page.wait_for_selector("#import-done")
    page.screenshot(path=screenshot_dir / "import-result.png", full_page=True)

    assert _text(page, "#count-registrations-created") == "105"
    assert _text(page, "#count-products-created") == "105"
    assert _text(page, "#count-producers-created") == "57"
    assert _text(page, "#kind-re_evaluation") == "39"
    assert _text(page, "#kind-upgrade") == "1"
    assert _text(page, "#distinct-producers") == "57"
    assert Registration.objects.filter(year=2023).count() == 105
    assert Producer.objects.count() == 57

    try:
        reverse("registry:product-list")
    except NoReverseMatch:
        return
    page.click("#to-products")
    page.wait_for_selector("#result-count")
    page.screenshot(path=screenshot_dir / "import-products.png", full_page=True)

    assert _text(page, "#result-count").startswith("Tổng số: 105")


def test_district_officer_cannot_open_the_import(page, lai_chau):
    create_demo_accounts("12")
    log_in(page, "huyen.tamduong")

    response = page.goto(page.base_url + reverse("registry:import-upload"))

    assert response.status == 403
    assert page.locator("#nav-import").count() == 0
