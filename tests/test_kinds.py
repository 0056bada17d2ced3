"""One registry of layer kinds (ecogis.kinds.KINDS): every module names a kind the same way, and a new
kind is one KindSpec entry (field matching, screening, report text and map styles follow from it).

The layers are built here in CGCS2000 3° Gauss-Kruger zone 41 without prefix (EPSG:4550).
"""
from __future__ import annotations

import warnings

import geopandas as gpd
import matplotlib.pyplot as plt
import pytest
from shapely.geometry import Point, box

from ecogis.check import check
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.kinds import KIND_ALIASES, KINDS, FieldSpec, KindSpec, kind_label, register_kind, resolve_kind, zone_field
from ecogis.layers import normalise_layer
from ecogis.render import check_text
from ecogis.render import styles as st
from ecogis.render.check_html import check_html
from ecogis.render.folium_map import make_map
from ecogis.render.static_map import build_figure

GK = 4550
FARMLAND_ZH, FARMLAND_EN = "永久基本农田", "Permanent basic farmland"
# the spellings that disagreed between modules before the registry, and the one each kind keeps
UNIFIED = {"well": ("油井", "Oil well", ("油气井", "Wells", "oil or gas")),
           "site": ("项目选址", "Project site", ("项目场址",))}


def quiet_check(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
        return check(*args, **kwargs)


def test_every_kind_has_one_label_in_reports_and_map_legends():
    styles = st.load_styles()
    for name, spec in KINDS.items():
        for lang, expected in (("zh", spec.title_zh), ("en", spec.title_en)):
            assert expected, (name, lang)
            assert check_text.kind_label(name, lang) == expected, (name, lang)
            assert st.layer_title(name, name, styles, lang) == expected, (name, lang)
        # the packaged styles carry no label of their own that could drift from the registry
        assert "label" not in styles["kinds"].get(name, {}), name


def test_a_style_file_may_still_rename_a_kind_for_one_project():
    styles = st.load_styles({"kinds": {"well": {"label": {"zh": "采油井", "en": "Producing wells"}}}})
    assert st.layer_title("wells", "well", styles, "zh") == "采油井"
    assert st.layer_title("wells", "well", styles, "en") == "Producing wells"


@pytest.fixture
def project(tmp_path):
    """Reserve zones and two wells (one 300 m east of the site centre), and a project file."""
    gpkg = tmp_path / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["辽河口"], "zone": ["实验区"]},
                     geometry=[box(460_000, 4_530_000, 470_000, 4_540_000)], crs=GK).to_file(gpkg, layer="reserve")
    gpd.GeoDataFrame({"id": ["W1", "W2"], "status": ["在产", "已关停"]},
                     geometry=[Point(465_300, 4_535_000), Point(480_000, 4_535_000)],
                     crs=GK).to_file(gpkg, layer="wells")
    yml = tmp_path / "project.yaml"
    yml.write_text("name: 测试\nbuffers_m: [500]\nlayers:\n"
                   "  reserve: {kind: reserve, path: controls.gpkg, layer: reserve}\n"
                   "  wells: {kind: well, path: controls.gpkg, layer: wells}\n", encoding="utf-8")
    return yml


def site_gdf():
    return gpd.GeoDataFrame({"id": ["S1"], "name": ["场址1"]}, geometry=[box(464_900, 4_534_900, 465_100, 4_535_100)],
                            crs=GK)


def test_reports_spell_wells_and_the_site_one_way(project):
    result = quiet_check(site_gdf(), project)
    assert any(f.kind == "well" and f.relation == "within_buffer" for f in result.findings)
    for lang, index in (("zh", 0), ("en", 1)):
        page = check_html(result, lang=lang, map_html="")
        for kind, spellings in UNIFIED.items():
            assert spellings[index] in page, (kind, lang)
            for other in spellings[2]:
                assert other not in page, (kind, lang, other)


# --------------------------------------------------------------------------------------------------
# A new kind is one entry
# --------------------------------------------------------------------------------------------------

FARMLAND_GRADES = ("优等", "高等", "中等")


def normalise_grade(value):
    """优等地 / 优等 -> 优等; missing -> None; anything else is an error."""
    if value is None:
        return None
    text = str(value).strip().removesuffix("地")
    if text not in FARMLAND_GRADES:
        raise EcogisError(f"unknown farmland grade {value!r}; allowed: {', '.join(FARMLAND_GRADES)}")
    return text


@pytest.fixture
def farmland():
    """A 永久基本农田 kind built here in place of the built-in one (restored after the test)."""
    spec = KindSpec("farmland", "polygon", FARMLAND_ZH, FARMLAND_EN, {
        "name": FieldSpec("name", ("地块名称", "DKMC")),
        "grade": FieldSpec("grade", ("耕地等级", "GDDJ"), required=True, allowed=FARMLAND_GRADES,
                           normalise=normalise_grade),
    }, zone_field="grade", style="redline")
    built_in = KINDS.pop("farmland", None), KIND_ALIASES.pop("基本农田", None)  # ecogis's own farmland kind
    register_kind(spec, aliases=("基本农田",))
    yield spec
    del KINDS["farmland"], KIND_ALIASES["基本农田"]
    if built_in[0] is not None:
        KINDS["farmland"], KIND_ALIASES["基本农田"] = built_in[0], built_in[1] or "farmland"


def farmland_layer():
    return gpd.GeoDataFrame({"DKMC": ["农田A", "农田B"], "耕地等级": ["优等地", " 中等 "]},
                            geometry=[box(464_000, 4_534_000, 465_000, 4_536_000),
                                      box(490_000, 4_534_000, 491_000, 4_536_000)], crs=GK)


def test_a_new_kind_gets_field_matching_and_value_normalisation(farmland):
    assert resolve_kind("基本农田") is farmland and resolve_kind(FARMLAND_ZH) is farmland
    out = normalise_layer(farmland_layer(), "farmland")
    assert list(out["name"]) == ["农田A", "农田B"]
    assert list(out["grade"]) == ["优等", "中等"]
    assert zone_field("farmland") == "grade"
    bad = farmland_layer().assign(耕地等级=["优等", "劣等"])
    with pytest.raises(EcogisError, match="劣等"):
        normalise_layer(bad, "farmland")


def test_a_new_kind_gets_a_style_and_a_legend_title(farmland):
    styles = st.load_styles()
    assert "farmland" not in styles["kinds"]
    gdf = normalise_layer(farmland_layer(), "farmland")
    assert st.layer_style(styles, "farmland", gdf) is styles["kinds"]["redline"]
    (row,) = st.legend_items("farmland", styles, gdf, "zh", kind_label("farmland"))
    assert row["text"] == FARMLAND_ZH and row["hatch"] == "redline"  # the hatch pattern the map defines
    assert st.layer_title("farmland", "farmland", styles, "en") == FARMLAND_EN


def test_a_new_kind_is_drawn_on_the_maps_with_its_style_and_title(farmland):
    gdf = normalise_layer(farmland_layer(), "farmland")
    notes: list = []
    page = make_map({"farmland": gdf}, kinds={"farmland": "farmland"}, notes=notes).get_root().render()
    assert FARMLAND_ZH in page and "url(#ecogis-hatch-redline)" in page
    assert not [n for n in notes if "no known kind" in str(n)]
    fig = build_figure({"farmland": gdf}, kinds={"farmland": "farmland"}, inset=False, lang="en", notes=notes)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert FARMLAND_EN in [t.get_text() for leg in legends for t in leg.get_texts()]
    assert not [n for n in notes if "no known kind" in str(n)]
    plt.close(fig)


def test_a_new_kind_is_screened_by_its_zone_and_labelled_in_reports(farmland, tmp_path):
    gpkg = tmp_path / "farmland.gpkg"
    farmland_layer().to_file(gpkg, layer="farmland")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: farmland-best\n    kind: farmland\n    zone: 优等\n    relation: intersects\n"
                     "    verdict: 禁止\n    rule_zh: 不得占用优等永久基本农田\n    rule_en: No use of first-rate farmland\n"
                     "    basis: 测试依据\n", encoding="utf-8")
    yml = tmp_path / "project.yaml"
    yml.write_text("name: 农田\nbuffers_m: [500]\nrules: rules.yaml\nlayers:\n"
                   "  farmland: {kind: farmland, path: farmland.gpkg, layer: farmland}\n", encoding="utf-8")
    result = quiet_check(site_gdf(), yml)
    hit = [f for f in result.findings if f.relation == "intersects"]
    assert [(f.kind, f.zone, f.verdict, f.rule_id) for f in hit] == [("farmland", "优等", "禁止", "farmland-best")]
    assert result.verdict == "禁止"
    zh, en = check_html(result, lang="zh", map_html=""), check_html(result, lang="en", map_html="")
    assert f"<td>{FARMLAND_ZH}</td>" in zh and f"<td>{FARMLAND_EN}</td>" in en
    assert any(FARMLAND_ZH in s for s in check_text.conclusion_sentences(result, "zh"))
    assert any("permanent basic farmland" in s for s in check_text.conclusion_sentences(result, "en"))


def test_a_kind_name_is_registered_once(farmland):
    with pytest.raises(EcogisError, match="already registered"):
        register_kind(KindSpec("farmland", "polygon", "农田", "Farmland"))
    assert KINDS["farmland"] is farmland
