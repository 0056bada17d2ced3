#!/usr/bin/env bash
# Set up and run the main job on the bundled sample data in layers/ (illustrative Panjin data):
#   1. screen the proposed sites (industry C2614) against every control layer and the 生态环境分区管控
#      access list                                             -> maps/check/check.{html,docx,xlsx,json}
#   2. run the Panjin area audit                              -> maps/audit/audit.{xlsx,csv}
#   3. draw the overview map, interactive and print-ready     -> maps/panjin.html, maps/panjin.png
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
ecogis check layers/sites/sites_zone41.txt --project layers/project.yaml --industry C2614 --out maps/check --overwrite
ecogis audit scripts/panjin_audit.yaml --out maps/audit --overwrite
ecogis map --project layers/project.yaml --site layers/sites/sites_zone41.txt \
    --title 盘锦市生态空间管控图（示例数据） --out maps/panjin.html --overwrite
ecogis map --project layers/project.yaml --site layers/sites/sites_zone41.txt \
    --title 盘锦市生态空间管控图（示例数据） --out maps/panjin.png --overwrite
echo "demo: reports and maps are in maps/ (open maps/check/check.html)"
