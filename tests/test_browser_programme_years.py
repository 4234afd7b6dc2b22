"""The province's office opens its programme year in the browser, is refused a
rulebook not in force that year, then opens the year's dossiers in one click and
finds each dossier with its registration form."""

import pytest

from evaluation.models import Dossier, ProgrammeYear
from evaluation.rulebooks import load_rulebooks
from registry.demo import create_demo_accounts
from tests.conftest import log_in
from tests.factories import Area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_programme_year_is_opened_and_its_dossiers_too(page, screenshot_dir, lai_chau):
    create_demo_accounts("12")
    rulebooks = load_rulebooks()
    area = Area()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "tinh")

    page.click("#nav-evaluation")
    page.click("#nav-programme-years")
    page.wait_for_selector("#programme-year-list")
    page.fill("#id_year", "2026")
    page.select_option("#id_rulebook", str(rulebooks["148-2023"].pk))
    page.fill("#id_plan_reference", "Kế hoạch OCOP tỉnh Lai Châu năm 2026")
    page.click("#open-programme-year")
    refusal = page.locator("#programme-year-create .invalid-feedback").inner_text()
    page.screenshot(path=screenshot_dir / "programme-year-refused.png", full_page=True)

    page.fill("#id_year", "2023")
    page.fill("#id_plan_reference", "Kế hoạch OCOP tỉnh Lai Châu năm 2023")
    page.click("#open-programme-year")
    page.wait_for_selector(".alert-success")
    programme = ProgrammeYear.objects.get()
    row = page.locator(f"#programme-{programme.pk}")
    before = [
        row.locator(f".{name}").inner_text()
        for name in ("registration-count", "dossier-count", "unopened-count")
    ]
    page.screenshot(path=screenshot_dir / "programme-year-opened.png", full_page=True)

    row.locator("button.open-dossiers").click()
    page.wait_for_selector(".alert-success")
    opened = page.locator(".alert-success").inner_text()
    after = [
        row.locator(f".{name}").inner_text()
        for name in ("registration-count", "dossier-count", "unopened-count")
    ]
    page.screenshot(path=screenshot_dir / "programme-year-dossiers.png", full_page=True)

    row.locator(".dossier-count a").click()
    page.wait_for_selector("#dossier-list")
    page.click(f"text={area.binh_lu.name}")
    page.wait_for_selector("#registration-form")
    form = page.locator("#registration-form").inner_text()
    page.screenshot(
        path=screenshot_dir / "dossier-registration-form.png", full_page=True
    )

    assert refusal == (
        "Quy định 148/QĐ-TTg áp dụng từ 24/02/2023 đến 05/07/2025, không áp dụng "
        "cho năm 2026."
    )
    assert before == ["4", "0", "4"]
    assert "Đã mở 4 hồ sơ cho các đăng ký năm 2023." in opened
    assert after == ["4", "4", "0"]
    assert row.locator("button.open-dossiers").count() == 0
    assert Dossier.objects.count() == 4
    assert "Miến dong Bình Lư" in form
    assert "Đăng ký mới" in form
