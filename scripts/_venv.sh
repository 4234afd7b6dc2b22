# Shared by run.sh and test.sh: make .venv and install what pyproject.toml pins.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY=$cand; break
    fi
  done
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> Tạo môi trường Python (.venv)"
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${EXTRAS:-base}
if [ ! -f "$stamp" ]; then
  echo "==> Cài đặt thư viện (pyproject.toml)"
  .venv/bin/pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  if [ -n "${EXTRAS:-}" ]; then
    .venv/bin/pip install --quiet -e ".[${EXTRAS}]"
  else
    .venv/bin/pip install --quiet -e .
  fi
  touch "$stamp"
fi
