"""Errors of PostGIS layer sources, published layer versions and results tables (ecogis.io.postgis,
ecogis.io.versions, ecogis.store)."""

ERRORS = {
    "store.bad_url": ("not a PostgreSQL connection URL ({reason})", "不是有效的 PostgreSQL 连接地址（{reason}）"),
    "store.url_form": ("Write it as postgresql://user@host:port/database?table=schema.name",
                       "请写成 postgresql://用户@主机:端口/数据库?table=模式.表名"),
    "store.password_in_url": ("a password in the connection URL: ecogis does not take passwords from project "
                              "files or the command line",
                              "连接地址中含有密码：ecogis 不从项目文件或命令行读取密码"),
    "store.use_pgpass": ("Remove it and set PGPASSWORD, or add the connection to a pgpass file (~/.pgpass or "
                         "PGPASSFILE)", "请删去密码，改用环境变量 PGPASSWORD 或 pgpass 文件（~/.pgpass 或 PGPASSFILE）"),
    "store.no_table": ("the connection names no table and no query", "连接未指定表或查询语句"),
    "store.name_table": ("Add ?table=schema.name to the URL, or layer: (the table) or sql: (a query) to the "
                         "project layer", "请在地址后加 ?table=模式.表名，或在项目图层中写 layer:（表名）或 sql:（查询）"),
    "store.cannot_connect": ("cannot connect to the database: {reason}", "无法连接数据库：{reason}"),
    "store.check_connection": ("Check the host, port, database name and user (PGHOST, PGPORT, PGUSER set "
                               "defaults)", "请检查主机、端口、数据库名和用户（可用 PGHOST、PGPORT、PGUSER 设定默认值）"),
    "store.query_failed": ("the query failed: {reason}", "查询失败：{reason}"),
    "store.check_query": ("Check the SQL and the names of the tables and columns it uses",
                          "请检查 SQL 语句及其中的表名、字段名"),
    "store.no_table_found": ("no table or view {table} in this database", "数据库中没有表或视图 {table}"),
    "store.check_table": ("Check the schema and table name (?table=schema.name)", "请检查模式名和表名（?table=模式.表名）"),
    "store.no_geometry": ("no PostGIS geometry column", "没有 PostGIS 几何字段"),
    "store.select_geometry": ("Select a geometry column in the query, or name it with ?geom=column",
                              "请在查询中选出几何字段，或用 ?geom=字段名 指定"),
    "store.no_features": ("the table or query returned no features", "表或查询没有返回任何要素"),
    "store.no_version": ("no version {version} of layer {name} was published (versions: {versions})",
                         "图层 {name} 没有发布过版本 {version}（已有版本：{versions}）"),
    "store.publish_first": ("Publish it with ecogis publish, or name one of the versions listed",
                            "请先用 ecogis publish 发布，或使用列出的版本之一"),
    "store.bad_name": ("{name} cannot name a published layer", "{name} 不能用作发布图层的名称"),
    "store.name_form": ("Use letters, digits and _ (not starting with a digit, at most 40 characters)",
                        "请使用字母、数字和下划线（不以数字开头，最多 40 个字符）"),
    "store.bad_version": ("{version} cannot name a version", "{version} 不能用作版本名"),
    "store.version_form": ("Use letters, digits, - and _ (such as 2023-adjusted), at most 20 characters",
                           "请使用字母、数字、- 和 _（例如 2023-adjusted），最多 20 个字符"),
}
ERRORS.update({
    "store.target_form": ("ecogis publish writes to a PostGIS database or a GeoPackage (.gpkg)",
                          "ecogis publish 只能写入 PostGIS 数据库或 GeoPackage（.gpkg）"),
    "store.target_hint": ("Give --to postgresql://user@host:port/database or --to layers.gpkg",
                          "请使用 --to postgresql://用户@主机:端口/数据库 或 --to 图层.gpkg"),
    "store.version_exists": ("version {version} of layer {name} is already published (table {table})",
                             "图层 {name} 的版本 {version} 已发布（表 {table}）"),
    "store.overwrite": ("Give another --version, or --overwrite to replace it",
                        "请换一个 --version，或加 --overwrite 覆盖"),
    "store.crs_no_epsg": ("the layer's CRS has no EPSG code ({crs}): PostGIS stores an SRID",
                          "图层坐标系没有 EPSG 代码（{crs}），PostGIS 需要 SRID"),
    "store.give_epsg": ("Read it with --crs EPSG:n", "请用 --crs EPSG:n 指定坐标系"),
})
ERRORS.update({
    "store.versions_form": ("--versions takes two versions of one published layer, not {versions}",
                            "--versions 应为同一发布图层的两个版本，而不是 {versions}"),
    "store.versions_hint": ("Write --versions redline@2019,redline@2023-adjusted",
                            "请写成 --versions redline@2019,redline@2023-adjusted"),
    "store.no_project_layer": ("the project has no layer that reads the published layer {name}",
                               "项目中没有读取发布图层 {name} 的图层"),
    "store.project_layer_hint": ("Add it to the project: path: a postgresql:// store with ?table={name}, or a "
                                 "GeoPackage store with layer: {name}",
                                 "请在项目中加入该图层：path 为 postgresql:// 存储并带 ?table={name}，或 GeoPackage 存储并写 layer: {name}"),
})
ERRORS.update({
    "store.results_single": ("--results-to writes the results of a check or a batch, not a comparison of versions",
                             "--results-to 用于单次或批量核查结果，不用于版本比较"),
    "store.results_single_hint": ("Leave out --versions, or --results-to", "请去掉 --versions，或去掉 --results-to"),
})
ERRORS.update({
    "store.results_form": ("--results-to writes to a PostGIS database or a GeoPackage (.gpkg), not {target}",
                           "--results-to 只能写入 PostGIS 数据库或 GeoPackage（.gpkg），不能写入 {target}"),
    "store.results_form_hint": ("Give postgresql://user@host/db?table=schema.name or results.gpkg?table=name "
                                "(&findings=name adds a findings table)",
                                "请使用 postgresql://用户@主机/数据库?table=模式.表名 或 results.gpkg?table=表名"
                                "（加 &findings=表名 另写结果明细表）"),
    "store.results_table_name": ("{table} cannot name a results table", "{table} 不能用作结果表名"),
    "store.results_table_hint": ("Use letters, digits and _ (not starting with a digit)",
                                 "请使用字母、数字和下划线（不以数字开头）"),
    "store.results_schema": ("the results table {table} has other columns than this run writes (missing: {missing}; "
                             "not written: {extra})",
                             "结果表 {table} 的字段与本次写入的不一致（缺少：{missing}；多出：{extra}）"),
    "store.results_schema_hint": ("Name another table with ?table=, or one written by the same project's layers",
                                  "请用 ?table= 指定另一张表，或使用同一项目图层写入的表"),
})
