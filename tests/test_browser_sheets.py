"""An administrator imports the 26 official sheets in a real browser, sees the ones
that fail their checks, corrects one and sees it valid."""

import shutil
from pathlib import Path

import pytest

from evaluation.models import ScoringSheet
from evaluation.rulebooks import load_rulebooks
from registry.demo import create_demo_accounts
from tests.conftest import CRITERIA_JSON, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/hb-shots")


def shoot(page, folder, name):
    path = folder / f"sheets-{name}.png"
    page.screenshot(path=path, full_page=True)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _text(page, selector):
    return page.locator(selector).inner_text().strip()


def test_administrator_imports_the_sheets_corrects_a_failing_one_and_sees_it_valid(
    page, screenshot_dir, lai_chau
):
    create_demo_accounts("12")
    load_rulebooks()
    log_in(page, "quantri")

    page.click("#nav-evaluation")
    page.click("#nav-sheets")
    page.click("#sheet-import")
    page.set_input_files("#id_file", str(CRITERIA_JSON))
    page.click("#sheet-import-form button[type=submit]")
    page.wait_for_selector("#preview-counts")
    shoot(page, screenshot_dir, "1-preview")

    assert _text(page, "#count-new") == "26"
    assert _text(page, "#count-invalid") == "22"
    assert page.locator("#preview-table tr[data-valid='0']").count() == 22
    assert ScoringSheet.objects.count() == 0

    page.click("#sheet-import-commit")
    page.wait_for_selector(".sheet-table-list")
    page.select_option("#f-validity", "invalid")
    page.click("#filter-form button")
    page.wait_for_url("**validity=invalid**")
    shoot(page, screenshot_dir, "2-failing")

    assert page.locator(".sheet-table-list tbody tr").count() == 22
    assert ScoringSheet.objects.count() == 26

    page.click("#sheet-26-2026-21 a")
    page.wait_for_selector("#sheet-problems")
    shoot(page, screenshot_dir, "3-detail")
    page.click("#sheet-correct")
    page.wait_for_selector("#sheet-correct-form")
    row = page.locator("#crit-2\\.3")
    adds = row.locator(".add-option")
    adds.nth(0).locator("input[type=text]").fill("Không sử dụng song ngữ")
    adds.nth(0).locator("input[type=number]").fill("0")
    adds.nth(1).locator("input[type=text]").fill("Có sử dụng song ngữ")
    adds.nth(1).locator("input[type=number]").fill("1")
    row.locator("input[name^=r]").fill("Văn bản không in phương án; có = 1, không = 0.")
    shoot(page, screenshot_dir, "4-correct")
    page.click("#save-correction")
    page.wait_for_selector("#sheet-history")
    shoot(page, screenshot_dir, "5-corrected")

    assert _text(page, "#sheet-validity") == "Đạt kiểm tra, dùng được để chấm"
    assert _text(page, "#sheet-version") == "Phiên bản 2"
    assert page.locator("#sheet-history li[id^=version-]").count() == 2
    assert ScoringSheet.objects.get(product_set__number=21, version=2).is_valid

    page.click("#nav-evaluation")
    page.click("#nav-sheets")
    page.select_option("#f-validity", "invalid")
    page.click("#filter-form button")
    page.wait_for_url("**validity=invalid**")

    assert page.locator(".sheet-table-list tbody tr").count() == 21
