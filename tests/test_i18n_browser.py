"""English in the browser: the language selector turns the pages to English, and
the scoring page's live totals (scoring.js) speak English too."""

import pytest

from registry.demo import create_demo_accounts
from registry.importer import preview_file
from registry.importer.committer import commit_plan
from tests.conftest import REGISTRATION_XLSX, log_in
from tests.evaluation_builders import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose_english(page):
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")


def test_language_selector_turns_the_key_pages_to_english(
    page, screenshot_dir, lai_chau
):
    create_demo_accounts("12")
    commit_plan(preview_file(REGISTRATION_XLSX, lai_chau, year=2023))
    log_in(page, "tinh")

    choose_english(page)
    home = page.locator("h1").first.inner_text()
    page.screenshot(path=screenshot_dir / "i18n-en-home.png", full_page=True)
    page.goto(page.base_url + "/san-pham/")
    products = page.locator("h1").first.inner_text()
    page.screenshot(path=screenshot_dir / "i18n-en-products.png")
    page.goto(page.base_url + "/nhap/")
    imports = page.locator("h1").first.inner_text()
    page.screenshot(path=screenshot_dir / "i18n-en-import.png", full_page=True)

    assert (home, products, imports) == (
        "OCOP programme overview",
        "OCOP products",
        "Import registration list",
    )


def test_scoring_page_live_totals_are_english(
    browser, live_server, screenshot_dir, lai_chau
):
    meeting = Meeting()
    member = meeting.scorers()[1]
    member.set_password("mat-khau-thu")
    member.save(update_fields=["password"])
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    log_in(page, member.username, "mat-khau-thu")
    choose_english(page)

    page.goto(page.base_url + f"/danh-gia/cham-diem/{meeting.evaluation.pk}/")
    page.locator("#scoring-form input.option").first.check()
    stars = page.locator("#scoring-stars").inner_text()
    progress = page.locator("#scoring-progress").inner_text()
    page.screenshot(path=screenshot_dir / "i18n-en-scoring.png")
    context.close()

    assert stars.startswith("By score: ")
    assert progress.endswith(" criteria still to score.")
