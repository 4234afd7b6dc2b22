"""Under 148/QĐ-TTg, in the browser: the province round's page says which authority
certifies each group and why; the province's office certifies Tam Đường's 3-star
group under the district's decision; Tam Đường's officer finds that certificate to
print and its decision on the documents page, and Lai Châu city's officer finds
neither to make."""

import re

import pytest

from registry.demo import create_demo_accounts
from registry.models import User
from tests.conftest import log_in
from tests.test_certify_authorities import TAM_DUONG_UBND, make_province_round_148

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_certificate_of_a_province_round_reaches_its_district(
    browser, live_server, screenshot_dir, lai_chau
):
    create_demo_accounts("12")
    round_ = make_province_round_148(staff=User.objects.get(username="tinh"))
    pages = {}
    for username in ("tinh", "huyen.tamduong", "huyen.thanhpho"):
        context = browser.new_context(
            locale="vi-VN", viewport={"width": 1366, "height": 900}
        )
        pages[username] = context.new_page()
        pages[username].set_default_timeout(15_000)
        pages[username].base_url = live_server.url
        log_in(pages[username], username)

    office = pages["tinh"]
    office.goto(f"{live_server.url}/danh-gia/dot/{round_.pk}/")
    whys = office.locator(".certify-why").all_inner_texts()
    office.locator("#certify-form").screenshot(
        path=screenshot_dir / "certify-authorities-1-groups.png"
    )
    office.fill("#id_g2_decision_number", "140/QĐ-UBND")
    office.fill("#id_g2_decision_date", "2023-08-20")
    office.click("#certify-round-2")
    office.wait_for_load_state()
    issued = office.locator(".alert-success").inner_text()

    officer = pages["huyen.tamduong"]
    officer.goto(f"{live_server.url}/danh-gia/giay-chung-nhan/")
    own_row = officer.locator("#certificate-list tbody tr", has_text="Tả Lèng")
    own_make = own_row.locator(".certificate-make-pdf").count()
    officer.screenshot(
        path=screenshot_dir / "certify-authorities-2-officer-list.png", full_page=True
    )
    officer.goto(f"{live_server.url}/tai-lieu/")
    decisions = officer.locator("#id_decision_number option").all_inner_texts()
    officer.screenshot(
        path=screenshot_dir / "certify-authorities-3-officer-documents.png",
        full_page=True,
    )

    city = pages["huyen.thanhpho"]
    city.goto(f"{live_server.url}/danh-gia/giay-chung-nhan/")
    city_row = city.locator("#certificate-list tbody tr", has_text="Tả Lèng")
    city_make = city_row.locator(".certificate-make-pdf").count()
    city.goto(f"{live_server.url}/tai-lieu/")
    city_decisions = city.locator("#id_decision_number option").count()
    for page in pages.values():
        page.context.close()

    assert [" ".join(why.split()) for why in whys] == [
        "Theo 148/QĐ-TTg, cấp tỉnh công nhận sản phẩm 4 sao: Ủy ban nhân dân tỉnh "
        "Lai Châu ra quyết định công nhận và cấp giấy chứng nhận.",
        "Theo 148/QĐ-TTg, cấp huyện công nhận sản phẩm 3 sao, kể cả sản phẩm đã được "
        "chuyển lên cấp tỉnh mà hội đồng cấp tỉnh chấm đạt 3 sao: Ủy ban nhân dân "
        "huyện Tam Đường, nơi đã chuyển hồ sơ lên, ra quyết định công nhận và cấp "
        "giấy chứng nhận.",
        "Theo 148/QĐ-TTg, cấp huyện công nhận sản phẩm 3 sao, kể cả sản phẩm đã được "
        "chuyển lên cấp tỉnh mà hội đồng cấp tỉnh chấm đạt 3 sao: Ủy ban nhân dân "
        "thành phố Lai Châu, nơi đã chuyển hồ sơ lên, ra quyết định công nhận và cấp "
        "giấy chứng nhận.",
    ]
    assert "Đã cấp 1 giấy chứng nhận." in issued
    assert own_make == 1
    assert [re.sub(r"\s+", " ", text).strip() for text in decisions] == [
        f"140/QĐ-UBND · 20/08/2023 · {TAM_DUONG_UBND} (1 sản phẩm)"
    ]
    assert city_make == 0
    assert city_decisions == 0
