"""Batch screening: the batch path (chunks of sites, STRtree pairs) gives the same
findings as checking each site alone, and its figures agree with independent computations
(GeographicLib geodesic areas of shapely overlays, pyproj.Geod distances).
"""
from __future__ import annotations

import contextlib
import importlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from batch_data import GEOD, GK, TO_GEO, X0, Y0, geodesic_area_gk, parcels, points_and_lines, site_frame, stars
from click.testing import CliRunner
from conftest import LONLAT_INFERRED, SAMPLE_ASSUMPTIONS, assumed
from shapely import affinity
from shapely.geometry import box

from ecogis.area import ellipsoidal_area
from ecogis.check import check, screen
from ecogis.check_batch import check_batch
from ecogis.check_result import FindingTable
from ecogis.cli.check_cmds import check as check_cmd
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.rules import load_rules

screen_module = importlib.import_module("ecogis.screen")

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
    rects = parcels(x, y, h)
    rotated = [affinity.rotate(g, a, origin="centroid") for g, a in zip(rects[:10], rng.uniform(5, 80, 10))]
    return site_frame(rects + rotated + points_and_lines(x, y, 10, 10))


def linear(geoms=None):
    """The note that line sites are screened as linear infrastructure (the fixture has lines); nothing
    expected when ``geoms`` holds no line."""
    if geoms is not None and not (shapely.get_dimensions(np.asarray(geoms.geometry.values)) == 1).any():
        return contextlib.nullcontext()
    return pytest.warns(AssumptionWarning, match="screened as linear infrastructure")


def by_key(findings):
    return {(f.layer, f.feature, f.relation): f for f in findings}


def test_batch_equals_single_site_checks(project, sites, monkeypatch):
    monkeypatch.setattr(screen_module, "CHUNK_SITES", 7)  # several chunks, sites split across them
    with linear():
        batch = check(sites, project, batch=True)
    assert {s.id for s in batch.sites} == set(sites["id"])
    picked = ["S0", "S3", "S8", "S29", "S31", "S36", "S41", "S44", "S55"]  # rectangles, rotated, points, lines
    for sid in picked:
        alone_site = sites[sites["id"] == sid].reset_index(drop=True)
        with linear(alone_site):
            one = check(alone_site, project)
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
    with linear():
        batch = check(sites, project, batch=True)
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
    with linear():
        batch = check(sites, project, batch=True)
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
        return screen(sites, {"redline": red}, load_rules(), [500.0], summarise=False, progress=True, chunk_size=16)

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
    result = check(sites.iloc[:12], project, batch=True)
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
    assert f"{data['findings_total']} findings, {len(data['findings'])} listed" in line
    assert len(res.stdout.splitlines()) < 35 < data["findings_total"]  # 20 sites shown at most


def test_finding_table_behaves_like_a_list_of_findings(project, sites):
    result = check(sites.iloc[:5], project, batch=True)
    as_list = list(result.findings)
    assert len(as_list) == len(result.findings) > 0
    assert result.findings == as_list and result.findings[0] == as_list[0] and result.findings[-1] == as_list[-1]
    assert all(isinstance(f.distance_m, float) or f.distance_m is None for f in as_list)
    assert not FindingTable(result.findings.frame.iloc[:0])  # empty is falsy


# ---------------------------------------------------------------------------------------------------
# streamed batch output (check --batch): rule texts by id, same results as the in-memory check,
# memory bounded by a chunk

SAMPLE_PROJECT = Path(__file__).resolve().parents[1] / "layers" / "project.yaml"
SAMPLE_SITES = [Path(__file__).resolve().parents[1] / "layers" / "sites" / name
                for name in ("sites_zone41.txt", "points.csv", "pipeline.geojson")]


def run_batch(site, project, out, *extra):
    res = CliRunner().invoke(check_cmd, [str(site), "-p", str(project), "--batch", "--out", str(out), *extra])
    assert res.exit_code == 0, res.output
    return res, json.loads((out / "check.json").read_text(encoding="utf-8"))


def test_batch_json_and_xlsx_reference_rule_texts_by_id(project, sites, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "sites.gpkg"
    sites.to_file(path, layer="sites")
    out = tmp_path / "out"
    _, data = run_batch(path, project, out, "--findings", "all", "--lang", "en")
    text = (out / "check.json").read_text(encoding="utf-8")
    rules = {r["id"]: r for r in data["rules"]}
    assert len(rules) == len(data["rules"]) >= 3  # each rule once
    used = {f["rule_id"] for f in data["findings"]} - {None}
    assert used == set(rules)  # every finding's rule is in the table, and only used rules are
    assert len(data["findings"]) > 3 * len(sites)
    for f in data["findings"]:
        assert "rule_id" in f and not {"rule", "rule_en", "basis"} & set(f), f
    for r in rules.values():  # the texts appear once in the whole file: in the rules table
        assert text.count(json.dumps(r["rule_zh"], ensure_ascii=False)) == 1, r["id"]
    wb = load_workbook(out / "check.xlsx", read_only=True)
    assert {"sites", "findings", "rules"} <= set(wb.sheetnames)
    head, *rows = list(wb["findings"].iter_rows(values_only=True))
    assert head[-1] == "Rule id" and "Rule" not in head and "Basis" not in head
    assert len(rows) == len(data["findings"])
    rule_col = len(head) - 1  # read-only rows stop at their last non-empty cell
    assert {r[rule_col] for r in rows if len(r) > rule_col} - {None} == set(rules)
    rule_rows = list(wb["rules"].iter_rows(values_only=True))[1:]
    assert sorted(r[0] for r in rule_rows) == sorted(rules)
    texts = [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    for r in rule_rows:
        assert texts.count(r[6]) == 1, r[0]  # the English rule text: in the rules sheet only


def test_batch_output_says_what_it_leaves_out(project, sites, tmp_path):
    path = tmp_path / "sites.gpkg"
    sites.to_file(path, layer="sites")
    res, data = run_batch(path, project, tmp_path / "out", "--lang", "en")
    assert data["findings_detail"] == "summary" and "--findings all" in data["notes"]["findings"]
    assert "--findings all" in res.output
    assert data["findings_listed"] == len(data["findings"]) < data["findings_total"]
    # the dropped rows are only clear features within the buffers and nearest features
    assert all(f["relation"] == "intersects" or f["verdict"] != "符合" for f in data["findings"])
    with linear():
        full = check(sites, project, batch=True)
    assert data["findings_total"] == len(full.findings)
    kept = full.findings.frame
    kept = kept[(kept["relation"] == "intersects") | (kept["verdict"] != "符合")]
    assert len(data["findings"]) == len(kept)


def streamed(site, project, **kw):
    batch = check_batch(site, project, **kw)
    chunks = list(batch.chunks())
    return batch, chunks


@pytest.mark.parametrize("which", ["fixture", *[p.name for p in SAMPLE_SITES]])
def test_streamed_batch_equals_the_in_memory_check_for_every_site(which, project, sites):
    if which == "fixture":
        site, proj, kw = sites, project, {"chunk_size": 7}  # several chunks
    else:
        site, proj, kw = next(p for p in SAMPLE_SITES if p.name == which), SAMPLE_PROJECT, {"chunk_size": 2}
        kw["site_crs"] = "EPSG:4490" if which == "points.csv" else None
    # the sample site files carry their reading assumptions (a CRS given is not one)
    expected = [p for p in SAMPLE_ASSUMPTIONS.get(f"sites/{which}", [])
                if not (kw.get("site_crs") and p == LONLAT_INFERRED)]
    if which == "sites_zone41.txt":  # parcel D's second part lies outside the city boundary
        expected.append("outside the coverage of layer")
    if which in ("fixture", "pipeline.geojson"):  # line sites: linear infrastructure unless --use says otherwise
        expected.append("screened as linear infrastructure")
    with assumed(*expected):
        memory = check(site, proj, batch=True, site_crs=kw.get("site_crs"))
    with assumed(*expected):
        batch, chunks = streamed(site, proj, findings="all", **kw)
    # ceil per group screened apart (line sites are screened as linear infrastructure): one per chunk of sites
    lines = int((np.array([t == "LineString" for t in (x.geometry_type for x in memory.sites)])).sum())
    groups = [n for n in (len(memory.sites) - lines, lines) if n] if which in ("fixture",) else [len(memory.sites)]
    assert len(chunks) == sum(-(-n // kw["chunk_size"]) for n in groups)
    rows = pd.concat([c.sites for c in chunks], ignore_index=True)
    assert rows["id"].tolist() == [s.id for s in memory.sites]  # every site once, in order
    assert dict(zip(rows["id"], rows["verdict"])) == {s.id: s.verdict for s in memory.sites}
    assert batch.verdict == memory.verdict
    found = pd.concat([c.findings for c in chunks], ignore_index=True)
    frame = memory.findings.frame
    assert len(found) == len(frame) == batch.findings_total
    key = ["site", "layer", "feature", "zone", "relation"]  # unique per finding here
    assert not frame.duplicated(key).any()
    merged = frame.merge(found, on=key, how="outer", suffixes=("", "_streamed"), indicator=True)
    assert (merged["_merge"] == "both").all()
    for col in ("overlap_area_m2", "overlap_length_m", "distance_m"):
        a, b = merged[col].to_numpy(dtype=float), merged[f"{col}_streamed"].to_numpy(dtype=float)
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-9, err_msg=col)  # NaN where NaN
    for col in ("verdict", "rule_id"):
        assert merged[col].fillna("-").tolist() == merged[f"{col}_streamed"].fillna("-").tolist(), col
    overlaps = frame[frame["overlap_area_m2"] > 0]
    assert which in ("points.csv", "pipeline.geojson") or len(overlaps) > 0  # parcels do overlap
    # per site and layer: nearest distance, and the count within each buffer from the full findings
    nearest = pd.concat([c.nearest_m for c in chunks])
    for r in frame[frame["relation"] == "nearest"].itertuples():
        assert nearest.loc[r.site, r.layer] == r.distance_m
    located = frame[frame["relation"] != "nearest"]
    for b in batch.buffers_m:
        counts = pd.concat([c.within[b] for c in chunks])
        expected = located[located["distance_m"] <= b].groupby(["site", "layer"]).size()
        assert int(counts.to_numpy().sum()) == int(expected.sum())
        for (sid, lyr), n in expected.items():
            assert counts.loc[sid, lyr] == n


def test_batch_memory_does_not_grow_with_the_number_of_sites(project, tmp_path, monkeypatch):
    """Peak traced memory (Python and numpy allocations) of a streamed batch check of 8 000 points is
    not four times that of 2 000: the findings are held one chunk at a time."""
    import tracemalloc

    from ecogis.render.batch_output import write_batch

    monkeypatch.setattr(screen_module, "CHUNK_SITES", 500)
    rng = np.random.default_rng(5)

    def peak(n):
        xy = rng.uniform((X0 - 500, Y0 - 500), (X0 + 6500, Y0 + 6500), (n, 2))
        pts = gpd.GeoDataFrame({"id": [f"P{i}" for i in range(n)], "name": [f"点{i}" for i in range(n)]},
                               geometry=shapely.points(xy), crs=GK)
        out = tmp_path / f"out{n}"
        tracemalloc.start()
        try:
            batch = check_batch(pts, project)
            write_batch(batch, {"json": out / "check.json"})
            return tracemalloc.get_traced_memory()[1], batch.findings_total
        finally:
            tracemalloc.stop()

    small, n_small = peak(2000)
    large, n_large = peak(8000)
    assert n_large > 3.5 * n_small  # four times the findings went through
    assert large < 2 * small, (small, large)  # holding every finding would make it about 4


def test_batch_refuses_report_formats_it_does_not_stream(project, tmp_path):
    res = CliRunner().invoke(check_cmd, ["--at", "121.9,41.0", "-p", str(project), "--batch", "--format",
                                         "html,json", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "html" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "o" / "check.json").exists()


def test_batch_failure_mid_stream_leaves_no_partial_output(project, sites, tmp_path, monkeypatch):
    calls = []
    real = screen_module._apply_rules

    def fail_on_second_chunk(*args, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise EcogisError("disk went away", path=tmp_path / "x")
        return real(*args, **kw)

    monkeypatch.setattr(screen_module, "CHUNK_SITES", 10)
    monkeypatch.setattr(screen_module, "_apply_rules", fail_on_second_chunk)
    path = tmp_path / "sites.gpkg"
    sites.to_file(path, layer="sites")
    out = tmp_path / "out"
    res = CliRunner().invoke(check_cmd, [str(path), "-p", str(project), "--batch", "--out", str(out)])
    assert res.exit_code == 2 and "disk went away" in res.stderr
    assert len(calls) == 2  # the first chunk had been written to the temporaries
    assert not out.exists() or list(out.iterdir()) == []


def test_batch_xlsx_findings_continue_on_a_new_sheet_when_one_is_full(project, sites, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    batch_output = importlib.import_module("ecogis.render.batch_output")
    monkeypatch.setattr(batch_output, "XLSX_MAX_ROWS", 101)  # 100 findings per sheet
    path = tmp_path / "sites.gpkg"
    sites.to_file(path, layer="sites")
    out = tmp_path / "out"
    _, data = run_batch(path, project, out, "--findings", "all")
    wb = load_workbook(out / "check.xlsx", read_only=True)
    sheets = [n for n in wb.sheetnames if n.startswith("findings")]
    assert len(sheets) == -(-len(data["findings"]) // 100) >= 3
    rows = [r for n in sheets for r in list(wb[n].iter_rows(values_only=True))[1:]]
    assert [r[:3] for r in rows] == [(f["site"], f["layer"], f["feature"]) for f in data["findings"]]
