"""The report writers' shortcuts draw and write what the plain calls would: only the features in view
are drawn (labels from all), projected layers are shared between the figures of one report, and the
DOCX paragraph styles set through the cached style ids are those python-docx sets."""
from __future__ import annotations

import docx
import geopandas as gpd
import numpy as np
import pytest
from matplotlib.figure import Figure
from shapely.geometry import box

from ecogis.render import docx_layout as L
from ecogis.render.static_layers import draw_layer, in_view
from ecogis.render.static_map import build_figure

STYLE = {"fill": "#ff0000", "stroke": "#000000"}


def _squares():
    """Two named squares in EPSG:4550 metres: one at the origin, one 50 km away."""
    return gpd.GeoDataFrame({"name": ["near", "far"]},
                            geometry=[box(0, 0, 100, 100), box(50_000, 0, 50_100, 100)], crs="EPSG:4550")


def _drawn_vertices(ax) -> np.ndarray:
    return np.concatenate([p.get_path().vertices for p in ax.patches])


def test_in_view_keeps_the_features_whose_bounds_meet_the_box():
    geoms = np.asarray(_squares().geometry.values)
    assert in_view(geoms, (-10, -10, 10, 10)).tolist() == [True, False]
    assert in_view(geoms, (100, 100, 200, 200)).tolist() == [True, False]  # touching counts
    assert in_view(geoms, None).tolist() == [True, True]


def test_draw_layer_draws_only_what_is_in_view_but_labels_every_feature():
    ax = Figure().add_subplot()
    labels = draw_layer(ax, "redline", STYLE, _squares(), {}, label_points=False, label_shapes=True,
                        view=(-500, -500, 600, 600))
    assert _drawn_vertices(ax)[:, 0].max() == pytest.approx(100)  # the far square is not in the path
    assert sorted(text for _, _, text in labels) == ["far", "near"]
    ax_all = Figure().add_subplot()
    draw_layer(ax_all, "redline", STYLE, _squares(), {}, label_points=False, label_shapes=True)
    assert _drawn_vertices(ax_all)[:, 0].max() == pytest.approx(50_100)


def _main_paths(fig) -> list[np.ndarray]:
    return [p.get_path().vertices for p in fig.ecogis["main_ax"].patches if p.get_gid() == "layer-redline"]


def test_shared_projection_gives_the_same_figure_and_is_reused():
    layers = {"red": _squares().to_crs("EPSG:4490")}
    layers["red"].attrs = {"ecogis": {"kind": "redline"}}
    site = gpd.GeoDataFrame({"id": ["A"], "name": ["A"]}, geometry=[box(10, 10, 60, 60)], crs="EPSG:4550")
    plain = build_figure(layers, site=site, inset=False, focus="site")
    shared: dict = {}
    first = build_figure(layers, site=site, inset=False, focus="site", shared=shared)
    kept = dict(shared)
    second = build_figure(layers, site=site, inset=False, focus="site", shared=shared)
    assert kept and all(shared[k] is v for k, v in kept.items())  # projected once, reused
    for fig in (first, second):
        assert [v.tolist() for v in _main_paths(fig)] == [v.tolist() for v in _main_paths(plain)]
        assert fig.ecogis["crs"] == plain.ecogis["crs"]


@pytest.mark.parametrize("name", ["Normal", "List Bullet", "Caption", "Heading 1", L.TABLE_TEXT])
def test_set_style_sets_what_python_docx_sets(name, tmp_path):
    doc = L.new_document()
    by_docx = doc.add_paragraph("x", style=name)
    ours = L.add_paragraph(doc, "x", name)
    L.set_style(doc.add_paragraph("y"), name)  # cached now
    assert ours._p.xml == by_docx._p.xml
    doc.save(tmp_path / "s.docx")
    assert [p.style.name for p in docx.Document(tmp_path / "s.docx").paragraphs] == [name] * 3


class _Findings:
    """A findings table that counts how often its records are built."""

    def __init__(self):
        self.calls = 0

    def records(self):
        self.calls += 1
        return [{"rule_id": "r1", "site": "A", "verdict": "禁止"}]


def test_finding_rows_are_built_once_per_findings_table_and_copied_per_caller():
    from types import SimpleNamespace

    from ecogis.render.check_text import finding_rows

    findings = _Findings()
    result = SimpleNamespace(rules=[{"id": "r1", "basis_en": "Art. 1"}], findings=findings)
    first, second = finding_rows(result), finding_rows(result)
    assert first == second == [{"rule_id": "r1", "site": "A", "verdict": "禁止", "basis_en": "Art. 1"}]
    assert findings.calls == 1
    first[0]["site"] = "changed"  # a caller's change stays its own
    assert finding_rows(result)[0]["site"] == "A"
    other = SimpleNamespace(rules=[], findings=_Findings())
    assert finding_rows(other)[0]["basis_en"] == "" and other.findings.calls == 1
