"""Interactive maps: offline HTML, opened in Debian's chromium with all network blocked."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import prcoords
import pytest
from conftest import LAYERS, assumed, sample_assumed
from shapely.geometry import LineString, Point, Polygon, box

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.render import styles as st
from ecogis.render.folium_map import make_map, map_html, save_map


def _kind(gdf, kind):
    gdf.attrs["ecogis"] = {"kind": kind}
    return gdf


@pytest.fixture(scope="module")
def layers():
    red = _kind(gpd.GeoDataFrame(
        {"id": ["HX-01", "HX-02"], "name": ["辽河口红线", "绕阳河红线"], "type": ["生物多样性维护", "水源涵养"]},
        geometry=[box(121.70, 40.90, 121.90, 41.05), box(121.95, 41.00, 122.10, 41.15)], crs=4490), "redline")
    reserve = _kind(gpd.GeoDataFrame(
        {"name": ["辽河口保护区"] * 3, "level": ["国家级"] * 3, "zone": ["核心区", "缓冲区", "实验区"]},
        geometry=[box(121.50, 40.80, 121.60, 40.90), box(121.60, 40.80, 121.65, 40.90),
                  box(121.65, 40.80, 121.70, 40.90)], crs=4490), "reserve")
    sections = _kind(gpd.GeoDataFrame(
        {"name": ["兴安", "赵圈河", "曙光大桥"], "river": ["辽河", "辽河", "大辽河"],
         "control_level": ["国控", "省控", "市控"], "target_class": ["Ⅲ", "Ⅳ", "Ⅴ"],
         "measured_class": ["Ⅱ", "Ⅴ", "劣Ⅴ"]},
        geometry=[Point(121.80, 41.10), Point(121.75, 40.95), Point(122.00, 40.88)], crs=4490), "water_section")
    outfalls = _kind(gpd.GeoDataFrame(
        {"name": ["排口一", "排口二"], "type": ["入河", "入海"], "receiving_water": ["辽河", "渤海"],
         "status": ["取缔", "保留"]},
        geometry=[Point(121.85, 41.02), Point(121.90, 40.84)], crs=4490), "outfall")
    # the boundary in GK zone 41 (EPSG:4529, zone prefix): the map must reproject it
    boundary = _kind(gpd.GeoDataFrame(
        {"name": ["盘锦市"], "adcode": ["211100"]},
        geometry=[box(121.40, 40.70, 122.30, 41.30)], crs=4490).to_crs(4529), "boundary")
    site = gpd.GeoDataFrame({"id": ["S1"], "name": ["拟建项目"]},
                            geometry=[box(122.00, 41.20, 122.05, 41.25)], crs=4490)
    return {"boundary": boundary, "redline": red, "reserve": reserve, "sections": sections,
            "outfalls": outfalls}, site


@pytest.fixture(scope="module")
def html_path(layers, tmp_path_factory):
    lay, site = layers
    m = make_map(lay, site=site, title="盘锦市生态空间管控图")
    return save_map(m, tmp_path_factory.mktemp("maps") / "demo.html")


EXPECTED_LAYERS = {"行政边界", "生态保护红线", "自然保护区", "水质监测断面", "排污口", "项目选址"}


def test_html_is_self_contained(html_path):
    text = html_path.read_text(encoding="utf-8")
    # no external scripts, stylesheets or images (links in attribution text are fine)
    assert not re.findall(r"<script[^>]+src=", text)
    assert not re.findall(r"<link[^>]+href=", text)
    assert not re.findall(r"url\((?!data:|#)", text)
    assert "cdn.jsdelivr" not in text and "code.jquery" not in text
    assert "Leaflet 1.9.4" in text  # the vendored copy is inlined
    # with the licence notices of the inlined packages
    for notice in ("Volodymyr Agafonkin", "Bruno Bergot", "LJA Engineering"):
        assert notice in text
    size = len(text.encode("utf-8"))
    assert 150_000 < size < 600_000, size


def _map_var(page):
    return page.evaluate("document.querySelector('.folium-map').id")


def _click_lonlat(page, lon, lat):
    var = _map_var(page)
    xy = page.evaluate(f"(() => {{ const p = window['{var}'].latLngToContainerPoint([{lat}, {lon}]);"
                       f" return [p.x, p.y]; }})()")
    page.mouse.click(*xy)
    page.wait_for_timeout(200)


@pytest.mark.browser
def test_map_in_browser(page, html_path, artifacts_dir):
    page.goto(html_path.as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    page.wait_for_timeout(300)
    assert page.console_errors == []

    labels = {t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()}
    assert labels == EXPECTED_LAYERS

    # every feature is drawn: polygons and circle markers are SVG paths, outfalls are div markers
    assert page.locator("path.ecogis-kind-redline").count() == 2
    assert page.locator("path.ecogis-kind-reserve").count() == 3
    assert page.locator("path.ecogis-kind-boundary").count() == 1
    assert page.locator("path.ecogis-kind-site:not(.ecogis-site-pin)").count() == 1
    assert page.locator("path.ecogis-site-pin").count() == 1   # ring marking the small parcel
    assert page.locator("path.ecogis-kind-water_section").count() == 3
    assert page.locator(".leaflet-marker-icon.ecogis-kind-outfall").count() == 2

    # the section 曙光大桥 is filled with the 劣Ⅴ colour and ringed with the Ⅴ (target) colour
    styles = st.load_styles()
    fills = page.eval_on_selector_all("path.ecogis-kind-water_section",
                                      "els => els.map(e => [e.getAttribute('fill'), e.getAttribute('stroke')])")
    assert [styles["water_classes"]["劣Ⅴ"]["color"], styles["water_classes"]["Ⅴ"]["color"]] in fills

    # clicking the second red-line polygon opens a popup with its Chinese attributes
    _click_lonlat(page, 122.05, 41.05)
    popup = page.locator(".leaflet-popup-content")
    assert popup.count() == 1
    text = popup.inner_text()
    assert "绕阳河红线" in text and "名称" in text and "生态保护红线" in text and "HX-02" in text

    _click_lonlat(page, 122.00, 40.88)
    text = page.locator(".leaflet-popup-content").inner_text()
    assert "曙光大桥" in text and "实测水质" in text and "劣Ⅴ" in text

    page.screenshot(path=str(artifacts_dir / "map_folium.png"))

    # toggling a layer in the layer control hides its features
    page.locator(".leaflet-control-layers-overlays label", has_text="生态保护红线").locator("input").uncheck()
    assert page.locator("path.ecogis-kind-redline").count() == 0
    assert page.locator("path.ecogis-kind-reserve").count() == 3
    page.locator(".leaflet-control-layers-overlays label", has_text="排污口").locator("input").uncheck()
    assert page.locator(".ecogis-kind-outfall").count() == 0

    # legend, scale bar, north arrow, full screen and measure controls are on the map
    legend = page.locator(".ecogis-legend").inner_text()
    for word in ("图例", "核心区", "缓冲区", "实验区", "劣Ⅴ类", "入河排污口", "取缔"):
        assert word in legend
    assert re.fullmatch(r"\d+ (千米|米)", page.locator(".leaflet-control-scale").inner_text().strip())
    assert page.locator(".ecogis-north").count() == 1
    assert page.locator(".leaflet-control-zoom-fullscreen").count() == 1
    assert page.locator(".leaflet-control-measure").count() == 1
    assert page.locator(".ecogis-title").inner_text() == "盘锦市生态空间管控图"
    assert page.console_errors == []


@pytest.mark.browser
def test_english_map(page, layers, tmp_path):
    lay, site = layers
    path = save_map(make_map(lay, site=site, lang="en"), tmp_path / "en.html")
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    labels = {t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()}
    assert "Ecological protection red line" in labels and "Project site" in labels
    assert "Legend" in page.locator(".ecogis-legend").inner_text()
    assert page.console_errors == []


def test_map_fits_data_bounds(layers):
    lay, site = layers
    m = make_map(lay, site=site)
    bounds = [c for c in m._children.values() if type(c).__name__ == "FitBounds"][0].bounds
    assert np.ravel(bounds) == pytest.approx([40.70, 121.40, 41.30, 122.30], abs=1e-4)


def test_large_layer_is_simplified_for_display_only(tmp_path):
    theta = np.linspace(0, 2 * np.pi, 80_000, endpoint=False)
    ring = np.c_[121.8 + 0.2 * np.cos(theta), 41.0 + 0.15 * np.sin(theta)]
    big = _kind(gpd.GeoDataFrame({"name": ["大红线"]}, geometry=[Polygon(ring)], crs=4490), "redline")
    notes = []
    with pytest.warns(AssumptionWarning, match="simplified for display"):
        m = make_map({"redline": big}, notes=notes)
    html_text = map_html(m)
    assert len(html_text) < 600_000          # the raw ring alone would be ~3 MB of JSON
    assert any("simplified" in n for n in notes)
    assert "显示已简化" in html_text       # the legend tells the reader
    assert len(big.geometry.iloc[0].exterior.coords) == 80_001   # input untouched


def test_basemap_errors_and_tianditu(layers, monkeypatch):
    lay, _ = layers
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    with pytest.raises(EcogisError, match="TIANDITU_KEY"):
        make_map(lay, basemap="tianditu-vec")
    with pytest.raises(EcogisError, match="unknown base map"):
        make_map(lay, basemap="google")
    html_text = map_html(make_map(lay, basemap="tianditu-img", tianditu_key="abc123"))
    assert "T=img_w" in html_text and "T=cia_w" in html_text and "tk=abc123" in html_text


def page_geojson(page: str) -> list[dict]:
    """The GeoJSON data of every layer of a map page (the argument of each ``geo_json_..._add(...)`` call)."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(page, m.end())[0] for m in re.finditer(r"geo_json_[0-9a-f]+_add\(", page)]


def test_amap_basemap_shifts_data_for_display(layers):
    lay, _ = layers
    notes = []
    with pytest.warns(AssumptionWarning, match="GCJ-02 for display"):
        m = make_map({"sections": lay["sections"], "outfalls": lay["outfalls"]}, basemap="amap", notes=notes)
    assert len([n for n in notes if "GCJ-02 for display" in n]) == 1   # one note per map, not per layer
    features = [f for data in page_geojson(map_html(m)) for f in data["features"]]
    lon, lat = next(f for f in features if f["properties"].get("name") == "兴安")["geometry"]["coordinates"]
    exp_lat, exp_lon = prcoords.wgs_gcj((41.10, 121.80))
    assert lon == pytest.approx(exp_lon, abs=2e-6) and lat == pytest.approx(exp_lat, abs=2e-6)


def test_bad_layers_are_refused():
    with pytest.raises(EcogisError, match="GeoDataFrame"):
        make_map({"x": [1, 2]})
    no_crs = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(1, 2)])
    with pytest.raises(EcogisError, match="no CRS"):
        make_map({"x": no_crs})


def test_save_map_refuses_overwrite(layers, tmp_path):
    lay, _ = layers
    m = make_map({"redline": lay["redline"]})
    out = save_map(m, tmp_path / "a.html")
    with pytest.raises(EcogisError, match="exists"):
        save_map(m, out)
    save_map(m, out, overwrite=True)


def test_style_override_merges(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text('kinds: {redline: {stroke: "#123456"}}\n', encoding="utf-8")
    styles = st.load_styles(f)
    assert styles["kinds"]["redline"]["stroke"] == "#123456"
    assert styles["kinds"]["redline"]["fill"] == st.load_styles()["kinds"]["redline"]["fill"]
    f.write_text("colours: {}\n", encoding="utf-8")
    with pytest.raises(EcogisError, match="unknown style section"):
        st.load_styles(f)


def test_unknown_kind_gets_a_default_style_by_geometry(layers):
    lay, _ = layers
    plain = lay["redline"].copy()
    plain.attrs = {}
    track = gpd.GeoDataFrame({"name": ["巡护路线"]}, geometry=[LineString([(121.7, 40.9), (121.8, 41.0)])],
                             crs=4490)
    with assumed("layer 'plain' has no known kind", "layer 'track' has no known kind"):
        html_text = map_html(make_map({"plain": plain, "track": track}))
    styles = st.load_styles()
    poly_style, line_style = st.layer_style(styles, None, plain, 0), st.layer_style(styles, None, track, 1)
    assert poly_style["stroke"] != line_style["stroke"]          # two plain layers stay apart
    assert st.legend_items("default", styles, track, "zh", "track", line_style)[0]["symbol"] == "line"
    assert st.legend_items("default", styles, plain, "zh", "plain", poly_style)[0]["symbol"] == "polygon"
    # the line is drawn unfilled, the polygons filled (folium writes one style per feature)
    styles_js = re.findall(r'"className": ?"[^"]*ecogis-layer-(\d)[^"]*",[^}]*"fill": ?(true|false)', html_text)
    assert {layer: fill for layer, fill in styles_js} == {"0": "true", "1": "false"}, styles_js


def test_focus_on_site(layers):
    lay, site = layers
    m = make_map(lay, site=site, focus="site")
    bounds = np.ravel([c for c in m._children.values() if type(c).__name__ == "FitBounds"][0].bounds)
    s, w, n, e = bounds
    # the site box (122.00-122.05 E, 41.20-41.25 N) is inside the view and the view is much smaller
    # than the data (121.4-122.3 E)
    assert w < 122.00 and e > 122.05 and s < 41.20 and n > 41.25
    assert e - w < 0.2
    with pytest.raises(EcogisError, match="needs a site"):
        make_map(lay, focus="site")


SAMPLE = {  # name -> (kind, path relative to layers/, layer)
    "boundary": ("boundary", "boundary/panjin.gpkg", "city"),
    "redline": ("redline", "redline/redline.shp", None),
    "reserve": ("reserve", "reserve/liaohekou.geojson", None),
    "sections": ("water_section", "water/sections.xlsx", None),
    "outfalls": ("outfall", "water/outfalls.csv", None),
    "wells": ("well", "wells/oil_wells.gpkg", None),
}


@pytest.mark.browser
def test_sample_data_map_in_browser(page, tmp_path, artifacts_dir):
    from ecogis.io import read_layer

    with sample_assumed(*(rel for _, rel, _ in SAMPLE.values()), "sites/sites_zone41.txt"):
        lay = {name: read_layer(LAYERS / rel, kind=kind, layer=layer) for name, (kind, rel, layer) in SAMPLE.items()}
        site = read_layer(LAYERS / "sites" / "sites_zone41.txt", kind="site")
        path = save_map(make_map(lay, site=site, title="盘锦市生态空间管控图（示例数据）"), tmp_path / "panjin.html")
    size = path.stat().st_size
    assert size < 1_500_000
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    page.wait_for_timeout(300)
    assert page.console_errors == []
    # one SVG path per polygon/line/circle feature, one div per outfall: counts from the input files
    for name, css in (("boundary", "boundary"), ("redline", "redline"), ("reserve", "reserve"),
                      ("sections", "water_section"), ("wells", "well")):
        n = int((~lay[name].geometry.is_empty).sum())
        assert page.locator(f"path.ecogis-kind-{css}").count() == n, name
    assert page.locator(".ecogis-kind-outfall").count() == len(lay["outfalls"])
    assert page.locator("path.ecogis-kind-site:not(.ecogis-site-pin)").count() == len(site)
    page.screenshot(path=str(artifacts_dir / "map_folium_sample.png"))


def test_point_site_and_empty_layer():
    pt = gpd.GeoDataFrame({"name": ["点位"]}, geometry=[Point(121.8, 41.0)], crs=4490)
    empty = _kind(gpd.GeoDataFrame({"name": []}, geometry=[], crs=4490), "reserve")
    notes = []
    with pytest.warns(AssumptionWarning, match="no features"):
        m = make_map({"reserve": empty}, site=pt, notes=notes)
    assert notes.count("layer 'reserve' has no features to draw: left out of the legend") == 1
    s, w, n, e = np.ravel([c for c in m._children.values() if type(c).__name__ == "FitBounds"][0].bounds)
    assert 0.015 < e - w < 0.03 and 0.015 < n - s < 0.03   # a ~2 km view, not the maximum zoom
    html_text = map_html(m)   # renders although a layer is empty
    assert "点位" in html_text


@pytest.mark.browser
def test_tiled_basemap_requests_only_tiles(page, layers, tmp_path):
    lay, _ = layers
    path = save_map(make_map({"redline": lay["redline"]}, basemap="osm"), tmp_path / "osm.html")
    requested = []
    page.on("request", lambda req: requested.append(req.url))
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    page.wait_for_timeout(300)
    web = [u for u in requested if u.startswith("http")]
    assert web, "the OSM base map should ask for tiles"
    assert all(re.match(r"https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$", u) for u in web), web
    assert page.locator("path.ecogis-kind-redline").count() == 2   # data drawn although tiles fail


def test_html_writes_chinese_as_utf8_and_leaves_folium_untouched(html_path):
    text = html_path.read_text(encoding="utf-8")
    escaped = re.findall(r"\\u([0-9a-fA-F]{4})", text)
    cjk = [e for e in escaped if 0x4E00 <= int(e, 16) <= 0x9FFF]
    assert len(cjk) <= 8, cjk          # only plugin option strings (全屏, 退出全屏) stay escaped
    assert "赵圈河" in text and '"name":"辽河口红线"' in text
    # other folium maps in the process keep Jinja's default (ASCII, blanks) JSON
    import folium
    plain = folium.Map()
    folium.GeoJson({"type": "Feature", "properties": {"n": "河"}, "geometry": None}).add_to(plain)
    assert json.dumps("河") in plain.get_root().render()


def test_charset_is_declared_in_the_first_1024_bytes(html_path):
    head = html_path.read_bytes()[:1024].decode("utf-8", errors="replace").lower()
    assert "charset=utf-8" in head


@pytest.mark.parametrize("value, key", [("IV", "Ⅳ"), ("劣五类", "劣Ⅴ"), (3, "Ⅲ"), (None, "unknown"),
                                        (float("nan"), "unknown"), ("无数据", "unknown")])
def test_water_class_colour_lookup_accepts_spellings_and_marks_the_rest_unknown(value, key):
    styles = st.load_styles()
    assert st.water_class_entry(styles, value) == (key, styles["water_classes"][key])
