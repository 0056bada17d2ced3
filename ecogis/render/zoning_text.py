"""Labels and table rows of the report chapter 生态环境分区管控符合性分析 (shared by DOCX, HTML, XLSX).

Every table is ``(headers, rows)``; rows hold numbers as numbers (areas in 公顷 and 亩 from the result's
m², shares 0-1) so the XLSX keeps them, and :func:`as_text` prints them for DOCX and HTML.
"""
from __future__ import annotations

from typing import Any

from ecogis.notes import Label
from ecogis.rules import VERDICT_EN

LABELS = {
    "zh": {
        "chapter": "生态环境分区管控符合性分析", "summary": "空间管控符合性汇总", "units": "场址涉及的环境管控单元",
        "requirements": "生态环境准入清单符合性分析", "industry": "项目所属行业（GB/T 4754-2017）",
        "no_industry": "未给出（--industry）", "no_units": "项目未提供环境管控单元图层：分区管控符合性无法判定。",
        "no_requirements": "场址未与任何环境管控单元相交。",
        "uncovered": "场址 {site} 有 {share} 不在任何环境管控单元内，该部分无法判定。",
        "lists": "准入清单", "method": "方法", "cannot": "无法判定",
        "not_provided": "未提供图层", "sheet_summary": "空间管控汇总", "sheet_units": "管控单元",
        "sheet_reqs": "准入清单分析",
    },
    "en": {
        "chapter": "Compliance with zoned environmental control", "summary": "Summary of the spatial controls",
        "units": "Environmental control units of the sites", "requirements": "Compliance with the access lists",
        "industry": "Industry of the project (GB/T 4754-2017)", "no_industry": "not given (--industry)",
        "no_units": "The project has no control-unit layer: compliance with zoned control cannot be determined.",
        "no_requirements": "No site overlaps a control unit.",
        "uncovered": "{share} of site {site} lies in no control unit and cannot be determined there.",
        "lists": "Access lists", "method": "Method", "cannot": "cannot be determined", "not_provided": "no layer given",
        "sheet_summary": "spatial controls", "sheet_units": "control units", "sheet_reqs": "access list",
    },
}
CONTROLS = {
    "zh": {"redline": "生态保护红线", "protected_area": "自然保护地", "farmland": "永久基本农田",
           "wetland": "湿地与一般生态空间", "water_source": "饮用水水源保护区",
           "control_unit": "环境管控单元（准入清单）",
           "town_boundary": "城镇开发边界"},
    "en": {"redline": "Ecological protection red line", "protected_area": "Protected areas",
           "farmland": "Permanent basic farmland", "wetland": "Wetlands and ecological space",
           "water_source": "Drinking-water source zones", "control_unit": "Control units (access lists)",
           "town_boundary": "Urban development boundary"},
}
RELATIONS = {"zh": {"intersects": "相交", "within_buffer": "缓冲距离内", "clear": "不相交", None: ""},
             "en": {"intersects": "overlaps", "within_buffer": "within buffer", "clear": "clear", None: ""}}
LEVELS = {"zh": {"overall": "总体", "class": "类别", "unit": "单元"}, "en": {"overall": "overall", "class": "class",
                                                                   "unit": "unit"}}
DIMENSIONS = {
    "zh": {"spatial_layout": "空间布局约束", "pollutant_discharge": "污染物排放管控", "risk_prevention": "环境风险防控",
           "resource_efficiency": "资源开发效率要求", None: ""},
    "en": {"spatial_layout": "spatial layout", "pollutant_discharge": "pollutant discharge",
           "risk_prevention": "environmental risk", "resource_efficiency": "resource efficiency", None: ""},
}
REASONS = {
    "zh": {"prohibited_industry": "项目行业 {code} 属清单禁止类 {matched}",
           "restricted_industry": "项目行业 {code} 属清单限制类 {matched}",
           "industry_not_listed": "项目行业 {code} 不在清单所列行业（{codes}）内",
           "industry_broader": "项目行业代码 {code} 比清单所列 {matched} 宽，须核实到小类",
           "industry_missing": "未给出项目行业，无法与清单所列行业（{codes}）比对",
           "text_only": "清单仅有文字要求，须逐条对照论证", "keyword": "项目描述含关键词 {matched}，须论证",
           "no_access_list": "未提供生态环境准入清单，单元管控要求未知",
           "no_requirement": "准入清单中无该单元及其类别的要求，须核实清单"},
    "en": {"prohibited_industry": "industry {code} is in the prohibited {matched}",
           "restricted_industry": "industry {code} is in the restricted {matched}",
           "industry_not_listed": "industry {code} is not among those listed ({codes})",
           "industry_broader": "industry code {code} is broader than the listed {matched}: give the class",
           "industry_missing": "no industry given to compare with those listed ({codes})",
           "text_only": "text-only requirement: to be assessed point by point",
           "keyword": "the description contains {matched}: to be assessed",
           "no_access_list": "no access list given: the unit's requirements are unknown",
           "no_requirement": "the access list has no requirement for this unit or its class: check the list"},
}
HEADERS = {
    "zh": {"summary": ["管控类型", "图层", "空间关系", "重叠面积（公顷）", "重叠面积（亩）", "最近距离（m）",
                       "涉及要素", "结论"],
           "units": ["场址", "单元编码", "单元名称", "管控类别", "单元子类", "要素属性", "县（市、区）", "空间关系",
                     "重叠面积（公顷）", "重叠面积（亩）", "占场址比例", "距离（m）"],
           "requirements": ["场址", "层级", "适用单元", "管控维度", "管控要求", "结论", "符合性分析", "来源"]},
    "en": {"summary": ["Control", "Layers", "Relation", "Overlap (ha)", "Overlap (mu)", "Nearest (m)", "Features",
                       "Verdict"],
           "units": ["Site", "Unit code", "Unit name", "Class", "Sub-type", "Element", "County", "Relation",
                     "Overlap (ha)", "Overlap (mu)", "Share of site", "Distance (m)"],
           "requirements": ["Site", "Level", "Units", "Dimension", "Requirement", "Verdict", "Analysis", "Source"]},
}
PERCENT_COLUMNS = {"units": {10}}


def label(key: str, lang: str) -> str:
    return LABELS.get(lang, LABELS["zh"])[key]


def verdict(v: str, lang: str) -> str:
    return Label(v, label("cannot", "en") if v == "无法判定" else VERDICT_EN.get(v, v)).text(lang)


def industry_line(zoning, lang: str) -> str:
    ind = zoning.industry
    value = label("no_industry", lang) if ind is None else f"{ind.code}{' ' + ind.name if ind.name else ''}"
    return f"{label('industry', lang)}{Label('：', ': ').text(lang)}{value}"


DESCRIPTION: dict[str, dict[str, Any]] = {
    "zh": {"project_type": "项目类型", "description": "项目描述", "use": "用途（--use）",
           "types": {"linear": "线性工程", "point": "点状工程", "area": "面状工程"},
           "sources": {"cli": "命令行", "site": "场址属性", "file": "项目描述文件"}, "none": "未给出",
           "precedence": "项目信息取值顺序：命令行（--industry、--description、--use）> "
                         "场址属性（行业代码、项目类型等）> 项目描述文件{file}", "site": "场址 {site}"},
    "en": {"project_type": "Project type", "description": "Description", "use": "Use (--use)",
           "types": {"linear": "linear", "point": "point", "area": "area"},
           "sources": {"cli": "command line", "site": "site attribute", "file": "project-description file"},
           "none": "not given",
           "precedence": "Project information is taken from the command line (--industry, --description, --use), "
                         "then the site attributes (industry code, project type ...), then the project-description "
                         "file{file}",
           "site": "site {site}"},
}


_BRACKETED = Label("（{}）", " ({})")  # a source or file named after a value


def _described(d: dict, lang: str) -> list[str]:
    """``field: value (source)`` for the industry, type, description and use of description ``d``."""
    words, colon = DESCRIPTION[lang], Label("：", ": ").text(lang)
    sources = d.get("sources") or {}

    def src(key):
        return _BRACKETED.text(lang).format(words["sources"][sources[key]])
    ind = d.get("industry")
    out = [label("industry", lang) + colon + (f"{ind['code']}{' ' + ind['name'] if ind.get('name') else ''}"
                                              + src("industry") if ind else label("no_industry", lang))]
    for key in ("project_type", "description", "use"):
        value = d.get(key)
        if value is not None:
            shown = words["types"].get(value, value) if key == "project_type" else (
                "、".join(map(str, value)) if isinstance(value, list) else str(value))
            out.append(words[key] + colon + shown + src(key))
    return out


def description_lines(zoning, lang: str) -> list[str]:
    """The project's description with the source of each field, the order of the sources, and the sites
    whose own attributes differ."""
    d = getattr(zoning, "project_description", None) or {}
    if not d:
        return [industry_line(zoning, lang)]
    file = d.get("file")
    out = _described(d, lang)
    out.append(DESCRIPTION[lang]["precedence"].format(file=_BRACKETED.text(lang).format(file) if file else ""))
    for site, own in (getattr(zoning, "site_descriptions", None) or {}).items():
        out.append(DESCRIPTION[lang]["site"].format(site=site) + Label("：", ": ").text(lang)
                   + "；".join(_described(own, lang)))
    return out


def layer_titles(result, lang: str) -> dict[str, str]:
    """The project's title of each layer (``label``, ``label_en`` with --lang en), else its name."""
    specs = ((result.inputs.get("project") or {}).get("layers") or {}) if hasattr(result, "inputs") else {}
    return {name: Label(spec.get("label"), spec.get("label_en")).text(lang) or spec.get("label") or name
            for name, spec in specs.items()}


def summary_table(zoning, lang: str, titles: dict | None = None) -> tuple[list[str], list[list]]:
    """The combined summary; ``titles`` maps layer names to the titles printed (:func:`layer_titles`)."""
    rows = []
    titles = titles or {}
    for s in (x.to_dict() for x in zoning.summary):
        names = [titles.get(n, n) for n in s["layers"]]
        rows.append([CONTROLS[lang][s["control"]], "、".join(names) or label("not_provided", lang),
                     RELATIONS[lang][s["relation"]], s["overlap_area_ha"], s["overlap_area_mu"], s["nearest_m"],
                     "、".join(s["features"][:5]) + ("……" if len(s["features"]) > 5 else ""),
                     verdict(s["verdict"], lang)])
    return HEADERS[lang]["summary"], rows


def units_table(zoning, lang: str) -> tuple[list[str], list[list]]:
    rows = [[u["site"], u["unit_code"], u["unit_name"], u["unit_class"], u["subtype"], u["element"], u["county"],
             RELATIONS[lang][u["relation"]], u["overlap_area_ha"], u["overlap_area_mu"], u["share_of_site"],
             u["distance_m"] if u["relation"] != "intersects" else None]
            for u in (x.to_dict() for x in zoning.units)]
    return HEADERS[lang]["units"], rows


def reason_text(r, zoning, lang: str) -> str:
    code = r.industry or ""
    codes = "、".join(r.prohibited + r.restricted)
    return REASONS[lang][r.reason].format(code=code, matched=r.matched or "", codes=codes)


def requirements_table(zoning, lang: str) -> tuple[list[str], list[list]]:
    rows = [[r.site, LEVELS[lang][r.level] + (f"（{r.scope}）" if r.scope and r.level != "unit" else ""),
             "、".join(r.units), DIMENSIONS[lang][r.dimension], r.text, verdict(r.verdict, lang),
             reason_text(r, zoning, lang), r.source] for r in zoning.requirements]
    return HEADERS[lang]["requirements"], rows


def notes(zoning, lang: str) -> list[str]:
    """The chapter's closing lines: uncovered parts of sites, the access lists read and the methods."""
    out = [f"{label('industry', lang)} [{site}]: {code}" for site, code in zoning.site_industries.items()
           if not getattr(zoning, "site_descriptions", None)]
    out += [label("uncovered", lang).format(site=s, share=f"{v:.2%}") for s, v in zoning.uncovered.items()]
    out += [f"{label('lists', lang)}: {m.get('path')} "
            + LIST_SIZE[lang].format(rows=m.get("rows"), requirements=m.get("requirements"))
            for m in zoning.access_lists]
    out += [f"{label('method', lang)}: {METHOD_TEXT[lang].get(k, v)}" for k, v in zoning.methods.items()]
    return out


LIST_SIZE = {"zh": "（{rows} 行，{requirements} 条要求）", "en": "({rows} rows, {requirements} requirements)"}
#: the methods of the analysis (ecogis.zoning.analyse.METHODS) in each language
METHOD_TEXT = {
    "zh": {"unit_overlap": "重叠面积与占比同分析结果：场址所在 3 度带高斯-克吕格投影下求交，按 CGCS2000 椭球计算面积；"
                           "缓冲距离内的管控单元按大地线距离",
           "requirements": "列出与场址重叠的管控单元适用的全部准入要求：总体要求、单元所属类别的要求及该单元编码的要求",
           "industry_match": "按 GB/T 4754-2017 代码前缀匹配（C26 包含 C2614）；"
                             "列有行业代码但均不覆盖项目代码的要求为符合；仅有文字的要求为需论证"},
    "en": {},  # the analysis's own English wording
}


def text_rows(headers: list[str], rows: list[list], table: str) -> list[list[str]]:
    """Rows printed for DOCX/HTML: 公顷 columns with 4 decimals, other numbers 2, shares as %."""
    out = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            if isinstance(v, float) and i in PERCENT_COLUMNS.get(table, ()):
                cells.append(f"{v:.2%}")
            elif isinstance(v, float):
                cells.append(f"{v:.4f}" if "公顷" in headers[i] or "(ha)" in headers[i] else f"{v:.2f}")
            else:
                cells.append("" if v is None else str(v))
        out.append(cells)
    return out
