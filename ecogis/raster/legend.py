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

from ecogis.errors import EcogisError
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
            raise EcogisError(
                f"{what} holds class codes {unknown} that legend {self.name!r} does not define "
                f"(known codes: {list(self.codes)})",
                path=path,
                hint="Pass the product's legend with --classes (a YAML like ecogis/data/landcover_classes.yaml)",
            )

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
                raise EcogisError(
                    f"class {item!r} is not in legend {self.name!r}",
                    field="--to",
                    hint="Use codes or names from: " + ", ".join(f"{c.code} {c.zh}/{c.en}" for c in self.classes),
                )
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
            raise EcogisError("legend file not found", path=p, hint="Check the --classes path")
        where = str(p)
        doc = load_yaml(p)
    if not isinstance(doc, dict) or not isinstance(doc.get("classes"), list) or not doc["classes"]:
        raise EcogisError("a legend needs a non-empty 'classes' list", path=where,
                          hint="See ecogis/data/landcover_classes.yaml for the format")
    classes = [_parse_class(item, i, where) for i, item in enumerate(doc["classes"])]
    codes = [c.code for c in classes]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise EcogisError(f"class codes {dupes} are defined more than once", path=where, field="code")
    nodata = doc.get("nodata")
    if nodata is not None and int(nodata) in codes:
        raise EcogisError(f"nodata code {nodata} is also a class code", path=where, field="nodata")
    legend = Legend(
        name=str(doc.get("name") or Path(where).stem), classes=tuple(classes),
        nodata=None if nodata is None else int(nodata),
        title_zh=str(doc.get("title_zh", "")), title_en=str(doc.get("title_en", "")), path=where,
    )
    return replace(legend, change_of_interest=legend.parse_codes([str(c) for c in doc.get("change_of_interest") or []]))


def _parse_class(item, i, where) -> LandClass:
    if not isinstance(item, dict):
        raise EcogisError("each class must be a mapping {code, zh, en, color}", path=where, feature=i)
    missing = [k for k in ("code", "zh", "en") if k not in item]
    if missing:
        raise EcogisError(f"class is missing {missing}", path=where, feature=i, field=missing[0])
    try:
        code = int(item["code"])
    except (TypeError, ValueError) as exc:
        raise EcogisError(f"code {item['code']!r} is not an integer", path=where, feature=i, field="code") from exc
    if not INT64.min < code <= INT64.max:   # class codes are held as int64 (the lowest value marks nodata)
        raise EcogisError(f"code {code} is out of range for raster class codes", path=where, feature=i, field="code",
                          hint=f"Use an integer between {INT64.min + 1} and {INT64.max}")
    color = str(item.get("color", "#808080"))
    if not _COLOUR.match(color):
        raise EcogisError(f"colour {color!r} is not #RRGGBB", path=where, feature=i, field="color")
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
        raise EcogisError(f"raster declares legend {declared!r} but no legend file was given", path=raster,
                          hint=f"Pass --classes with the {declared} legend YAML")
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
