#!/usr/bin/env bash
# Set up and run the main job on the bundled sample data in layers/; results go to maps/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
ecogis info layers/boundary/panjin.gpkg --layer city
