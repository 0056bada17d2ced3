"""Errors of the command line (ecogis.cli)."""

ERRORS = {
    "cli.bound_above": ("above {bound}", "大于 {bound}"),
    "cli.bound_at_least": ("at least {bound}", "不小于 {bound}"),
    "cli.bound_at_most": ("at most {bound}", "不大于 {bound}"),
    "cli.option_value": ("{option}: {reason}", "{option}：{reason}"),
    "cli.not_in_bounds": ("must be a finite number {bounds}, got {value}", "应为{bounds} 的有限数值，实为 {value}"),
    "cli.field_map": ("--field {item} is not SOURCE=CANONICAL", "--field {item} 的格式应为 源字段=标准字段"),
    "cli.field_map_example": ("Example: --field 保护区名=name", "例如：--field 保护区名=name"),
    # check
    "cli.one_site": ("give exactly one site: a file argument or --at lon,lat / --at WKT",
                     "请给出且仅给出一个场址：文件参数，或 --at 经度,纬度 / --at WKT"),
    "cli.one_site_example": ("Example: ecogis check --at 121.85,40.95 --project layers/project.yaml",
                             "例如：ecogis check --at 121.85,40.95 --project layers/project.yaml"),
    "cli.unknown_format": ("unknown report format {format}", "无法识别的报告格式 {format}"),
    "cli.use_formats": ("Use some of {formats}", "请从 {formats} 中选择"),
    "cli.batch_formats": ("--batch writes {formats} only, not {other}", "--batch 只输出 {formats}，不输出 {other}"),
    "cli.batch_formats_hint": ("HTML/DOCX reports are for a few sites: check them without --batch",
                               "HTML/DOCX 报告适用于少量场址：请不加 --batch 核查"),
    "cli.no_output": ("nowhere to put the result", "未指定结果的输出位置"),
    "cli.no_output_hint": ("Pass --out DIR for the reports and/or --json", "请用 --out 目录 输出报告，和/或用 --json"),
    # map
    "cli.no_layers": ("no layers given", "未给出图层"),
    "cli.no_layers_hint": ("Name at least one LAYER file or pass --project", "请至少给出一个图层文件，或用 --project 指定项目文件"),
    "cli.layer_not_found": ("layer not found", "找不到图层"),
    "cli.check_path": ("Check the path", "请核对路径"),
    "cli.check_path_project": ("Check the path; project layers are: {layers}", "请核对路径；项目中的图层为：{layers}"),
    "cli.focus_needs_site": ("--focus site needs --site", "--focus site 需要同时给出 --site"),
    "cli.focus_needs_site_hint": ("Give the site file with --site", "请用 --site 给出场址文件"),
    # raster
    "cli.change_needs_out": ("--out is required for change", "change 命令必须给出 --out"),
    "cli.change_needs_out_hint": ("Give a folder, e.g. --out maps/change", "请给出输出文件夹，例如 --out maps/change"),
}
ERRORS.update({
    # ecogis.render.folium_map
    "map.tianditu_key": ("the Tianditu base map needs a key", "天地图底图需要密钥"),
    "map.set_tianditu_key": ("Set TIANDITU_KEY (or pass --tianditu-key); for offline maps use --basemap none",
                             "请设置 TIANDITU_KEY（或用 --tianditu-key 给出）；离线地图请用 --basemap none"),
    "map.unknown_basemap": ("unknown base map {basemap}; expected one of {basemaps}", "无法识别的底图 {basemap}；应为以下之一：{basemaps}"),
})
ERRORS.update({
    # ecogis.cli (the command group)
    "cli.not_registered": ("ecogis's own commands are not registered in the installed package metadata (entry-point "
                           "group ecogis.commands); reinstall it: pip install -e .",
                           "ecogis 自带的命令未在已安装包的元数据中注册（入口点组 ecogis.commands）；请重新安装：pip install -e ."),
    "cli.plugin_broken": ("{plugin} cannot be loaded: {reason}", "{plugin} 无法加载：{reason}"),
    "cli.plugin_left_out": ("{plugin} cannot be loaded and is left out: {reason}", "{plugin} 无法加载，已略去：{reason}"),
})
