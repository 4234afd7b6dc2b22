from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REGISTRATION_XLSX = FIXTURES / "lai-chau-ocop-2023-registration.xlsx"
CRITERIA_JSON = FIXTURES / "ocop-criteria-26-2026.json"


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Run Celery tasks in-process, except in tests that bring a real worker."""
    from ocop.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _interface_language():
    """Each test starts in Vietnamese: a request in English leaves its thread so."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests make many accounts; a deliberately slow hash only slows them down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with Lai Châu's official administrative units."""
    from registry.places import load_province

    with django_db_blocker.unblock():
        load_province("12")


@pytest.fixture
def lai_chau(db):
    """Lai Châu with its units; loaded again after a transactional test flushed them."""
    from registry.models import Province
    from registry.places import load_province

    province = Province.objects.filter(code="12").first()
    if province is None or not province.communes.exists():
        province, _ = load_province("12")
    return province


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (its own browser download is not used)."""
    import os
    import shutil

    path = shutil.which("chromium") or CHROMIUM
    if not os.path.exists(path):
        pytest.skip("chromium (Debian) không có trên máy: bỏ qua kiểm thử trình duyệt")
    # Playwright's sync API runs an event loop in this thread; the ORM calls that
    # tests make between browser steps are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def screenshot_dir():
    """Where browser tests leave their screenshots for people to look at."""
    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


def log_in(page, username, password="ocop-demo-2023"):
    page.goto(page.base_url + "/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
