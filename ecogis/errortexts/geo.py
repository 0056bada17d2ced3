"""Errors of coordinate systems, layer kinds and coordinate transformations (ecogis.crs, ecogis.layers,
ecogis.transform, ecogis.corridor)."""

ERRORS = {
    # ecogis.crs
    "crs.unknown_datum": ("unknown datum {name!r}", "未知的大地基准 {name!r}"),
    "crs.use_datum": ("Use one of CGCS2000, Xian1980, Beijing1954, WGS84",
                      "请使用 CGCS2000、Xian1980、Beijing1954、WGS84 之一"),
    "crs.zone_width": ("zone width {width!r} is not 3 or 6", "分带宽度 {width!r} 不是 3 或 6"),
    "crs.zone_width_hint": ("Gauss-Kruger zones are 3 or 6 degrees wide", "高斯-克吕格投影带宽为 3 度或 6 度"),
    "crs.no_gk_codes": ("no Gauss-Kruger EPSG codes for datum {datum}", "大地基准 {datum} 没有高斯-克吕格 EPSG 代码"),
    "crs.use_gk_datum": ("Use CGCS2000, Xian1980 or Beijing1954", "请使用 CGCS2000、Xian1980 或 Beijing1954"),
    "crs.zone_outside": ("{width}-degree Gauss-Kruger zone {zone} is outside China (zones {first}-{last})",
                         "{width} 度带高斯-克吕格第 {zone} 带不在中国范围内（应为第 {first}-{last} 带）"),
    "crs.check_zone": ("Check the zone number (带号); Panjin is 3-degree zone 41", "请检查带号；盘锦位于 3 度带第 41 带"),
    "crs.none_given": ("no CRS given", "未给出坐标系"),
    "crs.pass_crs": ("Pass a CRS such as EPSG:4529, CGCS2000 or GCJ-02", "请给出坐标系，如 EPSG:4529、CGCS2000 或 GCJ-02"),
    "crs.unknown": ("unknown CRS {value!r}", "未知的坐标系 {value!r}"),
    "crs.unknown_hint": ("Use an EPSG code (EPSG:4529), a datum name (CGCS2000, WGS84, Xian1980, Beijing1954) or a "
                         "web-map system (GCJ-02, BD-09)",
                         "请使用 EPSG 代码（EPSG:4529）、大地基准名称（CGCS2000、WGS84、Xian1980、Beijing1954）"
                         "或网络地图坐标系（GCJ-02、BD-09）"),
    "crs.unknown_epsg": ("EPSG:{code} is not a known CRS code", "EPSG:{code} 不是已知的坐标系代码"),
    "crs.check_epsg": ("Check the code; CGCS2000 is 4490, its 3-degree Gauss-Kruger zones 4513-4554",
                       "请检查代码；CGCS2000 为 4490，其 3 度带高斯-克吕格投影为 4513-4554"),
    "crs.not_to_cgcs2000": ("the CRS {name!r} cannot be transformed to CGCS2000 (EPSG:4490): {reason}",
                            "坐标系 {name!r} 无法转换到 CGCS2000（EPSG:4490）：{reason}"),
    "crs.fix_prj": ("Fix the .prj (datum, ellipsoid) or pass the right CRS with --crs / --site-crs",
                    "请修正 .prj 文件（基准、椭球），或用 --crs / --site-crs 给出正确的坐标系"),
    "crs.no_finite": ("no finite coordinates to infer a CRS from", "没有可用于推断坐标系的有限坐标"),
    "crs.pass_explicitly": ("Pass crs= explicitly", "请明确给出 crs="),
    "crs.degrees_outside": ("coordinates look like degrees but lie outside China ({ranges})",
                            "坐标像是经纬度，但位于中国范围之外（{ranges}）"),
    "crs.only_china": ("ecogis infers CRSs only for data in China (73-136 E, 3-54 N); pass crs= explicitly",
                       "ecogis 只为中国境内（东经 73-136 度、北纬 3-54 度）的数据推断坐标系；请明确给出 crs="),
    "crs.cannot_infer": ("cannot infer a CRS from the coordinates ({ranges}): they are neither longitude/latitude "
                         "in China nor Gauss-Kruger metres",
                         "无法从坐标推断坐标系（{ranges}）：既不是中国境内的经纬度，也不是高斯-克吕格米制坐标"),
    "crs.cannot_infer_hint": ("Pass crs= (e.g. EPSG:4529 for CGCS2000 3-degree zone 41 with prefix)",
                              "请给出 crs=（如 EPSG:4529，即 CGCS2000 3 度带第 41 带、带带号）"),
    "crs.several_zones": ("coordinates carry several zone prefixes ({zones}) in one file",
                          "同一文件中的坐标带有多个带号前缀（{zones}）"),
    "crs.split_zones": ("Split the file by zone, or reproject the parts to one zone first",
                        "请按投影带拆分文件，或先将各部分投影到同一带"),
    "crs.prefix_not_zone": ("easting prefix {zone} is not a Gauss-Kruger zone in China (3-degree zones 25-45, "
                            "6-degree zones 13-23)",
                            "横坐标前缀 {zone} 不是中国的高斯-克吕格投影带（3 度带 25-45，6 度带 13-23）"),
    "crs.cm_vs_prefix": ("central meridian {cm} does not match the zone prefix {zone} ({width}-degree zone, "
                         "CM {central} E)",
                         "中央经线 {cm} 与带号前缀 {zone} 不符（{width} 度带，中央经线东经 {central} 度）"),
    "crs.check_zone_cm": ("Check the zone number (带号) or the central meridian you gave", "请检查带号或所给的中央经线"),
    "crs.no_prefix_no_cm": ("Gauss-Kruger coordinates without a zone prefix ({ranges} m): the central meridian "
                            "cannot be read from them",
                            "高斯-克吕格坐标不带带号前缀（{ranges} 米）：无法从中读出中央经线"),
    "crs.not_a_cm": ("{cm} E is not the central meridian of a {width}-degree Gauss-Kruger zone",
                     "东经 {cm} 度不是 {width} 度带高斯-克吕格投影的中央经线"),
    "crs.cm_rule": ("3-degree CMs are multiples of 3 (e.g. 123); 6-degree CMs are 6n-3 (e.g. 123)",
                    "3 度带中央经线为 3 的倍数（如 123）；6 度带中央经线为 6n-3（如 123）"),
    "crs.not_web_system": ("{system!r} is not a web-map system", "{system!r} 不是网络地图坐标系"),
    "crs.use_web": ("Use GCJ-02 or BD-09", "请使用 GCJ-02 或 BD-09"),
    "crs.no_crs_for_web": ("the layer has no CRS, cannot convert it to a web-map system",
                           "图层没有坐标系，无法转换到网络地图坐标系"),
    "crs.read_with_crs": ("Read it with crs= first", "请先用 crs= 读取"),
}
ERRORS["crs.cm_hint"] = (
    "The northings put the data near {lat} N, where China spans 3-degree zones {first}-{last} (central meridians "
    "{first_cm}-{last_cm} E); pass the central meridian of the zone the survey used, e.g. cm={cm} (--cm {cm}) for "
    "zone {example}, or crs=EPSG:{code}",
    "按纵坐标，数据位于北纬 {lat} 度附近，该纬度上中国跨 3 度带第 {first}-{last} 带（中央经线东经 {first_cm}-{last_cm} 度）；"
    "请给出测量所用投影带的中央经线，如第 {example} 带为 cm={cm}（--cm {cm}），或 crs=EPSG:{code}")
ERRORS.update({
    # ecogis.layers
    "layers.unknown_value": ("unknown {what} {value!r}; allowed: {allowed} (also written {examples})",
                             "未知的{what} {value!r}；可取值：{allowed}（也可写作 {examples}）"),
    "layers.fix_value": ("Correct the value in the data, or map the right column with fields={{'column': 'field'}}",
                         "请更正数据中的值，或用 fields={{'列名': '字段'}} 指定正确的列"),
    "layers.no_water_class": ("missing water-quality class", "缺少水质类别"),
    "layers.water_class_needed": ("A class such as Ⅳ is needed here", "此处需要水质类别，如 Ⅳ"),
    "layers.not_number_in": ("not a number in {unit}: {value!r}", "不是以 {unit} 为单位的数值：{value!r}"),
    "layers.plain_number": ("Write a plain number in {unit} (convert values given in other units)",
                            "请填写以 {unit} 为单位的纯数值（其他单位的值请先换算）"),
    "layers.kind_taken": ("layer kind {name!r} is already registered", "图层类型 {name!r} 已注册"),
    "layers.pick_other_name": ("Pick another name for the new kind", "请为新类型另取名称"),
    "layers.unknown_kind": ("unknown layer kind {kind!r}; known kinds: {known}", "未知的图层类型 {kind!r}；已知类型：{known}"),
    "layers.pick_kind": ("Pick one of the known kinds, or leave kind empty to read without normalising",
                         "请选择已知类型之一，或不填类型以不经规范化读取"),
    "layers.map_no_column": ("fields= maps {key!r} -> {value!r} but the layer has no column {key!r}; available "
                             "columns: {columns}",
                             "fields= 将 {key!r} 对应到 {value!r}，但图层没有列 {key!r}；现有列：{columns}"),
    "layers.map_hint": ("Use fields={{'source column': 'canonical field'}}", "请使用 fields={{'源列名': '规范字段'}}"),
    "layers.map_not_field": ("fields= maps {source!r} to {target!r}, which is not a field of kind {kind!r}; its fields "
                             "are: {fields}",
                             "fields= 将 {source!r} 对应到 {target!r}，但它不是类型 {kind!r} 的字段；该类型的字段为：{fields}"),
    "layers.bad_value": ("{reason}{read_as}{more}", "{reason}{read_as}{more}"),
    "layers.read_as": (" (column {column!r} read as {target})", "（列 {column!r} 按 {target} 读取）"),
    "layers.more_like_it": (" ({count} more feature(s) have this value)", "（另有 {count} 个要素取此值）"),
    "layers.missing_fields": ("a {kind} layer needs the field(s) {missing} ({described}), and no column matches; "
                              "available columns: {columns}",
                              "{kind} 图层需要字段 {missing}（{described}），但没有相符的列；现有列：{columns}"),
    "layers.map_missing": ("Map a column with fields={{'{example}': '{target}'}} (CLI: --field {example}={target}); known "
                           "names for {target!r}: {aliases}",
                           "请用 fields={{'{example}': '{target}'}} 指定列（命令行：--field {example}={target}）；"
                           "{target!r} 的已知名称：{aliases}"),
    "layers.no_area": ("the polygon has no area ({reason}): a ring needs at least 3 distinct points",
                       "多边形面积为零（{reason}）：一个环至少需要 3 个不同的点"),
    "layers.fix_feature": ("Fix or delete the feature in the source file", "请在源文件中修复或删除该要素"),
})
