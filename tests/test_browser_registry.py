"""In a real browser: an officer browses its products; the province sees its charts."""

import pytest

from registry.demo import create_demo_accounts
from tests.conftest import log_in
from tests.factories import Area, ProductFactory, commune

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def area(lai_chau, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create_demo_accounts("12")
    area = Area()
    area.cordyceps = ProductFactory(
        name="Đông trùng hạ thảo",
        producer__name="Hợp tác xã Dược liệu Tam Đường",
        producer__commune=commune("Thị trấn Tam Đường", "106"),
    )
    return area


def product_names(page):
    return sorted(
        page.locator("#product-table tbody td:first-child a").all_inner_texts()
    )


def test_district_officer_sees_searches_and_opens_its_products(
    page, area, screenshot_dir
):
    log_in(page, "huyen.tamduong")

    page.click("nav >> text=Sản phẩm")
    page.wait_for_selector("#product-table")
    page.screenshot(
        path=screenshot_dir / "registry-products-tam-duong.png", full_page=True
    )
    all_names = product_names(page)

    page.fill("#id_q", "dong trung ha thao")
    page.click("#filter-form button[type=submit]")
    page.wait_for_url("**q=dong+trung+ha+thao**")
    found = product_names(page)
    page.screenshot(path=screenshot_dir / "registry-search.png", full_page=True)

    page.click("#product-table >> text=Đông trùng hạ thảo")
    page.wait_for_selector("h1")
    page.screenshot(path=screenshot_dir / "registry-product-detail.png", full_page=True)

    assert all_names == sorted(
        [
            area.tam_duong.name,
            area.binh_lu.name,
            area.crossed.name,
            "Đông trùng hạ thảo",
        ]
    )
    assert area.city.name not in all_names
    assert found == ["Đông trùng hạ thảo"]
    assert page.locator("h1").inner_text() == "Đông trùng hạ thảo"
    assert "Thị trấn Tam Đường, Huyện Tam Đường" in page.inner_text("#product-address")

    guessed = page.goto(page.base_url + area.city.get_absolute_url())
    assert guessed.status == 404


def test_province_staff_sees_the_home_charts(page, area, screenshot_dir):
    log_in(page, "tinh")

    page.wait_for_selector("#chart-district")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-district')")
    page.screenshot(path=screenshot_dir / "registry-home-charts.png", full_page=True)

    assert page.locator("h1").first.inner_text() == "Tổng quan chương trình OCOP"
    assert page.inner_text("#total-products") == "4"
    charts = page.evaluate(
        "() => ['chart-district', 'chart-producer-kind', 'chart-registration-kind']"
        ".map(id => Chart.getChart(id).data.datasets[0].data.reduce((a, b) => a + b))"
    )
    assert charts == [4, 4, 4]


def test_district_officer_adds_a_producer_after_fixing_the_phone(
    page, area, screenshot_dir
):
    log_in(page, "huyen.tamduong")
    page.goto(page.base_url + "/chu-the/")

    page.click("text=Thêm chủ thể")
    page.fill("#id_name", "Hợp tác xã Chè Sơn Bình")
    page.select_option("#id_kind", "cooperative")
    page.fill("#id_representative", "Lò Thị Mai")
    page.fill("#id_phone", "0912.345")
    page.select_option("#id_commune", label="Xã Sơn Bình, Huyện Tam Đường")
    page.click("button[type=submit]")
    error = page.inner_text("#id_phone + .invalid-feedback")
    page.screenshot(path=screenshot_dir / "registry-producer-form.png", full_page=True)
    page.fill("#id_phone", "0912 345 678")
    page.click("button[type=submit]")
    page.wait_for_url("**/chu-the/*/")

    assert error.startswith("Số điện thoại phải có 10 chữ số")
    assert page.locator("h1").inner_text() == "Hợp tác xã Chè Sơn Bình"
    assert "0912345678" in page.inner_text("main")
