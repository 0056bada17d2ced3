"""Layer kinds, canonical fields, field-name aliases and value normalisation.

Step two of read -> normalise -> analyse -> render. Chinese GIS data names the same thing in many
ways: a reserve zone field may be called ``功能分区``, ``GNFQ``, ``分区`` or ``zone``, and its values
``核心区``, ``核心``, ``core`` or ``Core Zone``; a water-quality class may be written ``Ⅳ``, ``IV``,
``4``, ``四类`` or ``Ⅳ类``. :func:`normalise_layer` renames the columns of a layer to the canonical
fields of its kind (:data:`KINDS`) and rewrites the values to one spelling, so the analyses never
guess. A value it cannot place is an :class:`~ecogis.errors.EcogisError` that names the feature, the
field and the allowed values.

Field matching order (first match wins, each source column is used once):

1. the user mapping ``fields={"source column": "canonical field"}``;
2. a column already named like the canonical field (case-insensitive);
3. the aliases below, in order, first as written and then ignoring a unit in brackets at the end
   (``蒸吨(t/h)`` matches ``蒸吨``) (Chinese names, English names and the uppercase pinyin codes of
   official databases such as ``MC`` 名称, ``BSM`` 标识码, ``XZQDM`` 行政区代码, ``GNFQ`` 功能分区).

Canonical fields that are optional and absent are added as empty (``None``) columns, so code that
consumes a normalised layer can rely on every canonical column existing. Other columns are kept
unchanged.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecogis.error_messages import Phrase, error, phrase
from ecogis.errors import EcogisError
from ecogis.messages import say

# --------------------------------------------------------------------------------------------------
# Controlled vocabularies
# --------------------------------------------------------------------------------------------------

#: Surface water quality classes of GB 3838-2002, best first.
WATER_CLASSES: tuple[str, ...] = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ")

#: Nature-reserve functional zones: the three zones of the 自然保护区条例 (Art. 18) and the two zones
#: used after the 2019 reform of the protected-area system.
ZONES: tuple[str, ...] = ("核心区", "缓冲区", "实验区", "核心保护区", "一般控制区")

#: Control levels of water monitoring sections (national, provincial, municipal).
CONTROL_LEVELS: tuple[str, ...] = ("国控", "省控", "市控")

#: Outfall types: into a river (入河) or into the sea (入海).
OUTFALL_TYPES: tuple[str, ...] = ("入河", "入海")

#: Drinking-water source protection zone grades.
WATER_SOURCE_GRADES: tuple[str, ...] = ("一级", "二级", "准保护区")

#: Shoreline types for the natural-shoreline retention rate.
SHORELINE_TYPES: tuple[str, ...] = ("自然", "人工")

#: Reserve levels (free text is allowed, these spellings are normalised).
RESERVE_LEVELS: tuple[str, ...] = ("国家级", "省级", "市级", "县级")

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5,
              "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in ("", "-", "—", "/", "无")


def _clean_text(value) -> str:
    """NFKC-fold (full-width to ASCII, Roman numeral signs to letters), strip spaces, upper-case."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s_\-]+", "", text).upper()


def _vocabulary_error(kind_of_value: str, value, allowed, examples: str) -> EcogisError:
    return error("layers.unknown_value", what=kind_of_value, value=value, allowed=", ".join(allowed),
                 examples=examples, hint="layers.fix_value")


def normalise_water_class(value) -> str | None:
    """Return the GB 3838-2002 class ``"Ⅰ"`` .. ``"Ⅴ"`` or ``"劣Ⅴ"`` for any common spelling.

    Accepts ``Ⅳ``, ``IV``, ``iv``, ``4``, ``4.0``, ``四``, ``四类``, ``Ⅳ类``, ``IV类水``, ``Class IV``,
    ``劣V``, ``劣Ⅴ类``, ``劣五类``, ``劣5``. Missing values (None, NaN, empty) return None.
    Anything else raises :class:`EcogisError` listing the allowed classes.
    """
    if _is_missing(value):
        return None
    text = _clean_text(value)
    worse = False
    if text.startswith("劣"):
        worse, text = True, text[1:]
    elif text.startswith("WORSETHAN"):
        worse, text = True, text[len("WORSETHAN"):]
    text = re.sub(r"\.0+$", "", text)
    text = re.sub(r"^(CLASS|GRADE|第)", "", text)
    text = re.sub(r"(类水质|类水|类|水质|CLASS)$", "", text)
    number = _CN_DIGITS.get(text)
    if number is None or (worse and number != 5):
        raise _vocabulary_error("water-quality class", value, WATER_CLASSES, "IV, 4, 四类, Ⅳ类, 劣V, 劣五类")
    return "劣Ⅴ" if worse else WATER_CLASSES[number - 1]


def class_rank(value) -> int:
    """Rank of a water-quality class: 1 for Ⅰ (best) .. 6 for 劣Ⅴ (worst). Any spelling is accepted."""
    cls = normalise_water_class(value)
    if cls is None:
        raise error("layers.no_water_class", hint="layers.water_class_needed")
    return WATER_CLASSES.index(cls) + 1


def meets_target(measured, target) -> bool | None:
    """True when the measured class is at or better than the target class; None if either is missing."""
    if _is_missing(measured) or _is_missing(target):
        return None
    return class_rank(measured) <= class_rank(target)


def _lookup(table: dict[str, str], label: str, allowed, examples: str) -> Callable[[object], str | None]:
    """Build a normaliser that maps cleaned spellings (see :func:`_clean_text`) to canonical values."""
    cleaned = {_clean_text(k): v for k, v in table.items()}
    cleaned.update({_clean_text(v): v for v in allowed})

    def normalise(value):
        if _is_missing(value):
            return None
        try:
            return cleaned[_clean_text(value)]
        except KeyError:
            raise _vocabulary_error(label, value, allowed, examples) from None

    normalise.__doc__ = f"Normalise a {label} to one of {', '.join(allowed)}; missing -> None."
    return normalise


normalise_zone = _lookup({
    "核心": "核心区", "核心区域": "核心区", "core": "核心区", "core zone": "核心区", "core area": "核心区",
    "缓冲": "缓冲区", "缓冲区域": "缓冲区", "buffer": "缓冲区", "buffer zone": "缓冲区",
    "buffer area": "缓冲区",
    "实验": "实验区", "实验区域": "实验区", "试验区": "实验区", "experimental": "实验区",
    "experimental zone": "实验区", "experiment": "实验区", "experimental area": "实验区",
    "transition": "实验区", "transition zone": "实验区",
    "核心保护区域": "核心保护区", "core protection zone": "核心保护区", "core protected zone": "核心保护区",
    "一般控制区域": "一般控制区", "一般控制": "一般控制区", "general control zone": "一般控制区",
    "general control area": "一般控制区",
}, "reserve zone", ZONES, "核心, core, buffer, experimental, core protection zone, general control zone")
normalise_zone.__doc__ = """Normalise a reserve zone to 核心区 / 缓冲区 / 实验区 / 核心保护区 / 一般控制区.

``核心``, ``core``, ``Core Zone`` -> 核心区; ``buffer`` -> 缓冲区; ``experimental``, ``transition``,
``试验区`` -> 实验区; ``core protection zone`` -> 核心保护区; ``general control zone`` -> 一般控制区.
Missing -> None; anything else raises :class:`EcogisError` listing :data:`ZONES`."""

normalise_control_level = _lookup({
    "国考": "国控", "国家": "国控", "国家级": "国控", "国控断面": "国控", "国考断面": "国控",
    "national": "国控",
    "省考": "省控", "省": "省控", "省级": "省控", "省控断面": "省控", "省考断面": "省控",
    "provincial": "省控",
    "市考": "市控", "市": "市控", "市级": "市控", "市控断面": "市控", "市考断面": "市控",
    "municipal": "市控", "city": "市控",
}, "control level", CONTROL_LEVELS, "国考, 省考, 市考, 国家级, national, provincial, municipal")

normalise_outfall_type = _lookup({
    "入河排污口": "入河", "入河排放口": "入河", "河": "入河", "river": "入河",
    "入海排污口": "入海", "入海排放口": "入海", "海": "入海", "sea": "入海", "ocean": "入海",
    "marine": "入海",
}, "outfall type", OUTFALL_TYPES, "入河排污口, 入海排污口, river, sea")

normalise_water_source_grade = _lookup({
    "一级保护区": "一级", "1": "一级", "I": "一级", "first": "一级", "grade1": "一级", "primary": "一级",
    "二级保护区": "二级", "2": "二级", "II": "二级", "second": "二级", "grade2": "二级",
    "secondary": "二级",
    "准保护": "准保护区", "准": "准保护区", "quasi": "准保护区", "quasi protection zone": "准保护区",
}, "water-source zone grade", WATER_SOURCE_GRADES, "一级保护区, 二级保护区, 1, 2, first, second")

normalise_shoreline_type = _lookup({
    "自然岸线": "自然", "natural": "自然", "人工岸线": "人工", "artificial": "人工", "man-made": "人工",
    "manmade": "人工",
}, "shoreline type", SHORELINE_TYPES, "自然岸线, 人工岸线, natural, artificial")

_RESERVE_LEVEL_SPELLINGS = {
    _clean_text(k): v for k, v in {
        "国家": "国家级", "national": "国家级", "省": "省级", "provincial": "省级", "市": "市级",
        "municipal": "市级", "县": "县级", "county": "县级", **{v: v for v in RESERVE_LEVELS},
    }.items()}

_WELL_STATUS_SPELLINGS = {
    _clean_text(k): v for k, v in {
        "关停": "已关停", "已关": "已关停", "封井": "已关停", "已封井": "已关停", "停产": "已关停",
        "closed": "已关停", "shut": "已关停", "shutin": "已关停", "abandoned": "已关停",
        "生产": "在产", "在用": "在产", "正常": "在产", "active": "在产", "producing": "在产",
        "已关停": "已关停", "在产": "在产",
    }.items()}


_FACILITY_STATUS_SPELLINGS = {
    _clean_text(k): v for k, v in {
        "关停": "已关停", "已关": "已关停", "拆除": "已关停", "已拆除": "已关停", "淘汰": "已关停",
        "已淘汰": "已关停", "closed": "已关停", "shut": "已关停", "停用": "已关停", "已停用": "已关停",
        "运行": "在用", "在运": "在用", "使用": "在用", "正常": "在用", "active": "在用", "operating": "在用",
        "in use": "在用", "已关停": "已关停", "在用": "在用",
    }.items()}


def _soft(table: dict[str, str]) -> Callable[[object], object]:
    """Normaliser for free-text fields: known spellings are unified, others kept as they are."""
    def normalise(value):
        if _is_missing(value):
            return None
        return table.get(_clean_text(value), str(value).strip())
    return normalise


def _text(value):
    if _is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _numeric(unit: str, spellings: tuple[str, ...]) -> Callable[[object], float | None]:
    """Normaliser for a number in ``unit``: plain numbers, or numbers followed by one of ``spellings``.

    A number written with another unit (``58MW`` in a t/h field) is an error, never silently read as
    if it were in the field's unit.
    """
    pattern = re.compile(r"([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*(" + "|".join(map(re.escape, spellings)) + r")?",
                         flags=re.IGNORECASE)

    def normalise(value):
        if _is_missing(value):
            return None
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            return float(value)
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        match = pattern.fullmatch(text)
        if match is None:
            raise error("layers.not_number_in", unit=unit, value=value, hint="layers.plain_number")
        return float(match.group(1))

    normalise.numeric = True  # type: ignore[attr-defined]  # a marker read by getattr(..., "numeric") below
    return normalise


_tonnes_per_hour = _numeric("t/h", ("T/H", "吨/时", "吨/小时", "蒸吨", "T"))
_megawatts = _numeric("MW", ("MW", "兆瓦"))
#: declared areas keep the source's unit (never used for computed figures); its spelling is dropped
_number = _numeric("the source's area unit", ("KM2", "KM²", "HA", "公顷", "M2", "M²", "平方米", "平方公里", "亩"))


def _is_numeric(fspec) -> bool:
    return getattr(fspec.normalise, "numeric", False)


# Vocabularies of the 生态环境分区管控 kinds (control units, farmland, protected areas, wetlands).

#: Classes of 环境管控单元 (the class digit of a unit code ZH<adcode><1|2|3><serial> follows this order).
UNIT_CLASSES: tuple[str, ...] = ("优先保护单元", "重点管控单元", "一般管控单元")
normalise_unit_class = _lookup({
    "优先保护": "优先保护单元", "优先保护类": "优先保护单元", "优先保护区": "优先保护单元", "优先": "优先保护单元",
    "priority protection": "优先保护单元", "priority": "优先保护单元",
    "重点管控": "重点管控单元", "重点管控类": "重点管控单元", "重点管控区": "重点管控单元", "重点": "重点管控单元",
    "key control": "重点管控单元", "key": "重点管控单元",
    "一般管控": "一般管控单元", "一般管控类": "一般管控单元", "一般管控区": "一般管控单元", "一般": "一般管控单元",
    "general control": "一般管控单元", "general": "一般管控单元",
}, "control-unit class", UNIT_CLASSES, "优先保护, 重点管控, 一般管控, priority, key, general")

#: 永久基本农田 and its reserve (储备区).
FARMLAND_TYPES: tuple[str, ...] = ("永久基本农田", "永久基本农田储备区")
normalise_farmland_type = _lookup({
    "基本农田": "永久基本农田", "永久基本农田保护图斑": "永久基本农田", "永久基本农田图斑": "永久基本农田",
    "permanent basic farmland": "永久基本农田", "储备区": "永久基本农田储备区",
    "基本农田储备区": "永久基本农田储备区", "reserve": "永久基本农田储备区",
}, "farmland type", FARMLAND_TYPES, "基本农田, 储备区, 基本农田储备区")

#: The two zones of every 自然保护地 since the 2019 reform; older zone names are mapped to them.
PROTECTED_AREA_ZONES: tuple[str, ...] = ("核心保护区", "一般控制区")
#: Older zone names -> the zone they are managed as. 自然保护区: 核心区 and 缓冲区 -> 核心保护区, 实验区 ->
#: 一般控制区 (自然保护区条例 as revised by 国务院令第830号); 自然公园 planning zones: the conservation zones
#: (生态保育区, 湿地保育区/保育区, 核心景区, 特级保护区) -> 核心保护区, the use zones -> 一般控制区.
PROTECTED_AREA_OLD_ZONES: dict[str, str] = {
    "核心区": "核心保护区", "缓冲区": "核心保护区", "实验区": "一般控制区",
    "生态保育区": "核心保护区", "湿地保育区": "核心保护区", "保育区": "核心保护区", "核心景区": "核心保护区",
    "特级保护区": "核心保护区", "核心景观区": "一般控制区", "一般游憩区": "一般控制区", "管理服务区": "一般控制区",
    "恢复重建区": "一般控制区", "合理利用区": "一般控制区", "宣教展示区": "一般控制区", "一级保护区": "一般控制区",
    "二级保护区": "一般控制区", "三级保护区": "一般控制区",
}
normalise_protected_area_zone = _lookup({
    **PROTECTED_AREA_OLD_ZONES, "核心保护": "核心保护区", "core protection zone": "核心保护区", "core": "核心保护区",
    "一般控制": "一般控制区", "general control zone": "一般控制区", "general control": "一般控制区",
}, "protected-area zone", PROTECTED_AREA_ZONES, "核心区, 缓冲区, 实验区, 生态保育区, 合理利用区, 核心景区")

#: Types of 自然保护地 other than nature reserves (spellings unified, other text kept).
PROTECTED_AREA_TYPES: tuple[str, ...] = ("国家公园", "风景名胜区", "森林公园", "湿地公园", "地质公园", "海洋公园",
                                         "沙漠公园", "草原公园", "自然保护区")
PROTECTED_AREA_TYPE_SPELLINGS = {
    _clean_text(k): v for k, v in {
        "national park": "国家公园", "scenic area": "风景名胜区", "风景区": "风景名胜区", "forest park": "森林公园",
        "wetland park": "湿地公园", "geopark": "地质公园", "marine park": "海洋公园", "海洋特别保护区": "海洋公园",
        **{v: v for v in PROTECTED_AREA_TYPES}}.items()}

#: Levels of wetlands in 湿地保护法 (2021): 重要湿地 (国家重要湿地, 省级重要湿地) and 一般湿地.
WETLAND_LEVELS: tuple[str, ...] = ("国家重要湿地", "省级重要湿地", "一般湿地")
normalise_wetland_level = _lookup({
    "国家级": "国家重要湿地", "国家": "国家重要湿地", "国家级重要湿地": "国家重要湿地", "national": "国家重要湿地",
    "省级": "省级重要湿地", "省": "省级重要湿地", "省重要湿地": "省级重要湿地", "provincial": "省级重要湿地",
    "一般": "一般湿地", "其他湿地": "一般湿地", "general": "一般湿地",
}, "wetland level", WETLAND_LEVELS, "国家级, 省级, 一般")


# --------------------------------------------------------------------------------------------------
# Kinds and their canonical fields
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldSpec:
    """One canonical field of a layer kind.

    ``allowed`` lists the canonical values when the field has a controlled vocabulary (an unknown
    value is then an error); ``normalise`` maps one source value to its canonical form.
    """
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    allowed: tuple[str, ...] | None = None
    normalise: Callable[[object], object] = _text
    description: str = ""


@dataclass(frozen=True)
class KindSpec:
    """A layer kind: its geometry, canonical fields, zone field, labels and default style.

    This is the one place a kind is described: field matching and value normalisation
    (:func:`normalise_layer`), screening and rules (``zone_field``), report text and map legends
    (:meth:`label`) and map styles (``style``) all read it, so a new kind is one entry
    (:func:`register_kind`).

    ``zone_field`` is the canonical field that splits the kind into zones for rules (a rule's
    ``zone:``) and summaries (None: the kind has no zones). ``style`` names its entry in
    ``ecogis/render/styles.yaml`` (None: the entry named like the kind, else the ``default`` entry).
    """
    name: str
    geometry: str  # "polygon", "line", "point" or "any"
    title_zh: str
    title_en: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    zone_field: str | None = None
    style: str | None = None

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(n for n, f in self.fields.items() if f.required)

    @property
    def style_name(self) -> str:
        """The styles.yaml entry that draws this kind."""
        return self.style or self.name

    def label(self, lang: str = "zh") -> str:
        """The kind's display label: Chinese (default) or English (``lang="en"``)."""
        return {"en": self.title_en}.get(lang, self.title_zh)


# Aliases shared by several kinds.
_NAME = ("名称", "MC", "NAME", "名字", "地名", "NAME_ZH", "NAME_CN", "中文名")
_ID = ("编号", "BSM", "标识码", "BH", "代码", "CODE", "ID", "FID_1")
_AREA = ("面积", "MJ", "AREA", "SHAPE_AREA", "图斑面积", "TBMJ")


def _spec(*fields: FieldSpec) -> dict[str, FieldSpec]:
    return {f.name: f for f in fields}


def _area_field() -> FieldSpec:
    return FieldSpec("declared_area", _AREA, normalise=_number,
                     description="area as declared in the source (unit as in the source; never used "
                                 "for computed figures)")


KINDS: dict[str, KindSpec] = {
    "boundary": KindSpec("boundary", "polygon", "行政边界", "Administrative boundary", _spec(
        FieldSpec("name", ("行政区名称", "XZQMC", "行政区", "区划名称", "QHMC") + _NAME, required=True,
                  description="administrative name, e.g. 盘锦市"),
        FieldSpec("adcode", ("行政区代码", "XZQDM", "行政区划代码", "区划代码", "QHDM", "ADCODE", "GB",
                             "CODE", "代码"),
                  description="administrative division code (6 digits for counties and above)"),
        _area_field(),
    )),
    "redline": KindSpec("redline", "polygon", "生态保护红线", "Ecological protection red line", _spec(
        FieldSpec("id", ("红线编号", "HXBH", "图斑编号", "TBBH") + _ID),
        FieldSpec("name", ("红线名称", "HXMC", "区块名称", "QKMC") + _NAME),
        FieldSpec("type", ("类型", "红线类型", "HXLX", "生态功能", "主导生态功能", "生态功能类型", "STGN",
                           "STGNLX", "LX", "DLMC", "地类名称", "TYPE", "CATEGORY"),
                  description="dominant ecological function or red-line type"),
        _area_field(),
    ), zone_field="type"),
    "reserve": KindSpec("reserve", "polygon", "自然保护区", "Nature reserve", _spec(
        FieldSpec("name", ("保护区名称", "BHQMC", "保护地名称", "ZRBHDMC") + _NAME),
        FieldSpec("level", ("级别", "保护区级别", "BHQJB", "JB", "保护级别", "LEVEL"),
                  normalise=_soft(_RESERVE_LEVEL_SPELLINGS),
                  description="国家级 / 省级 / 市级 / 县级 (free text kept)"),
        FieldSpec("zone", ("功能分区", "GNFQ", "功能区", "分区", "功能区划", "GNQ", "FQ", "分区名称",
                           "FQMC", "ZONE", "ZONING", "类型", "TYPE"),
                  required=True, allowed=ZONES, normalise=normalise_zone,
                  description="核心区 / 缓冲区 / 实验区 (or 核心保护区 / 一般控制区 after 2019)"),
        _area_field(),
    ), zone_field="zone"),
    "water_section": KindSpec("water_section", "point", "水质监测断面", "Water-quality monitoring section", _spec(
        FieldSpec("name", ("断面名称", "断面", "DMMC", "点位名称", "站点名称", "SECTION") + _NAME,
                  required=True),
        FieldSpec("river", ("河流", "河流名称", "所在河流", "所属河流", "水体", "水体名称", "HLMC", "RIVER")),
        FieldSpec("control_level", ("控制级别", "断面级别", "断面属性", "级别", "考核级别", "类别", "KZJB",
                                    "DMJB", "LEVEL", "CONTROL"),
                  allowed=CONTROL_LEVELS, normalise=normalise_control_level,
                  description="国控 / 省控 / 市控 (国考/省考/市考 accepted)"),
        FieldSpec("target_class", ("水质目标", "目标水质", "目标", "考核目标", "目标类别", "MBSZ", "SZMB",
                                   "TARGET", "TARGETCLASS"),
                  allowed=WATER_CLASSES, normalise=normalise_water_class,
                  description="GB 3838-2002 class the section must meet"),
        FieldSpec("measured_class", ("实测水质", "现状水质", "水质类别", "水质", "监测水质", "实测类别",
                                     "现状类别", "XZSZ", "SZLB", "MEASURED", "CLASS", "MEASUREDCLASS"),
                  allowed=WATER_CLASSES, normalise=normalise_water_class,
                  description="GB 3838-2002 class measured"),
    ), zone_field="control_level"),
    "outfall": KindSpec("outfall", "point", "排污口", "Outfall", _spec(
        FieldSpec("name", ("排污口名称", "排口名称", "排放口名称", "PWKMC") + _NAME),
        FieldSpec("type", ("排污口类型", "类型", "排放去向", "入河入海", "排入", "PWKLX", "LX", "TYPE"),
                  allowed=OUTFALL_TYPES, normalise=normalise_outfall_type,
                  description="入河 (into a river) / 入海 (into the sea)"),
        FieldSpec("receiving_water", ("受纳水体", "受纳水体名称", "纳污水体", "SNST", "SNSTMC",
                                      "RECEIVING", "RIVER", "河流")),
        FieldSpec("status", ("状态", "整治状态", "整治情况", "现状", "ZT", "ZZZT", "STATUS")),
    ), zone_field="type"),
    "water_source": KindSpec("water_source", "polygon", "饮用水水源保护区",
                             "Drinking-water source protection zone", _spec(
        FieldSpec("name", ("水源地名称", "水源地", "保护区名称", "SYDMC") + _NAME),
        FieldSpec("grade", ("级别", "保护区级别", "保护级别", "等级", "分级", "类型", "BHQJB", "JB",
                            "GRADE", "LEVEL", "TYPE"),
                  required=True, allowed=WATER_SOURCE_GRADES, normalise=normalise_water_source_grade,
                  description="一级 / 二级 / 准保护区"),
        _area_field(),
    ), zone_field="grade"),
    "well": KindSpec("well", "point", "油井", "Oil well", _spec(
        FieldSpec("id", ("井号", "井名", "JH", "JM", "WELL") + _ID),
        FieldSpec("status", ("状态", "生产状态", "井状态", "现状", "ZT", "STATUS"),
                  normalise=_soft(_WELL_STATUS_SPELLINGS),
                  description="已关停 / 在产 (other text kept)"),
    ), zone_field="status"),
    "shoreline": KindSpec("shoreline", "line", "岸线", "Shoreline", _spec(
        FieldSpec("name", ("岸段名称", "岸线名称", "AXMC") + _NAME),
        FieldSpec("type", ("岸线类型", "类型", "岸线类别", "AXLX", "LX", "TYPE"), required=True,
                  allowed=SHORELINE_TYPES, normalise=normalise_shoreline_type,
                  description="自然 / 人工"),
    ), zone_field="type"),
    "facility": KindSpec("facility", "point", "热源与热电设施", "Heating source or plant", _spec(
        FieldSpec("name", ("单位名称", "企业名称", "设施名称", "热源名称", "DWMC", "QYMC") + _NAME),
        FieldSpec("type", ("设施类型", "类型", "热源类型", "类别", "KIND", "TYPE", "LX")),
        FieldSpec("capacity_tph", ("蒸吨", "额定蒸发量", "容量(t/h)", "规模(t/h)", "蒸吨数", "容量", "规模",
                                   "CAPACITY_TPH", "CAPACITY", "TPH"),
                  normalise=_tonnes_per_hour, description="boiler capacity in tonnes of steam per hour (t/h)"),
        FieldSpec("capacity_mw", ("装机容量", "装机容量(MW)", "装机", "CAPACITY_MW", "MW"),
                  normalise=_megawatts, description="installed electrical capacity in MW"),
        FieldSpec("status", ("状态", "运行状态", "现状", "关停情况", "ZT", "STATUS"),
                  normalise=_soft(_FACILITY_STATUS_SPELLINGS),
                  description="已关停 / 在用 (other text kept)"),
    ), zone_field="type"),
    "town_boundary": KindSpec("town_boundary", "polygon", "城镇开发边界", "Urban development boundary", _spec(
        FieldSpec("name", ("城镇名称", "边界名称", "CZMC") + _NAME),
        _area_field(),
    )),
    "site": KindSpec("site", "any", "项目选址", "Project site", _spec(
        FieldSpec("id", ("地块编号", "地块号", "DKBH", "PARCEL_NO", "PARCEL", "项目编号") + _ID),
        FieldSpec("name", ("项目名称", "地块名称", "DKMC", "XMMC", "PROJECT") + _NAME),
        _area_field(),
    )),
    # ---- 生态环境分区管控 and the other spatial controls (vocabularies in ecogis/zoning/vocab.py) ----
    "control_unit": KindSpec("control_unit", "polygon", "环境管控单元", "Environmental control unit", _spec(
        FieldSpec("code", ("环境管控单元编码", "管控单元编码", "单元编码", "HJGKDYBM", "GKDYBM", "DYBM"),
                  required=True, description="环境管控单元编码, e.g. ZH21110210001"),
        FieldSpec("name", ("环境管控单元名称", "管控单元名称", "单元名称", "HJGKDYMC", "GKDYMC", "DYMC") + _NAME),
        FieldSpec("unit_class", ("管控单元分类", "管控单元类别", "单元分类", "单元类别", "管控类别", "类别", "GKDYFL",
                                 "GKDYLB", "DYFL", "DYLB", "REMARKS", "CLASS"),
                  required=True, allowed=UNIT_CLASSES, normalise=normalise_unit_class,
                  description="优先保护单元 / 重点管控单元 / 一般管控单元"),
        FieldSpec("subtype", ("单元子类", "管控单元子类", "子类", "细分类型", "DYZL", "SUBTYPE"),
                  description="sub-type such as 产业集聚类, 城镇生活类 (free text)"),
        FieldSpec("element", ("要素属性", "要素类型", "管控要素", "YSSX", "YSLX", "ELEMENT"),
                  description="生态 / 水 / 大气 / 土壤 / 海洋 ... (free text, several allowed)"),
        FieldSpec("province", ("省", "省份", "省名称", "SHENG", "PROVINCE")),
        FieldSpec("city", ("市", "地市", "市名称", "SHI", "CITY")),
        FieldSpec("county", ("县", "区县", "县区", "县（市、区）", "县名称", "XIAN", "COUNTY")),
        FieldSpec("adcode", ("行政区划代码", "行政区代码", "区划代码", "XZQDM", "XZQHDM", "ADCODE")),
        _area_field(),
    ), zone_field="unit_class"),
    "access_list": KindSpec("access_list", "table", "生态环境准入清单", "Environmental access list", _spec(
        FieldSpec("unit_code", ("环境管控单元编码", "管控单元编码", "单元编码", "HJGKDYBM", "GKDYBM"),
                  description="the unit a row applies to; empty for overall and class-level rows"),
        FieldSpec("unit_name", ("环境管控单元名称", "管控单元名称", "单元名称", "HJGKDYMC")),
        FieldSpec("scope", ("适用范围", "清单层级", "层级", "管控范围", "范围", "SCOPE"),
                  description="全省 / 全市 / 优先保护单元 / 重点管控单元 / 一般管控单元 (overall and class rows)"),
        FieldSpec("unit_class", ("管控单元分类", "管控单元类别", "单元分类", "单元类别", "管控类别", "GKDYFL"),
                  allowed=UNIT_CLASSES, normalise=normalise_unit_class),
        FieldSpec("spatial_layout", ("空间布局约束", "空间布局", "KJBJYS")),
        FieldSpec("pollutant_discharge", ("污染物排放管控", "污染物排放", "WRWPFGK")),
        FieldSpec("risk_prevention", ("环境风险防控", "环境风险", "HJFXFK")),
        FieldSpec("resource_efficiency", ("资源开发效率要求", "资源利用效率要求", "资源开发效率", "资源利用效率",
                                          "ZYKFXLYQ")),
        FieldSpec("prohibited_industries", ("禁止类行业代码", "禁止行业代码", "禁止类行业", "禁止行业",
                                            "PROHIBITED")),
        FieldSpec("restricted_industries", ("限制类行业代码", "限制行业代码", "限制类行业", "限制行业",
                                            "RESTRICTED")),
        FieldSpec("keywords", ("关键词", "关键字", "KEYWORDS")),
        FieldSpec("coded_dimension", ("行业代码适用维度", "代码适用维度", "管控维度"),
                  description="the dimension the industry codes belong to (default 空间布局约束)"),
    )),
    "farmland": KindSpec("farmland", "polygon", "永久基本农田", "Permanent basic farmland", _spec(
        FieldSpec("id", ("永久基本农田图斑编号", "YJJBNTTBBH", "图斑编号", "TBBH") + _ID),
        FieldSpec("type", ("农田类型", "保护类型", "类型", "LX", "TYPE"), allowed=FARMLAND_TYPES,
                  normalise=normalise_farmland_type, description="永久基本农田 / 永久基本农田储备区"),
        FieldSpec("land_class_code", ("地类编码", "DLBM")),
        FieldSpec("land_class", ("地类名称", "DLMC")),
        FieldSpec("adcode", ("行政区代码", "XZQDM", "坐落单位代码", "ZLDWDM")),
        FieldSpec("declared_area", ("永久基本农田图斑面积", "YJJBNTTBMJ", "永久基本农田面积", "YJJBNTMJ") + _AREA,
                  normalise=_number, description="area as declared in the source (unit as in the source)"),
    ), zone_field="type"),
    "protected_area": KindSpec("protected_area", "polygon", "自然保护地", "Protected area", _spec(
        FieldSpec("name", ("保护地名称", "自然保护地名称", "ZRBHDMC", "公园名称") + _NAME),
        FieldSpec("type", ("保护地类型", "自然保护地类型", "类型", "BHDLX", "ZRBHDLX", "TYPE"),
                  normalise=_soft(PROTECTED_AREA_TYPE_SPELLINGS),
                  description="国家公园 / 风景名胜区 / 森林公园 / 湿地公园 / 地质公园 / 海洋公园 ... (free text kept)"),
        FieldSpec("level", ("级别", "保护地级别", "JB", "LEVEL"), normalise=_soft(_RESERVE_LEVEL_SPELLINGS)),
        FieldSpec("zone", ("功能分区", "管控分区", "GNFQ", "功能区", "分区", "FQ", "ZONE"), required=True,
                  allowed=PROTECTED_AREA_ZONES, normalise=normalise_protected_area_zone,
                  description="核心保护区 / 一般控制区 (older zone names such as 生态保育区, 合理利用区 mapped)"),
        _area_field(),
    ), zone_field="zone", style="reserve"),
    "wetland": KindSpec("wetland", "polygon", "重要湿地", "Important wetland", _spec(
        FieldSpec("name", ("湿地名称", "SDMC") + _NAME),
        FieldSpec("level", ("湿地级别", "重要湿地级别", "级别", "SDJB", "JB", "LEVEL"), allowed=WETLAND_LEVELS,
                  normalise=normalise_wetland_level, description="国家重要湿地 / 省级重要湿地 / 一般湿地"),
        _area_field(),
    ), zone_field="level"),
    "ecological_space": KindSpec("ecological_space", "polygon", "一般生态空间", "General ecological space", _spec(
        FieldSpec("id", ("图斑编号", "TBBH") + _ID),
        FieldSpec("name", ("名称", "区块名称") + _NAME),
        FieldSpec("type", ("生态空间类型", "类型", "LX", "TYPE")),
        _area_field(),
    )),
}

#: Other spellings of the kind names (singular/plural, Chinese).
KIND_ALIASES: dict[str, str] = {
    "boundaries": "boundary", "行政区": "boundary", "red_line": "redline", "红线": "redline",
    "生态保护红线": "redline", "reserves": "reserve", "nature_reserve": "reserve", "自然保护区": "reserve",
    "section": "water_section", "sections": "water_section", "water_sections": "water_section",
    "断面": "water_section", "outfalls": "outfall", "排污口": "outfall",
    "water_source_zone": "water_source", "source_zone": "water_source", "source_zones": "water_source",
    "水源地": "water_source", "wells": "well", "oil_well": "well", "oil_wells": "well",
    "shorelines": "shoreline", "岸线": "shoreline", "facilities": "facility", "heat_source": "facility",
    "town": "town_boundary", "城镇开发边界": "town_boundary", "sites": "site", "项目": "site",
    "control_units": "control_unit", "管控单元": "control_unit", "环境管控单元": "control_unit",
    "access_lists": "access_list", "准入清单": "access_list", "basic_farmland": "farmland",
    "基本农田": "farmland", "protected_areas": "protected_area", "natural_park": "protected_area",
    "自然公园": "protected_area", "wetlands": "wetland", "湿地": "wetland", "生态空间": "ecological_space",
}


def register_kind(spec: KindSpec, aliases: tuple[str, ...] = ()) -> KindSpec:
    """Add a layer kind to :data:`KINDS` (and its other spellings to :data:`KIND_ALIASES`).

    Field matching, screening rules, report labels and map styles then know it; nothing else needs
    an entry. Raises EcogisError when the name is taken.
    """
    if spec.name in KINDS:
        raise error("layers.kind_taken", name=spec.name, hint="layers.pick_other_name")
    KINDS[spec.name] = spec
    KIND_ALIASES.update({alias: spec.name for alias in aliases})
    return spec


def kind_label(kind: str | None, lang: str = "zh") -> str:
    """The display label of a layer kind in ``lang`` ("zh" or "en"); an unknown kind is returned as
    written (a layer of no known kind keeps its own name)."""
    spec = KINDS.get(str(kind)) if kind else None
    return spec.label(lang) if spec else str(kind or "")


def zone_field(kind: str | None) -> str | None:
    """The canonical field that splits ``kind`` into zones (None for kinds without zones)."""
    spec = KINDS.get(str(kind)) if kind else None
    return spec.zone_field if spec else None


def resolve_kind(kind: str) -> KindSpec:
    """Return the :class:`KindSpec` for a kind name, one of its aliases or its Chinese label;
    unknown -> EcogisError."""
    key = str(kind).strip()
    by_label = {spec.title_zh: name for name, spec in KINDS.items()}
    key = KIND_ALIASES.get(key, by_label.get(key, KIND_ALIASES.get(key.lower(), key.lower())))
    if key not in KINDS:
        raise error("layers.unknown_kind", kind=kind, known=", ".join(KINDS), hint="layers.pick_kind")
    return KINDS[key]


# --------------------------------------------------------------------------------------------------
# Normalising a layer
# --------------------------------------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"\s*[(\[【].*?[)\]】]\s*$")


def _fold(name) -> str:
    """Column name for matching: NFKC (full-width brackets to ASCII), upper case, spaces trimmed."""
    return unicodedata.normalize("NFKC", str(name)).strip().upper()


def _fold_bare(name) -> str:
    """Like :func:`_fold` without a trailing unit in brackets: ``蒸吨(t/h)`` -> ``蒸吨``."""
    return _UNIT_SUFFIX.sub("", _fold(name)).strip()


def match_fields(columns, kind: str, fields: dict | None = None, path=None) -> dict[str, str]:
    """Return ``{canonical field: source column}`` for the columns of a layer of ``kind``.

    ``fields`` is the user mapping ``{source column: canonical field}`` and wins over everything. For
    convenience the reverse direction ``{canonical field: source column}`` is accepted when the key is
    a canonical field and not a column. Raises :class:`EcogisError` for a mapping that names a column
    that does not exist or a field the kind does not have.
    """
    spec = resolve_kind(kind)
    columns = [c for c in columns if c != "geometry"]
    mapping: dict[str, str] = {}
    for key, value in (fields or {}).items():
        if key in columns:
            source, target = key, value
        elif value in columns and key in spec.fields:
            source, target = value, key
        else:
            raise error("layers.map_no_column", key=key, value=value, columns=", ".join(map(str, columns)) or "(none)",
                        path=path, hint="layers.map_hint")
        if target not in spec.fields:
            raise error("layers.map_not_field", source=source, target=target, kind=spec.name,
                        fields=", ".join(spec.fields), path=path)
        mapping[target] = source
    used = set(mapping.values())
    folded: dict[str, str] = {}
    bare: dict[str, str] = {}
    for col in columns:
        folded.setdefault(_fold(col), col)
        bare.setdefault(_fold_bare(col), col)
    for name, fspec in spec.fields.items():
        if name in mapping:
            continue
        for candidate in (name,) + fspec.aliases:
            col = folded.get(_fold(candidate))
            if col is None or col in used:
                col = bare.get(_fold_bare(candidate))
            if col is not None and col not in used:
                mapping[name] = col
                used.add(col)
                break
    return mapping


def _feature_label(gdf, position: int, mapping: dict[str, str]) -> str:
    """'row 3 (id '12', name '核心区')' for the feature at ``position`` (0-based row number)."""
    row = gdf.iloc[position]
    parts = []
    for canonical in ("id", "name"):
        col = mapping.get(canonical)
        if col in row.index and not _is_missing(row[col]):
            parts.append(f"{canonical} {_text(row[col])!r}")
    label = f"row {position}"
    index = gdf.index[position]
    if index != position:
        label += f" [index {index.item() if hasattr(index, 'item') else index!r}]"
    if (gdf.attrs.get("ecogis") or {}).get("format") == "table" and isinstance(index, (int, np.integer)):
        parts.append(f"table line {int(index) + 2}")  # read_table keeps row labels: line = label + 2
    return f"{label} ({', '.join(parts)})" if parts else label


def _normalise_column(gdf, column: str, fspec: FieldSpec, mapping, path) -> pd.Series:
    """Normalise one column: each distinct value once (pandas.factorize), then a vectorised take.

    On an unknown value, name the first feature that has it, the field and the allowed values.
    """
    values = gdf[column].astype(object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    normalised = []
    for code, value in enumerate(uniques):
        try:
            normalised.append(fspec.normalise(value))
        except EcogisError as exc:
            rows = np.flatnonzero(codes == code)
            more = phrase("layers.more_like_it", count=len(rows) - 1) if len(rows) > 1 else ""
            read_as = "" if str(column) == fspec.name else phrase("layers.read_as", column=column, target=fspec.name)
            raise error("layers.bad_value", reason=exc, read_as=read_as, more=more, path=path,
                        feature=_feature_label(gdf, int(rows[0]), mapping), field=str(column),
                        hint=Phrase(exc.hints) if exc.hints else None) from None
    numeric = _is_numeric(fspec)
    table = np.array(normalised + [np.nan if numeric else None], dtype=float if numeric else object)
    return pd.Series(table[codes], index=gdf.index)  # code -1 (missing) takes the last entry


def normalise_layer(gdf, kind: str, fields: dict | None = None, path=None, notes=None):
    """Rename the columns of ``gdf`` to the canonical fields of ``kind`` and normalise their values.

    Parameters
    ----------
    gdf : GeoDataFrame (or DataFrame)
        The layer as read. It is not modified; a new frame is returned.
    kind : str
        A key of :data:`KINDS` (or an alias such as ``sections``).
    fields : dict, optional
        User mapping ``{source column: canonical field}``; wins over the built-in aliases.
    path : str or Path, optional
        Source file, named in error messages.
    notes : list, optional
        Receives a note for each invalid geometry repaired (see :func:`repair_geometries`).

    Returns
    -------
    A copy with the canonical columns (absent optional ones added as ``None``) and normalised values;
    ``attrs["ecogis"]`` gains ``kind`` and ``field_map`` ``{canonical: source column}``.

    Raises
    ------
    EcogisError
        When a required field is missing (the message lists the available columns and suggests a
        ``fields=`` mapping) or a value is outside the vocabulary of its field (the message names the
        feature by row and id/name, the field and the allowed values).
    """
    spec = resolve_kind(kind)
    if path is None:
        path = (gdf.attrs.get("ecogis") or {}).get("path")
    mapping = match_fields(list(gdf.columns), spec.name, fields, path)
    missing = [n for n in spec.required if n not in mapping]
    if missing:
        available = [str(c) for c in gdf.columns if c != "geometry"]
        example = available[0] if available else "column"
        raise error("layers.missing_fields", kind=spec.name, missing=", ".join(missing),
                    described="; ".join(spec.fields[m].description or m for m in missing),
                    columns=", ".join(available) or "(none)", path=path, field=missing[0],
                    hint=phrase("layers.map_missing", example=example, target=missing[0],
                                aliases=", ".join(spec.fields[missing[0]].aliases[:8])))
    out = gdf.copy()
    renamed = {}
    for name, source in mapping.items():
        renamed[name] = _normalise_column(gdf, source, spec.fields[name], mapping, path)
    # Drop the source columns that were renamed, then (re)insert the canonical ones in kind order.
    out = out.drop(columns=[c for c in mapping.values() if c in out.columns])
    for position, name in enumerate(spec.fields):
        values = renamed.get(name)
        if values is None:
            empty_dtype = float if _is_numeric(spec.fields[name]) else object
            values = pd.Series([None] * len(out), index=out.index, dtype=empty_dtype)
        if name in out.columns:  # an unmapped column already carries this name (should not happen)
            out = out.drop(columns=[name])
        out.insert(min(position, len(out.columns)), name, values)
    if isinstance(out, gpd.GeoDataFrame):
        out = repair_geometries(out, path, notes)
    attrs = dict(gdf.attrs.get("ecogis") or {})
    attrs.update(kind=spec.name, field_map=dict(mapping))
    out.attrs["ecogis"] = attrs
    return out


_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
#: at most this many features are named in a note (the count is always given)
NAMED_FEATURES = 10


def warn_missing_geometries(gdf, path=None, notes=None) -> None:
    """Say which features have no geometry (null or empty): no analysis can use them, so results that
    depend on them are unknown; the note names them instead of leaving them out without a word.

    Features are named by their ``id``/``name`` columns (any case), else by the first text column."""
    geoms = gdf.geometry.values
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(missing) == 0:
        return
    mapping = _label_columns(gdf)
    labels = [_feature_label(gdf, int(i), mapping) for i in missing[:NAMED_FEATURES]]
    more = f" and {len(missing) - NAMED_FEATURES} more" if len(missing) > NAMED_FEATURES else ""
    say("features_without_geometry", notes, path=path or "layer", count=len(missing),
        features=", ".join(labels) + more)


def _label_columns(gdf) -> dict[str, str]:
    """{'id': column, 'name': column} naming features: columns called id/name (any case), else the first
    text column as the name."""
    columns = {str(c).lower(): c for c in gdf.columns if c != gdf.geometry.name}
    mapping: dict[str, str] = {key: columns[key] for key in ("id", "name") if key in columns}
    if "name" not in mapping:
        text = [c for c in columns.values() if c not in mapping.values() and pd.api.types.is_string_dtype(gdf[c])]
        if text:
            mapping["name"] = text[0]
    return mapping


def repair_geometries(gdf, path=None, notes=None):
    """``gdf`` with its invalid geometries repaired in memory by shapely.make_valid, each named in a note.

    Polygons are rebuilt with ``method="structure"``: a self-intersecting ring keeps the area of each
    of its lobes (a bow-tie becomes two triangles) and collapsed spikes are dropped, so a polygon stays
    a polygon. A polygon left with no area (a ring of fewer than 3 distinct points) is an EcogisError
    naming the feature. The input is not modified.
    """
    geoms = gdf.geometry.values
    invalid = np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))
    if len(invalid) == 0:
        return gdf
    bad = geoms[invalid]
    polygonal = np.isin(shapely.get_type_id(bad), _POLYGONAL)
    fixed = np.where(polygonal, shapely.make_valid(bad, method="structure", keep_collapsed=False),
                     shapely.make_valid(bad))
    labels = [_feature_label(gdf, int(i), {"id": "id", "name": "name"}) for i in invalid]
    collapsed = np.flatnonzero(polygonal & (shapely.area(fixed) <= 0))
    if len(collapsed):
        first = collapsed[0]
        raise error("layers.no_area", reason=shapely.is_valid_reason(bad[first]), path=path, feature=labels[first],
                    hint="layers.fix_feature")
    out = gdf.copy()
    out.loc[out.index[invalid], out.geometry.name] = fixed
    for label, why in zip(labels, shapely.is_valid_reason(bad)):
        if path:
            say("feature_repaired", notes, severity="repair", path=path, feature=label, why=why)
        else:
            say("feature_repaired_in_memory", notes, severity="repair", feature=label, why=why)
    return out


__all__ = [
    "WATER_CLASSES", "ZONES", "CONTROL_LEVELS", "OUTFALL_TYPES", "WATER_SOURCE_GRADES",
    "SHORELINE_TYPES", "RESERVE_LEVELS", "KINDS", "KIND_ALIASES", "FieldSpec", "KindSpec",
    "resolve_kind", "match_fields", "normalise_layer", "repair_geometries", "normalise_water_class", "class_rank",
    "meets_target", "normalise_zone", "normalise_control_level", "normalise_outfall_type",
    "normalise_water_source_grade", "normalise_shoreline_type",
]
