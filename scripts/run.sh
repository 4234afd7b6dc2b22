#!/usr/bin/env bash
# Install everything and start the app on the embedded default (SQLite, in-process
# tasks) with the Lai Châu units and the 2023 registration list loaded.
set -euo pipefail
source "$(dirname "$0")/_venv.sh"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py setup_demo
exec .venv/bin/python manage.py runserver "${OCOP_ADDR:-127.0.0.1:8000}"
