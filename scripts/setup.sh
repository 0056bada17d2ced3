#!/usr/bin/env bash
# Create .venv and install ecogis into it. With --test also the test extras and, for the browser,
# spreadsheet and report tests, Debian's chromium, LibreOffice Calc and Writer (DOCX -> PDF), poppler
# (pdftoppm) and CJK fonts (Noto CJK, WenQuanYi Zen Hei), and for the store tests Debian's PostgreSQL
# with PostGIS (packages postgresql and postgresql-postgis, whatever major version the release ships)
# (needs root or sudo; skipped with a warning otherwise: the PostGIS tests then fail, they never skip).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

# Debian's PostgreSQL server and PostGIS for the installed (or default) major version; the test fixture
# (tests/postgres.py) finds initdb under /usr/lib/postgresql/<major>/bin.
postgis_installed() {
  local bin
  for bin in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$bin" ] || continue
    local major; major=$(basename "$(dirname "$(dirname "$bin")")")
    ls /usr/share/postgresql/"$major"/extension/postgis.control >/dev/null 2>&1 && return 0
  done
  return 1
}

install_postgis() {
  postgis_installed && return 0
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! $SUDO true 2>/dev/null; then
    echo "setup: cannot install PostgreSQL and PostGIS (no root): the PostGIS tests will fail" >&2
    return 0
  fi
  local APT="$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600"
  $APT update -qq
  # postgresql and postgresql-postgis are Debian's version-agnostic metapackages (the release's major).
  $APT install -y -qq --no-install-recommends postgresql postgresql-postgis >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
  if ! command -v chromium >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1 \
     || ! command -v pdftoppm >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    if $SUDO true 2>/dev/null; then
      $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
        && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends libreoffice-calc \
          libreoffice-writer poppler-utils fonts-noto-cjk fonts-wqy-zenhei >/dev/null
    else
      echo "setup: cannot install chromium, LibreOffice and CJK fonts (no root): browser and LibreOffice tests will be skipped" >&2
    fi
  fi
  install_postgis
else
  .venv/bin/python -m pip install --quiet -e .
fi
