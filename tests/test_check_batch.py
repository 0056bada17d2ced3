"""Batch screening: the batch path (chunks of sites, STRtree pairs) gives the same
findings as checking each site alone, and its figures agree with independent computations
(GeographicLib geodesic areas of shapely overlays, pyproj.Geod distances).
"""
from __future__ import annotations

import importlib
import json
import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from click.testing import CliRunner
from shapely import affinity
from shapely.geometry import LineString, Point, box

from ecogis.area import ellipsoidal_area
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.check import check, screen
from ecogis.rules import load_rules

check_module = importlib.import_module("ecogis.check")  # the module (ecogis.check is also a function)
screen_module = importlib.import_module("ecogis.screen")

GK = pyproj.CRS.from_epsg(4550)  # CGCS2000 3° GK, CM 123°E, no zone prefix
GEOD = pyproj.Geod(ellps="GRS80")  # CGCS2000 ellipsoid
TO_GEO = pyproj.Transformer.from_crs(GK, 4490, always_xy=True)
X0, Y0 = 440_000.0, 4_530_000.0


def geodesic_area_gk(geom, step=5.0):
    """Independent area: densify the GK polygon(s), inverse project, GeographicLib polygon area (m²)."""
    total = 0.0
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon":
            continue
        for k, ring in enumerate([poly.exterior, *poly.interiors]):
            lon, lat = TO_GEO.transform(*np.asarray(shapely.segmentize(ring, step).coords).T)
            area, _ = GEOD.polygon_area_perimeter(lon, lat)
            total += abs(area) * (1 if k == 0 else -1)
    return total


def stars(rng, n):
    """Detailed star polygons 300-900 m across, some with a hole."""
    out = []
    ang = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    for cx, cy, r0 in zip(rng.uniform(X0, X0 + 6000, n), rng.uniform(Y0, Y0 + 6000, n), rng.uniform(150, 450, n)):
        r = r0 * (1 + 0.3 * rng.uniform(-1, 1, len(ang)))
        shell = np.c_[cx + r * np.cos(ang), cy + r * np.sin(ang)]
        hole = Point(cx, cy).buffer(r0 * 0.3, quad_segs=4).exterior.coords if rng.uniform() < 0.3 else None
        out.append(shapely.Polygon(shell, None if hole is None else [hole]))
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    rng = np.random.default_rng(7)
    tmp = tmp_path_factory.mktemp("batch")
    gpkg = tmp / "controls.gpkg"
    red = stars(rng, 40)
    gpd.GeoDataFrame({"id": [f"R{i}" for i in range(len(red))], "name": [f"红线{i}" for i in range(len(red))]},
                     geometry=red, crs=GK).to_file(gpkg, layer="redline")
    gpd.GeoDataFrame({"name": ["辽河口"] * 3, "zone": ["核心区", "缓冲区", "实验区"]},
                     geometry=[box(X0 + 1000, Y0 + 1000, X0 + 2500, Y0 + 2500),
                               box(X0 + 2500, Y0 + 1000, X0 + 4000, Y0 + 2500),
                               box(X0 + 4000, Y0 + 1000, X0 + 5500, Y0 + 2500)], crs=GK).to_file(gpkg, layer="reserve")
    pts = rng.uniform((X0, Y0), (X0 + 6000, Y0 + 6000), (8, 2))
    gpd.GeoDataFrame({"name": [f"排污口{i}" for i in range(len(pts))], "type": ["入河"] * len(pts)},
                     geometry=shapely.points(pts), crs=GK).to_file(gpkg, layer="outfall")
    yml = tmp / "project.yaml"
    yml.write_text("name: 批量测试\nbuffers_m: [300, 800]\nlayers:\n"
                   "  redline: {kind: redline, path: controls.gpkg, layer: redline}\n"
                   "  reserve: {kind: reserve, path: controls.gpkg, layer: reserve}\n"
                   "  outfalls: {kind: outfall, path: controls.gpkg, layer: outfall}\n", encoding="utf-8")
    return yml


@pytest.fixture(scope="module")
def sites():
    """Grid-aligned rectangles, rotated parcels, points and short lines over the control layers."""
    rng = np.random.default_rng(11)
    n = 30
    x, y = rng.uniform(X0 - 500, X0 + 6500, n), rng.uniform(Y0 - 500, Y0 + 6500, n)
    h = rng.uniform(30, 200, n)
    rects = list(shapely.box(x - h, y - h, x + h, y + 0.7 * h))
    rotated = [affinity.rotate(g, a, origin="centroid") for g, a in zip(rects[:10], rng.uniform(5, 80, 10))]
    points = list(shapely.points(x[:10] + 37, y[:10] - 53))
    lines = [LineString([(a, b), (a + 900, b + 400)]) for a, b in zip(x[10:20], y[10:20])]
    geoms = rects + rotated + points + lines
    return gpd.GeoDataFrame({"id": [f"S{i}" for i in range(len(geoms))], "name": [f"场址{i}" for i in range(len(geoms))]},
                            geometry=geoms, crs=GK)


def quiet(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check(*args, **kw)


def by_key(findings):
    return {(f.layer, f.feature, f.relation): f for f in findings}


def test_batch_equals_single_site_checks(project, sites, monkeypatch):
    monkeypatch.setattr(screen_module, "CHUNK_SITES", 7)  # several chunks, sites split across them
    batch = quiet(sites, project, batch=True)
    assert {s.id for s in batch.sites} == set(sites["id"])
    picked = ["S0", "S3", "S8", "S29", "S31", "S36", "S41", "S44", "S55"]  # rectangles, rotated, points, lines
    for sid in picked:
        one = quiet(sites[sites["id"] == sid].reset_index(drop=True), project)
        mine = by_key(f for f in batch.findings if f.site == sid)
        alone = by_key(one.findings)
        assert mine.keys() == alone.keys(), sid
        assert len(alone) >= 3, sid  # a nearest feature per layer at least
        for key, f in alone.items():
            g = mine[key]
            for attr in ("overlap_area_m2", "overlap_length_m", "share_of_site", "distance_m", "buffer_m"):
                a, b = getattr(f, attr), getattr(g, attr)
                assert (a is None) == (b is None), (sid, key, attr)
                if a is not None:
                    assert b == pytest.approx(a, rel=1e-9, abs=1e-6), (sid, key, attr)
            assert (f.verdict, f.rule_id, f.zone) == (g.verdict, g.rule_id, g.zone), (sid, key)


def test_batch_overlap_areas_match_geographiclib_areas_of_shapely_overlays(project, sites):
    batch = quiet(sites, project, batch=True)
    red = gpd.read_file(project.parent / "controls.gpkg", layer="redline").set_index("name")  # features are labelled by name
    geom = dict(zip(sites["id"], sites.geometry))
    checked = 0
    for f in batch.findings:
        if f.layer == "redline" and f.relation == "intersects" and geom[f.site].geom_type == "Polygon":
            overlay = shapely.intersection(geom[f.site], red.geometry[f.feature])
            # independent: GeographicLib area of the densified overlay; the official vertex-by-vertex
            # method differs from it by up to ~1e-5 on these 50 m star edges
            assert f.overlap_area_m2 == pytest.approx(geodesic_area_gk(overlay), rel=1.5e-5), (f.site, f.feature)
            # the piece is the overlay's: same official area to 1e-6 m²
            assert f.overlap_area_m2 == pytest.approx(ellipsoidal_area([overlay], GK)[0], abs=1e-6)
            checked += 1
    assert checked >= 4


def test_batch_nearest_outfall_distance_is_geodesic(project, sites):
    batch = quiet(sites, project, batch=True)
    out = gpd.read_file(project.parent / "controls.gpkg", layer="outfall")
    olon, olat = TO_GEO.transform(out.geometry.x.values, out.geometry.y.values)
    pts = sites[sites.geometry.geom_type == "Point"]
    near = {f.site: f.distance_m for f in batch.findings if f.layer == "outfalls" and f.relation == "nearest"}
    for sid, p in zip(pts["id"], pts.geometry):
        lon, lat = TO_GEO.transform(p.x, p.y)
        _, _, d = GEOD.inv(np.full(len(olon), lon), np.full(len(olon), lat), olon, olat)
        assert near[sid] == pytest.approx(d.min(), abs=1e-3)


def test_batch_progress_advances_per_chunk_of_sites(sites, capsys, monkeypatch):
    red = gpd.GeoDataFrame({"id": ["R1"]}, geometry=[box(X0, Y0, X0 + 3000, Y0 + 3000)], crs=GK)
    red.attrs["ecogis"] = {"kind": "redline"}

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return screen(sites, {"redline": red}, load_rules(), [500.0], summarise=False, progress=True,
                          chunk_size=16)

    frame, table, _ = run()
    err = capsys.readouterr().err  # the real tqdm bar, on stderr, counting sites
    assert f"{len(sites)}/{len(sites)}" in err and "site/s" in err
    assert len(table) == len(sites) and set(frame["site"]) == set(sites["id"])

    import tqdm

    steps = []

    class Recorder(tqdm.tqdm):
        def update(self, n=1):
            steps.append(n)
            return super().update(n)

    monkeypatch.setattr(tqdm, "tqdm", Recorder)
    run()
    assert steps == [16, 16, 16, len(sites) - 48]  # one step per chunk of sites, not per layer


def test_nearest_feature_beyond_the_buffers_is_the_brute_force_nearest():
    """Sites with nothing within the search distance get their nearest feature from the envelope-bound search;
    it must attain the smallest planar distance over all features (brute force here)."""
    rng = np.random.default_rng(3)
    feats = stars(rng, 60)
    red = gpd.GeoDataFrame({"id": [f"R{i}" for i in range(len(feats))]}, geometry=feats, crs=GK)
    red.attrs["ecogis"] = {"kind": "redline"}
    x, y = rng.uniform(X0 - 3000, X0 + 9000, 80), rng.uniform(Y0 - 3000, Y0 + 9000, 80)
    geoms = list(shapely.box(x - 40, y - 40, x + 40, y + 40))[:40] + list(shapely.points(x[40:], y[40:]))
    sites = gpd.GeoDataFrame({"id": [f"S{i}" for i in range(len(geoms))], "name": ["s"] * len(geoms)},
                             geometry=geoms, crs=GK)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame, _, _ = screen(sites, {"redline": red}, load_rules(), [20.0], summarise=False)
    near = frame[frame["relation"] == "nearest"].set_index("site")
    assert set(near.index) == set(sites["id"])
    label = dict(zip(red["id"], red.geometry))
    beyond = 0
    for sid, g in zip(sites["id"], sites.geometry):
        brute = shapely.distance(g, np.asarray(red.geometry.values)).min()
        assert shapely.distance(g, label[near.loc[sid, "feature"]]) == pytest.approx(brute, abs=1e-9), sid
        beyond += brute > 520  # beyond the largest search distance (default red-line rule: 500 m)
    assert beyond >= 15  # these sites took the beyond-the-search path


def test_columnar_findings_serialise_like_finding_objects(project, sites):
    result = quiet(sites.iloc[:12], project, batch=True)
    assert result.to_dict()["findings"] == [f.to_dict() for f in result.findings]
    frame = result.findings_frame()
    assert len(frame) == len(result.findings)
    row = frame[frame["overlap_area_m2"].notna()].iloc[0]
    assert row["overlap_area_ha"] == pytest.approx(row["overlap_area_m2"] / 1e4)
    assert row["overlap_area_mu"] == pytest.approx(row["overlap_area_m2"] * 15 / 1e4)


def test_cli_batch_prints_a_summary_not_every_finding(project, sites, tmp_path):
    path = tmp_path / "sites.gpkg"
    sites.to_file(path, layer="sites")
    out = tmp_path / "out"
    res = CliRunner().invoke(check_cmd, [str(path), "-p", str(project), "--batch", "--format", "json",
                                         "--out", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "check.json").read_text(encoding="utf-8"))
    line = next(x for x in res.output.splitlines() if x.startswith("sites: "))
    counted = sum(int(part.split()[-1]) for part in line[len("sites: "):].split(";")[0].split(", "))
    assert counted == len(sites) == len(data["sites"])
    assert f"{len(data['findings'])} findings" in line
    assert len(res.output.splitlines()) < 30 < len(data["findings"])


def test_finding_table_behaves_like_a_list_of_findings(project, sites):
    result = quiet(sites.iloc[:5], project, batch=True)
    as_list = list(result.findings)
    assert len(as_list) == len(result.findings) > 0
    assert result.findings == as_list and result.findings[0] == as_list[0] and result.findings[-1] == as_list[-1]
    assert all(isinstance(f.distance_m, float) or f.distance_m is None for f in as_list)
    assert not check_module.FindingTable(result.findings.frame.iloc[:0])  # empty is falsy
