#!/usr/bin/env bash
# Create .venv and install ecogis into it. With --test also the test extras and, for the browser,
# spreadsheet and report tests, Debian's chromium, LibreOffice Calc and Writer (DOCX -> PDF), poppler
# (pdftoppm) and CJK fonts (Noto CJK, WenQuanYi Zen Hei) (needs root or sudo; skipped with a warning
# otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
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
else
  .venv/bin/python -m pip install --quiet -e .
fi
