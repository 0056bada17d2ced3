"""ecogis.site_coords: the 界址点坐标表 in the site's Gauss-Kruger CRS, line crossings and conclusion
facts. Expected values from pyproj directly and from the geometry's construction."""
from __future__ import annotations

import math

import docx
import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, box

from ecogis.check import check
from ecogis.errors import AssumptionWarning
from ecogis.render.check_docx import render_check_docx
from ecogis.site_coords import boundary_points, conclusion_facts, overlapped_nearest

GK41 = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° zone 41 (CM 123°E), no zone prefix


def test_lonlat_site_gets_the_prefixed_zone_of_its_longitude():
    lon, lat = 121.9, 40.95
    site = gpd.GeoDataFrame({"id": ["P"]}, geometry=[box(lon, lat, lon + 0.01, lat + 0.01)], crs=4490)
    table = boundary_points(site, "EPSG:4490")
    assert (table.crs.epsg, table.crs.zone, table.crs.cm, table.crs.prefixed) == (4529, 41, 123.0, True)
    to_gk = pyproj.Transformer.from_crs(4490, 4529, always_xy=True)
    corners = list(site.geometry[0].exterior.coords)
    assert [r.point for r in table.rows] == ["J1", "J2", "J3", "J4", "J1"]
    for row, (x, y) in zip(table.rows, corners):
        east, north = to_gk.transform(x, y)
        assert row.x_m == pytest.approx(north, abs=1e-4) and row.y_m == pytest.approx(east, abs=1e-4)
        assert str(int(row.y_m))[:2] == "41"  # the easting carries the zone number
    first, second = table.rows[0], table.rows[1]
    assert first.edge_m == pytest.approx(math.hypot(second.x_m - first.x_m, second.y_m - first.y_m))
    assert table.rows[-1].edge_m is None


def test_holes_continue_the_point_numbers_on_ring_two():
    ring = box(0, 0, 100, 100).difference(box(40, 40, 60, 60))
    site = gpd.GeoDataFrame({"id": ["H"]}, geometry=[shapely.affinity.translate(ring, 41_400_000, 4_540_000)],
                            crs=4529)
    rows = boundary_points(site, "EPSG:4529").rows
    assert [(r.ring, r.point) for r in rows] == [(1, "J1"), (1, "J2"), (1, "J3"), (1, "J4"), (1, "J1"),
                                                 (2, "J5"), (2, "J6"), (2, "J7"), (2, "J8"), (2, "J5")]


@pytest.fixture(scope="module")
def line_check(tmp_path_factory):
    """A 20 km pipeline (GK zone 41) across a 10 km wide red-line square."""
    gpkg = tmp_path_factory.mktemp("line") / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["红线甲"]}, geometry=[box(440_000, 4_530_000, 450_000, 4_540_000)],
                     crs=GK41).to_file(gpkg, layer="redline")
    site = gpd.GeoDataFrame({"id": ["L1"], "name": ["输水管线"]},
                            geometry=[LineString([(435_000, 4_535_000), (455_000, 4_535_000)])], crs=GK41)
    with pytest.warns(AssumptionWarning, match="screened as linear infrastructure"):  # a line is linear by default
        return check(site, gpkg)


def test_docx_has_the_crossing_table_of_a_line(line_check, tmp_path):
    doc = docx.Document(str(render_check_docx(line_check, tmp_path / "l.docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "线路")
    head = [c.text for c in table.rows[0].cells]
    row = [c.text for c in table.rows[1].cells]
    lon, lat = pyproj.Transformer.from_crs(GK41, 4490, always_xy=True).transform([440_000, 450_000],
                                                                                [4_535_000, 4_535_000])
    geodesic = pyproj.Geod(ellps="GRS80").inv(lon[0], lat[0], lon[1], lat[1])[2]
    assert row[0] == "L1" and row[2] == "红线甲"
    assert float(row[head.index("穿越长度（m）")].replace(",", "")) == pytest.approx(geodesic, abs=0.5)


def test_nearest_rows_of_overlapped_features_are_marked(line_check):
    frame = line_check.findings.frame
    mask = overlapped_nearest(frame)
    marked = frame[mask]
    assert len(marked) == 1 and marked.iloc[0]["feature"] == "红线甲"  # the crossed feature, distance 0
    facts = conclusion_facts(line_check.findings.records(), line_check.sites)
    assert [f["feature"] for f in facts[0].occupied] == ["红线甲"]
    assert all(f["feature"] != "红线甲" for f in facts[0].nearest)
    assert facts[0].verdict != "符合"  # crossing a red line is never clear
    assert facts[0].recommendation == {"禁止": "avoid", "限制": "optimise", "需论证": "justify"}[facts[0].verdict]
    assert np.isclose(marked.iloc[0]["distance_m"], 0.0)
