"""An administrator imports the 26 official sheets in a real browser, sees the ones
that fail their checks, corrects one and sees it valid."""

import json
import shutil
from pathlib import Path

import pytest

from evaluation.corrections import apply_known_corrections
from evaluation.models import ScoringSheet
from evaluation.rulebooks import load_rulebooks
from evaluation.sheets import (
    EDITION_2026,
    correct_sheet,
    latest_sheet,
    load_scoring_sheets,
)
from registry.demo import create_demo_accounts
from registry.models import ProductSet, User
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


HH_SHOTS = Path("/tmp/hh-shots")


def shoot_hh(page, folder, name):
    path = folder / f"sheets-{name}.png"
    page.screenshot(path=path, full_page=True)
    HH_SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, HH_SHOTS / path.name)


def _overflows(page, selector):
    return page.locator(selector).evaluate("e => e.scrollWidth > e.clientWidth + 1")


def test_administrator_reads_what_the_filter_shows_and_a_failing_correction_refused(
    page, screenshot_dir, lai_chau
):
    create_demo_accounts("12")
    load_rulebooks()
    load_scoring_sheets(numbers={4, 26})
    admin = User.objects.get(username="quantri")
    sets = {ps.number: ps for ps in ProductSet.objects.filter(number__in=(4, 26))}
    apply_known_corrections(admin, sets, numbers={4, 26})
    honey = latest_sheet(sets[4], EDITION_2026)
    log_in(page, "quantri")

    page.goto(page.base_url + "/danh-gia/phieu-cham/?validity=invalid")
    shoot_hh(page, screenshot_dir, "6-filter-none-current")
    notice = _text(page, "#no-sheets")
    page.click("#show-all-versions")
    page.wait_for_selector(".sheet-superseded")
    shoot_hh(page, screenshot_dir, "7-filter-all-versions")

    assert notice.startswith(
        "Không có phiếu nào mà phiên bản mới nhất không đạt kiểm tra"
    )
    assert page.locator(".sheet-table-list tbody tr").count() == 1
    assert _text(page, "#sheet-26-2026-4-v1 .sheet-scored-on") == "phiên bản 2"

    page.goto(page.base_url + f"/danh-gia/phieu-cham/{honey.pk}/hieu-chinh/")
    row = page.locator("#crit-1\\.7")
    row.locator("input[type=number]").nth(0).fill("2")
    row.locator(".correct-option input[type=number]").nth(1).fill("2")
    row.locator("input[name^=r]").fill("Thử cộng thêm một điểm.")
    page.click("#save-correction")
    page.wait_for_selector("#correct-errors")
    shoot_hh(page, screenshot_dir, "8-correction-refused")

    assert page.locator("#correct-errors li").all_inner_texts() == [
        "Phiên bản 2 đạt kiểm tra và đang dùng để chấm; hiệu chỉnh này làm phiếu "
        "không đạt kiểm tra nên không được ghi. Các kiểm tra sẽ không đạt:",
        "Tiêu chí 1: Điểm tối đa in là 18 nhưng phương án cao nhất cho 19.",
        "Phần A cộng được 41 điểm, phải là 40.",
    ]
    assert ScoringSheet.objects.filter(product_set__number=4).count() == 2

    # A reason as long as the field takes, in one word, wraps in the history.
    correct_sheet(
        latest_sheet(sets[26], EDITION_2026),
        admin,
        "",
        [{"criterion": "1.4", "option": 1, "points": 0, "reason": "x" * 1000}],
    )
    page.goto(page.base_url + "/danh-gia/phieu-cham/")
    page.click("#sheet-26-2026-26 a")
    page.wait_for_selector("#sheet-history")
    shoot_hh(page, screenshot_dir, "9-long-reason")

    assert _text(page, "#sheet-scored-on").startswith(
        "Hội đồng chấm trên phiên bản này (phiên bản 2, mới nhất đạt kiểm tra)."
    )
    assert not _overflows(page, "#sheet-history")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_administrator_uploads_a_deeply_nested_file_and_a_malformed_edition(
    page, screenshot_dir, lai_chau, tmp_path
):
    create_demo_accounts("12")
    nested = tmp_path / "sau.json"
    nested.write_text("[" * 100_000)
    unnamed = tmp_path / "khong-can-cu.json"
    data = json.loads(CRITERIA_JSON.read_text(encoding="utf-8"))
    del data["legal_basis"]
    unnamed.write_text(json.dumps(data))
    log_in(page, "quantri")

    page.goto(page.base_url + "/danh-gia/phieu-cham/nhap/")
    page.set_input_files("#id_file", str(nested))
    page.click("#sheet-import-form button[type=submit]")
    page.wait_for_selector("#errors-file")
    shoot_hh(page, screenshot_dir, "10-deep-json")
    deep = page.locator("#errors-file li").all_inner_texts()
    page.set_input_files("#id_file", str(unnamed))
    page.fill("#id_edition", "<b>x</b>../..")
    page.click("#sheet-import-form button[type=submit]")
    page.wait_for_selector("#errors-edition")
    shoot_hh(page, screenshot_dir, "11-bad-edition")

    assert deep == [
        "Tệp lồng nhau quá 32 cấp; tệp tiêu chí chỉ lồng khoảng 12 cấp, nên đây "
        "không phải tệp tiêu chí."
    ]
    assert (
        page.locator("#errors-edition li")
        .inner_text()
        .startswith("Ấn bản “<b>x</b>../..” không đúng dạng: cần số và năm")
    )
    assert page.locator("#errors-file").count() == 0

    page.fill("#id_edition", "27-2027")
    page.set_input_files("#id_file", str(unnamed))
    page.click("#sheet-import-form button[type=submit]")
    page.wait_for_selector("#sheet-import-new-edition")
    shoot_hh(page, screenshot_dir, "12-new-edition")
    page.click("#sheet-import-commit")

    assert ScoringSheet.objects.count() == 0
    page.check("#confirm-new-edition")
    page.click("#sheet-import-commit")
    page.wait_for_selector(".sheet-table-list")

    assert ScoringSheet.objects.filter(edition="27-2027").count() == 26
