#!/usr/bin/env bash
# Install everything and start the app on the embedded default (SQLite, in-process
# tasks) with the Lai Châu units and the 2023 registration list loaded.
set -euo pipefail
source "$(dirname "$0")/_venv.sh"
addr=${OCOP_ADDR:-127.0.0.1:8000}
# The QR codes of the certificates open the public page at this address.
if [ -z "${OCOP_PUBLIC_BASE_URL:-}" ]; then
  host=${addr%:*}
  if [ "$host" = 0.0.0.0 ]; then
    host=$(hostname -I 2>/dev/null | awk '{print $1}')
    host=${host:-127.0.0.1}
  fi
  export OCOP_PUBLIC_BASE_URL="http://${host}:${addr##*:}"
fi
# The product as its users see it: its own error pages, not Django's debug pages.
export DJANGO_DEBUG=${DJANGO_DEBUG:-false}
export DJANGO_STATIC_MANIFEST=${DJANGO_STATIC_MANIFEST:-false}
if [ -z "${DJANGO_ALLOWED_HOSTS:-}" ]; then
  case "${addr%:*}" in
    0.0.0.0) export DJANGO_ALLOWED_HOSTS='*' ;;
    *) export DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1,${addr%:*}" ;;
  esac
fi
# whitenoise serves from the app folders here; an empty STATIC_ROOT spares its warning.
mkdir -p "${DJANGO_STATIC_ROOT:-staticfiles}"
.venv/bin/python manage.py migrate --noinput -v0
# What the demo did, without the log lines of each step (LOG_LEVEL=INFO shows them).
LOG_LEVEL=${LOG_LEVEL:-WARNING} .venv/bin/python manage.py setup_demo
echo
echo "==> Mở http://${addr}/ và đăng nhập bằng một tài khoản mẫu ở trên (Ctrl+C để dừng)."
exec .venv/bin/python manage.py runserver "$addr"
