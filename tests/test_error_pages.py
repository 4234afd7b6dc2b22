import logging

import pytest
from django.test import override_settings

from registry.demo import create_demo_accounts

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_missing_page_is_explained_in_vietnamese(client, lai_chau):
    create_demo_accounts("12")
    client.login(username="tinh", password="ocop-demo-2023")

    response = client.get("/san-pham/999999/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_forbidden_page_is_explained_in_vietnamese(client, lai_chau):
    create_demo_accounts("12")
    client.login(username="huyen.tamduong", password="ocop-demo-2023")

    response = client.get("/nhap/")

    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


@override_settings(DEBUG=False)
@pytest.mark.parametrize("code", ["ABCDEF", "x", "0" * 40])
def test_a_wrong_verification_code_tells_the_public_no_certificate_has_it(
    client, lai_chau, code
):
    response = client.get(f"/xac-minh/{code}/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy giấy chứng nhận với mã này" in html
    # Not the staff's page: nothing about accounts, no link to a login.
    assert "tài khoản của bạn" not in html
    assert "Về trang tổng quan" not in html


@override_settings(DEBUG=False)
def test_an_action_opened_in_the_browser_says_it_is_no_page(client, lai_chau):
    create_demo_accounts("12")
    client.login(username="tinh", password="ocop-demo-2023")

    response = client.get("/dang-xuat/", HTTP_ACCEPT="text/html")

    assert response.status_code == 405
    assert "Không mở trực tiếp được" in response.content.decode()
    assert response.headers["Allow"] == "POST, OPTIONS"


def test_a_refusal_is_logged_as_one_line_without_traceback(client, lai_chau, caplog):
    create_demo_accounts("12")
    client.login(username="huyen.tamduong", password="ocop-demo-2023")
    handler = next(
        h for h in logging.getLogger().handlers if h.filters
    )  # the console handler of settings.LOGGING

    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/nhap/")

    record = next(r for r in caplog.records if "Forbidden" in r.getMessage())
    assert handler.filter(record)
    assert record.exc_info is None
    assert "Traceback" not in handler.format(record)
