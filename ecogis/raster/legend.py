"""Land-cover class legends: code, Chinese name, English name, colour.

A legend is a small YAML file (see ``ecogis/data/landcover_classes.yaml``, the default: CLCD
first-level classes). Every class code found in a raster must be in its legend, and two rasters
compared for change must share one legend.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np

from ecogis.error_messages import error, phrase
from ecogis.raster.messages import say
from ecogis.yamlio import load_yaml, parse_yaml

DEFAULT_LEGEND = "landcover_classes.yaml"
INT64 = np.iinfo(np.int64)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class LandClass:
    """One land-cover class: integer raster code, names and a ``#RRGGBB`` colour."""

    code: int
    zh: str
    en: str
    color: str

    def name(self, lang: str = "zh") -> str:
        """The class name in ``lang`` ("zh" or "en"; another language gets the English name)."""
        return {"zh": self.zh}.get(lang, self.en)

    def to_dict(self) -> dict:
        return {"code": self.code, "zh": self.zh, "en": self.en, "color": self.color}


@dataclass(frozen=True)
class Legend:
    """A land-cover legend; ``nodata`` is the product's fill code (used when a raster declares none)."""

    name: str
    classes: tuple[LandClass, ...]
    nodata: int | None = None
    change_of_interest: tuple[int, ...] = ()
    title_zh: str = ""
    title_en: str = ""
    path: str | None = field(default=None, compare=False)

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(c.code for c in self.classes)

    def by_code(self) -> dict[int, LandClass]:
        return {c.code: c for c in self.classes}

    def get(self, code: int) -> LandClass:
        return self.by_code()[int(code)]

    def check_codes(self, codes, *, path=None, what: str = "raster") -> None:
        """Raise EcogisError naming every code in ``codes`` that is not a class of this legend."""
        nodata = {self.nodata} if self.nodata is not None else set()
        unknown = sorted({int(c) for c in codes} - set(self.codes) - nodata)
        if unknown:
            named = phrase("raster.what_raster") if what == "raster" else what
            raise error("raster.unknown_codes", path=path, what=named, codes=unknown, legend=repr(self.name),
                        known=list(self.codes), hint="raster.pass_classes")

    def same_classes(self, other: "Legend") -> bool:
        """True when both legends define the same codes with the same names (colours may differ)."""
        key = lambda lg: sorted((c.code, c.zh, c.en) for c in lg.classes)  # noqa: E731
        return key(self) == key(other)

    def parse_codes(self, text) -> tuple[int, ...]:
        """Turn ``"8,7"`` or ``"建设用地,Barren"`` (codes or names in either language) into codes."""
        if text is None:
            return self.change_of_interest
        items = text if isinstance(text, (list, tuple)) else str(text).split(",")
        lookup = {}
        for c in self.classes:
            lookup[str(c.code)] = c.code
            lookup[c.zh.lower()] = c.code
            lookup[c.en.lower()] = c.code
        out = []
        for item in items:
            key = str(item).strip().lower()
            if not key:
                continue
            if key not in lookup:
                raise error("raster.class_not_in_legend", field="--to", item=repr(item), legend=repr(self.name),
                            classes=", ".join(f"{c.code} {c.zh}/{c.en}" for c in self.classes),
                            hint="raster.use_classes")
            out.append(lookup[key])
        return tuple(dict.fromkeys(out))

    def to_dict(self) -> dict:
        return {
            "name": self.name, "title_zh": self.title_zh, "title_en": self.title_en, "nodata": self.nodata,
            "change_of_interest": list(self.change_of_interest), "path": self.path,
            "classes": [c.to_dict() for c in self.classes],
        }


def load_legend(path=None) -> Legend:
    """Read a legend YAML (``None``: the packaged CLCD default) and validate it."""
    if path is None:
        ref = resources.files("ecogis").joinpath("data", DEFAULT_LEGEND)
        where = str(ref)
        doc = parse_yaml(ref.read_text(encoding="utf-8"), where)
    else:
        p = Path(path)
        if not p.exists():
            raise error("raster.legend_not_found", path=p, hint="raster.check_classes_path")
        where = str(p)
        doc = load_yaml(p)
    if not isinstance(doc, dict) or not isinstance(doc.get("classes"), list) or not doc["classes"]:
        raise error("raster.legend_classes", path=where, hint="raster.legend_format")
    classes = [_parse_class(item, i, where) for i, item in enumerate(doc["classes"])]
    codes = [c.code for c in classes]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise error("raster.duplicate_codes", path=where, field="code", codes=dupes)
    nodata = doc.get("nodata")
    if nodata is not None and int(nodata) in codes:
        raise error("raster.nodata_is_class", path=where, field="nodata", nodata=nodata)
    legend = Legend(
        name=str(doc.get("name") or Path(where).stem), classes=tuple(classes),
        nodata=None if nodata is None else int(nodata),
        title_zh=str(doc.get("title_zh", "")), title_en=str(doc.get("title_en", "")), path=where,
    )
    return replace(legend, change_of_interest=legend.parse_codes([str(c) for c in doc.get("change_of_interest") or []]))


def _parse_class(item, i, where) -> LandClass:
    if not isinstance(item, dict):
        raise error("raster.class_mapping", path=where, feature=i)
    missing = [k for k in ("code", "zh", "en") if k not in item]
    if missing:
        raise error("raster.class_missing", path=where, feature=i, field=missing[0], missing=missing)
    try:
        code = int(item["code"])
    except (TypeError, ValueError) as exc:
        raise error("raster.code_not_integer", path=where, feature=i, field="code", code=repr(item["code"])) from exc
    if not INT64.min < code <= INT64.max:   # class codes are held as int64 (the lowest value marks nodata)
        raise error("raster.code_range", path=where, feature=i, field="code", code=code, low=INT64.min + 1,
                    high=INT64.max, hint="raster.use_integer")
    color = str(item.get("color", "#808080"))
    if not _COLOUR.match(color):
        raise error("raster.colour", path=where, feature=i, field="color", color=repr(color))
    return LandClass(code=code, zh=str(item["zh"]), en=str(item["en"]), color=color.upper())


def sidecar_legend_path(raster) -> Path:
    """``<raster>.classes.yaml``: a legend shipped beside a raster (e.g. ``lc_2023.tif.classes.yaml``)."""
    p = Path(raster)
    return p.with_name(p.name + ".classes.yaml")


def legend_for(raster, legend=None, *, notes=None) -> Legend:
    """The legend of ``raster``: ``legend`` if given (Legend or path), else its sidecar, else the default."""
    given = legend if isinstance(legend, Legend) else load_legend(legend) if legend is not None else None
    side = sidecar_legend_path(raster)
    if given is None and side.exists():
        given = load_legend(side)
    if given is not None:
        declared = _declared_legend(raster)
        if declared is not None and declared.strip().lower() != given.name.lower():
            say("legend_override", notes, path=raster, declared=repr(declared), given=repr(given.name))
        return given
    lg = load_legend(None)
    declared = _declared_legend(raster)
    if declared is not None and declared.strip().lower() == lg.name.lower():
        say("declared_legend", notes, warn=False, path=raster, name=lg.name)
        return lg
    if declared is not None:
        raise error("raster.declared_legend", path=raster, declared=repr(declared), name=declared,
                    hint="raster.pass_declared")
    say("default_legend", notes, path=raster, side=side.name, name=lg.name,
        classes=", ".join(f"{c.code} {c.zh}" for c in lg.classes))
    return lg


def _declared_legend(raster) -> str | None:
    """The ``legend`` metadata tag of ``raster`` (as written by ecogis), if any."""
    import rasterio

    try:
        with rasterio.open(raster) as ds:
            return ds.tags().get("legend") or ds.tags().get("LEGEND")
    except rasterio.errors.RasterioIOError:
        return None
