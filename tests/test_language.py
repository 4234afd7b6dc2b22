import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_pages_are_vietnamese_even_for_an_english_browser(client):
    response = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.headers["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()


def test_the_language_switcher_turns_pages_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    page = client.get("/dang-nhap/")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()


def test_a_person_is_named_family_name_first(django_user_model):
    user = django_user_model(username="x", last_name="Nguyễn Văn", first_name="Tỉnh")

    assert str(user) == "Nguyễn Văn Tỉnh"


def test_the_switcher_names_each_language_in_its_own_tongue(client):
    page = client.get("/dang-nhap/").content.decode()

    assert '<option value="en">English</option>' in page
    assert "Tiếng Anh" not in page
