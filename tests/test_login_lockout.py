"""Password guessing: failed logins lock an account out from that address."""

import pytest
from django.urls import reverse

from registry.demo import DEMO_PASSWORD, create_demo_accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(lai_chau):
    return create_demo_accounts("12")


def _log_in(client, username, password, address="10.0.0.7"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_account_out_from_that_address(client, accounts):
    for _ in range(4):
        refused = _log_in(client, "xa.binhlu", "sai-mat-khau")
        assert refused.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in refused.content.decode()

    fifth = _log_in(client, "xa.binhlu", "sai-mat-khau")
    right_password = _log_in(client, "xa.binhlu", DEMO_PASSWORD)

    assert fifth.status_code == 429
    assert right_password.status_code == 429
    page = right_password.content.decode()
    assert "Tạm khoá đăng nhập" in page
    assert "đã nhập sai mật khẩu 5 lần liên tiếp" in page
    assert "Hãy thử lại sau 15 phút." in page
    assert "_auth_user_id" not in client.session


def test_a_lockout_touches_neither_other_accounts_nor_other_addresses(client, accounts):
    for _ in range(5):
        _log_in(client, "xa.binhlu", "sai-mat-khau")

    other_account = _log_in(client, "tinh", DEMO_PASSWORD)
    client.logout()
    other_address = _log_in(client, "xa.binhlu", DEMO_PASSWORD, address="10.0.0.8")

    assert other_account.status_code == 302
    assert other_address.status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, accounts):
    for _ in range(4):
        _log_in(client, "xa.binhlu", "sai-mat-khau")
    assert _log_in(client, "xa.binhlu", DEMO_PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        _log_in(client, "xa.binhlu", "sai-mat-khau")

    assert _log_in(client, "xa.binhlu", DEMO_PASSWORD).status_code == 302


def test_logins_without_a_request_still_authenticate(client, accounts):
    assert client.login(username="tinh", password=DEMO_PASSWORD)
