"""The fast path of the DOCX figures against the slow one: a figure drawn into the emptied figure of the
previous map (``reuse``), with the layers' projection and what their drawing needs that does not depend
on the view kept from it, has, pixel for pixel, what a figure drawn from scratch has, in any order of
the maps; the RGB PNG written for an opaque figure has the pixels ``savefig`` writes (its alpha channel
all 255)."""
from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image
from shapely.geometry import box

from ecogis.errors import AssumptionWarning
from ecogis.render import check_text as T
from ecogis.render import docx_figures
from ecogis.render.static_figure import write_png
from ecogis.render.static_map import build_figure, dpi_for_width, render_static


def _draw_all(result, order, tmp_path, reuse: bool, dpi: int) -> dict[int, np.ndarray]:
    """The figures of the DOCX plan numbered ``order``, drawn in that order, as RGBA pixel arrays: each
    from scratch (nothing shared), or each drawn into the previous one with what it kept."""
    planned = docx_figures.plan(result, "zh")
    layers, shared = T.map_layers(result, "zh"), ({} if reuse else None)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        for i in order:
            png = tmp_path / f"{reuse}_{i}.png"
            render_static(layers, png, site=planned[i][1], dpi=dpi, focus="site", shared=shared, reuse=reuse)
            out[i] = np.asarray(Image.open(png).convert("RGBA"))
    return out


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4], [3, 0, 1]])
def test_a_reused_figure_has_the_pixels_of_a_new_one(sample_result, tmp_path, order):
    """At the DOCX figures' own resolution; the overview (more labels, a larger legend) before and after
    site figures, so that nothing of an earlier map is left in the next."""
    dpi = dpi_for_width(16.0)
    new = _draw_all(sample_result, order, tmp_path, reuse=False, dpi=dpi)
    reused = _draw_all(sample_result, order, tmp_path, reuse=True, dpi=dpi)
    for i in order:
        assert new[i].shape == reused[i].shape
        assert np.array_equal(new[i], reused[i]), f"figure {i}: {(new[i] != reused[i]).any(axis=2).sum()} px differ"


def test_reuse_draws_into_the_same_figure_and_only_with_the_same_size():
    layers = {"red": gpd.GeoDataFrame({"name": ["P"]}, geometry=[box(0, 0, 3_000, 3_000)], crs="EPSG:4550")}
    layers["red"].attrs = {"ecogis": {"kind": "redline"}}
    site = gpd.GeoDataFrame({"id": ["A"], "name": ["A"]}, geometry=[box(100, 100, 600, 600)], crs="EPSG:4550")
    shared: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        first = build_figure(layers, site=site, inset=False, shared=shared, reuse=True)
        count = len(first.ecogis["main_ax"].get_children())
        again = build_figure(layers, site=site, inset=False, shared=shared, reuse=True)
        other = build_figure(layers, site=site, inset=False, shared=shared, reuse=True, dpi=50)
        plain = build_figure(layers, site=site, inset=False, shared=shared)
    assert again is first and len(again.ecogis["main_ax"].get_children()) == count   # emptied, drawn again
    assert len(again.axes) == 2                                                        # no axes added
    assert other is not first and plain is not first


def test_the_rgb_png_has_the_pixels_savefig_writes(tmp_path):
    fig = Figure(figsize=(3, 2), dpi=80)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.plot([0, 1], [0, 1], color="#e60000", linewidth=3)
    ax.text(0.5, 0.5, "legend 1:5000", fontsize=9)
    fig.savefig(tmp_path / "slow.png", dpi=80, format="png", facecolor="white")
    write_png(fig, tmp_path / "fast.png", 1)
    slow, fast = Image.open(tmp_path / "slow.png"), Image.open(tmp_path / "fast.png")
    assert slow.mode == "RGBA" and fast.mode == "RGB"
    assert np.all(np.asarray(slow)[..., 3] == 255)
    assert np.array_equal(np.asarray(slow)[..., :3], np.asarray(fast))
    assert fast.info["dpi"] == pytest.approx((80, 80), abs=0.01)


def test_a_figure_that_is_not_opaque_keeps_its_alpha(tmp_path):
    fig = Figure(figsize=(2, 2), dpi=50, frameon=False)     # no background: transparent where nothing is drawn
    fig.add_axes((0.2, 0.2, 0.6, 0.6)).plot([0, 1], [0, 1])
    fig.savefig(tmp_path / "slow.png", format="png", dpi=50, facecolor="white")
    write_png(fig, tmp_path / "fast.png", 1)
    slow, fast = np.asarray(Image.open(tmp_path / "slow.png")), Image.open(tmp_path / "fast.png")
    assert fast.mode == "RGBA" and (slow[..., 3] < 255).any()
    assert np.array_equal(slow, np.asarray(fast))


def test_what_a_layer_keeps_is_used_only_for_the_same_layer():
    from ecogis.render.static_layers import draw_layer

    style = {"fill": "#00ff00", "stroke": "#006600", "width": 1}
    squares = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10)], crs="EPSG:4550")
    moved = squares.set_geometry(squares.translate(100, 0))
    kept: dict = {}
    ax = Figure().add_subplot()
    first = draw_layer(ax, "reserve", style, squares, {}, label_points=False, label_shapes=True, kept=kept)
    layer = kept["layer"]
    again = draw_layer(ax, "reserve", style, squares, {}, label_points=False, label_shapes=True, kept=kept)
    assert kept["layer"] is layer and again == first
    other = draw_layer(ax, "reserve", style, moved, {}, label_points=False, label_shapes=True, kept=kept)
    assert kept["layer"] is not layer
    assert sorted(x for x, _, _ in other) == [x + 100 for x, _, _ in sorted(first)]
