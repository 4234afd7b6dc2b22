"""A district officer records on a product's page the certificate its 2020 stars
were issued on paper, and the product's late re-evaluation dossier follows it; the
province's office revokes it from its page, and the public page says revoked."""

from datetime import date

import pytest

from evaluation import services
from evaluation.models import Certificate
from registry.demo import create_demo_accounts
from tests.certificate_builders import following
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_earlier_certificate_is_recorded_followed_revoked_and_verified(
    page, browser, live_server, screenshot_dir, lai_chau
):
    create_demo_accounts("12")
    season = following()
    services.submit_dossier(
        season.dossier, season.officer, received_on=date(2023, 9, 1)
    )
    product_url = f"{page.base_url}/san-pham/{season.product.pk}/"
    log_in(page, "huyen.tamduong")

    page.goto(product_url)
    panel = page.locator("#earlier-certificate")
    unlinked = panel.locator(".unlinked-dossier").inner_text()
    page.fill("#id_number", "125/GCN-UBND")
    page.select_option("#id_stars", "4")
    page.fill("#id_issuing_authority", "Ủy ban nhân dân tỉnh Lai Châu")
    page.fill("#id_decision_number", "2150/QĐ-UBND")
    page.fill("#id_decision_date", "2020-12-15")
    page.click("#record-earlier-certificate")
    refusal = page.locator("#earlier-certificate .invalid-feedback").inner_text()
    page.locator("#earlier-certificate").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "earlier-1-refused.png", full_page=True)
    page.select_option("#id_stars", "3")
    page.click("#record-earlier-certificate")
    page.wait_for_selector(".alert-success")
    recorded = page.locator(".alert-success").inner_text()
    history = page.locator("#history-certificates").inner_text()
    page.screenshot(path=screenshot_dir / "earlier-2-recorded.png", full_page=True)

    page.goto(f"{page.base_url}/danh-gia/ho-so/{season.dossier.pk}/")
    follows = page.locator("#dossier-follows").inner_text()
    window = page.locator("#reevaluation-window").inner_text()
    page.screenshot(path=screenshot_dir / "earlier-3-dossier.png", full_page=True)
    page.context.close()

    staff = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    office = staff.new_page()
    office.base_url = live_server.url
    log_in(office, "tinh")
    office.goto(f"{live_server.url}/danh-gia/giay-chung-nhan/?state=expired")
    office.screenshot(path=screenshot_dir / "earlier-4-list.png", full_page=True)
    office.click("text=125/GCN-UBND")
    office.wait_for_selector("#certificate-terms")
    office.click("#revoke summary")
    office.select_option("#id_ground", "mark_misuse")
    office.fill("#id_reason", "In biểu trưng OCOP 4 sao trên bao bì.")
    office.fill("#id_found_on", "2023-05-10")
    office.fill("#id_decision_number", "512/QĐ-UBND")
    office.fill("#id_decision_date", "2023-05-19")
    office.screenshot(path=screenshot_dir / "earlier-5-revoke-form.png", full_page=True)
    office.click("#revoke-certificate")
    office.wait_for_selector("#revocation")
    state = office.locator("#certificate-state").inner_text()
    office.screenshot(path=screenshot_dir / "earlier-6-revoked.png", full_page=True)
    certificate = Certificate.objects.get()

    public = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    public.goto(f"{live_server.url}/xac-minh/{certificate.verification_code}/")
    verdict = public.locator("#verify-status").inner_text()
    revocation = public.locator("#verify-revocation").inner_text()
    public.screenshot(
        path=screenshot_dir / "earlier-7-public-phone.png", full_page=True
    )
    public.context.close()

    phone = browser.new_context(locale="vi-VN", viewport=PHONE).new_page()
    phone.base_url = live_server.url
    log_in(phone, "tinh")
    widths = {}
    for name, url in (
        ("product", product_url),
        ("dossier", f"{live_server.url}/danh-gia/ho-so/{season.dossier.pk}/"),
        (
            "certificate",
            f"{live_server.url}/danh-gia/giay-chung-nhan/{certificate.pk}/",
        ),
        ("list", f"{live_server.url}/danh-gia/giay-chung-nhan/"),
    ):
        phone.goto(url)
        widths[name] = phone.evaluate("document.documentElement.scrollWidth")
        phone.screenshot(
            path=screenshot_dir / f"earlier-8-{name}-phone.png", full_page=True
        )
    phone.context.close()
    staff.close()

    assert unlinked == (
        "Hồ sơ đánh giá lại năm 2023 chưa theo giấy chứng nhận nào: ghi nhận giấy đã "
        "cấp ở đây thì hồ sơ theo giấy đó."
    )
    assert refusal == (
        "Đăng ký đánh giá lại năm 2023 ghi sản phẩm đạt 3 sao, giấy chứng nhận ghi 4 "
        "sao: hãy đối chiếu lại; nếu đăng ký ghi sai, sửa đăng ký trước."
    )
    assert recorded.startswith(
        "Đã ghi nhận giấy chứng nhận 125/GCN-UBND (3 sao), hết hạn ngày 15/12/2023. "
        "1 hồ sơ đánh giá lại hoặc nâng hạng đang mở nay theo giấy này."
    )
    assert "125/GCN-UBND" in history
    assert "ghi nhận từ bản giấy" in history
    assert follows == "125/GCN-UBND\nHết hiệu lực"
    assert "18/06/2023 – 17/08/2023" in window
    assert "Nộp muộn" in window
    assert "chậm nhất đến ngày 12/06/2024" in window
    assert state == "Đã thu hồi"
    assert "Đã thu hồi" in verdict
    assert revocation.startswith(
        "19/05/2023: Sử dụng sai biểu trưng OCOP. In biểu trưng OCOP 4 sao trên bao bì."
    )
    assert "Quyết định thu hồi số 512/QĐ-UBND ngày 19/05/2023" in revocation
    assert widths == dict.fromkeys(widths, PHONE["width"])
