#!/usr/bin/env bash
# Install everything and start the app on the embedded default (SQLite, in-process
# tasks) with the Lai Châu units and the 2023 registration list loaded.
set -euo pipefail
source "$(dirname "$0")/_venv.sh"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py setup_demo
addr=${OCOP_ADDR:-127.0.0.1:8000}
echo
echo "==> Mở http://${addr}/ và đăng nhập bằng một tài khoản mẫu ở trên (Ctrl+C để dừng)."
exec .venv/bin/python manage.py runserver "$addr"
