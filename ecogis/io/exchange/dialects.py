"""The exchange-text dialects real exporters write, and the notes (or, with ``strict``, errors) about them.

The 部标 layout (the ministry's): 9-field parcel lines ``界址点数,地块面积,地块编号,地块名称,记录图形属性,
图幅号,地块用途,地类编码,@`` and vertex lines ``点号,圈号,X,Y``, every ring closed, the sections [属性描述]
and [地块坐标] with the header keys of :data:`ecogis.io.exchange.parse.HEADER_KEYS`. Variants read:

* parcel lines of 8 fields (no 地类编码: ``8,1,FID_0,多部件地块,面,,,@``), 14 fields (more fields after
  地块用途) and 11 fields (报省部标: ``0,0,330106104,横桥村,D8-003,地块4,面,,,,@``, a region code and name
  before 地块编号);
* vertex lines of 6 columns (省标: ``1,1,1,J1,2579602.040,38378344.592`` = 序号,圈号,部件号,点号,X,Y);
* rings written without their closing vertex; 界址点数 and 地块面积 of 0 or empty; areas with a unit
  (``0.7749公顷``); a non-numeric area where a writer shifted the columns;
* extra sections (``[项目信息]``, ``[扩展信息]``, kept as metadata), full-width brackets ``［属性描述］``, and
  header key variants (``分带=3度带``).

Each variant met is noted once per file (with how often and the first line); ``strict`` turns the first
one into an EcogisError naming it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ecogis.error_messages import LANGS, Phrase, error
from ecogis.messages import register, say

STANDARD = "部标"
PROVINCIAL = "省标"
DIALECTS = (STANDARD, PROVINCIAL)


@dataclass(frozen=True)
class ParcelLayout:
    """Where the fields of a parcel line are (0-based), and the extra columns it carries."""

    label: str
    count: int = 0
    area: int = 1
    parcel_no: int = 2
    name: int = 3
    record: int = 4
    sheet: int = 5
    use: int = 6
    extra: tuple[tuple[str, int], ...] = ()


STANDARD_PARCEL = ParcelLayout(STANDARD)
#: parcel-line layouts by field count (``@`` included); other counts of 9 or more read as the standard one
PARCEL_LAYOUTS = {
    8: ParcelLayout("8-field parcel lines (no 地类编码)"),
    11: ParcelLayout("报省部标 11-field parcel lines (行政区代码,行政区名称 before 地块编号)", parcel_no=4, name=5,
                     record=6, sheet=7, use=8, extra=(("region_code", 2), ("region_name", 3))),
    14: ParcelLayout("14-field parcel lines"),
}
PARCEL_FIELD_COUNTS = (8, 9, 11, 14)
PROVINCIAL_VERTEX = "省标 6-column vertex lines (序号,圈号,部件号,点号,X,Y)"

#: header key variants -> the 部标 key
HEADER_ALIASES = {"分带": "几度分带", "分带方式": "几度分带", "带宽": "几度分带", "投影带号": "带号",
                  "坐标系统": "坐标系", "坐标系名称": "坐标系", "单位": "计量单位"}
#: area units written after the 地块面积 number -> factor to 公顷
AREA_UNITS = {"公顷": 1.0, "ha": 1.0, "hm2": 1.0, "hm²": 1.0, "平方米": 1e-4, "m2": 1e-4, "m²": 1e-4, "㎡": 1e-4,
              "亩": 1 / 15, "平方公里": 100.0, "km2": 100.0, "km²": 100.0}

register({  # the layout names, so that Chinese notes name them in Chinese
    "exchange.layout_8": (PARCEL_LAYOUTS[8].label, "8 字段地块行（无地类编码）"),
    "exchange.layout_11": (PARCEL_LAYOUTS[11].label, "报省部标 11 字段地块行（地块编号前有行政区代码、行政区名称）"),
    "exchange.layout_14": (PARCEL_LAYOUTS[14].label, "14 字段地块行"),
    "exchange.layout_provincial": (PROVINCIAL_VERTEX, "省标 6 列界址点行（序号,圈号,部件号,点号,X,Y）"),
})
register({
    "exchange.dialect": ("{path}: exchange text read in the {dialect} layout",
                         "{path}：坐标交换文件按{dialect}格式读取"),
    "exchange.parcel_layout": ("{path}: {count} parcel line(s) in the {layout} layout (first: line {line})",
                               "{path}：{count} 行地块行为{layout}格式（首见第 {line} 行）"),
    "exchange.vertex_layout": ("{path}: {count} vertex line(s) in the {layout} layout (first: line {line})",
                               "{path}：{count} 行界址点行为{layout}格式（首见第 {line} 行）"),
    "exchange.unclosed": ("{path}: {count} ring(s) written without their closing vertex (first: parcel {parcel}, "
                          "line {line}): closed by repeating the first vertex",
                          "{path}：{count} 个环未写闭合点（首见地块 {parcel}，第 {line} 行）：已重复首点闭合"),
    "exchange.count_missing": ("{path}: 界址点数 is 0 or empty in {count} parcel(s) (first: parcel {parcel}, line "
                               "{line}): the vertex lines were counted",
                               "{path}：{count} 个地块的界址点数为 0 或空（首见地块 {parcel}，第 {line} 行）："
                               "按界址点行计数"),
    "exchange.area_missing": ("{path}: 地块面积 is 0 or empty in {count} parcel(s) (first: parcel {parcel}, line "
                              "{line}): the area is computed from the vertices",
                              "{path}：{count} 个地块的地块面积为 0 或空（首见地块 {parcel}，第 {line} 行）："
                              "面积由界址点计算"),
    "exchange.area_unit": ("{path}: 地块面积 written with a unit in {count} parcel(s) (first: {value} of parcel "
                           "{parcel}, line {line}): read as {hectares} 公顷",
                           "{path}：{count} 个地块的地块面积带单位（首见地块 {parcel} 的 {value}，第 {line} 行）："
                           "读作 {hectares} 公顷"),
    "exchange.area_not_number": ("{path}: 地块面积 is not a number in {count} parcel(s) (first: {value} of parcel "
                                 "{parcel}, line {line}; the writer may have shifted the columns): the parcels are "
                                 "read and their areas computed from the vertices",
                                 "{path}：{count} 个地块的地块面积不是数字（首见地块 {parcel} 的 {value}，"
                                 "第 {line} 行；"
                                 "导出程序可能错列）：地块照常读取，面积由界址点计算"),
    "exchange.extra_section": ("{path}: {count} section(s) not in the 部标 layout kept as metadata (first: "
                               "[{section}], line {line})",
                               "{path}：{count} 个不属于部标格式的节作为元数据保留（首见 [{section}]，第 {line} 行）"),
    "exchange.fullwidth": ("{path}: {count} section marker(s) in full-width brackets (first: ［{section}］, line "
                           "{line}): read as [{section}]",
                           "{path}：{count} 个节标记使用全角括号（首见［{section}］，第 {line} 行）："
                           "按 [{section}] 读取"),
    "exchange.header_alias": ("{path}: header key {name} (line {line}) read as {standard}",
                              "{path}：表头键 {name}（第 {line} 行）按 {standard} 读取"),
})


#: what a variant is, for the error under ``strict``
_STRICT_WHAT = {
    "exchange.parcel_layout": ("a parcel line in the {layout} layout", "{layout} 格式的地块行"),
    "exchange.vertex_layout": ("a vertex line in the {layout} layout", "{layout} 格式的界址点行"),
    "exchange.unclosed": ("a ring of parcel {parcel} written without its closing vertex",
                          "地块 {parcel} 未写闭合点的环"),
    "exchange.area_unit": ("地块面积 {value} written with a unit", "带单位书写的地块面积 {value}"),
    "exchange.area_not_number": ("地块面积 {value} of parcel {parcel}, not a number,",
                                 "地块 {parcel} 的非数值地块面积 {value}"),
    "exchange.extra_section": ("section [{section}]", "节 [{section}]"),
    "exchange.fullwidth": ("a section marker in full-width brackets ［{section}］", "全角括号的节标记［{section}］"),
    "exchange.header_alias": ("header key {name} (for {standard})", "表头键 {name}（即 {standard}）"),
}


@dataclass
class Deviations:
    """The variants met while parsing one file: noted per kind (count and first occurrence), or, when
    ``strict``, an EcogisError at the first one."""

    path: object
    strict: bool = False
    first: dict = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    plain: set = field(default_factory=set)  # keys noted without a warning

    def add(self, key: str, line: int, /, *, allowed: bool = False, **fields) -> None:
        """Record variant ``key`` met on ``line``; ``allowed``: the 部标 layout allows it too (a plain note,
        never an error)."""
        if allowed:
            self.plain.add(key)
        elif self.strict:
            what = Phrase(zip(LANGS, (text.format(**fields) for text in _STRICT_WHAT[key])))
            raise error("exchange.strict", line=line, what=what, path=self.path, hint="exchange.leave_out_strict")
        self.first.setdefault(key, {"line": line, **fields})
        self.counts[key] += 1

    def note(self, notes) -> None:
        """Warn once per kind of variant met, then note the dialect the file was read in."""
        for key, fields in self.first.items():
            say(key, notes, warn=key not in self.plain, path=self.path, count=self.counts[key], **fields)
        layouts = [f["layout"] for k, f in self.first.items()
                   if k in ("exchange.parcel_layout", "exchange.vertex_layout")]
        say("exchange.dialect", notes, warn=False, path=self.path, dialect=" + ".join(layouts) or STANDARD)


def parcel_layout(fields: list[str], record_types) -> ParcelLayout | None:
    """The layout of a parcel line of ``fields`` (``@`` included), or None when its field count is none known."""
    n = len(fields)
    if n == 11 and fields[6] in record_types and fields[4] not in record_types:
        return PARCEL_LAYOUTS[11]
    if n in (8, 14):
        return PARCEL_LAYOUTS[n]
    return STANDARD_PARCEL if n >= 9 else None


def split_area(value: str) -> tuple[str, float | None]:
    """(number text, factor to 公顷) of an area written with a unit (``0.7749公顷``); factor None without one."""
    text = value.replace(" ", "")
    for unit in sorted(AREA_UNITS, key=len, reverse=True):
        if text.lower().endswith(unit.lower()) and len(text) > len(unit):
            return text[: -len(unit)], AREA_UNITS[unit]
    return value, None
