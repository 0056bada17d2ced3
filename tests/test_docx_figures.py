"""The DOCX report's overlay figures: print resolution at the placed width, drawn in a forked process
with the pixels of an in-process drawing (warnings and errors carried back, a dead child replaced),
the location inset's simplified outlines within a pixel of the full ones and read through the layer
cache, and the legend layout search that skips layouts that cannot fit choosing what the full search
chooses."""
from __future__ import annotations

import io
import multiprocessing
import os
import sys
import warnings
import zipfile
from pathlib import Path

import docx
import matplotlib
import numpy as np
import pytest
import shapely
from matplotlib.figure import Figure
from PIL import Image

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.render import docx_figures, static_furniture, static_inset
from ecogis.render import styles as st
from ecogis.render.check_docx import render_check_docx

EMU_PER_INCH = 914400
#: figures are forked on Linux (the tests force it even in a test worker that runs other threads)
needs_fork = pytest.mark.skipif(not sys.platform.startswith("linux") or "fork" not in
                                multiprocessing.get_all_start_methods(), reason="figures are forked on Linux only")


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def test_figures_print_at_200_dpi_or_more_at_their_placed_width(sample_result, tmp_path):
    out = tmp_path / "check.docx"
    render_check_docx(sample_result, out)
    doc = docx.Document(str(out))
    shapes = doc.inline_shapes
    assert len(shapes) == 5          # all sites, then each of the four
    with zipfile.ZipFile(out) as z:
        for shape in shapes:
            rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
            part = doc.part.related_parts[rid]
            width_px = Image.open(io.BytesIO(z.read(part.partname.lstrip("/")))).size[0]
            dpi = width_px / (shape.width / EMU_PER_INCH)
            assert 200 <= dpi <= 240, dpi


@needs_fork
def test_forked_figures_have_the_pixels_of_figures_drawn_here(sample_result):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        with docx_figures.PendingFigures(sample_result, "zh", 8.0, fork=True) as forked, \
                docx_figures.PendingFigures(sample_result, "zh", 8.0, fork=False) as here:
            assert [which for which, _ in forked._jobs] == [[0, 1], [2, 3, 4]] and here._proc is None
            got, expected = forked.wait(), here.wait()
            assert [name for name, _ in got] == [name for name, _ in expected]
            for (_, a), (_, b) in zip(got, expected):
                assert np.array_equal(_pixels(a), _pixels(b))


@pytest.mark.parametrize("count,groups", [(1, [[0]]), (2, [[0, 1]]), (3, [[0], [1, 2]]), (5, [[0, 1], [2, 3, 4]]),
                                          (9, [[0, 1, 2, 3], [4, 5, 6, 7, 8]])])
def test_figures_are_shared_out_whole_and_in_order(count, groups):
    assert docx_figures._groups(count) == groups


@needs_fork
def test_child_warnings_are_emitted_and_its_error_raised_here(monkeypatch, tmp_path):

    def failing(*args, which=None):
        warnings.warn("a map note", AssumptionWarning, stacklevel=1)
        raise EcogisError("drawing failed")

    monkeypatch.setattr(docx_figures, "figures", failing)   # the fork runs the patched module
    with docx_figures.PendingFigures(None, "zh", fork=True) as pending:
        with pytest.warns(AssumptionWarning, match="a map note"), pytest.raises(EcogisError, match="drawing failed"):
            pending.wait()


@needs_fork
def test_a_process_with_other_threads_draws_its_figures_itself():
    import threading

    before = docx_figures.can_fork()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not docx_figures.can_fork()
        with docx_figures.PendingFigures(None, "zh") as pending:
            assert pending._proc is None
    finally:
        stop.set()
        other.join()
    assert docx_figures.can_fork() == before


@needs_fork
def test_a_child_that_dies_is_replaced_by_drawing_here(monkeypatch):
    monkeypatch.setattr(docx_figures, "_draw_in_children", lambda jobs, args: os._exit(1))
    monkeypatch.setattr(docx_figures, "figures", lambda *args, which=None: [("here", args[1])])
    with docx_figures.PendingFigures(None, "zh", fork=True) as pending:
        assert pending.wait()[0][0] == "here"


def _inset_pixels(outline, extent, dpi=100) -> np.ndarray:
    from ecogis.render.static_map import _rc, cjk_font_families

    with matplotlib.rc_context(_rc(cjk_font_families())):
        fig = Figure(figsize=(2.4, 2.5), dpi=dpi)
        iax = fig.add_axes((0, 0, 1, 1))
        iax.set_axis_off()
        static_inset._draw(iax, outline, extent)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    return np.asarray(Image.open(buf).convert("L")).astype(int)


def _gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel of ``a``, the least grey-level difference to ``b`` at the same pixel or one beside it."""
    shifted = np.stack([np.roll(np.roll(b, dy, axis=0), dx, axis=1) for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    return np.abs(shifted - a).min(axis=0)


def _full_outline(key: str) -> static_inset.Outline:
    """The province and its cities as the boundary data has them (not simplified)."""
    from ecogis.boundaries import get_boundary, get_districts

    prov = get_boundary(key, level="province")
    cities = np.asarray(get_districts(prov["name"].iloc[0]).geometry.values)
    return static_inset.Outline(prov["name"].iloc[0], tuple(prov.total_bounds), np.asarray(prov.geometry.values),
                                shapely.boundary(cities))


def test_simplified_inset_outline_is_within_a_pixel_of_the_full_one():
    px = 240                                         # 2.4 inches at 100 dpi
    simple = static_inset._read_outline("210000", px)
    full = _full_outline("210000")
    assert shapely.get_num_coordinates(simple.province).sum() < shapely.get_num_coordinates(full.province).sum() / 5
    extent = (121.5, 40.7, 122.3, 41.3)
    a, b = _inset_pixels(simple, extent), _inset_pixels(full, extent)
    # the same picture but for antialiasing within a pixel of every edge (simplified at twice the
    # tolerance, a pixel, the gap reaches 68; at four times, 118)
    assert _gap(a, b).max() <= 64 and _gap(b, a).max() <= 64


def test_inset_outline_is_read_once_through_the_layer_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOGIS_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ECOGIS_NO_CACHE", raising=False)
    first = static_inset._outline.__wrapped__("210000", 123)

    def unread(*args):
        raise AssertionError("read again")

    monkeypatch.setattr(static_inset, "_read_outline", unread)
    again = static_inset._outline.__wrapped__("210000", 123)
    assert again.name == first.name == "辽宁省"
    assert [g.wkb for g in again.province] == [g.wkb for g in first.province]
    assert list((tmp_path / "inset_outline").iterdir())


def _chosen_legend(groups, box_height):
    from ecogis.render.static_map import _rc, cjk_font_families

    with matplotlib.rc_context(_rc(cjk_font_families())), warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        fig = Figure(figsize=(11.69, 8.27), dpi=100)
        lax = fig.add_axes((0.765, 0.10, 0.205, box_height))
        static_furniture.legend(lax, groups, st.load_styles(), "zh", static_furniture.renderer(fig))
        leg = lax.get_legend()
        return leg.get_texts()[0].get_fontsize(), leg._ncols


@pytest.mark.parametrize("rows", [3, 12, 25, 40, 60])
@pytest.mark.parametrize("box_height", [0.2, 0.43])
def test_legend_search_chooses_what_the_full_search_chooses(monkeypatch, rows, box_height):
    groups = [(f"图层{g}", [st.LegendItem("polygon", f"类别{g}-{i}号", fill="#88cc88", fill_opacity=0.5,
                                          stroke="#333", width=1) for i in range(rows // 4 + 1)])
              for g in range(4)]
    fast = _chosen_legend(groups, box_height)
    monkeypatch.setattr(static_furniture, "PREDICTED_SLACK", float("inf"))   # measure every layout
    assert fast == _chosen_legend(groups, box_height)


def test_a_figure_drawn_with_the_first_ones_shared_layers_has_the_pixels_of_a_plain_one(sample_result):
    from ecogis.render import check_text as T
    from ecogis.render.static_map import build_figure

    layers, site = T.map_layers(sample_result, "zh"), T.site_layer(sample_result)
    one = site.iloc[[1]].copy()
    one.attrs = site.attrs
    shared: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        build_figure(layers, site=site, focus="site", inset=False, shared=shared)
        pngs = []
        for kept in (shared, None):
            buf = io.BytesIO()
            build_figure(layers, site=one, focus="site", inset=False, shared=kept).savefig(buf, format="png", dpi=40)
            pngs.append(_pixels(buf))
    assert "items" in shared
    assert np.array_equal(*pngs)


def test_layers_cut_to_the_view_draw_the_pixels_of_the_whole_layers():
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    from ecogis.render.static_layers import clip_to_view, draw_layer

    ring = Point(0, 0).buffer(5_000, quad_segs=256)              # far larger than the view, 1 000 vertices
    lines = LineString([(-9_000, -3_000), (9_000, 2_500)])
    layer = gpd.GeoDataFrame(geometry=[ring, lines, Point(4_500, 0).buffer(500)], crs="EPSG:4550")
    view = (3_000, -1_500, 6_000, 1_500)
    geoms = np.asarray(layer.geometry.values)
    cut = clip_to_view(geoms, np.ones(3, dtype=bool), view)
    assert shapely.get_num_coordinates(cut).sum() < shapely.get_num_coordinates(geoms).sum() / 3
    assert cut[2] is geoms[2]                                     # inside the view: untouched
    pixels = []
    for drawn_view in (view, None):
        fig = Figure(figsize=(3, 3), dpi=100)
        ax = fig.add_axes((0.05, 0.05, 0.9, 0.9))
        draw_layer(ax, "redline", {"fill": "#ff0000", "stroke": "#000000", "width": 2, "hatch": True}, layer, {},
                   label_points=False, view=drawn_view)
        ax.set_xlim(3_150, 5_850)                                 # the view less its margin
        ax.set_ylim(-1_350, 1_350)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        pixels.append(np.asarray(Image.open(buf).convert("L")).astype(int))
    assert _gap(*pixels).max() <= 64 and _gap(pixels[1], pixels[0]).max() <= 64
    assert np.abs(pixels[0] - pixels[1]).mean() < 1.0


@pytest.mark.parametrize("note,wraps", [("坐标系：EPSG:4550", False), ("比例尺为投影平面距离 (米) ；" * 20, True)])
def test_the_footer_wraps_only_when_it_reaches_past_the_figure(note, wraps):
    import geopandas as gpd
    from shapely.geometry import box

    from ecogis.render.static_map import build_figure

    site = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(121.8, 41.0, 121.81, 41.01)], crs=4490)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        fig = build_figure({}, site=site, inset=False, note=note)
        footer = next(t for t in fig.texts if t.get_gid() == "note")
        assert footer.get_wrap() is wraps
        fig.savefig(io.BytesIO(), format="png", dpi=50)
    assert ("\n" in footer._get_wrapped_text()) is wraps     # what the drawing printed: lines within the page


@needs_fork
def test_closing_before_the_figures_are_done_stops_every_figure_process(monkeypatch):
    import time

    monkeypatch.setattr(docx_figures, "figures", lambda *args, which=None: time.sleep(60))
    monkeypatch.setattr(docx_figures, "_groups", lambda count: [[0], [1]])   # two processes
    started = time.monotonic()
    pending = docx_figures.PendingFigures(None, "zh", fork=True)
    group = pending._proc.pid
    time.sleep(1.0)                                   # both drawing by now
    pending.close()
    assert time.monotonic() - started < 30
    time.sleep(0.5)
    assert _running_in_group(group) == []              # no process left in the figures' process group


def _running_in_group(group: int) -> list[int]:
    """Pids of the processes of process group ``group`` that still run (not zombies), from /proc."""
    running = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            running.append(int(stat.parent.name))
    return running
