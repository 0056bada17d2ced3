"""The shortcuts of the HTML map (ecogis.render.folium_map) against the plain computation: layers drawn in
EPSG:4326 degrees from one transform per CRS, CGCS2000 degrees drawn as they are, and every feature of
every layer on the page (coordinates from geopandas ``to_crs`` and ``round`` directly)."""
from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pyproj
from shapely.geometry import LineString, Point, box

from ecogis.render.folium_map import make_map, map_html


def _page_features(page: str) -> list[dict]:
    decoder = json.JSONDecoder()
    return [f for m in re.finditer(r"geo_json_[0-9a-f]+_add\(", page)
            for f in decoder.raw_decode(page, m.end())[0]["features"]]


def test_proj_leaves_cgcs2000_degrees_unchanged_in_wgs84():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(73, 135, 10_000), rng.uniform(18, 54, 10_000)
    x, y = pyproj.Transformer.from_crs("EPSG:4490", "EPSG:4326", always_xy=True).transform(lon, lat)
    assert np.array_equal(x, lon) and np.array_equal(y, lat)


def test_page_coordinates_are_geopandas_to_crs_rounded():
    zone = gpd.GeoDataFrame({"name": ["核心区", "缓冲区"]},
                            geometry=[box(121.51, 41.01, 121.6, 41.1), box(121.6, 41.0, 121.7, 41.1)], crs="EPSG:4490")
    zone.attrs = {"ecogis": {"kind": "reserve"}}
    wells = gpd.GeoDataFrame({"id": ["W1", "W2", "W3"]},
                             geometry=[Point(121.55, 41.05), Point(121.65, 41.02), Point(121.68, 41.09)], crs="EPSG:4490")
    wells.attrs = {"ecogis": {"kind": "well"}}
    projected = gpd.GeoDataFrame({"name": ["岸段"]}, geometry=[LineString([(41_545_000, 4_540_000),
                                                                         (41_548_000, 4_543_500)])],
                                 crs="EPSG:4529").to_crs("EPSG:4528")   # a projected CRS: transformed
    projected.attrs = {"ecogis": {"kind": "shoreline"}}
    layers = {"zone": zone, "wells": wells, "shore": projected}
    features = [f for f in _page_features(map_html(make_map(layers))) if not f["properties"].get("_pin")]
    names = {f["properties"].get("name") or f["properties"].get("id"): f["geometry"] for f in features}
    for gdf in layers.values():
        expected = gdf.to_crs("EPSG:4326")
        for label, geom in zip(expected.get("name", expected.get("id")), expected.geometry):
            got = names[label]
            assert got["type"] == geom.geom_type
            want = np.round(np.asarray(geom.exterior.coords if geom.geom_type == "Polygon" else geom.coords), 6)
            coords = got["coordinates"][0] if got["type"] == "Polygon" else got["coordinates"]
            assert np.array_equal(np.atleast_2d(coords), np.atleast_2d(want)), label
    assert len(features) == sum(len(g) for g in layers.values())


def test_geometry_text_collection_is_the_json_of_the_parsed_collection():
    import shapely

    from ecogis.render.folium_offline import GeometryText, template_safe_json

    shapes = [box(0, 0, 1, 1), LineString([(0, 0), (1.5, 2.25)]), Point(121.123456, 41.000001),
              shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])]
    texts = shapely.to_geojson(np.array(shapes, dtype=object))
    props = [{"name": "{{7*7}} 河", "n": 1}, {"name": "</script>"}, {}, {"x": None}]
    fast = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": i, "properties": p, "geometry": GeometryText(t, s.geom_type)}
        for i, (t, s, p) in enumerate(zip(texts, shapes, props))]}
    plain = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": i, "properties": p, "geometry": json.loads(t)}
        for i, (t, p) in enumerate(zip(texts, props))]}
    kwargs = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    written = template_safe_json(fast, **kwargs)
    assert json.loads(written) == plain
    assert "{{" not in written and "{\\u007b7*7}} 河" in written   # template syntax escaped, UTF-8 kept
    assert json.loads(template_safe_json(fast, indent=1)) == plain   # other json.dumps options still JSON


def test_packaged_styles_from_the_layer_cache_are_the_file(layer_cache_dir):
    from importlib import resources

    import yaml

    from ecogis.render import styles as st

    expected = yaml.safe_load(resources.files("ecogis.render").joinpath("styles.yaml").read_text(encoding="utf-8"))
    loaded = []
    for _ in range(2):   # the first parses and fills the cache, the second reads it
        st._default_styles.cache_clear()
        loaded.append(st.load_styles())
    assert len(list((layer_cache_dir / "styles").glob("*.pickle"))) == 1
    assert loaded[0] == loaded[1] == expected
    loaded[1]["kinds"].clear()       # a caller's copy: the next load is whole again
    assert st.load_styles() == expected
    st._default_styles.cache_clear()
