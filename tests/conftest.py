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
    from registry.models import Province

    return Province.objects.get(code="12")
