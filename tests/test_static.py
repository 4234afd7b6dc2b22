"""Static assets ship with the project and collect for production."""

import json

from django.core.management import call_command

# What production uses (whitenoise) less its compression: the manifest is what
# refuses a reference to a file that does not ship.
PRODUCTION_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def test_collectstatic_with_the_production_storage_succeeds(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": PRODUCTION_STORAGE},
    }

    call_command("collectstatic", "--noinput", verbosity=0)

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    for name in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/chartjs/chart.umd.min.js",
        "vendor/htmx/htmx.min.js",
        "js/scoring.js",
    ):
        assert name in manifest["paths"], name
