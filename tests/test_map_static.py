"""Static maps: content of the figure, true-metre scale bar, north arrow, CJK glyphs, file outputs."""
from __future__ import annotations

import io
import math
import os
import warnings

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pytest
from conftest import LAYERS, sample_assumed, skip_or_fail_in_ci
from matplotlib.colors import to_rgb
from pyproj import Geod, Transformer
from shapely.geometry import Point, box

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.render import styles as st
from ecogis.render.static_map import build_figure, render_static


def _require_cjk_font():
    """Glyph tests need a full CJK font (fonts-noto-cjk); under CI a missing font is a failure."""
    from ecogis.render.static_map import CJK_FAMILIES, cjk_font_families

    if set(cjk_font_families()) & set(CJK_FAMILIES) or os.environ.get("ECOGIS_CJK_FONT"):
        return
    skip_or_fail_in_ci("no full CJK font installed", "scripts/setup.sh --test installs fonts-noto-cjk as root")


def _assumptions_besides_glyphs(caught):
    """AssumptionWarnings in ``caught`` other than missing glyphs (those depend on the fonts installed)."""
    return [str(w.message) for w in caught
            if issubclass(w.category, AssumptionWarning) and "no glyph" not in str(w.message)]


def _kind(gdf, kind):
    gdf.attrs["ecogis"] = {"kind": kind}
    return gdf


@pytest.fixture(scope="module")
def layers():
    red = _kind(gpd.GeoDataFrame({"name": ["辽河口红线"]}, geometry=[box(121.70, 40.90, 121.90, 41.05)], crs=4490),
                "redline")
    reserve = _kind(gpd.GeoDataFrame(
        {"name": ["辽河口保护区"] * 3, "zone": ["核心区", "缓冲区", "实验区"]},
        geometry=[box(121.50, 40.80, 121.60, 40.90), box(121.60, 40.80, 121.65, 40.90),
                  box(121.65, 40.80, 121.70, 40.90)], crs=4490).to_crs(4529), "reserve")
    sections = _kind(gpd.GeoDataFrame(
        {"name": ["兴安", "曙光大桥"], "target_class": ["Ⅲ", "Ⅴ"], "measured_class": ["Ⅱ", "劣Ⅴ"]},
        geometry=[Point(121.80, 41.10), Point(122.00, 40.88)], crs=4490), "water_section")
    site = gpd.GeoDataFrame({"name": ["拟建项目"]}, geometry=[box(122.00, 41.20, 122.05, 41.25)], crs=4490)
    return {"redline": red, "reserve": reserve, "sections": sections}, site


@pytest.fixture(scope="module")
def figure(layers):
    lay, site = layers
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = build_figure(lay, site=site, title="辽河口生态空间管控图")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=60)
    assert not _assumptions_besides_glyphs(caught)
    return fig, buf.getvalue(), caught


def _all_texts(fig):
    texts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        texts += [t.get_text() for t in ax.texts]
        leg = ax.get_legend()
        if leg is not None:
            texts += [t.get_text() for t in leg.get_texts()] + [leg.get_title().get_text()]
    return texts


def test_title_and_legend_text(figure):
    fig, _, _ = figure
    texts = _all_texts(fig)
    assert "辽河口生态空间管控图" in texts
    for expected in ("图例", "生态保护红线", "核心区", "缓冲区", "实验区", "劣Ⅴ类", "项目选址", "千米"):
        assert any(expected in t for t in texts), expected
    assert any("EPSG:4550" in t for t in texts)   # the note names the CRS (CM 123°E, unprefixed)


def test_cjk_glyphs_render_without_warnings(figure):
    _require_cjk_font()
    _, _, caught = figure
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []


def test_north_arrow_points_to_true_north(figure):
    fig, _, _ = figure
    ax = fig.ecogis["main_ax"]
    assert [a for a in ax.artists if a.get_gid() == "north-arrow"]
    # meridian convergence of Gauss-Kruger: gamma = dlon * sin(lat) (first-order closed form)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    lon, lat = Transformer.from_crs(fig.ecogis["crs"], 4490, always_xy=True).transform(
        sum(xlim) / 2, sum(ylim) / 2)
    gamma = (lon - 123.0) * math.sin(math.radians(lat))
    assert fig.ecogis["north_angle_deg"] == pytest.approx(gamma, abs=0.02)


def test_scale_bar_is_in_true_metres(figure):
    fig, _, _ = figure
    ax = fig.ecogis["main_ax"]
    bars = [p for p in ax.patches if p.get_gid() == "scale-bar"]
    assert len(bars) == 4
    drawn = sum(p.get_width() for p in bars)          # map units of the figure's CRS
    assert drawn == pytest.approx(fig.ecogis["scale_bar_m"])
    # one map unit is one ground metre: compare with a geodesic distance (GeographicLib)
    geod = Geod(ellps="GRS80")
    lon2, lat2, _ = geod.fwd(121.8, 41.0, 90, 10_000)
    to_map = Transformer.from_crs(4490, fig.ecogis["crs"], always_xy=True)
    x1, y1 = to_map.transform(121.8, 41.0)
    x2, y2 = to_map.transform(lon2, lat2)
    assert math.hypot(x2 - x1, y2 - y1) == pytest.approx(10_000, rel=5e-4)


def test_pixels_inside_data_are_drawn(figure):
    fig, png, _ = figure
    img = mpimg.imread(io.BytesIO(png))[:, :, :3]
    h = img.shape[0]
    ax = fig.ecogis["main_ax"]
    to_map = Transformer.from_crs(4490, fig.ecogis["crs"], always_xy=True)
    styles = st.load_styles()
    k = 60 / fig.dpi    # saved at 60 dpi; display coordinates are at the figure's dpi

    def at(x, y):
        return img[int(round(h - y * k)), int(round(x * k))]

    def pixel(lon, lat):
        return at(*ax.transData.transform(to_map.transform(lon, lat)))

    core = pixel(121.55, 40.85)   # inside the core zone
    assert np.allclose(core, _blend(styles["kinds"]["reserve"]["values"]["核心区"]["fill"],
                                    styles["kinds"]["reserve"]["fill_opacity"], styles["background"]), atol=0.08)
    red = pixel(122.00, 40.88)    # the 劣Ⅴ section marker is red
    assert np.allclose(red, to_rgb(styles["water_classes"]["劣Ⅴ"]["color"]), atol=0.1)
    # a point in the main map away from all data shows the background
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    x, y = ax.transData.transform((xlim[0] + 0.3 * (xlim[1] - xlim[0]), ylim[0] + 0.97 * (ylim[1] - ylim[0])))
    assert np.allclose(at(x, y), to_rgb(styles["background"]), atol=0.03)


def _blend(colour, alpha, background):
    c, b = np.array(to_rgb(colour)), np.array(to_rgb(background))
    return alpha * c + (1 - alpha) * b


def test_inset_finds_the_province(figure):
    fig, _, _ = figure
    assert fig.ecogis["province"] == "辽宁省"


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF"), (".svg", b"<?xml")])
def test_formats_and_overwrite(layers, tmp_path, suffix, magic):
    lay, _ = layers
    out = tmp_path / f"m{suffix}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_static({"redline": lay["redline"]}, out, dpi=40, inset=False, title="红线")
    assert not _assumptions_besides_glyphs(caught)
    assert out.read_bytes()[:8].startswith(magic)
    _require_cjk_font()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert not [w for w in caught if issubclass(w.category, AssumptionWarning) and "glyph" in str(w.message)]
    if suffix == ".pdf":
        assert _no_cff_in_truetype_slot(out.read_bytes())
    if suffix == ".svg":
        svg = out.read_text(encoding="utf-8")
        assert 'id="north-arrow-west"' in svg and 'id="north-arrow-east"' in svg
    with pytest.raises(EcogisError, match="exists"):
        render_static({"redline": lay["redline"]}, out, dpi=40, inset=False)


def test_png_compress_level_keeps_the_pixels(layers, tmp_path):
    """A lower zlib level (the DOCX figures' 1) changes the PNG's bytes, never its pixels."""
    from PIL import Image

    lay, _ = layers
    png = {}
    for level in (None, 1):
        png[level] = tmp_path / f"m{level}.png"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            render_static({"redline": lay["redline"]}, png[level], dpi=60, inset=False, png_compress=level)
    pixels = {level: np.asarray(Image.open(path).convert("RGBA")) for level, path in png.items()}
    assert pixels[None].shape == pixels[1].shape
    assert np.array_equal(pixels[None], pixels[1])
    assert png[None].read_bytes() != png[1].read_bytes()


def test_bad_output_suffix(layers, tmp_path):
    lay, _ = layers
    with pytest.raises(EcogisError, match="unsupported"):
        render_static({"redline": lay["redline"]}, tmp_path / "m.jpg")
    assert not (tmp_path / "m.jpg").exists()


def test_english_labels(layers):
    lay, _ = layers
    fig = build_figure({"redline": lay["redline"]}, lang="en", inset=False, title="Red line")
    texts = _all_texts(fig)
    assert "Legend" in texts and "Ecological protection red line" in texts
    assert "km" in texts and "千米" not in texts


def test_sample_data_static_map(tmp_path, artifacts_dir):
    from ecogis.io import read_layer

    with sample_assumed("redline/redline.shp", "water/sections.xlsx"):
        lay = {
            "boundary": read_layer(LAYERS / "boundary" / "panjin.gpkg", kind="boundary", layer="city"),
            "redline": read_layer(LAYERS / "redline" / "redline.shp", kind="redline"),
            "reserve": read_layer(LAYERS / "reserve" / "liaohekou.geojson", kind="reserve"),
            "sections": read_layer(LAYERS / "water" / "sections.xlsx", kind="water_section"),
        }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = build_figure(lay, title="盘锦市生态保护红线分布图")
        png = artifacts_dir / "map_static_sample.png"
        png.unlink(missing_ok=True)
        render_static(lay, png, title="盘锦市生态保护红线分布图", dpi=100)
    assert not _assumptions_besides_glyphs(caught)
    texts = _all_texts(fig)
    for expected in ("盘锦市生态保护红线分布图", "图例", "行政边界", "生态保护红线", "核心区", "水质监测断面"):
        assert any(expected in t for t in texts), expected
    assert fig.ecogis["province"] == "辽宁省"          # from the boundary's adcode 2111xx
    # red-line pixels: a point inside each red-line polygon is drawn (not the background colour)
    img = mpimg.imread(png)[:, :, :3]
    k = 100 / fig.dpi
    ax = fig.ecogis["main_ax"]
    pts = lay["redline"].to_crs(fig.ecogis["crs"]).geometry.representative_point()
    bg = np.array(to_rgb(st.load_styles()["background"]))
    h = img.shape[0]
    for pt in pts:
        x, y = ax.transData.transform((pt.x, pt.y))
        pixel = img[int(round(h - y * k)), int(round(x * k))]
        assert not np.allclose(pixel, bg, atol=0.03)
    _require_cjk_font()   # every character of the sample names has a glyph
    assert not [w for w in caught if "missing from font" in str(w.message)]


def _no_cff_in_truetype_slot(pdf: bytes) -> bool:
    """CFF (OpenType 'OTTO') font data must not be embedded as TrueType (/FontFile2): viewers reject it."""
    import re
    import zlib

    for ref in re.findall(rb"/FontFile2 (\d+) 0 R", pdf):
        obj = re.search(rb"\n" + ref + rb" 0 obj\s*<<.*?>>\s*stream\r?\n", pdf, re.S)
        data = pdf[obj.end():pdf.index(b"endstream", obj.end())]
        try:
            data = zlib.decompress(data)
        except zlib.error:
            pass
        if data[:4] == b"OTTO":
            return False
    return True


def test_point_site_gets_a_readable_extent(tmp_path):
    pt = gpd.GeoDataFrame({"name": ["点位"]}, geometry=[Point(121.8, 41.0)], crs=4490)
    fig = build_figure({}, site=pt, inset=False)
    xlim = fig.ecogis["main_ax"].get_xlim()
    assert 1_900 < xlim[1] - xlim[0] < 4_000          # metres: about 2 km, not a 1 m view
    assert fig.ecogis["scale_bar_m"] in (200, 500)


def test_empty_layer_is_noted_once_and_left_out_of_the_legend():
    pt = gpd.GeoDataFrame({"name": ["点位"]}, geometry=[Point(121.8, 41.0)], crs=4490)
    empty = gpd.GeoDataFrame({"name": []}, geometry=[], crs=4490)
    empty.attrs["ecogis"] = {"kind": "reserve"}
    notes = []
    with pytest.warns(AssumptionWarning, match="no features"):
        fig = build_figure({"reserve": empty}, site=pt, inset=False, notes=notes)
    assert notes.count("layer 'reserve' has no features to draw: left out of the legend") == 1
    texts = _all_texts(fig)
    assert "项目选址" in texts and "自然保护区" not in texts


def test_legend_columns_keep_each_group_together():
    import matplotlib
    from matplotlib.figure import Figure

    from ecogis.render.static_furniture import legend, renderer
    from ecogis.render.static_map import _rc, cjk_font_families

    def rows(prefix, n):
        return [st.LegendItem("polygon", f"{prefix}{i}", fill="#88cc88", fill_opacity=0.5, stroke="#333", width=1)
                for i in range(n)]

    styles = st.load_styles()
    groups = [("单一图层", rows("单一图层", 1)), ("甲组", rows("甲", 6)), ("乙组", rows("乙", 6)),
              ("丙组", rows("丙", 6))]
    with matplotlib.rc_context(_rc(cjk_font_families())):
        fig = Figure(figsize=(6, 4))
        lax = fig.add_axes((0.1, 0.1, 0.5, 0.45))     # too low for 22 rows in one column
        measure = renderer(fig)
        legend(lax, groups, styles, "zh", measure)
        fig.canvas.draw()
    texts = {t.get_text().strip(): t.get_window_extent(measure).x0 for t in lax.get_legend().get_texts()}
    columns = {round(x) for x in texts.values()}
    assert len(columns) >= 2, "the legend should have needed more than one column"
    for title, prefix in (("甲组", "甲"), ("乙组", "乙"), ("丙组", "丙")):
        xs = {round(texts[title])} | {round(texts[f"{prefix}{i}"]) for i in range(6)}
        assert len(xs) == 1, f"group {title} is split across columns: {xs}"


def test_site_without_crs_is_named(layers, tmp_path):
    lay, site = layers
    bare = gpd.GeoDataFrame({"name": ["拟建项目"]}, geometry=list(site.geometry))
    with pytest.raises(EcogisError, match="'site' has no CRS"):
        render_static(lay, tmp_path / "m.png", site=bare)
    assert not (tmp_path / "m.png").exists()


def test_holes_stay_empty_and_overlaps_fill_once():
    """Polygons are drawn as compound paths: a hole (whatever its ring orientation) shows the
    background, and two overlapping polygons of one layer are not painted twice."""
    from shapely.geometry import Polygon

    outer = [(121.50, 40.80), (121.70, 40.80), (121.70, 41.00), (121.50, 41.00)]
    hole = [(121.55, 40.85), (121.65, 40.85), (121.65, 40.95), (121.55, 40.95)]   # same orientation
    zones = _kind(gpd.GeoDataFrame(
        {"zone": ["核心区", "核心区"]},
        geometry=[Polygon(outer, [hole]), box(121.68, 40.82, 121.80, 40.90)], crs=4490), "reserve")
    fig = build_figure({"reserve": zones}, inset=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    img = mpimg.imread(io.BytesIO(buf.getvalue()))[:, :, :3]
    ax, k, h = fig.ecogis["main_ax"], 60 / fig.dpi, img.shape[0]
    to_map = Transformer.from_crs(4490, fig.ecogis["crs"], always_xy=True)

    def pixel(lon, lat):
        x, y = ax.transData.transform(to_map.transform(lon, lat))
        return img[int(round(h - y * k)), int(round(x * k))]

    styles = st.load_styles()
    fill = _blend(styles["kinds"]["reserve"]["values"]["核心区"]["fill"], styles["kinds"]["reserve"]["fill_opacity"],
                  styles["background"])
    assert np.allclose(pixel(121.60, 40.90), to_rgb(styles["background"]), atol=0.03)   # in the hole
    assert np.allclose(pixel(121.52, 40.90), fill, atol=0.08)                          # in the ring
    assert np.allclose(pixel(121.69, 40.86), fill, atol=0.08)                          # in the overlap


def test_point_labels_do_not_overlap():
    # three sections a few hundred metres apart on a ~50 km map: their names would collide at one offset
    names = ["辽河曙光大桥断面", "曙光大桥下游断面", "曙光大桥上游断面"]
    sections = _kind(gpd.GeoDataFrame(
        {"name": names, "target_class": ["Ⅲ"] * 3, "measured_class": ["Ⅱ"] * 3},
        geometry=[Point(121.800, 41.000), Point(121.803, 41.001), Point(121.801, 40.999)], crs=4490),
        "water_section")
    frame = _kind(gpd.GeoDataFrame({"name": ["盘锦市"]}, geometry=[box(121.5, 40.8, 122.1, 41.2)], crs=4490),
                  "boundary")
    fig = build_figure({"boundary": frame, "sections": sections}, inset=False)
    from ecogis.render.static_furniture import renderer

    measure = renderer(fig)
    fig.canvas.draw()
    ax = fig.ecogis["main_ax"]
    boxes = [t.get_window_extent(measure) for t in ax.texts if t.get_text() in names]
    assert len(boxes) == 3
    for i in range(3):
        for j in range(i + 1, 3):
            assert not boxes[i].overlaps(boxes[j]), (names[i], names[j])


def test_multilines_are_drawn():
    from shapely.geometry import MultiLineString

    shore = _kind(gpd.GeoDataFrame(
        {"name": ["岸线"], "type": ["自然"]},
        geometry=[MultiLineString([[(121.5, 40.8), (121.7, 40.8)], [(121.5, 40.9), (121.7, 40.9)]])], crs=4490),
        "shoreline")
    fig = build_figure({"shore": shore}, inset=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    img = mpimg.imread(io.BytesIO(buf.getvalue()))[:, :, :3]
    ax, k, h = fig.ecogis["main_ax"], 100 / fig.dpi, img.shape[0]
    x, y = ax.transData.transform(Transformer.from_crs(4490, fig.ecogis["crs"], always_xy=True).transform(121.6, 40.9))
    patch = img[int(round(h - y * k)) - 1:int(round(h - y * k)) + 2, int(round(x * k)) - 1:int(round(x * k)) + 2]
    stroke = st.load_styles()["kinds"]["shoreline"]["values"]["自然"]["stroke"]
    assert np.abs(patch.reshape(-1, 3) - to_rgb(stroke)).sum(axis=1).min() < 0.15


def test_crowded_legend_stays_inside_its_box_without_overlaps():
    import matplotlib
    from matplotlib.figure import Figure

    from ecogis.render.static_furniture import legend, renderer
    from ecogis.render.static_map import _rc, cjk_font_families

    styles = st.load_styles()
    groups = [(f"Layer group {g}", [st.LegendItem("polygon", f"Quasi-protection zone {g}.{i}", fill="#88cc88",
                                                  fill_opacity=0.5, stroke="#333", width=1) for i in range(6)])
              for g in range(6)]
    with matplotlib.rc_context(_rc(cjk_font_families())):
        fig = Figure(figsize=(6, 4))
        lax = fig.add_axes((0.1, 0.05, 0.45, 0.7))
        measure = renderer(fig)
        with warnings.catch_warnings():
            warnings.simplefilter("error", AssumptionWarning)      # it fits: no overflow note
            legend(lax, groups, styles, "en", measure)
        fig.canvas.draw()
    leg = lax.get_legend()
    box, frame = lax.get_window_extent(measure), leg.get_window_extent(measure)
    assert frame.x0 >= box.x0 - 1 and frame.x1 <= box.x1 + 1 and frame.y0 >= box.y0 - 1 and frame.y1 <= box.y1 + 1
    texts = [t.get_window_extent(measure) for t in leg.get_texts() if t.get_text().strip()]
    assert len(texts) == 42
    for i, a in enumerate(texts):
        assert not any(a.overlaps(b) for b in texts[i + 1:])


def _note(fig) -> str:
    return next(t.get_text() for t in fig.texts if t.get_gid() == "note")


def test_footer_prints_review_number_and_source(layers):
    lay, site = layers
    fig = build_figure(lay, site=site, review_no="GS（2024）1234号", source="辽宁省生态环境厅，2023 年版")
    note = _note(fig)
    assert "审图号：GS（2024）1234号" in note and "数据来源：辽宁省生态环境厅，2023 年版" in note
    bare = _note(build_figure(lay, site=site))
    assert "审图号：未注明" in bare and "--review-no" in bare and "数据来源：未注明" in bare


def test_english_footer_has_no_chinese(layers):
    import re

    lay, site = layers
    note = _note(build_figure(lay, site=site, lang="en", review_no="GS(2024)1234", source="LN EEB 2023"))
    assert re.findall(r"[\u4e00-\u9fff]", note) == []
    assert "map review no. GS(2024)1234" in note and "data: LN EEB 2023" in note
    assert "Gauss-Kruger" in note


def test_legend_lists_only_layers_in_view(layers):
    """Framed on the red line (121.70-121.90 E), the reserve (121.50-121.70 E) and the far sections
    are out of view: their entries are not in the legend."""
    lay, _ = layers
    fig = build_figure(lay, focus=(121.75, 40.95, 121.85, 41.00), inset=False)
    texts = _all_texts(fig)
    assert any("生态保护红线" in t for t in texts)
    assert not any(t in ("核心区", "缓冲区", "实验区") for t in texts)


def test_red_line_and_reserve_names_are_labelled(layers):
    lay, site = layers
    fig = build_figure(lay, site=site, inset=False)
    labels = [t.get_text() for t in fig.ecogis["main_ax"].texts]
    assert "辽河口红线" in labels
    assert labels.count("辽河口保护区") == 1  # one label per name, not per zone


def test_no_findfont_noise_on_stderr(tmp_path):
    """The map command prints no matplotlib "findfont" log lines (e.g. a missing bold CJK face)."""
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "m.png"
    res = subprocess.run([str(Path(sys.executable).parent / "ecogis"), "map", str(LAYERS / "redline" / "redline.shp"),
                          "--title", "红线", "--dpi", "50", "--out", str(out)], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    assert "findfont" not in res.stderr


def test_review_number_and_source_from_the_project_file_and_the_options(tmp_path, chinese_default):
    from click.testing import CliRunner

    from ecogis.cli.map_cmds import map_cmd

    project = tmp_path / "p.yaml"
    project.write_text(f"name: 测试\nreview_no: 辽S（2024）001号\nsource: 示例数据 2024 版\nlayers:\n"
                       f"  redline: {{kind: redline, path: {LAYERS / 'redline' / 'redline.shp'}, encoding: gbk}}\n",
                       encoding="utf-8")
    res = CliRunner().invoke(map_cmd, ["--project", str(project), "--out", str(tmp_path / "m.html")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "审图号：辽S（2024）001号" in page and "数据来源：示例数据 2024 版" in page
    res = CliRunner().invoke(map_cmd, ["--project", str(project), "--review-no", "GS(2025)9号", "--out",
                                       str(tmp_path / "m2.html")])
    assert res.exit_code == 0, res.output
    assert "审图号：GS(2025)9号" in (tmp_path / "m2.html").read_text(encoding="utf-8")
