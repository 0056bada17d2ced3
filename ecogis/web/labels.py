"""The page's texts in Chinese (default) and English: one lookup keyed by language."""
from __future__ import annotations

LANGS = ("zh", "en")

TEXT = {
    "zh": {
        "title": "生态保护红线选址审查", "login": "登录", "logout": "退出", "user": "用户名", "password": "密码",
        "login_failed": "用户名或密码错误", "tab_check": "单个场址", "tab_batch": "批量审查", "tab_history": "审查记录",
        "site": "场址", "mode_file": "上传文件", "mode_coords": "输入坐标", "mode_draw": "在地图上绘制",
        "file_hint": "坐标交换文件（.txt）、压缩的 Shapefile（.zip）、KML/KMZ、GeoJSON、CSV/XLSX、GeoPackage",
        "coords_hint": "经度,纬度（如 121.85,40.95）、高斯-克吕格 X,Y（带号在横坐标前）或 WKT",
        "draw_point": "点", "draw_line": "线", "draw_polygon": "面", "draw_finish": "完成", "draw_clear": "清除",
        "draw_hint": "选择点、线或面，在地图上单击添加节点，然后点“完成”。地图坐标为 CGCS2000 经纬度。",
        "crs": "坐标系", "crs_auto": "自动推断（结果中说明推断依据）", "crs_other": "其他（EPSG 代码）",
        "gcj_question": "这些经纬度是否取自高德、腾讯或百度等互联网地图？这类地图使用加密偏移坐标（GCJ-02 / BD-09），"
                        "与 CGCS2000 相差数百米。",
        "gcj_no": "否：CGCS2000 / WGS84 经纬度（测量、GPS）", "gcj_gcj": "是：高德、腾讯（GCJ-02）",
        "gcj_bd": "是：百度（BD-09）", "buffers": "缓冲距离（米，逗号分隔，留空用项目设置）",
        "use": "用途（可选，如 well、outfall、heating）",
        "industry": "所属行业（可选，GB/T 4754-2017 代码，如 C2614）", "description": "项目简述（可选）",
        "lang_report": "报告语言", "run": "开始审查",
        "running": "审查中……", "overall": "总体结论", "assumptions": "假设与提示", "findings": "审查结果",
        "col_site": "场址", "col_layer": "图层", "col_feature": "要素", "col_zone": "分区", "col_relation": "关系",
        "col_area": "占用面积", "col_distance": "距离（米）", "col_verdict": "结论", "col_rule": "规则与依据",
        "downloads": "下载", "open_report": "打开完整 HTML 报告", "site_txt": "场址坐标交换文件",
        "batch_hint": "一个文件中的多个场址（如 CSV 点表、坐标交换文件），后台逐批审查。", "batch_run": "开始批量审查",
        "progress": "进度", "sites_done": "已审查场址", "error": "错误", "no_findings": "缓冲距离内无要素",
        "history_filter": "筛选", "history_text": "文件名包含", "all_verdicts": "全部结论", "created": "时间",
        "input": "输入", "verdict": "结论", "status": "状态", "open": "打开", "everyone": "全部用户",
        "owner": "用户", "reload": "重新加载图层", "reloaded": "图层已重新加载", "map": "地图",
        "clear_within": "另有 {n} 条缓冲距离内结论为符合的结果（见报告）",
        "proxy_login": "本服务通过单位的统一登录（反向代理）识别用户。请通过统一登录入口访问本页面。",
        "tab_audit": "核算", "audit_hint": "运行 YAML 核算清单（面积、数量、达标率、拓扑等），结果含方法与坐标系。",
        "audit_listed": "服务提供的核算清单", "audit_upload": "上传核算清单（.yaml）",
        "audit_upload_hint": "上传的清单中，图层路径相对于项目文件夹（如 redline/redline.shp），不得超出该文件夹。",
        "audit_run": "开始核算", "audit_col_id": "编号", "audit_col_check": "检查项", "audit_col_value": "结果",
        "audit_col_expected": "要求", "audit_col_method": "方法", "audit_none": "（服务未提供核算清单）",
        "audit_PASS": "通过", "audit_FAIL": "不通过", "audit_REPORT": "仅报告",
        "audit_files": {"xlsx": "XLSX", "csv": "CSV", "details": "明细 CSV", "json": "JSON", "txt": "文本"},
    },
    "en": {
        "title": "Ecological red line site screening", "login": "Sign in", "logout": "Sign out", "user": "User name",
        "password": "Password", "login_failed": "Wrong user name or password", "tab_check": "One site",
        "tab_batch": "Batch", "tab_history": "History", "site": "Site", "mode_file": "Upload a file",
        "mode_coords": "Type coordinates", "mode_draw": "Draw on the map",
        "file_hint": "Coordinate exchange text (.txt), zipped shapefile (.zip), KML/KMZ, GeoJSON, CSV/XLSX, GeoPackage",
        "coords_hint": "lon,lat (e.g. 121.85,40.95), Gauss-Kruger X,Y (zone prefix on the easting) or WKT",
        "draw_point": "Point", "draw_line": "Line", "draw_polygon": "Polygon", "draw_finish": "Finish",
        "draw_clear": "Clear",
        "draw_hint": "Pick point, line or polygon, click the map to add vertices, then Finish. Map coordinates "
                     "are CGCS2000 longitude/latitude.",
        "crs": "Coordinate system", "crs_auto": "Infer (the result says how)", "crs_other": "Other (EPSG code)",
        "gcj_question": "Were these longitudes/latitudes taken from an internet map such as Amap, Tencent or Baidu? "
                        "Those use offset coordinates (GCJ-02 / BD-09), hundreds of metres from CGCS2000.",
        "gcj_no": "No: CGCS2000 / WGS84 (survey, GPS)", "gcj_gcj": "Yes: Amap, Tencent (GCJ-02)",
        "gcj_bd": "Yes: Baidu (BD-09)", "buffers": "Buffer distances (m, comma-separated; empty: the project's)",
        "use": "Use (optional: well, outfall, heating ...)",
        "industry": "Industry (optional: GB/T 4754-2017 code such as C2614)",
        "description": "Project description (optional)", "lang_report": "Report language", "run": "Check",
        "running": "Checking…", "overall": "Overall verdict", "assumptions": "Assumptions and notes",
        "findings": "Findings", "col_site": "Site", "col_layer": "Layer", "col_feature": "Feature",
        "col_zone": "Zone", "col_relation": "Relation", "col_area": "Overlap area", "col_distance": "Distance (m)",
        "col_verdict": "Verdict", "col_rule": "Rule and legal basis", "downloads": "Downloads",
        "open_report": "Open the full HTML report", "site_txt": "Site as exchange text",
        "batch_hint": "Many sites in one file (CSV of points, exchange text ...), checked in the background.",
        "batch_run": "Start batch", "progress": "Progress", "sites_done": "sites checked", "error": "Error",
        "no_findings": "No feature within the buffers", "history_filter": "Filter",
        "history_text": "File name contains",
        "all_verdicts": "All verdicts", "created": "Time", "input": "Input", "verdict": "Verdict", "status": "Status",
        "open": "Open", "everyone": "All users", "owner": "User", "reload": "Reload layers",
        "reloaded": "Layers reloaded", "map": "Map",
        "clear_within": "{n} more clear findings within the buffers (see the report)",
        "proxy_login": "This service knows its users from the institution's sign-in (a reverse proxy). "
                       "Open this page through that sign-in.",
        "tab_audit": "Audit", "audit_hint": "Run a YAML audit (areas, counts, compliance, topology ...); each "
                                            "result states its method and CRS.",
        "audit_listed": "One of the service's audits", "audit_upload": "Upload an audit (.yaml)",
        "audit_upload_hint": "In an uploaded audit, layer paths are relative to the project's folder "
                             "(e.g. redline/redline.shp) and stay in it.",
        "audit_run": "Run audit", "audit_col_id": "Id", "audit_col_check": "Check", "audit_col_value": "Value",
        "audit_col_expected": "Expected", "audit_col_method": "Method", "audit_none": "(the service offers no audit)",
        "audit_PASS": "PASS", "audit_FAIL": "FAIL", "audit_REPORT": "REPORT ONLY",
        "audit_files": {"xlsx": "XLSX", "csv": "CSV", "details": "Details CSV", "json": "JSON", "txt": "Text"},
    },
}


def labels(lang: str) -> dict:
    """The page texts in ``lang`` (Chinese for anything but 'en')."""
    return TEXT["en" if lang == "en" else "zh"]


def request_lang(request) -> str:
    """The language of a request's answer: its ``lang`` query parameter, else the session's, else Chinese."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    return request.session.get("lang", "zh") if "session" in request.scope else "zh"
