"""The registry of layer kinds: one :class:`KindSpec` per kind (canonical fields and their aliases, zone
field, value normalisers, Chinese and English labels, default style) and the matching of a layer's
columns to them (:func:`match_fields`). A new kind is one :func:`register_kind` call."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from ecogis.error_messages import error
from ecogis.vocabularies import (
    _FACILITY_STATUS_SPELLINGS,
    _RESERVE_LEVEL_SPELLINGS,
    _WELL_STATUS_SPELLINGS,
    CONTROL_LEVELS,
    FARMLAND_TYPES,
    OUTFALL_TYPES,
    PROTECTED_AREA_TYPE_SPELLINGS,
    PROTECTED_AREA_ZONES,
    SHORELINE_TYPES,
    UNIT_CLASSES,
    WATER_SOURCE_GRADES,
    WETLAND_LEVELS,
    ZONES,
    _megawatts,
    _number,
    _soft,
    _text,
    _tonnes_per_hour,
    normalise_control_level,
    normalise_farmland_type,
    normalise_outfall_type,
    normalise_protected_area_zone,
    normalise_shoreline_type,
    normalise_unit_class,
    normalise_water_source_grade,
    normalise_wetland_level,
    normalise_zone,
)
from ecogis.water_class import WATER_CLASSES, normalise_water_class

__all__ = ["KINDS", "KIND_ALIASES", "FieldSpec", "KindSpec", "resolve_kind", "match_fields"]

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
