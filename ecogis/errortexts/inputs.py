"""Errors of project, rules and YAML inputs, area options and command options (ecogis.project, ecogis.rules,
ecogis.yamlio, ecogis.area_result, ecogis.io.vector, ecogis.cli)."""

ERRORS = {
    "inputs.effective_order": ("{at}effective_until must come after effective_from",
                               "{at}effective_until 应晚于 effective_from"),
    "inputs.verified_bool": ("{at}verified must be true or false", "{at}verified 应为 true 或 false"),
    "inputs.bad_yaml_date": ("line {line}: {value!r} is not a valid date ({reason})", "第 {line} 行：{value!r} 不是有效日期（{reason}）"),
    "inputs.date_or_quote": ("Write dates as YYYY-MM-DD, or quote the value", "日期请写作 YYYY-MM-DD，或给该值加引号"),
    "inputs.coverage_form": ("line {line}: layer {name!r}: coverage must be a path, an administrative name or "
                             "{{path:, layer:}}",
                             "第 {line} 行：图层 {name!r}：coverage 应为路径、行政区名称或 {{path:, layer:}}"),
    "inputs.no_coverage_file": ("line {line}: layer {name!r}: coverage file not found: {candidate}",
                                "第 {line} 行：图层 {name!r}：coverage 文件不存在：{candidate}"),
    "inputs.relative_paths": ("Paths are relative to the project file", "路径相对于项目文件"),
    "inputs.unknown_unit": ("unknown area unit {unit!r}", "未知的面积单位 {unit!r}"),
    "inputs.use_unit": ("Use one of m2, ha (公顷), km2, mu (亩)", "请使用 m2、ha（公顷）、km2、mu（亩）之一"),
    "inputs.unknown_method": ("unknown area method {method!r}", "未知的面积计算方法 {method!r}"),
    "inputs.use_method": ("Use ellipsoid (official), geodesic or plane", "请使用 ellipsoid（官方）、geodesic 或 plane"),
    "inputs.ovkmz_no_kml": ("the .ovkmz holds no .kml", ".ovkmz 文件中没有 .kml"),
    "inputs.export_ovi": ("Export the layer from Ovi again", "请从奥维互动地图重新导出该图层"),
    "inputs.corridor_not_batch": ("--corridor is for a check without --batch", "--corridor 用于不带 --batch 的检查"),
    "inputs.dialect_txt_only": ("--dialect applies to exchange-text output (.txt), not {suffix}",
                                "--dialect 只用于交换文本输出（.txt），不用于 {suffix}"),
    "inputs.leave_out_dialect": ("Leave out --dialect, or write OUT as .txt", "请去掉 --dialect，或将输出写为 .txt"),
}
ERRORS.update({
    # ecogis.io.read (telling file types apart)
    "inputs.ovi_txt": ("this .txt is an export of the Ovi map app (奥维互动地图), not a coordinate exchange file",
                       "此 .txt 是奥维互动地图的导出文件，不是坐标交换文件"),
    "inputs.export_ovi_kml": ("Export the objects from Ovi as KML (.ovkml) or CSV and read that: ecogis converts Ovi's "
                              "GCJ-02 to CGCS2000 and says so",
                              "请从奥维互动地图将对象导出为 KML（.ovkml）或 CSV 再读取：ecogis 会将奥维的 GCJ-02 转换为 CGCS2000 "
                              "并加以说明"),
    "inputs.txt_not_exchange": ("this .txt is not a land-survey coordinate exchange file: no [属性描述] or [地块坐标] "
                                "section (nor a 点号,X,Y coordinate list)",
                                "此 .txt 不是土地勘测定界坐标交换文件：没有 [属性描述] 或 [地块坐标] 节（也不是 点号,X,Y 坐标列表）"),
    "inputs.exchange_layout": ("An exchange file starts with [属性描述] (坐标系, 带号, ...) followed by [地块坐标]; for a "
                               "point table save it as .csv with 经度/纬度 columns",
                               "交换文件以 [属性描述]（坐标系、带号……）开始，其后为 [地块坐标]；点表请另存为带 经度/纬度 列的 .csv"),
    "inputs.unsupported_type": ("unsupported file type {suffix}", "不支持的文件类型 {suffix}"),
    "inputs.supported_types": ("ecogis reads .shp, .zip, .gpkg, .geojson, .kml, .kmz, .gdb, .parquet, .csv, .xlsx, .dxf, "
                               "CASS .dat and exchange .txt files",
                               "ecogis 可读取 .shp、.zip、.gpkg、.geojson、.kml、.kmz、.gdb、.parquet、.csv、.xlsx、.dxf、CASS .dat "
                               "和交换文件 .txt"),
})
