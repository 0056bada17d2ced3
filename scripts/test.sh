#!/usr/bin/env bash
# Set up (see setup.sh --test), lint (ruff) and type-check (mypy, settings in pyproject.toml), then run the
# whole test suite. Any step that fails fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check ecogis benchmarks scripts tests
.venv/bin/mypy
exec .venv/bin/python -m pytest -n 2 "$@"
