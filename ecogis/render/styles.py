"""Map styles per layer kind, loaded from YAML.

The defaults live in ``ecogis/render/styles.yaml`` (package data; ``maps/styles.yaml`` in the
repository links to it). A user file passed as ``styles=`` / ``--styles`` is merged over the
defaults key by key, so it only needs the entries it changes.

A kind's label and the style entry that draws it come from its :class:`ecogis.layers.KindSpec`
(``label``, ``style``); a style file may still give a kind its own ``label`` for one project.
"""
from __future__ import annotations

import copy
import functools
from importlib import resources
from pathlib import Path

import numpy as np
import shapely

from ecogis.error_messages import error, phrase
from ecogis.errors import EcogisError
from ecogis.kinds import KINDS, kind_label
from ecogis.water_class import normalise_water_class
from ecogis.yamlio import load_yaml, parse_yaml

DEFAULT_STYLES_NAME = "styles.yaml"


@functools.lru_cache(maxsize=1)
def _default_styles() -> dict:
    """The packaged styles.yaml, parsed once per process and kept in the layer cache by its bytes (callers
    get a deep copy: :func:`load_styles`)."""
    from ecogis.layer_cache import cached

    ref = resources.files("ecogis.render").joinpath(DEFAULT_STYLES_NAME)
    files = [ref] if isinstance(ref, Path) else None
    return cached("styles", {}, files, lambda: parse_yaml(ref.read_text(encoding="utf-8"), str(ref)))


def load_styles(styles=None) -> dict:
    """Return the style dictionary: the packaged defaults merged with ``styles``.

    ``styles`` may be None (defaults), a path to a YAML file, or a dict (already parsed).
    Raises EcogisError for a missing file, bad YAML, an unknown top-level key, an entry of the wrong
    shape or a colour that is not one.
    """
    base = copy.deepcopy(_default_styles())
    if styles is None:
        return base
    if isinstance(styles, dict):
        override = styles
    else:
        override = _read_yaml(Path(styles))
    unknown = set(override) - set(base)
    if unknown:
        raise error("maps.unknown_sections", unknown=sorted(unknown), known=sorted(base),
                    path=None if isinstance(styles, dict) else styles, hint="maps.see_styles")
    merged = deep_merge(base, override)
    _check_styles(merged, None if isinstance(styles, dict) else styles)
    return merged


#: allowed values of the numeric style entries: line width and marker radius (pixels), fill opacity (0-1)
STYLE_NUMBER_RANGES = {"width": (0, 50), "fill_opacity": (0, 1), "radius": (0, 100)}


def _check_styles(styles: dict, path) -> None:
    """Raise EcogisError naming the entry when merged styles have the wrong shape or a bad colour."""
    from matplotlib.colors import is_color_like

    def fail(where, expected):
        raise error("maps.bad_entry", where=where, expected=expected, path=path, hint="maps.see_styles")

    for section in ("kinds", "water_classes", "fields", "text"):
        if not isinstance(styles.get(section), dict):
            fail(section, phrase("maps.a_mapping"))
        for key, entry in styles[section].items():
            if not isinstance(entry, dict):
                fail(f"{section}.{key}", phrase("maps.a_mapping"))
    colours = [("background", styles.get("background"))]
    colours += [(f"water_classes.{k}.color", e.get("color")) for k, e in styles["water_classes"].items()]
    for kind, entry in styles["kinds"].items():
        colours += [(f"kinds.{kind}.{c}", entry[c]) for c in ("stroke", "fill") if c in entry]
        for c, (low, high) in STYLE_NUMBER_RANGES.items():
            value = entry.get(c)
            if c in entry and not (isinstance(value, (int, float)) and not isinstance(value, bool)
                                   and low <= value <= high):
                fail(f"kinds.{kind}.{c}", phrase("maps.a_number", low=f"{low:g}", high=f"{high:g}", value=value))
    colours += [(f"default_palette[{i}]", c) for i, c in enumerate(styles.get("default_palette") or [])]
    for where, colour in colours:
        if not (isinstance(colour, str) and is_color_like(colour)):
            fail(where, phrase("maps.a_colour", colour=colour))


def _read_yaml(path: Path) -> dict:
    """A user's style file, read as every other ecogis YAML file is (one-line errors naming the line)."""
    if not path.exists():
        raise error("maps.no_style_file", path=path, hint="maps.check_styles_path")
    data = load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error("maps.style_not_mapping", path=path)
    return data


def deep_merge(base: dict, override: dict) -> dict:
    """Merge ``override`` into ``base`` recursively (dicts merge, other values replace)."""
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def style_key(styles: dict, kind: str | None) -> str | None:
    """The ``kinds`` entry that draws ``kind``: its own entry, else the one its KindSpec names
    (``style``); None when there is none (the layer is drawn with the ``default`` entry)."""
    kinds = styles["kinds"]
    key = KINDS[kind].style_name if kind in KINDS else kind
    for candidate in (kind, key):
        if candidate and candidate != "default" and candidate in kinds:
            return candidate
    return None


def kind_style(styles: dict, kind: str | None) -> dict:
    """The style entry for ``kind`` (the ``default`` entry for unknown or missing kinds)."""
    kinds = styles["kinds"]
    return kinds[style_key(styles, kind) or "default"]


def kind_title(styles: dict, kind: str | None, lang: str = "zh") -> str:
    """The legend title of a kind: a ``label`` the style file gives it, else its KindSpec label
    (:func:`ecogis.layers.kind_label`), else the ``default`` entry's label."""
    own = styles["kinds"].get(kind) if kind and kind != "default" else None
    if own and own.get("label"):
        return label(own, lang)
    if kind in KINDS:
        return kind_label(kind, lang)
    return "" if own else label(styles["kinds"]["default"], lang)


def layer_style(styles: dict, kind: str | None, gdf, index: int = 0) -> dict:
    """The style of one layer: its kind's entry, or for a layer with no style entry the ``default``
    entry drawn as its geometry (outline for lines, circle markers for points, filled polygons)
    in the ``index``-th colour of ``default_palette``, so that several such layers stay apart."""
    key = style_key(styles, kind)
    if key:
        return styles["kinds"][key]
    style = dict(styles["kinds"]["default"])
    palette = styles.get("default_palette") or []
    if palette:
        style["stroke"] = style["fill"] = palette[index % len(palette)]
    geometry = geometry_family(gdf)
    if geometry:
        style["geometry"] = geometry
    return style


def geometry_family(gdf) -> str | None:
    """"point", "line" or "polygon" when all geometries of ``gdf`` are of that family, else None."""
    types = set(np.unique(shapely.get_type_id(np.asarray(gdf.geometry.values))).tolist()) - {-1}
    for family, ids in (("point", {0, 4}), ("line", {1, 2, 5}), ("polygon", {3, 6})):
        if types and types <= ids:
            return family
    return None


def text(styles: dict, key: str, lang: str = "zh") -> str:
    """A fixed map word (legend title, north, units) in ``lang``."""
    entry = styles["text"].get(key)
    return key if entry is None else entry.get(lang, entry.get("zh", key))


def label(entry: dict, lang: str = "zh", fallback: str = "") -> str:
    """The ``zh``/``en`` label of a style entry (or of its ``label`` sub-entry)."""
    lab = entry.get("label", entry)
    if isinstance(lab, dict):
        return str(lab.get(lang) or lab.get("zh") or fallback)
    return str(lab or fallback)


def field_label(styles: dict, field: str, lang: str = "zh") -> str:
    """The display label of an attribute field (canonical fields have Chinese labels)."""
    entry = styles["fields"].get(field)
    return field if entry is None else entry.get(lang, entry.get("zh", field))


def water_class_entry(styles: dict, value) -> tuple[str, dict]:
    """(canonical class, style entry) for a water-quality class value; unknown values map to 'unknown'."""
    classes = styles["water_classes"]
    key = _normalise_water_class(value)
    if key in classes:
        return key, classes[key]
    return "unknown", classes["unknown"]


def _normalise_water_class(value):
    try:
        return normalise_water_class(value)   # None for missing values
    except EcogisError:                       # not a class name: drawn as "unknown"
        return None


def value_entry(style: dict, value) -> tuple[str | None, dict]:
    """(key, entry) for a categorical value of a ``by`` style; unknown values map to ``other``."""
    values = style.get("values", {})
    key = None if value is None else str(value).strip()
    if key in values:
        return key, values[key]
    return "other", style.get("other", {})


# --------------------------------------------------------------------------------------------
# Legend items: renderer-neutral symbols that the folium and matplotlib renderers draw
# --------------------------------------------------------------------------------------------
class LegendItem(dict):
    """One legend row: ``symbol`` (polygon, line, circle, marker, note), ``text`` and paint keys.

    Paint keys: fill, fill_opacity, stroke, width, dash, hatch (kind name or None), shape
    (triangle, diamond, square) for markers.
    """

    def __init__(self, symbol: str, text: str, **paint):
        super().__init__(symbol=symbol, text=text, **paint)


def _present(gdf, column, mapper) -> set:
    if column is None or column not in gdf:
        return {"other"}
    return {mapper(v)[0] for v in gdf[column].astype(object).unique().tolist()}   # once per distinct value


def legend_items(kind: str, styles: dict, gdf, lang: str, title: str, style: dict | None = None) -> list[LegendItem]:
    """Legend rows for one layer; categorical kinds list only the values present in ``gdf``.

    ``style`` is the layer's style if not its kind's entry (see :func:`layer_style`)."""
    style = kind_style(styles, kind) if style is None else style
    geometry = style.get("geometry", "polygon")
    marker = style.get("marker")
    stroke = style.get("stroke", "#333")
    if marker == "section":
        present = set()
        for col in ("measured_class", "target_class"):
            present |= _present(gdf, col, lambda v: water_class_entry(styles, v))
        rows = [LegendItem("circle", entry.get(lang, cls), fill=entry["color"], stroke="#333", width=1)
                for cls, entry in styles["water_classes"].items() if cls != "unknown" or cls in present]
        rows.append(LegendItem("circle", text(styles, "section_ring", lang), fill="#ffffff", stroke="#333",
                               width=3))
        rows.append(LegendItem("note", text(styles, "section_fill", lang)))
        return rows
    if marker == "shape":
        rows = []
        types = {str(v).strip() for v in gdf["type"].astype(object).unique().tolist()} if "type" in gdf else set()
        shapes = style.get("shapes", {})
        for key, shp in shapes.items():
            if key in types:
                rows.append(LegendItem("marker", shp.get(lang, key), shape=shp["shape"], fill="#ffffff",
                                       stroke=stroke, width=1.2))
        if types - set(shapes):
            shp = style.get("other_shape", {})
            rows.append(LegendItem("marker", shp.get(lang, ""), shape=shp.get("shape", "square"),
                                   fill="#ffffff", stroke=stroke, width=1.2))
        present = _present(gdf, style.get("by"), lambda v: value_entry(style, v))
        for key, val in list(style.get("values", {}).items()) + [("other", style.get("other", {}))]:
            if key in present:
                rows.append(LegendItem("marker", val.get(lang, key), shape="square",
                                       fill=val.get("fill", "#888"), stroke=stroke, width=1))
        return _dedupe(rows)
    if marker == "square":
        return [LegendItem("marker", title, shape="square", fill=style.get("fill", "#888"), stroke=stroke,
                           width=1)]
    by = style.get("by")
    if by:
        rows = []
        present = _present(gdf, by, lambda v: value_entry(style, v))
        for key, val in list(style.get("values", {}).items()) + [("other", style.get("other", {}))]:
            if key not in present:
                continue
            entry = {**style, **val}
            rows.append(_plain_item(style_key(styles, kind), entry, geometry, val.get(lang, key)))
        return _dedupe(rows)
    return [_plain_item(style_key(styles, kind), style, geometry, title)]


def _plain_item(key: str | None, entry: dict, geometry: str, label_text: str) -> LegendItem:
    """One legend row; ``key`` is the style entry (its hatch pattern is named after it)."""
    stroke = entry.get("stroke", "#333")
    width = float(entry.get("width", 1.5))
    if geometry == "line":
        return LegendItem("line", label_text, stroke=stroke, width=width, dash=entry.get("dash"))
    if geometry == "point" or entry.get("marker") == "circle":
        return LegendItem("circle", label_text, fill=entry.get("fill", stroke), stroke=stroke, width=width)
    return LegendItem("polygon", label_text, fill=entry.get("fill", "#888"),
                      fill_opacity=float(entry.get("fill_opacity", 0.3)), stroke=stroke, width=width,
                      dash=entry.get("dash"), hatch=key if entry.get("hatch") else None,
                      hatch_color=(entry.get("hatch") or {}).get("color", stroke))


def _dedupe(rows: list[LegendItem]) -> list[LegendItem]:
    seen, out = set(), []
    for row in rows:
        key = (row["symbol"], row["text"], row.get("fill"), row.get("shape"))
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def layer_title(name: str, kind: str | None, styles: dict, lang: str) -> str:
    """Display title of a layer: the kind's label for file-like ASCII names, else the name itself."""
    if kind and str(name).isascii():
        return kind_title(styles, kind, lang) or str(name)
    return str(name)


def unique_titles(items, styles: dict, lang: str) -> list[str]:
    """Titles for (name, kind, ...) items; repeated titles get the layer name in brackets."""
    titles = []
    for it in items:
        meta = (getattr(it[2], "attrs", None) or {}).get("ecogis") or {} if len(it) > 2 else {}
        titles.append(str(meta["label"]) if meta.get("label") else layer_title(it[0], it[1], styles, lang))
    return [f"{t}（{it[0]}）" if titles.count(t) > 1 and t != it[0] else t for it, t in zip(items, titles)]
