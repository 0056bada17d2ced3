"""English and Chinese templates of the web-map notes (:mod:`ecogis.webmap`, :mod:`ecogis.crs_sensitivity`,
and the web-map clause of every longitude/latitude CRS guess in :mod:`ecogis.crs`)."""
from __future__ import annotations

from ecogis.messages import register

#: how to ask for each reading, in the words of each entry point (the same in every note)
OPTIONS_EN = ("--crs {system} for info/convert/area, --site-crs {system} for a check site, "
              "crs: {system} for a project layer")
OPTIONS_ZH = "查看、转换、面积等命令用 --crs {system}，核查场址用 --site-crs {system}，项目图层写 crs: {system}"

MESSAGES: dict[str, tuple[str, str]] = {
    # the clause every lon/lat guess carries (ecogis.crs_infer._geographic_guess)
    "web_possible": (
        "the values may also be web-map coordinates, offset by hundreds of metres to over a kilometre: "
        "GCJ-02 (Amap/Gaode, Tencent, "
        "Ovi map exports since v9.3) or BD-09 (Baidu), and if so pass " + OPTIONS_EN.format(system="GCJ-02")
        + " (BD-09 alike)",
        "坐标也可能是互联网地图坐标（偏移数百米至一千米以上）：GCJ-02（高德、腾讯，奥维互动地图 9.3 版起的导出）"
        "或 BD-09（百度）；如是，请指定：" + OPTIONS_ZH.format(system="GCJ-02") + "（BD-09 同理）"),
    "web_converted_detected": (
        "{path}: coordinates read as {system} ({why}) and converted to CGCS2000 (EPSG:4490); the features moved "
        "{mean} m on average, {max} m at most (geodesic); if the file is not in {system} pass --crs WGS84 "
        "(--site-crs WGS84 for a check site, crs: WGS84 for a project layer)",
        "{path}：坐标按 {system} 读取（{why}），已转换为 CGCS2000（EPSG:4490）；要素平均移动 {mean} 米，最大 {max} 米"
        "（大地线距离）；如文件并非 {system}，请用 --crs WGS84（核查场址用 --site-crs WGS84，项目图层写 crs: WGS84）"),
    "web_converted_given": (
        "{path}: coordinates read as {system} ({why}) and converted to CGCS2000 (EPSG:4490); the features moved "
        "{mean} m on average, {max} m at most (geodesic)",
        "{path}：坐标按 {system} 读取（{why}），已转换为 CGCS2000（EPSG:4490）；要素平均移动 {mean} 米，最大 {max} 米"
        "（大地线距离）"),
    "web_suspected": (
        "{path}: the coordinates were read as WGS 84/CGCS2000 longitude/latitude, but {why}: they are probably "
        "{system}, offset by a few hundred metres; if so pass --crs {system} (--site-crs {system} for a check site, "
        "crs: {system} for a project layer); --crs WGS84 confirms the reading",
        "{path}：坐标按 WGS 84/CGCS2000 经纬度读取，但{why}，很可能是 {system}（偏移数百米）；如是，请用 --crs {system}"
        "（核查场址用 --site-crs {system}，项目图层写 crs: {system}）；用 --crs WGS84 可确认现读法"),
    "web_why_given": ("as given", "按用户指定"),
    "web_why_ovi_suffix": ("a {detail} file is written by the Ovi map app v9.3 or later, in GCJ-02",
                           "{detail} 文件由奥维互动地图 9.3 及以后版本导出，为 GCJ-02"),
    "web_why_ovi_text": ("the file mentions {detail}: an export of the Ovi map app, whose KML/CSV/TXT exports are "
                         "GCJ-02 since v9.3 (WGS 84 before)",
                         "文件含“{detail}”字样：奥维互动地图导出文件，其 KML/CSV/TXT 导出自 9.3 版起为 GCJ-02"
                         "（此前为 WGS 84）"),
    "web_why_coord_columns": ("the coordinate columns ({detail}) name the system",
                              "坐标列（{detail}）标明了坐标系"),
    "web_why_datav": ("its properties {detail} are those of Amap/DataV district GeoJSON (GCJ-02)",
                      "其属性 {detail} 与高德/DataV 行政区划 GeoJSON（GCJ-02）相同"),
    "web_why_columns": ("column(s) {detail} name a web map", "字段 {detail} 名称指向互联网地图"),
    # ecogis.crs_sensitivity
    "crs_depends": (
        "site {site}: the verdict depends on the CRS guess ({guess}): {verdict} as read, {alt_verdict} read as "
        "{alt} (the site then moves {shift} m); a decisive boundary lies within that distance. Confirm the "
        "site's CRS and pass --site-crs",
        "场址 {site}：结论取决于坐标系的推断（{guess}）：按现读法为 {verdict}，按 {alt} 读取为 {alt_verdict}"
        "（场址随之移动 {shift} 米），该距离内有决定结论的边界。请核实场址坐标系并用 --site-crs 指定"),
    "crs_guess_inferred": ("longitude/latitude read as CGCS2000 without a declared CRS",
                           "经纬度未声明坐标系，按 CGCS2000 读取"),
    "crs_guess_converted": ("read as {system} and converted", "按 {system} 读取并已转换"),
    "crs_guess_suspected": ("read as CGCS2000 although it looks like {system}", "按 CGCS2000 读取，但疑为 {system}"),
    "crs_alt_unconverted": ("WGS 84/CGCS2000 (not converted)", "WGS 84/CGCS2000（不转换）"),
}


register(MESSAGES)
