"""生态环境分区管控 in batch checks: each site's control units and access-list verdicts, streamed per chunk
into the batch JSON and XLSX, the same as a single check of the same sites."""
from __future__ import annotations

import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box
from test_zoning import GK, project  # noqa: F401  (the fixture)

from ecogis.check import check
from ecogis.check_batch import check_batch
from ecogis.cli import main

#: 1 km squares: in the 重点管控单元 (x 440-450 km), across both units, in the 一般管控单元 (450-460 km), half
#: outside every unit, and far from all
SQUARES = [(444_000, 4_534_000), (441_000, 4_531_000), (449_500, 4_536_000), (455_000, 4_535_000),
           (458_000, 4_538_000), (459_500, 4_533_000), (470_000, 4_560_000), (446_000, 4_538_500)]
INDUSTRIES = ["C2614", "D4411", None, "C2614", "C26", None, "C2511", "C261"]


def sites():
    return gpd.GeoDataFrame({"id": [f"S{k}" for k in range(len(SQUARES))], "行业代码": INDUSTRIES},
                            geometry=[box(x, y, x + 1000, y + 1000) for x, y in SQUARES], crs=GK)


def batch_tables(batch, uncovered=None):
    units, reqs, rows = [], [], []
    for chunk in batch.chunks():
        units.append(chunk.zoning.units)
        reqs.append(chunk.zoning.requirements)
        rows.append(chunk.sites)
        if uncovered is not None:
            uncovered.update(chunk.zoning.uncovered)
    return pd.concat(units), pd.concat(reqs), pd.concat(rows)


def single_sets(z):
    units = {(u.site, u.unit_code, u.relation, round(u.overlap_area_m2 or 0, 3), round(u.share_of_site or 0, 9),
              round(u.distance_m or 0, 3)) for u in z.units}
    reqs = {(r.site, r.requirement_id, frozenset(r.units), r.verdict, r.reason, r.matched, r.industry)
            for r in z.requirements}
    return units, reqs


def batch_sets(units, reqs):
    u = {(r.site, r.unit_code, r.relation, round(r.overlap_area_m2 if r.overlap_area_m2 == r.overlap_area_m2 else 0, 3),
          round(r.share_of_site if r.share_of_site == r.share_of_site else 0, 9),
          round(r.distance_m if r.distance_m == r.distance_m else 0, 3)) for r in units.itertuples()}
    q = {(r.site, r.requirement_id, frozenset(r.units.split("、")), r.verdict, r.reason, r.matched, r.industry)
         for r in reqs.itertuples()}
    return u, q


@pytest.mark.parametrize("industry", [None, "C2614"])
def test_batch_zoning_equals_the_single_check(project, industry):  # noqa: F811
    single = check(sites(), project, industry=industry)
    uncovered: dict = {}
    batch = check_batch(sites(), project, chunk_size=3, industry=industry)
    units, reqs, rows = batch_tables(batch, uncovered)
    assert batch_sets(units, reqs) == single_sets(single.zoning)
    assert uncovered == pytest.approx(single.zoning.uncovered, abs=1e-9)
    assert set(uncovered) == {"S5", "S6"} and uncovered["S6"] == 1.0  # half outside the units, far away
    assert uncovered["S5"] == pytest.approx(0.5, abs=1e-3)  # equal halves of a 1 km square (plane ≈ ellipsoid)
    assert any("lie wholly or partly in no environmental control unit" in a for a in batch.assumptions)
    assert dict(zip(rows["id"], rows["verdict"])) == {s.id: s.verdict for s in single.sites}
    assert len(units) and len(reqs)


def test_batch_site_rows_name_the_unit_requirement(project):  # noqa: F811
    _, reqs, rows = batch_tables(check_batch(sites(), project))
    s0 = rows.set_index("id").loc["S0"]  # C2614 in the unit whose list prohibits C26
    assert (s0["verdict"], s0["worst_layer"], s0["worst_feature"], s0["worst_relation"]) == (
        "禁止", "units", "ZH21110220001", "intersects")
    banned = reqs[(reqs["site"] == "S0") & (reqs["verdict"] == "禁止")]
    assert banned["matched"].tolist() == ["C26"] and s0["worst_rule_id"] == banned["requirement_id"].iloc[0]
    assert rows.set_index("id").loc["S6", "verdict"] == "符合"  # far from every unit: no zoning row
    assert "S6" not in set(reqs["site"])


def test_batch_zoning_with_workers_is_the_same(project):  # noqa: F811
    one = batch_sets(*batch_tables(check_batch(sites(), project, chunk_size=3))[:2])
    two = batch_sets(*batch_tables(check_batch(sites(), project, chunk_size=3, workers=2))[:2])
    assert one == two


def test_cli_batch_writes_zoning_to_json_and_xlsx(project, tmp_path):  # noqa: F811
    path = tmp_path / "sites.gpkg"
    sites().to_crs(4490).to_file(path)
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["check", str(path), "-p", str(project), "--batch", "--industry", "C2614",
                                    "--out", str(out), "--lang", "zh"])
    assert run.exit_code == 0, run.output
    doc = json.loads((out / "check.json").read_text(encoding="utf-8"))
    by_id = {s["id"]: s for s in doc["sites"]}
    assert by_id["S0"]["zoning"]["verdict"] == "禁止"
    assert by_id["S6"]["zoning"]["units"] == [] and by_id["S6"]["zoning"]["uncovered"] == pytest.approx(1.0)
    texts = {r["id"]: r for r in doc["zoning"]["requirements"]}
    banned = [r for r in by_id["S0"]["zoning"]["requirements"] if r["verdict"] == "禁止"]
    assert "C26" in texts[banned[0]["requirement_id"]]["prohibited"]
    assert doc["zoning"]["project_description"]["sources"] == {"industry": "cli"}
    wb = openpyxl.load_workbook(out / "check.xlsx", read_only=True)
    assert {"管控单元", "准入清单分析", "准入要求"} <= set(wb.sheetnames)
    rows = list(wb["准入清单分析"].iter_rows(values_only=True))
    assert rows[0][0] == "场址" and any(r[0] == "S0" and r[6] == "禁止" for r in rows[1:])
