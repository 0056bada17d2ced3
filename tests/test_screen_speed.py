"""Screening: the overlap-only mode (``relations="intersects"``) and the pruned full mode, against
brute-force computations over every (site, feature) pair on generated data."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from batch_data import GEOD, GK, TO_GEO, X0, Y0, geodesic_area_gk, parcels, points_and_lines, site_frame, stars
from click.testing import CliRunner
from shapely import affinity

from ecogis.check import check
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.rules import load_rules
from ecogis.screen import screen

BUFFERS = [300.0, 800.0]
OVERLAPS_ONLY = "only overlaps were screened"


def geodesic_length_gk(geom):
    """Independent length (m): the line parts' vertices inverse projected, GeographicLib segment lengths."""
    total = 0.0
    for part in shapely.get_parts(geom):
        if part.geom_type in ("LineString", "LinearRing"):
            lon, lat = TO_GEO.transform(*np.asarray(part.coords).T)
            total += GEOD.line_length(lon, lat)
    return total


@pytest.fixture(scope="module")
def redline():
    red = stars(np.random.default_rng(3), 40)
    gdf = gpd.GeoDataFrame({"id": [f"R{i}" for i in range(len(red))], "name": [f"红线{i}" for i in range(len(red))]},
                           geometry=red, crs=GK)
    gdf.attrs["ecogis"] = {"kind": "redline"}
    return gdf


@pytest.fixture(scope="module")
def sites():
    """Rotated parcels (some wholly inside a star, some far from all), points and lines."""
    rng = np.random.default_rng(5)
    n = 60
    x, y = rng.uniform(X0 - 1500, X0 + 7500, n), rng.uniform(Y0 - 1500, Y0 + 7500, n)
    h = rng.uniform(10, 150, n)
    rotated = [affinity.rotate(g, a, origin="centroid") for g, a in zip(parcels(x, y, h), rng.uniform(5, 80, n))]
    return site_frame(rotated + points_and_lines(x, y, 15, 15))


def overlap_rows(frame):
    """(site, feature) -> (overlap area m², overlap length m) of the intersects findings."""
    hits = frame[frame["relation"] == "intersects"]
    return {(s, f): (a, b) for s, f, a, b in zip(hits["site"], hits["feature"], hits["overlap_area_m2"],
                                                  hits["overlap_length_m"])}


def test_overlap_only_mode_gives_the_full_modes_overlaps_and_nothing_else(redline, sites):
    full, _, full_zones = screen(sites, {"redline": redline}, load_rules(), BUFFERS)
    only, _, only_zones = screen(sites, {"redline": redline}, load_rules(), BUFFERS, relations="intersects")
    assert set(only["relation"]) == {"intersects"}
    assert {"within_buffer", "nearest"} <= set(full["relation"])  # the full mode does find them here
    a, b = overlap_rows(full), overlap_rows(only)
    assert a.keys() == b.keys() and len(a) >= 10
    for key in a:
        np.testing.assert_array_equal(np.array(a[key], dtype=float), np.array(b[key], dtype=float), err_msg=str(key))
    assert only["verdict"].tolist() == full[full["relation"] == "intersects"]["verdict"].tolist()
    assert [(z.zone, z.overlap_area_m2) for z in only_zones] == [(z.zone, z.overlap_area_m2) for z in full_zones]


def test_overlap_only_pairs_and_figures_match_shapely_and_geographiclib(redline, sites):
    only, _, _ = screen(sites, {"redline": redline}, load_rules(), BUFFERS, relations="intersects")
    got = overlap_rows(only)
    expected = {}
    for sid, sg in zip(sites["id"], sites.geometry):  # brute force: every pair, no index
        for fname, fg in zip(redline["name"], redline.geometry):
            if shapely.intersects(sg, fg):
                expected[(sid, fname)] = shapely.intersection(sg, fg)
    assert got.keys() == expected.keys()
    areas = lines = 0
    for key, piece in expected.items():
        area, length = got[key]
        if sites.geometry[sites["id"] == key[0]].iloc[0].geom_type == "Polygon":
            # GeographicLib area of the densified overlay; the official vertex method differs by < 1.5e-5
            assert area == pytest.approx(geodesic_area_gk(piece), rel=1.5e-5), key
            areas += 1
        elif piece.geom_type in ("LineString", "MultiLineString"):
            assert length == pytest.approx(geodesic_length_gk(piece), rel=1e-6), key
            lines += 1
    assert areas >= 10 and lines >= 3


def test_unknown_relations_is_an_error(redline, sites):
    with pytest.raises(EcogisError, match="unknown relations"):
        screen(sites, {"redline": redline}, load_rules(), BUFFERS, relations="nearest")


@pytest.fixture(scope="module")
def project(tmp_path_factory, redline):
    tmp = tmp_path_factory.mktemp("overlaps")
    redline.to_file(tmp / "controls.gpkg", layer="redline")
    yml = tmp / "project.yaml"
    yml.write_text("name: 重叠测试\nbuffers_m: [300, 800]\nlayers:\n"
                   "  redline: {kind: redline, path: controls.gpkg, layer: redline}\n", encoding="utf-8")
    return yml


def test_check_overlap_only_says_so_and_keeps_the_overlaps(project, sites):
    polygons = sites[sites.geometry.geom_type == "Polygon"].reset_index(drop=True)
    full = check(polygons, project, batch=True)
    with pytest.warns(AssumptionWarning, match=OVERLAPS_ONLY):
        only = check(polygons, project, batch=True, relations="intersects")
    assert only.buffers_m == [] and full.buffers_m == BUFFERS
    assert {f.relation for f in only.findings} == {"intersects"}
    assert any(OVERLAPS_ONLY in str(n) for n in only.assumptions)
    want = {(f.site, f.feature): f.overlap_area_m2 for f in full.findings if f.relation == "intersects"}
    assert {(f.site, f.feature): f.overlap_area_m2 for f in only.findings} == want


def test_cli_relations_intersects_single_and_batch(project, sites, tmp_path):
    site_file = tmp_path / "sites.geojson"
    sites[sites.geometry.geom_type == "Polygon"].to_file(site_file)
    for extra in ([], ["--batch"]):
        res = CliRunner().invoke(check_cmd, [str(site_file), "-p", str(project), "--relations", "intersects",
                                             "--json", *extra])
        assert res.exit_code == 0, res.output
        assert OVERLAPS_ONLY in res.stderr
        doc = json.loads(res.stdout)
        assert {f["relation"] for f in doc["findings"]} == {"intersects"}, extra


# --------------------------------------------------------------------------------------------------
# the full mode: the pruning (envelope and bounding-circle bounds, no overlay for a site inside a
# feature, rules looked up per case) changes no finding. Reference: every (site, feature) pair in
# Python, each relation from its definition.

def reserve_zones():
    """Reserve zones as star polygons with a zone attribute (some rules depend on it)."""
    red = stars(np.random.default_rng(9), 12)
    gdf = gpd.GeoDataFrame({"name": [f"保护区{i}" for i in range(len(red))],
                            "zone": ["核心区", "缓冲区", "实验区", None] * 3}, geometry=red, crs=GK)
    gdf.attrs["ecogis"] = {"kind": "reserve"}
    return gdf


def gk_geodesic(line):
    """Geodesic distance (m) between the two end points of a GK two-point line (GeographicLib)."""
    (x1, y1), (x2, y2) = line.coords
    lon, lat = TO_GEO.transform([x1, x2], [y1, y2])
    return GEOD.inv(lon[0], lat[0], lon[1], lat[1])[2]


def brute_force(sites, layer, name, search):
    """{(site, feature, relation): (distance m, overlap area m²)} of one layer, pair by pair; the nearest
    feature from the pairs within ``search``, else the smallest planar distance (lowest position first)."""
    out = {}
    labels = layer["name"].tolist()
    for sid, sg in zip(sites["id"], sites.geometry):
        found = []
        for k, fg in enumerate(layer.geometry):
            if shapely.intersects(sg, fg):
                piece = shapely.intersection(sg, fg)
                area = geodesic_area_gk(piece) if sg.geom_type == "Polygon" else None
                out[(sid, labels[k], "intersects")] = (0.0, area)
                found.append((0.0, k))
                continue
            d = gk_geodesic(shapely.shortest_line(fg, sg))
            if d <= search:
                out[(sid, labels[k], "within_buffer")] = (d, None)
                found.append((d, k))
        if found:
            d, k = min(found)
        else:
            k = int(np.argmin([shapely.distance(fg, sg) for fg in layer.geometry]))
            d = gk_geodesic(shapely.shortest_line(layer.geometry.iloc[k], sg))
        out[(sid, labels[k], "nearest")] = (d, None)
    return out


def test_full_screening_equals_the_pair_by_pair_computation(redline, sites):
    rules = load_rules()
    layers = {"redline": redline, "reserve": reserve_zones()}
    frame, _, _ = screen(sites, layers, rules, BUFFERS)
    for name, search in (("redline", 800.0), ("reserve", 1000.0)):  # largest buffer or within_m of a rule
        want = brute_force(sites, layers[name], name, search)
        mine = frame[frame["layer"] == name]
        got = {(s, f, r): (d, a) for s, f, r, d, a in zip(mine["site"], mine["feature"], mine["relation"],
                                                          mine["distance_m"], mine["overlap_area_m2"])}
        assert got.keys() == want.keys(), name
        assert sum(k[2] == "within_buffer" for k in want) >= 20 and sum(k[2] == "intersects" for k in want) >= 5
        for key, (d, area) in want.items():
            assert got[key][0] == pytest.approx(d, rel=1e-9, abs=1e-6), key
            if area is not None:
                assert got[key][1] == pytest.approx(area, rel=1.5e-5), key
    # the rule of every finding is the one the rules file gives for that finding alone
    for row in frame.itertuples():
        rule = rules.match(row.kind, row.relation, zone=row.zone, distance_m=row.distance_m)
        rule_id = None if pd.isna(row.rule_id) else row.rule_id
        assert (rule_id, row.verdict) == ((rule.id, rule.verdict) if rule else (None, "符合")), row
    assert frame["zone"].notna().any() and frame["zone"].isna().any()
