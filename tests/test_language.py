import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

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


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (forms.IntegerField(), "2,5", "Nhập một số nguyên."),
        (
            forms.IntegerField(min_value=2018),
            "1900",
            "Giá trị phải lớn hơn hoặc bằng 2018.",
        ),
        (
            forms.CharField(max_length=5),
            "abcdef",
            "Chỉ được tối đa 5 ký tự (đang có 6).",
        ),
        (forms.CharField(), "HTX\x00Bình Lư", "Không được có ký tự NUL (ký tự rỗng)."),
        (
            forms.FileField(),
            SimpleUploadedFile("minh-chung.pdf", b""),
            "Tệp gửi lên rỗng (0 byte).",
        ),
        (
            forms.FileField(max_length=10),
            SimpleUploadedFile("giay-chung-nhan.pdf", b"%PDF"),
            "Tên tệp chỉ được tối đa 10 ký tự (đang có 19).",
        ),
    ],
)
def test_django_form_messages_read_as_vietnamese_offices_write(field, value, message):
    """locale/vi overrides the few messages of Django's catalogue that read badly
    («Nhập một số tổng thể.», a space before the full stop)."""
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        field.clean(value)

    assert refused.value.messages == [message]
