"""Notes and assumption warnings in English (canonical) and Chinese (reports).

Every note ecogis records (a guessed CRS, a guessed encoding, swapped axes, a repaired geometry, ...)
is written in English: that text goes to stderr as an :class:`~ecogis.errors.AssumptionWarning`, into
``--json`` output and into English reports. Chinese reports show the same note in Chinese. One
registry holds, per message, an English and a Chinese template with the same ``{fields}``:

* :func:`register` adds templates (``ecogis.raster.messages`` registers its own; the table below
  holds those of every other module, in one place so that the Chinese wording can be reviewed and
  kept consistent without touching the code that emits the notes);
* :func:`say` records message ``key`` in English (warning and/or note);
* :func:`to_zh` turns a recorded English note back into Chinese by matching it against the English
  templates. Captured fields are translated in turn (a note quoting a CRS description or the
  reason of a CRS guess gets those in Chinese too). A text that matches no template as a whole but
  is made of clauses joined by ``"; "`` (outside brackets) is translated clause by clause. Anything
  else is returned unchanged, so an unregistered note is still shown, in English;
* :func:`translate` is ``to_zh`` for ``lang="zh"`` and the identity otherwise.

A template field matches any text (shortest first); a field named twice must hold the same text.
"""
from __future__ import annotations

import functools
import re

from ecogis.errors import warn_assumption

#: key -> (English template, Chinese template)
MESSAGES: dict[str, tuple[str, str]] = {}


def register(messages: dict[str, tuple[str, str]]) -> None:
    """Add ``key -> (english, chinese)`` templates; a key registered twice must have the same texts."""
    for key, (en, zh) in messages.items():
        if key in MESSAGES and MESSAGES[key] != (en, zh):
            raise ValueError(f"message {key!r} registered twice with different texts")
        if set(re.findall(r"\{(\w+)\}", en)) != set(re.findall(r"\{(\w+)\}", zh)):
            raise ValueError(f"message {key!r}: the English and Chinese templates have different fields")
        MESSAGES[key] = (en, zh)
    _ordered.cache_clear()


def say(key: str, notes=None, *, warn: bool = True, **fields) -> str:
    """Record message ``key`` in English: an AssumptionWarning (``warn``) or a plain note in ``notes``."""
    text = MESSAGES[key][0].format(**fields)
    if warn:
        warn_assumption(text, notes, stacklevel=4)
    elif notes is not None:
        notes.append(text)
    return text


@functools.cache
def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)  # literal, field, literal, field, ...
    seen: set[str] = set()
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(re.escape(part))
        elif part in seen:
            out.append(f"(?P={part})")
        else:
            seen.add(part)
            out.append(f"(?P<{part}>.*?)")
    return re.compile("".join(out) + r"\Z", re.S)


@functools.cache
def _ordered() -> tuple[tuple[str, str], ...]:
    """Templates with the most literal text first, so a specific template wins over a general one."""
    literal = lambda en: len(re.sub(r"\{\w+\}", "", en))  # noqa: E731
    notes = (t for key, t in MESSAGES.items() if not key.startswith("error."))  # errors are looked up by key
    return tuple(sorted(notes, key=lambda t: -literal(t[0])))


def _clauses(text: str) -> list[str]:
    """``text`` split at the ``"; "`` that are outside brackets."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(depth - 1, 0)
        elif ch == ";" and depth == 0 and text.startswith("; ", i):
            out.append(text[start:i])
            start = i + 2
    return out + [text[start:]]


@functools.lru_cache(maxsize=4096)
def to_zh(text: str) -> str:
    """Chinese wording of a registered English note; a text that matches no template is returned as is."""
    text = str(text)
    if not text:
        return text
    for en, zh in _ordered():
        m = _pattern(en).match(text)
        if m:
            return zh.format(**{k: to_zh(v) for k, v in m.groupdict().items()})
    parts = _clauses(text)
    if len(parts) > 1:
        zh_parts = [to_zh(p) for p in parts]
        if zh_parts != parts:
            return "；".join(zh_parts)
    return text


def translate(note, lang: str = "zh") -> str:
    """``note`` for a report in ``lang``: Chinese for "zh", the English note itself otherwise."""
    return to_zh(str(note)) if lang == "zh" else str(note)


# ---------------------------------------------------------------------------------------------------
# The templates of the notes written outside ecogis.raster (which registers its own).
# Each English template copies the wording of the warn_assumption call named in the comment.
# ---------------------------------------------------------------------------------------------------

_GK = "高斯-克吕格投影"

register({
    # ecogis.crs: describe_crs
    "crs_unknown": ("unknown CRS", "未知坐标系"),
    "crs_cgcs2000_geo": ("EPSG:{code} (China Geodetic Coordinate System 2000)", "EPSG:{code}（CGCS2000 经纬度）"),
    "crs_wgs84_geo": ("EPSG:{code} (WGS 84)", "EPSG:{code}（WGS 84 经纬度）"),
    "crs_xian_geo": ("EPSG:{code} (Xian 1980)", "EPSG:{code}（西安 1980 经纬度）"),
    "crs_beijing_geo": ("EPSG:{code} (Beijing 1954)", "EPSG:{code}（北京 1954 经纬度）"),
    "crs_gk_zone": ("EPSG:{code} ({datum} / {width}-degree Gauss-Kruger zone {zone})",
                    f"EPSG:{{code}}（{{datum}} {{width}} 度带{_GK}第 {{zone}} 带）"),
    "crs_gk_cm": ("EPSG:{code} ({datum} / {width}-degree Gauss-Kruger CM {cm}E)",
                  f"EPSG:{{code}}（{{datum}} {{width}} 度带{_GK}，中央经线 {{cm}}°E）"),
    "crs_gcj02": ("GCJ-02 (web-map system of Amap/Gaode and Tencent, offset from WGS 84 by up to several hundred "
                  "metres)", "GCJ-02（高德、腾讯地图坐标系，相对 WGS 84 偏移可达数百米）"),
    "crs_bd09": ("BD-09 (web-map system of Baidu, GCJ-02 with a further offset)",
                 "BD-09（百度地图坐标系，在 GCJ-02 基础上再次偏移）"),
    "datum_xian": ("Xian 1980", "西安 1980"),
    "datum_beijing": ("Beijing 1954", "北京 1954"),
    # ecogis.crs: infer_crs reasons (joined by "; ", translated clause by clause)
    "guess_geographic": ("coordinates are longitude/latitude degrees within China (73-136 E, 3-54 N): EPSG:{code}",
                         "坐标在中国境内经纬度范围（东经 73–136°、北纬 3–54°）内，故为 EPSG:{code}"),
    "guess_geographic_swapped": ("coordinates are longitude/latitude degrees within China (73-136 E, 3-54 N): values "
                                 "were in latitude, longitude order and are swapped",
                                 "坐标为中国境内经纬度（东经 73–136°、北纬 3–54°），原为纬度、经度顺序，已互换"),
    "guess_prefixed": ("eastings carry the zone prefix {zone} (8 digits before the decimal point): {width}-degree "
                       "Gauss-Kruger zone {zone}, CM {cm} E, EPSG:{code}",
                       f"东坐标带 {{zone}} 带号前缀（整数 8 位）：{{width}} 度带{_GK}第 {{zone}} 带，中央经线 {{cm}}°E，"
                       "EPSG:{code}"),
    "guess_prefixed_swapped": ("eastings carry the zone prefix {zone} (8 digits before the decimal point): {width}-degree "
                               "Gauss-Kruger zone {zone}, CM {cm} E, X/Y were in surveying order (X = northing, "
                               "Y = easting) and are swapped",
                               f"东坐标带 {{zone}} 带号前缀（整数 8 位）：{{width}} 度带{_GK}第 {{zone}} 带，中央经线 "
                               "{cm}°E，X/Y 原为测量顺序（X 为北坐标、Y 为东坐标），已互换"),
    "guess_unprefixed": ("6-digit eastings without zone prefix and the central meridian {cm} E given by the user: "
                         "{width}-degree Gauss-Kruger, EPSG:{code}",
                         f"东坐标为 6 位、不带带号，中央经线 {{cm}}°E 由用户给定：{{width}} 度带{_GK}，EPSG:{{code}}"),
    "guess_unprefixed_swapped": ("6-digit eastings without zone prefix and the central meridian {cm} E given by the "
                                 "user: {width}-degree Gauss-Kruger, X/Y were in surveying order (X = northing, "
                                 "Y = easting) and are swapped",
                                 f"东坐标为 6 位、不带带号，中央经线 {{cm}}°E 由用户给定：{{width}} 度带{_GK}，"
                                 "X/Y 原为测量顺序（X 为北坐标、Y 为东坐标），已互换"),
    "guess_unprefixed_ambiguous": ("6-digit eastings without zone prefix and the central meridian {cm} E given by the "
                                   "user: {width}-degree Gauss-Kruger, both axes look like eastings, the given order "
                                   "(x = easting) was kept",
                                   f"东坐标为 6 位、不带带号，中央经线 {{cm}}°E 由用户给定：{{width}} 度带{_GK}，"
                                   "两个坐标轴都像东坐标，保持原顺序（x 为东坐标）"),
    "datum_assumed": ("datum assumed {datum} (the datum cannot be read from coordinates; pass crs= to override)",
                      "大地基准假定为 {datum}（坐标本身无法反映基准），如有不同请用 crs= 指定"),
    "datum_given": ("datum {datum} as given", "大地基准按给定的 {datum}"),
    "other_datums": ("if the data is on Xian 1980 pass crs=EPSG:{xian} (CLI --crs EPSG:{xian}; Beijing 1954: "
                     "EPSG:{beijing}) instead",
                     "如数据为西安 1980 坐标系，请改用 crs=EPSG:{xian}（命令行 --crs EPSG:{xian}；北京 1954 坐标系为 "
                     "EPSG:{beijing}）"),
    # ecogis.crs: datum_change_note (printed by ecogis convert)
    "datum_change": ("{src} ({src_datum}) -> {dst} ({dst_datum}): PROJ has no published transformation between these "
                     "datums and keeps latitude/longitude unchanged (ballpark), so the datum shift (it can be tens of "
                     "metres) is not applied. For legal figures transform with the official parameters (e.g. the "
                     "seven parameters from your surveying authority) first",
                     "{src}（{src_datum}）→ {dst}（{dst_datum}）：PROJ 没有这两个基准之间的公开转换参数，经纬度保持不变"
                     "（近似转换），未改正基准差（可达数十米）。法定数据请先用官方参数（如测绘主管部门提供的七参数）转换"),

    # ecogis.io.vector
    "no_dbf": ("{path}: no {stem}.dbf beside the shapefile, so it has no attributes",
               "{path}：shapefile 旁没有 {stem}.dbf，图层无属性"),
    "cpg_unknown": ("{path}: the .cpg names an unknown code page {cpg}; detecting the encoding",
                    "{path}：.cpg 文件中的代码页 {cpg} 无法识别，改为自动识别编码"),
    "cpg_wrong": ("{path}: the .cpg says {declared} but the attribute text is not valid {declared}; decoded as "
                  "{found} instead", "{path}：.cpg 声明编码为 {declared}，但属性文本不是有效的 {declared}，已改按 {found} 解码"),
    "cpg_utf8": ("{path}: the .cpg says {declared} but the attribute text is valid UTF-8 (read as {declared} it would "
                 "be garbled); decoded as UTF-8 (pass --encoding {declared} if the .cpg is right)",
                 "{path}：.cpg 声明编码为 {declared}，但属性文本是有效的 UTF-8（按 {declared} 读取将成乱码），已按 UTF-8 解码"
                 "（如 .cpg 无误，请用 --encoding {declared} 指定）"),
    "no_cpg": ("{path}: no .cpg file; attribute text decoded as {found} (detected, check the names)",
               "{path}：未找到 .cpg 文件，属性文本按 {found} 解码（自动识别，请核对名称）"),
    "shp_unknown_type": ("{path}: the .shp header gives an unknown shape type {type}; each record was read by its "
                         "own shape type (check the file)",
                         "{path}：.shp 文件头中的几何类型 {type} 无法识别，已按每条记录自身的几何类型读取（请核对文件）"),
    "dbf_unknown_type": ("{path}: field {field} of {dbf} has an unknown dBASE type {type}; its values are read as text",
                         "{path}：{dbf} 的字段 {field} 类型 {type} 无法识别，其值按文本读取"),
    "dbf_long_records": ("{path}: the record-length field of {dbf} says {length} bytes but the deletion flag and its "
                         "{count} field(s) take {needed}; the last {extra} byte(s) of each record are ignored",
                         "{path}：{dbf} 的记录长度字段为 {length} 字节，但删除标记与 {count} 个字段共占 {needed} 字节；"
                         "每条记录末尾的 {extra} 个字节被忽略"),
    "geojson_bad_crs": ("{path}: the GeoJSON \"crs\" member {crs} names no CRS that can be used; read as {assumed} "
                        "(the GeoJSON default); pass --crs (crs=) if the coordinates are in another CRS",
                        "{path}：文件中的 \"crs\" 成员 {crs} 不是可用的坐标系，已按 {assumed}（该格式的默认坐标系）读取；"
                        "如坐标属于其他坐标系，请用 --crs（crs=）指定"),
    "ring_closed": ("{path}: feature(s) {features}: unclosed polygon ring(s) closed in memory (last point joined to "
                    "the first); fix the source file",
                    "{path}：要素 {features} 的多边形环未闭合，已在内存中闭合（末点连回首点）；请修正源文件"),
    "geojson_not_utf8": ("{path}: GeoJSON must be UTF-8 (RFC 7946) but this file is not; its text decoded as {found} "
                         "(detected; pass --encoding to choose another, or save the file as UTF-8)",
                         "{path}：按 RFC 7946 规定该格式应为 UTF-8 编码，但该文件不是；已按 {found} 解码"
                         "（自动识别；可用 --encoding 另行指定，或将文件另存为 UTF-8）"),
    "cut_character": ("{path}: {count} attribute value(s) end in a character cut in half by the field width; the "
                      "partial character is dropped ({encoding})",
                      "{path}：{count} 个属性值末尾的字符被字段宽度截断，已舍去残缺字符（{encoding}）"),
    # ecogis.io.table
    "header_line": ("{path}: the column names were found on line {line} (title rows above skipped)",
                    "{path}：列名位于第 {line} 行（已跳过其上方的标题行）"),
    "rows_without_xy": ("{path}: skipped {count} row(s) without coordinates",
                        "{path}：已跳过 {count} 行无坐标的记录"),
    "rows_without_xy_line": ("{path}: skipped {count} row(s) without coordinates (line {lines})",
                             "{path}：已跳过 {count} 行无坐标的记录（第 {lines} 行）"),
    "rows_without_xy_lines": ("{path}: skipped {count} row(s) without coordinates (lines {lines})",
                              "{path}：已跳过 {count} 行无坐标的记录（第 {lines} 行）"),
    "table_encoding": ("{path}: text decoded as {encoding} (detected; tables do not declare an encoding)",
                       "{path}：文本按 {encoding} 解码（自动识别；表格文件不声明编码，请核对名称）"),
    "table_full_width_commas": ("{path}: the fields are separated by full-width commas (，), not ASCII commas; read "
                                "with '，' as the separator", "{path}：字段以全角逗号（，）而非英文逗号分隔，已按“，”分隔读取"),
    "table_digit_groups": ("{path}, field {field}: {count} value(s) with digits grouped by spaces read as numbers "
                           "(first: {where}, {value})",
                           "{path}，字段 {field}：{count} 个数值的数字以空格分组，已按数字读取（第一个：{where}，{value}）"),
    # ecogis.io.text
    "text_utf16_no_bom": ("{path}: no byte-order mark, but every other byte is 0: text decoded as {label}",
                          "{path}：文件无字节顺序标记（BOM），但每隔一个字节为 0：文本按 {label} 解码"),
    # ecogis.io.exchange
    "exchange_gbk": ("{path}: not valid UTF-8, decoded as GB18030 (GBK)",
                     "{path}：文件不是有效的 UTF-8 编码，已按 GB18030（GBK）解码"),
    "exchange_invalid_parcel": ("{path}: line {line}: parcel {parcel} is not a valid polygon ({reason}); read as "
                                "written, fix its vertices in the source",
                                "{path}：第 {line} 行：地块 {parcel} 不是有效多边形（{reason}），已按原样读取，请修正源文件中的界址点"),
    "exchange_no_header": ("no [属性描述] header", "无 [属性描述] 文件头"),
    "exchange_header_incomplete": ("the header does not give 坐标系 and 带号", "文件头未给出坐标系和带号"),
    "exchange_inferred": ("{path}: {what}; CRS inferred as {crs}: {reason}",
                          "{path}：{what}，按坐标范围推断坐标系为 {crs}。依据：{reason}"),
    "exchange_datum_unknown": ("{path}: 坐标系 {name} not recognised; datum assumed CGCS2000",
                               "{path}：坐标系 {name} 无法识别，大地基准假定为 CGCS2000"),
    "exchange_width_missing": ("{path}: 几度分带 missing; zone {zone} taken as a {width}-degree zone",
                               "{path}：缺少“几度分带”，第 {zone} 带按 {width} 度带处理"),
    "exchange_gis_order": ("{path}: the X column holds eastings and Y northings (GIS order, not the surveying order "
                           "X = northing of this format); X and Y swapped",
                           "{path}：X 列为东坐标、Y 列为北坐标（GIS 顺序，而非本格式规定的测量顺序 X 为北坐标），已互换 X、Y"),
    "exchange_swapped": ("{path}: the X column holds eastings and Y northings; X and Y swapped",
                         "{path}：X 列为东坐标、Y 列为北坐标，已互换 X、Y"),
    "exchange_crs_overridden": ("{path}: the coordinates look like {guess} but crs= says {given}; the given CRS is used",
                                "{path}：坐标看似 {guess}，但 crs= 指定为 {given}，按指定坐标系处理"),
    "exchange_area": ("{path}: parcel {parcel}: declared area {declared} 公顷 differs from the ellipsoidal area "
                      "{computed} 公顷 (CGCS2000 ellipsoid){unit_hint}",
                      "{path}：地块 {parcel} 申报面积 {declared} 公顷，与椭球面积 {computed} 公顷（CGCS2000 椭球）不符"
                      "{unit_hint}"),
    "exchange_area_unit": ("; it looks like {unit}, not 公顷", "；其单位似为 {unit}，而非公顷"),
    "exchange_far_from_cm": ("{path}: features reach {far} degrees from the central meridian {cm} E of zone {zone}; "
                             "Gauss-Kruger distortion grows there",
                             f"{{path}}：要素距第 {{zone}} 带中央经线 {{cm}}°E 达 {{far}} 度，该处{_GK}变形较大"),
    "exchange_commas": ("{path}: field {field}: commas replaced by '，' in {count} feature(s) (first: feature {first}); "
                        "the comma separates fields in this format",
                        "{path}：字段 {field} 中 {count} 个要素的英文逗号已替换为“，”（第一个：要素 {first}）；"
                        "本格式以英文逗号分隔字段"),
    "exchange_wgs84_as_cgcs2000": ("{path}: data in {crs} written on the CGCS2000 datum (WGS 84 and CGCS2000 taken as "
                                   "the same, within decimetres)",
                                   "{path}：{crs} 数据按 CGCS2000 基准写出（WGS 84 与 CGCS2000 视为相同，差异在分米级以内）"),
    "exchange_zone_chosen": ("{path}: written in {width}-degree Gauss-Kruger zone {zone} (CM {cm} E), the zone of the "
                             "data's middle longitude",
                             f"{{path}}：按数据中部经度所在的 {{width}} 度带{_GK}第 {{zone}} 带（中央经线 {{cm}}°E）写出"),
    # ecogis.io.read
    "read_web_crs": ("{path}: coordinates read as {web} (web-map system, as given) and converted to CGCS2000 EPSG:4490",
                     "{path}：坐标按给定的 {web}（互联网地图坐标系）读取，已转换为 CGCS2000（EPSG:4490）"),
    "read_crs_overridden": ("{path}: the file says {file_crs} but the CRS given, {given}, is used",
                            "{path}：文件声明的坐标系为 {file_crs}，按给定的 {given} 处理"),
    "read_crs_no_epsg": ("{path}: the file's CRS {name} matches no EPSG code; used as defined in the file (check its "
                         "parameters: false easting, central meridian, datum)",
                         "{path}：文件坐标系 {name} 无对应 EPSG 代码，按文件定义使用（请核对东偏移、中央经线、大地基准等参数）"),
    "read_crs_equivalent": ("{path}: the file's CRS {name} has no EPSG code; its parameters are those of {crs}, used "
                            "as such", "{path}：文件坐标系 {name} 无 EPSG 代码，其参数与 {crs} 相同，按后者处理"),
    "read_surveying_order": ("{path}: coordinates were in surveying order (X = northing, Y = easting) for {crs}; "
                             "swapped to easting, northing",
                             "{path}：{crs} 坐标为测量顺序（X 为北坐标、Y 为东坐标），已互换为东、北顺序"),
    "read_crs_inferred": ("{path}: no CRS in the file; inferred {crs} from the coordinates: {reason}",
                          "{path}：文件未带坐标系，按坐标范围推断为 {crs}。依据：{reason}"),
    # ecogis.io.write
    "write_web_crs": ("{path}: written in {web} web-map longitude/latitude without a CRS definition (none exists for "
                      "{web}); use it only with web maps of that system",
                      "{path}：按 {web} 互联网地图经纬度写出，未附坐标系定义（{web} 没有标准定义），仅可用于同一坐标系的互联网地图"),
    "write_dbf_names": ("{path}: shapefile field names hold at most {limit} bytes; renamed {renamed} (write .gpkg to "
                        "keep the names)", "{path}：shapefile 字段名最长 {limit} 字节，已将 {renamed} 改名（如需保留原名请输出 .gpkg）"),
    # ecogis.cli.io_cmds (convert)
    "convert_dropped_columns": ("{path}: source coordinate columns {columns} dropped from the output: they hold the "
                                "input values, not the converted geometry",
                                "{path}：源坐标列 {columns} 未写入输出（其中为转换前的坐标值，与转换后的几何不符）"),

    # ecogis.area
    "area_other_ellipsoid": ("coordinates are on the {ellipsoid} ellipsoid ({crs}); the ellipsoidal area is summed on "
                             "CGCS2000 from their latitudes/longitudes. For official figures convert the data to "
                             "CGCS2000 first (ecogis convert IN OUT --to-crs EPSG:4490 or a CGCS2000 GK zone)",
                             "坐标位于 {ellipsoid} 椭球（{crs}），椭球面积按其经纬度在 CGCS2000 椭球上计算。官方数据请先"
                             "转换为 CGCS2000（ecogis convert IN OUT --to-crs EPSG:4490 或 CGCS2000 高斯-克吕格分带）"),
    "area_repaired": ("{what}: {count} invalid polygon(s) repaired with make_valid (features {features})",
                      "{what}：{count} 个无效多边形已用 make_valid 修复（要素 {features}）"),
    "audit_datum_mix": ("layers {first} and {second} are on different datums: {note}",
                        "图层 {first} 与 {second} 的大地基准不同：{note}"),
    "zones_datum_mix": ("the zones and the raster are on different datums: {note}", "分区与栅格的大地基准不同：{note}"),
    "area_datum_mix": ("the layer and the --within boundary are on different datums: {note}",
                       "图层与 --within 边界的大地基准不同：{note}"),
    # ecogis.boundaries
    "boundary_resolved": ("boundary {name} resolved to {unit}", "行政区名称 {name} 匹配为 {unit}"),
    "boundary_province": ("{names} (province, {adcode})", "{names}（省级，行政区划代码 {adcode}）"),
    "boundary_city": ("{names} (city, {adcode})", "{names}（地级，行政区划代码 {adcode}）"),
    "boundary_district": ("{names} (district, {adcode})", "{names}（县级，行政区划代码 {adcode}）"),

    # ecogis.check (site check)
    "site_crs_guessed": ("site coordinates have no CRS given: {reason}; pass --site-crs (e.g. GCJ-02 for Amap/Tencent, "
                         "BD-09 for Baidu, EPSG:4529 for GK zone 41) if this is wrong",
                         "场址坐标未指定坐标系，按坐标推断。依据：{reason}；如有误请用 --site-crs 指定（高德/腾讯为 GCJ-02，百度为 BD-09，"
                         "高斯-克吕格 41 带为 EPSG:4529）"),
    "site_web_converted": ("site coordinates converted from {web} to CGCS2000 (EPSG:4490) before the check",
                           "场址坐标已由 {web} 转换为 CGCS2000（EPSG:4490）后再核查"),
    "site_empty": ("{count} empty site feature(s) left out of the check as asked (--skip-empty): {features}",
                   "按要求（--skip-empty）已将 {count} 个空的场址要素排除在核查之外：{features}"),
    "feature_repaired": ("{path}: feature {feature}: invalid geometry ({why}) repaired in memory with shapely.make_valid; "
                         "fix the source file",
                         "{path}：要素 {feature}：几何无效（{why}），已在内存中用 shapely.make_valid 修复；请修正源文件"),
    "features_without_geometry": ("{path}: {count} feature(s) without geometry (null or empty: {features}) are "
                                  "left out of every analysis; what they cover is unknown. Fix or delete them in "
                                  "the source file",
                                  "{path}：{count} 个要素无几何（空值或空几何：{features}），未参与任何分析，其覆盖范围"
                                  "无法判定；请在源文件中修正或删除"),
    "feature_repaired_in_memory": ("feature {feature}: invalid geometry ({why}) repaired in memory with "
                                   "shapely.make_valid; fix the source data",
                                   "要素 {feature}：几何无效（{why}），已在内存中用 shapely.make_valid 修复；请修正源数据"),
    "site_datum_mix": ("the site and layer(s) {layers} are on different datums: {note}",
                       "场址与图层 {layers} 的大地基准不同：{note}"),
    "site_far": ("{count} site(s) ({ids}) lie {where} (site centre {lon}, {lat}): likely swapped X/Y "
                 "(northing/easting), a wrong CRS or Gauss-Kruger zone, or GCJ-02/BD-09 web-map coordinates; "
                 "check --site-crs",
                 "{count} 个场址（{ids}）{where}（场址中心 {lon}, {lat}）：可能 X/Y（北/东坐标）颠倒、坐标系或"
                 "高斯-克吕格带号有误，或为 GCJ-02/BD-09 互联网地图坐标；请核对 --site-crs"),
    "site_far_where": ("more than {km} km from the boundary and every layer", "距行政边界和所有图层均超过 {km} km"),
    "site_far_china": ("outside China", "位于中国境外"),

    # ecogis.render (maps) and ecogis.cli.map_cmds
    "map_kind_from_name": ("{path}: drawn as kind {kind} (from its name); write {kind}={path} to say so",
                           "{path}：按文件名作为 {kind} 类图层绘制；如需明确请写 {kind}={path}"),
    "map_basemap_static": ("--basemap {basemap} applies to HTML maps only; the static map has no tiles",
                           "--basemap {basemap} 仅用于 HTML 地图，静态地图不加底图瓦片"),
    "map_gcj02_display": ("data shifted from CGCS2000 to GCJ-02 for display on Amap tiles only (popups show the "
                          "original attributes; do not digitise from this map)",
                          "为叠加高德底图，数据已由 CGCS2000 偏移为 GCJ-02，仅用于显示（弹窗显示原始属性；请勿在此地图上数字化）"),
    "map_layer_empty": ("layer {name} has no features to draw: left out of the legend", "图层 {name} 无可绘制要素，未列入图例"),
    "map_simplified": ("layer {name} simplified for display only ({before} -> {after} vertices, tolerance {tol} "
                       "degrees, about {metres} m); analyses use the full geometry",
                       "图层 {name} 仅为显示已简化（{before} → {after} 个节点，容差 {tol} 度，约 {metres} 米）；分析仍用完整几何"),
    "map_unknown_kind": ("layer {name} has no known kind ({kind}): drawn with the default style",
                         "图层 {name} 的类型（{kind}）无法识别，按默认样式绘制"),
    "map_inset_empty": ("location inset left empty: the map extent is in no Chinese province",
                        "位置示意图留空：地图范围不在中国任何省份内"),
    "map_inset_missing": ("location inset left out: province boundary not available ({error})",
                          "未绘制位置示意图：无法获取省界（{error}）"),
    "map_legend_overflow": ("the legend ({rows} rows) overflows its box by {overflow} even at {size} pt; draw fewer "
                            "layers or use a larger figsize",
                            "图例（{rows} 行）即使缩小到 {size} 磅字号仍超出图例框 {overflow}；请减少图层或加大图幅（figsize 参数）"),
    "map_missing_glyphs": ("{count} character(s) have no glyph in the installed fonts and print as boxes ({chars}...); "
                           "install a CJK font (apt install fonts-noto-cjk) or set ECOGIS_CJK_FONT",
                           "{count} 个字符在已安装字体中没有字形，将显示为方框（{chars}…）；请安装中文字体"
                           "（apt install fonts-noto-cjk）或设置 ECOGIS_CJK_FONT"),
})
