#!/usr/bin/env bash
# Install everything (the test tools and Debian's chromium included) and run the
# whole test suite. With DATABASE_URL and CELERY_BROKER_URL set it runs on
# PostgreSQL and Redis, with a real Celery worker for the tests that need one.
set -euo pipefail
EXTRAS=dev
source "$(dirname "$0")/_venv.sh"
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> Cài Chromium (Debian) cho các kiểm thử trên trình duyệt"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
    || echo "!! Không cài được chromium: các kiểm thử trình duyệt sẽ bị bỏ qua"
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
