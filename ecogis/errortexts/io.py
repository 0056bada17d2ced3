"""Errors of reading and writing layers (ecogis.io)."""

_COPY_ZH = "请从来源处重新复制该文件"

ERRORS = {
    # ecogis.io.vector
    "io.not_vector": ("cannot read as a vector layer ({reason})", "无法作为矢量图层读取（{reason}）"),
    "io.not_vector_source": ("cannot open as a vector data source ({reason})", "无法作为矢量数据源打开（{reason}）"),
    "io.check_complete": ("Check that the file is complete and in a supported format", "请检查文件是否完整、格式是否受支持"),
    "io.bad_encoding": ("attribute text is not valid {encoding}", "属性文本不是有效的 {encoding} 编码"),
    "io.geojson_not_utf8": ("attribute text is not valid {encoding}; GeoJSON must be UTF-8 (RFC 7946)",
                            "属性文本不是有效的 {encoding} 编码；按 RFC 7946 规定 GeoJSON 应为 UTF-8 编码"),
    "io.pass_encoding": ("Pass the right encoding (--encoding GB18030 or UTF-8)", "请指定正确的编码（--encoding GB18030 或 UTF-8）"),
    "io.bad_geometries": ("cannot read the geometries ({reason})", "无法读取几何（{reason}）"),
    "io.check_in_gis": ("Check the file in a GIS (e.g. QGIS 'Check validity') and fix the broken features",
                        "请在 GIS 软件中检查该文件（如 QGIS“检查有效性”）并修复损坏的要素"),
    "io.copy_again": ("Copy the file again from its source", _COPY_ZH),
    "io.copy_incomplete": ("Copy the file again from its source (the copy or download was incomplete)",
                           _COPY_ZH + "（复制或下载不完整）"),
    "io.empty_file": ("the file is empty (0 bytes)", "文件为空（0 字节）"),
    "io.shx_missing": ("the shapefile index {stem}.shx is missing", "缺少 shapefile 索引文件 {stem}.shx"),
    "io.shapefile_parts": ("A shapefile needs its .shp, .shx and .dbf files side by side; copy all of them (GDAL can "
                           "rebuild a lost .shx with the config option SHAPE_RESTORE_SHX=YES)",
                           "shapefile 需要 .shp、.shx 和 .dbf 文件放在同一目录；请全部复制（丢失的 .shx 可用 GDAL 配置项 "
                           "SHAPE_RESTORE_SHX=YES 重建）"),
    "io.not_shapefile": ("not a shapefile: the .shp does not start with the shapefile header",
                         "不是 shapefile：.shp 文件不以 shapefile 文件头开始"),
    "io.shp_cut_off": ("the .shp is cut off: its header declares {declared} bytes but the file has {actual}",
                       ".shp 文件不完整：文件头声明 {declared} 字节，实际只有 {actual} 字节"),
    "io.shx_offsets": ("the index {name}.shx disagrees with {name}.shp: its offsets for {bad} of {count} feature(s) do "
                       "not point at their records, so they cannot be read",
                       "索引 {name}.shx 与 {name}.shp 不一致：{count} 个要素中有 {bad} 个的偏移量未指向其记录，无法读取"),
    "io.shx_short": ("the index {name}.shx lists {count} feature(s) but {name}.shp holds more records after them (from "
                     "byte {last_end} of {declared}), which would be lost",
                     "索引 {name}.shx 只列出 {count} 个要素，但 {name}.shp 在其后还有记录（自第 {last_end} 字节起，共 "
                     "{declared} 字节），这些记录将丢失"),
    "io.rebuild_shx": ("Copy the shapefile again from its source, or rebuild the index: remove the .shx and let GDAL "
                       "restore it (ogr2ogr --config SHAPE_RESTORE_SHX YES)",
                       "请从来源处重新复制该 shapefile，或重建索引：删除 .shx 后由 GDAL 恢复（ogr2ogr --config "
                       "SHAPE_RESTORE_SHX YES）"),
    "io.shp_record": ("the .shp record of {count} feature(s) cannot be read (shape type {type}, {size} bytes: its part "
                      "or point counts do not fit the record)",
                      "{count} 个要素的 .shp 记录无法读取（几何类型 {type}，{size} 字节：其部件数或点数与记录长度不符）"),
    "io.copy_or_fix": ("Copy the shapefile again from its source, or fix or delete the feature in a GIS",
                       "请从来源处重新复制该 shapefile，或在 GIS 软件中修复或删除该要素"),
    "io.zip_no_shx": ("the zip holds {shp} but not its .shx index", "压缩包中有 {shp}，但没有其 .shx 索引文件"),
    "io.zip_together": ("Zip the .shp, .shx, .dbf, .prj (and .cpg) files together",
                        "请将 .shp、.shx、.dbf、.prj（及 .cpg）文件一起压缩"),
    "io.zip_several": ("the zip holds several shapefiles ({shps})", "压缩包中有多个 shapefile（{shps}）"),
    "io.zip_several_none_named": ("the zip holds several shapefiles ({shps}) and none is named {layer}",
                                  "压缩包中有多个 shapefile（{shps}），但没有名为 {layer} 的"),
    "io.choose_shapefile": ("Choose one with layer= (--layer NAME), NAME one of: {stems}",
                            "请用 layer=（--layer 名称）选择其一，名称为：{stems}"),
    "io.zip_empty": ("the zip holds no shapefile", "压缩包中没有 shapefile"),
    "io.zip_no_shapefile": ("the zip holds no shapefile", "压缩包中没有 shapefile"),
    "io.zip_found": ("Found: {names}", "压缩包中有：{names}"),
    "io.bad_zip": ("not a valid zip archive", "不是有效的 zip 压缩包"),
    "io.recreate_zip": ("Re-create or re-download the archive", "请重新压缩或重新下载该压缩包"),
    "io.no_such_layer": ("no layer {layer}", "没有图层 {layer}"),
    "io.layers_in_file": ("Layers in this file: {names}", "该文件中的图层：{names}"),
    "io.no_layers": ("the file holds no layers", "文件中没有图层"),
    "io.right_file": ("Check that it is the right file", "请确认文件是否正确"),
    "io.no_spatial_layer": ("the file holds no layer with geometries", "文件中没有带几何的图层"),
    "io.layers": ("Layers: {names}", "图层：{names}"),
    "io.several_layers": ("the file holds {count} layers: {names}", "文件中有 {count} 个图层：{names}"),
    "io.choose_layer": ("Choose one with layer= (--layer NAME)", "请用 layer=（--layer 名称）选择其一"),
    "io.cpg_wrong_nothing_fits": ("attribute text is not valid {declared} as the .cpg says, nor UTF-8 or GB18030",
                                  "属性文本既不是 .cpg 声明的有效 {declared}，也不是 UTF-8 或 GB18030 编码"),
    "io.pass_encoding_option": ("Pass the right encoding with --encoding (encoding=)", "请用 --encoding（encoding=）指定正确的编码"),
    "io.no_encoding_fits": ("attribute text is neither valid UTF-8 nor GB18030", "属性文本既不是有效的 UTF-8 也不是 GB18030 编码"),
    "io.pass_encoding_big5": ("Pass the right encoding with --encoding (encoding=), e.g. BIG5",
                              "请用 --encoding（encoding=）指定正确的编码，例如 BIG5"),
    "io.dbf_header_cut": ("{name} is cut off: shorter than its 32-byte header", "{name} 不完整：短于 32 字节的文件头"),
    "io.dbf_header_length": ("the header of {name} is damaged: its header-length field says {length} bytes but its "
                             "{fields} field descriptor(s) end at byte {needed}, so the attributes would be lost or shifted",
                             "{name} 的文件头已损坏：文件头长度字段为 {length} 字节，但其 {fields} 个字段描述至第 {needed} 字节"
                             "才结束，属性将丢失或错位"),
    "io.dbf_set_bytes_8_9": ("Copy the file again from its source (or set bytes 8-9 of {name} to {needed}, little-endian)",
                             _COPY_ZH + "（或将 {name} 的第 8–9 字节设为 {needed}，小端序）"),
    "io.dbf_cut_off": ("{name} is cut off: {count} records of {length} bytes need {needed} bytes but the file has {size}",
                       "{name} 不完整：{count} 条 {length} 字节的记录需 {needed} 字节，但文件只有 {size} 字节"),
    "io.dbf_record_count": ("the header of {name} is damaged: its record count says {count} but the file holds {held} "
                            "records of {length} bytes, so the features after record {count} would be lost",
                            "{name} 的文件头已损坏：记录数字段为 {count}，但文件中有 {held} 条 {length} 字节的记录，"
                            "第 {count} 条之后的要素将丢失"),
    "io.dbf_set_bytes_4_7": ("Copy the file again from its source (or set bytes 4-7 of {name} to {held}, little-endian)",
                             _COPY_ZH + "（或将 {name} 的第 4–7 字节设为 {held}，小端序）"),
    "io.dbf_zero_field": ("the header of {name} is damaged: the field has length 0, so its values and those of the "
                          "fields after it cannot be read",
                          "{name} 的文件头已损坏：该字段长度为 0，其值及其后各字段的值均无法读取"),
    "io.dbf_record_length": ("the header of {name} is damaged: its record-length field says {length} bytes but the "
                             "deletion flag and its {count} field(s) take {needed}, so the attributes would be lost or "
                             "shifted",
                             "{name} 的文件头已损坏：记录长度字段为 {length} 字节，但删除标记与 {count} 个字段共占 {needed} "
                             "字节，属性将丢失或错位"),
    "io.dbf_set_bytes_10_11": ("Copy the file again from its source (or set bytes 10-11 of {name} to {needed}, "
                               "little-endian)", _COPY_ZH + "（或将 {name} 的第 10–11 字节设为 {needed}，小端序）"),
    "io.unknown_encoding": ("unknown encoding {encoding}", "无法识别的编码 {encoding}"),
    "io.encoding_names": ("Use a name such as UTF-8, GBK or GB18030", "请使用 UTF-8、GBK 或 GB18030 等编码名称"),
}
ERRORS.update({
    # ecogis.io.read
    "read.cm_range": ("the central meridian (--cm) must be a number from {low} to {high} degrees E, got {cm}",
                      "中央经线（--cm）应为东经 {low} 到 {high} 度之间的数，实为 {cm}"),
    "read.cm_hint": ("3-degree zone n has central meridian 3n E (zone 41: --cm 123)",
                     "3 度带第 n 带的中央经线为东经 3n 度（第 41 带：--cm 123）"),
    "read.folder": ("is a folder, not a layer", "是文件夹而不是图层"),
    "read.give_file": ("Give a file (.shp, .gpkg, .geojson, ...) or a FileGDB folder ending .gdb",
                       "请给出文件（.shp、.gpkg、.geojson 等）或以 .gdb 结尾的 FileGDB 文件夹"),
    "read.not_exchange": ("this .txt is not a land-survey coordinate exchange file: no [属性描述] or [地块坐标] section",
                          "该 .txt 不是土地勘测定界坐标交换文件：没有 [属性描述] 或 [地块坐标] 节"),
    "read.exchange_layout": ("An exchange file starts with [属性描述] (坐标系, 带号, ...) followed by [地块坐标]; for a "
                             "point table save it as .csv with 经度/纬度 columns",
                             "坐标交换文件以 [属性描述]（坐标系、带号等）开头，其后为 [地块坐标]；点位表请另存为含 经度/纬度 列的 .csv"),
    "read.no_suffix": ("unsupported file type (no suffix)", "不支持的文件类型（无后缀）"),
    "read.unsupported": ("unsupported file type {suffix}", "不支持的文件类型 {suffix}"),
    "read.formats": ("ecogis reads .shp, .zip, .gpkg, .geojson, .kml, .kmz, .gdb, .csv, .xlsx and exchange .txt files",
                     "ecogis 可读取 .shp、.zip、.gpkg、.geojson、.kml、.kmz、.gdb、.csv、.xlsx 及坐标交换 .txt 文件"),
    "read.shapefile_part": ("a {suffix} file is only the {what} of a shapefile", "{suffix} 文件只是 shapefile 的 {what}"),
    "read.read_shp": ("Read the shapefile itself: {shp}", "请读取 shapefile 本身：{shp}"),
    "read.shapefile_part_alone": ("a {suffix} file is only the {what} of a shapefile, and {stem}.shp (the geometries) is "
                                  "not beside it", "{suffix} 文件只是 shapefile 的 {what}，且旁边没有 {stem}.shp（几何文件）"),
    "read.copy_shp": ("Copy {stem}.shp and {stem}.shx into the same folder, then read the .shp",
                      "请将 {stem}.shp 和 {stem}.shx 复制到同一文件夹，再读取 .shp"),
    "read.exchange_web": ("an exchange text holds Gauss-Kruger coordinates, not {web}", "坐标交换文件为高斯-克吕格坐标，而不是 {web}"),
    "read.give_gk": ("Give a Gauss-Kruger CRS (e.g. EPSG:4529) or none", "请给出高斯-克吕格坐标系（如 EPSG:4529）或不指定"),
    "read.exchange_no_crs": ("the exchange text gave no CRS", "坐标交换文件未给出坐标系"),
    "read.pass_crs_gk": ("Pass crs= (--crs EPSG:4529)", "请用 crs=（--crs EPSG:4529）指定"),
    "read.no_features": ("layer {layer} has no features", "图层 {layer} 没有要素"),
    "read.right_layer": ("Check that it is the right file or layer", "请确认文件或图层是否正确"),
    "read.web_projected": ("{web} coordinates are longitude/latitude, but the file is in {crs}",
                           "{web} 坐标应为经纬度，但该文件的坐标系为 {crs}"),
    "read.web_only": ("Use --from-crs {web} only for web-map longitude/latitude data", "--from-crs {web} 仅用于互联网地图的经纬度数据"),
    "read.not_finite": ("the coordinate ({x}, {y}) is not a finite number", "坐标（{x}, {y}）不是有限数值"),
    "read.fix_feature": ("Fix or delete the feature in the source file", "请在源文件中修正或删除该要素"),
    "read.web_bounds": ("{system} coordinates must be longitude/latitude in degrees, but the bounds are {bounds}",
                        "{system} 坐标应为以度为单位的经纬度，但其范围为 {bounds}"),
    "read.check_crs": ("Check the CRS you gave", "请核对所给的坐标系"),
    "read.nothing_to_infer": ("no coordinates to infer the CRS from, and the file has none", "文件未带坐标系，且没有可用于推断坐标系的坐标"),
    "read.pass_crs_geo": ("Pass crs= (--crs EPSG:4490)", "请用 crs=（--crs EPSG:4490）指定"),
    # ecogis.io.read_crs: coordinates that do not fit the CRS, a CRS that cannot be inferred
    "read.coords_do_not_fit": ("the coordinates ({span}) do not fit {said_by}, {crs}: expected {expected}",
                               "坐标（{span}）不符合{said_by} {crs}：应为{expected}"),
    "read.coord_does_not_fit": ("the coordinate ({x}, {y}) does not fit {said_by}, {crs}: expected {expected} "
                                "(all coordinates: {span})",
                                "坐标 ({x}, {y}) 不符合{said_by} {crs}：应为{expected}（全部坐标：{span}）"),
    "read.crs_given_by_user": ("the CRS given", "给定的坐标系"),
    "read.crs_of_file": ("the file's CRS", "文件的坐标系"),
    "read.expect_degrees": ("longitude/latitude in degrees", "以度为单位的经纬度"),
    "read.expect_gk": ("Gauss-Kruger metres with eastings {lo}..{hi}", "东坐标在 {lo}..{hi} 之间的高斯-克吕格坐标（米）"),
    "read.values_look_like": ("The values look like {crs}: pass crs={label} (--crs {label})",
                              "这些数值看起来是 {crs}：请指定 crs={label}（--crs {label}）"),
    "read.pass_right_crs_or_fix": ("Pass the right CRS with crs= (--crs EPSG:n), or fix the feature in the source file",
                                   "请用 crs=（--crs EPSG:n）指定正确的坐标系，或在源文件中修正该要素"),
    "read.infer_failed": ("{reason}{odd}", "{reason}{odd}"),
    "read.odd_where_row": ("feature {row} (row {row1}, line {line} with the header)",
                           "第 {row} 个要素（第 {row1} 行，含表头为第 {line} 行）"),
    "read.odd_where": ("feature {row}", "第 {row} 个要素"),
    "read.odd_one": ("; {where} has coordinates ({x}, {y}) unlike the rest (a placeholder, a typo, a lost or other "
                     "zone prefix?)", "；{where}的坐标 ({x}, {y}) 与其余要素不同（占位值、笔误、丢失或多出的带号前缀？）"),
    "read.odd_many": ("; {where} and {others} other feature(s) have coordinates ({x}, {y}) unlike the rest (a "
                      "placeholder, a typo, a lost or other zone prefix?)",
                      "；{where}及另外 {others} 个要素的坐标 ({x}, {y}) 与其余要素不同（占位值、笔误、丢失或多出的带号前缀？）"),
    # ecogis.io.read: GeoParquet
    "read.parquet_no_layers": ("a GeoParquet holds one table: it has no layers to choose",
                               "GeoParquet 只含一个表：没有可选择的图层"),
    "read.leave_out_layer": ("Leave out the layer (a folder of GeoParquet parts is read as one table)",
                             "请去掉图层参数（GeoParquet 分片文件夹按一个表读取）"),
})
