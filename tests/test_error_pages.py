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
