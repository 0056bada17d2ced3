"""Re-screening across versions (ecogis check SITES --versions redline@2019,redline@2023-adjusted) on the
real PostGIS cluster and in a GeoPackage store: the sites whose overlap changed are listed with the area
gained and lost, checked against an independent overlay (shapely in the data's Gauss-Kruger plane, areas
by pyproj.Geod on the 1 m-densified result), and unchanged sites are not listed."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import openpyxl
import pyproj
import pytest
import shapely
import yaml
from click.testing import CliRunner
from conftest import LAYERS

from ecogis.cli.check_cmds import check as check_cmd
from ecogis.errors import EcogisError
from ecogis.io.versions import VersionRef
from ecogis.store import publish
from ecogis.version_diff import compare_versions, parse_versions

REDLINE_2019 = LAYERS / "redline" / "redline.shp"
REDLINE_2023 = LAYERS / "redline" / "redline_2023.gpkg"
GK41 = 4529  # CGCS2000 3° GK zone 41 with prefix: the 2019 file's own CRS
GEOD = pyproj.Geod(ellps="GRS80")
SIDE_M = 200.0


def _unions():
    before = gpd.read_file(REDLINE_2019, encoding="gbk").to_crs(GK41)
    after = gpd.read_file(REDLINE_2023).to_crs(GK41)
    return shapely.union_all(before.geometry.to_numpy()), shapely.union_all(after.geometry.to_numpy())


def _square(point) -> shapely.Polygon:
    half = SIDE_M / 2
    return shapely.box(point.x - half, point.y - half, point.x + half, point.y + half)


def _largest(geom):
    parts = list(getattr(geom, "geoms", [geom]))
    return max(parts, key=lambda g: g.area)


def geod_m2(geom_gk) -> float:
    """Ellipsoidal area (m²) of a zone-41 plane geometry: densified to 1 m, to lon/lat, pyproj.Geod."""
    if geom_gk.is_empty:
        return 0.0
    to_geo = pyproj.Transformer.from_crs(GK41, 4490, always_xy=True)
    dense = shapely.segmentize(geom_gk, 1.0)
    geo = shapely.transform(dense, lambda xy: np.column_stack(to_geo.transform(xy[:, 0], xy[:, 1])))
    return abs(GEOD.geometry_area_perimeter(geo)[0])


@pytest.fixture(scope="module")
def sites_and_expected(tmp_path_factory):
    """Sites: L in the piece the 2023 line lost, G in the piece it gained, S astride the lost piece's edge,
    U deep inside the unchanged 2019 line, far from every change; expected (gained, lost) m² per site."""
    before, after = _unions()
    lost, gained = _largest(before.difference(after)), _largest(after.difference(before))
    unchanged = before.intersection(after).buffer(-3000)  # well inside both versions
    edge = shapely.intersection(lost.boundary, after.buffer(50)).representative_point()
    squares = {"L": _square(lost.buffer(-SIDE_M).representative_point()),
               "G": _square(gained.buffer(-SIDE_M).representative_point()),
               "S": _square(edge), "U": _square(_largest(unchanged).representative_point())}
    sites = gpd.GeoDataFrame({"id": list(squares), "name": [f"site {k}" for k in squares]},
                             geometry=list(squares.values()), crs=GK41)
    path = tmp_path_factory.mktemp("sites") / "sites.gpkg"
    sites.to_file(path, layer="sites")
    expected = {k: (geod_m2(sq.intersection(after).difference(before)), geod_m2(sq.intersection(before).difference(after)),
                    geod_m2(sq.intersection(before)), geod_m2(sq.intersection(after)))
                for k, sq in squares.items()}
    return path, expected


def _project(tmp_path, path: str, **entry) -> str:
    project = tmp_path / "project.yaml"
    project.write_text(yaml.safe_dump({"name": "versions", "layers": {
        "redline": {"kind": "redline", "path": path, **entry}}}, allow_unicode=True), encoding="utf-8")
    return str(project)


def _publish(target) -> None:
    publish(REDLINE_2019, "redline", target, "redline", "2019", read_options={"encoding": "gbk"})
    publish(REDLINE_2023, "redline", target, "redline", "2023-adjusted")


def _assert_changes(diff, expected) -> None:
    changes = {c.site: c for c in diff.changes}
    assert set(changes) == {"L", "G", "S"}  # U: same verdict, no area gained or lost
    assert diff.sites_checked == 4
    for sid, change in changes.items():
        gained, lost, over_before, over_after = expected[sid]
        assert change.gained_m2 == pytest.approx(gained, abs=0.5)
        assert change.lost_m2 == pytest.approx(lost, abs=0.5)
        assert change.overlap_before_m2 == pytest.approx(over_before, abs=0.5)
        assert change.overlap_after_m2 == pytest.approx(over_after, abs=0.5)
    assert changes["L"].lost_m2 > 0.9 * SIDE_M ** 2 and changes["L"].gained_m2 == 0
    assert changes["G"].gained_m2 > 0.9 * SIDE_M ** 2 and changes["G"].lost_m2 == 0
    assert 0 < changes["S"].lost_m2 < SIDE_M ** 2
    assert changes["L"].verdict_before == "禁止" and changes["G"].verdict_after == "禁止"


def test_versions_in_postgis_list_the_sites_whose_overlap_changed(tmp_path, postgis_db, pg_password,
                                                                  sites_and_expected):
    sites, expected = sites_and_expected
    _publish(postgis_db.url)
    project = _project(tmp_path, f"{postgis_db.url}?table=redline")
    diff = compare_versions(sites, project, VersionRef("redline", "2019"), VersionRef("redline", "2023-adjusted"))
    _assert_changes(diff, expected)


def test_versions_on_the_command_line_write_json_and_xlsx(tmp_path, sites_and_expected):
    sites, expected = sites_and_expected
    store = tmp_path / "store.gpkg"
    _publish(store)
    project = _project(tmp_path, str(store), layer="redline")
    out = tmp_path / "out"
    res = CliRunner().invoke(check_cmd, [str(sites), "-p", project, "--versions", "redline@2019,redline@2023-adjusted",
                                         "--out", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "4 site(s) checked, 3 changed" in res.output
    data = json.loads((out / "versions.json").read_text(encoding="utf-8"))
    rows = {c["site"]: c for c in data["changes"]}
    assert set(rows) == {"L", "G", "S"}
    gained, lost = expected["G"][0], expected["L"][1]
    assert rows["G"]["gained_m2"] == pytest.approx(gained, abs=0.5)
    assert rows["G"]["gained_ha"] == pytest.approx(gained / 1e4, abs=1e-4)
    assert rows["L"]["lost_mu"] == pytest.approx(lost * 15 / 1e4, abs=1e-3)  # 1 亩 = 10000/15 m²
    sheet = openpyxl.load_workbook(out / "versions.xlsx").active
    table = [r for r in sheet.iter_rows(values_only=True) if r[0] in ("L", "G", "S")]
    assert {r[0]: r[6] for r in table}["G"] == pytest.approx(gained / 1e4, abs=1e-4)  # Gained (ha)


@pytest.mark.parametrize("text", ["redline@2019", "redline@2019,reserve@2020", "redline,redline@2020",
                                  "redline@2019,redline@2019"])
def test_versions_take_two_versions_of_one_layer(text):
    with pytest.raises(EcogisError, match="two versions of one published layer"):
        parse_versions(text)
