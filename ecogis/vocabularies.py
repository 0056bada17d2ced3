"""Controlled vocabularies of the layer kinds: the one spelling of each zone, level, grade and type
(``核心区``, ``国控``, ``一级``...), the normalisers that map the other spellings to it, and the numeric
field parsers (t/h, MW, declared areas). A value that cannot be placed is an EcogisError naming the
allowed values."""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Callable

import numpy as np
import pandas as pd

from ecogis.error_messages import error
from ecogis.errors import EcogisError

__all__ = ["ZONES", "CONTROL_LEVELS", "OUTFALL_TYPES", "WATER_SOURCE_GRADES", "SHORELINE_TYPES", "RESERVE_LEVELS",
    "normalise_zone", "normalise_control_level", "normalise_outfall_type", "normalise_water_source_grade",
    "normalise_shoreline_type"]


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
