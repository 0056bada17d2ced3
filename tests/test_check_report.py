"""Site-check reports: the HTML opens offline in headless chromium with a map, the DOCX and XLSX carry
the findings table. Expected cell values are computed independently (pyproj.Geod), not read back."""
from __future__ import annotations

import docx
import geopandas as gpd
import pyproj
import pytest
from shapely.geometry import Point, box

from ecogis.check import check
from ecogis.errors import EcogisError
from ecogis.render.check_docx import render_check_docx
from ecogis.render.check_html import render_check_html
from ecogis.render.check_xlsx import render_check_xlsx

GK = pyproj.CRS.from_epsg(4550)
GEOD = pyproj.Geod(ellps="GRS80")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    gpkg = d / "controls.gpkg"
    gpd.GeoDataFrame({"name": ["辽河口"] * 2, "zone": ["核心区", "实验区"]},
                     geometry=[box(440_000, 4_530_000, 450_000, 4_540_000), box(450_000, 4_530_000, 460_000, 4_540_000)],
                     crs=GK).to_file(gpkg, layer="reserve")
    gpd.GeoDataFrame({"name": ["排污口1"], "type": ["入河"]}, geometry=[Point(122.40, 40.98)],
                     crs=4490).to_file(gpkg, layer="outfall")
    site = gpd.GeoDataFrame({"id": ["S1"], "name": ["场址1"]}, geometry=[box(449_000, 4_534_000, 451_000, 4_536_000)],
                            crs=GK)
    return check(site, gpkg)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_report_opens_offline_with_map(result, tmp_path, page, artifacts_dir, lang):
    out = render_check_html(result, tmp_path / "check.html", lang=lang)
    page.goto(out.resolve().as_uri())
    page.wait_for_timeout(800)
    assert page.console_errors == []
    verdict = page.inner_text("#verdict")
    assert verdict == ("禁止" if lang == "zh" else "prohibited")
    rows = sum(page.locator(f"#{t} tbody tr").count() for t in ("findings-table", "nearest-table", "buffer-table"))
    assert rows == len(result.findings)
    assert page.locator("#nearest-table tbody tr").count() == 2  # one site, two layers
    assert page.locator("#buffer-table tbody tr").count() >= 1  # the clear outfall 2.5 km away, folded
    box_ = page.locator("#map").bounding_box()
    assert box_ and box_["height"] > 300
    assert page.locator("#map iframe").count() == 1  # the folium map: Leaflet drew the site and layers
    frame = page.frame_locator("#map iframe")
    assert frame.locator(".leaflet-container").count() == 1
    assert frame.locator("path.leaflet-interactive").count() >= 2
    page.screenshot(path=str(artifacts_dir / f"check_report_{lang}.png"), full_page=True)


def test_html_has_method_units_and_basis(result, tmp_path):
    text = (render_check_html(result, tmp_path / "c.html")).read_text(encoding="utf-8")
    for needle in ("椭球面积", "公顷", "亩", "第二十七条", "EPSG:4550", "大地线"):
        assert needle in text, needle
    assert "https://" not in text.split("<iframe")[0]  # the report itself loads nothing remote


def test_docx_contains_findings_table(result, tmp_path):
    out = render_check_docx(result, tmp_path / "check.docx")
    doc = docx.Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "禁止" in text and "生态空间管控符合性分析" in text
    findings = [t for t in doc.tables if t.rows[0].cells[0].text == "场址" and t.rows[0].cells[4].text == "空间关系"]
    assert findings, "findings table missing"
    rows = [[c.text for c in r.cells] for r in findings[0].rows[1:]]
    listed = [f for f in result.findings if f.relation == "intersects"]
    assert len(rows) == len(listed) == 2  # core and experimental zone
    nearest = [t for t in doc.tables if t.rows[0].cells[2].text == "最近要素"]
    assert len(nearest[0].rows) == 1 + 1  # two layers; the reserve's nearest feature is the one it overlaps
    listed += [f for f in result.findings if f.relation == "nearest"]
    assert 0 < len(listed) < len(result.findings)  # the clear outfall 2.5 km away is summarised, not listed
    assert f"另有 {len(result.findings) - len(listed)} 个要素" in text
    head = [c.text for c in findings[0].rows[0].cells]
    core = [r for r in rows if r[head.index("功能区/级别")] == "核心区" and r[head.index("空间关系")].startswith("相交")][0]
    # independent: geodesic area of the west half (1 km x 2 km GK rectangle), in 公顷
    import numpy as np
    import shapely

    half = shapely.segmentize(box(449_000, 4_534_000, 450_000, 4_536_000), 5.0)
    lon, lat = pyproj.Transformer.from_crs(GK, 4490, always_xy=True).transform(*np.asarray(half.exterior.coords).T)
    ha = abs(GEOD.polygon_area_perimeter(lon, lat)[0]) / 10_000
    assert float(core[head.index("重叠面积（公顷）")].replace(",", "")) == pytest.approx(ha, abs=1e-3)
    assert len(doc.inline_shapes) == 1  # the map figure


def test_xlsx_findings_sheet(result, tmp_path):
    from openpyxl import load_workbook

    out = render_check_xlsx(result, tmp_path / "check.xlsx", lang="en")
    wb = load_workbook(out)
    ws = wb["findings"]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + len(result.findings)
    head = rows[0]
    assert "Overlap (m²)" in head and "Distance (m, geodesic)" in head
    verdicts = {r[head.index("Verdict")] for r in rows[1:]}
    assert "prohibited" in verdicts
    zones = {r[head.index("Zone")] for r in rows[1:]}
    assert {"core zone", "experimental zone"} <= zones  # categories in English, names as they are
    core = next(r for r in rows[1:] if r[head.index("Zone")] == "core zone" and r[head.index("Relation")] == "intersects")
    assert core[head.index("Basis")].startswith("Regulations on Nature Reserves as revised by State Council Order No. 830")
    assert isinstance(core[head.index("Overlap (m²)")], float)  # numbers stay numbers
    with pytest.raises(EcogisError, match="exists"):
        render_check_xlsx(result, out)


def _chinese_left(text: str, result) -> list[str]:
    """Chinese runs left in an English report once names (features, sites, project) and document numbers
    such as 自然资发〔2022〕142号 are taken out."""
    import re

    names = {result.project} | {f.feature for f in result.findings} | {s.name for s in result.sites}
    for name in sorted((n for n in names if n), key=len, reverse=True):
        text = text.replace(name, "")
    text = re.sub(r"\S*〔\d{4}〕\s*\d+\s*号", "", text)
    return re.findall(r"[\u4e00-\u9fff]+", text)


@pytest.mark.browser
def test_html_findings_columns_are_not_squeezed(result, tmp_path, page):
    """Short columns (kind, zone, relation, verdict) keep their text on one line."""
    out = render_check_html(result, tmp_path / "check.html")
    page.goto(out.resolve().as_uri())
    heads = page.locator("#findings-table th").all_inner_texts()
    lines = page.evaluate("""(cols) => {
        const table = document.querySelector('#findings-table');
        const heads = [...table.querySelectorAll('th')].map(th => th.innerText);
        const out = {};
        for (const c of cols) {
            const i = heads.indexOf(c);
            out[c] = [...table.querySelectorAll('tbody tr')].map(tr => {
                const r = document.createRange(); r.selectNodeContents(tr.children[i]);
                return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
            });
        }
        return out;
    }""", ["类型", "功能区/级别", "空间关系", "结论"])
    assert set(heads) >= {"类型", "功能区/级别", "空间关系", "结论"}
    for col, counts in lines.items():
        assert counts and max(counts) == 1, (col, counts)


def test_english_html_has_no_chinese_but_names(result, tmp_path):
    import re

    text = render_check_html(result, tmp_path / "en.html", lang="en").read_text(encoding="utf-8")
    text = re.sub(r"<iframe.*?</iframe>", "", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    assert _chinese_left(text, result) == []
    assert "core zone" in text and "Regulations on Nature Reserves as revised by State Council Order No. 830" in text


def test_docx_reads_like_an_eia_chapter(result, tmp_path, chinese_default):
    doc = docx.Document(str(render_check_docx(result, tmp_path / "zh.docx")))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    sections = ["1 项目概况", "2 分析结论", "3 分析结果", "4 位置关系图", "5 法律依据", "6 数据来源与方法",
                "7 生态环境分区管控符合性分析"]  # the chapter is there even without control-unit layers (无法判定)
    assert doc.paragraphs[0].text == "场址1生态空间管控符合性分析"  # the project (here: its one site) by name
    assert [h for h in heads if h[:1].isdigit()] == sections
    captions = [p.text for p in doc.paragraphs if p.text.startswith("表 ")]
    assert captions[0].startswith("表 1  项目选址概况") and len(captions) == len(doc.tables)
    site = doc.tables[0].rows[1].cells
    # site S1: a 2 km x 2 km GK square; its ellipsoidal area, independently, in 亩
    import numpy as np
    import shapely

    sq = shapely.segmentize(box(449_000, 4_534_000, 451_000, 4_536_000), 5.0)
    lon, lat = pyproj.Transformer.from_crs(GK, 4490, always_xy=True).transform(*np.asarray(sq.exterior.coords).T)
    mu = abs(GEOD.polygon_area_perimeter(lon, lat)[0]) * 15 / 10_000
    assert float(site[5].text.replace(",", "")) == pytest.approx(mu, abs=1e-3)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "CGCS2000 椭球面积" in text and "EPSG:4550" in text  # unit, method and CRS stated

    en = docx.Document(str(render_check_docx(result, tmp_path / "en.docx", lang="en")))
    text = "\n".join([p.text for p in en.paragraphs]
                     + [c.text for t in en.tables for row in t.rows for c in row.cells])
    assert _chinese_left(text, result) == []
    assert "6 Data sources and methods" in text


def test_xlsx_sheets_formats_and_layout(result, tmp_path, chinese_default):
    from openpyxl import load_workbook

    wb = load_workbook(render_check_xlsx(result, tmp_path / "zh.xlsx"))
    assert wb.sheetnames == ["分析结果", "功能区汇总", "项目选址", "适用规则", "空间管控汇总", "管控单元", "准入清单分析",
                             "输入数据与方法"]
    ws = wb["分析结果"]
    head = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == ws.dimensions
    formats = {h: ws.cell(row=2, column=head.index(h) + 1).number_format for h in
               ("重叠面积（m²）", "重叠面积（公顷）", "重叠面积（亩）", "占场址比例", "距离（m，大地线）")}
    assert formats == {"重叠面积（m²）": "#,##0.00", "重叠面积（公顷）": "#,##0.0000", "重叠面积（亩）": "#,##0.00",
                       "占场址比例": "0.00%", "距离（m，大地线）": "#,##0.0"}
    rule_col = head.index("依据") + 1
    assert ws.column_dimensions["A"].width >= len("场址") * 2
    assert ws.column_dimensions[chr(ord("A") + rule_col - 1)].width > 20  # the basis column is wide
    en = load_workbook(render_check_xlsx(result, tmp_path / "en.xlsx", lang="en"))
    assert en.sheetnames == ["findings", "zones", "sites", "rules", "spatial controls", "control units", "access list",
                            "inputs"]


def test_xlsx_nearest_rows_never_contradict_an_overlap(result, tmp_path):
    """The reserve's nearest feature is one the site overlaps (distance 0): that row carries no verdict
    (the 禁止 of the intersects row stands), never 符合."""
    from openpyxl import load_workbook

    ws = load_workbook(render_check_xlsx(result, tmp_path / "zh.xlsx"))["分析结果"]
    head, *rows = list(ws.iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(head)}
    overlaps = {(r[col["场址"]], r[col["图层"]], r[col["要素"]]) for r in rows if r[col["空间关系"]].startswith("相交")}
    nearest = [r for r in rows if r[col["空间关系"]] == "最近要素"]
    assert any((r[col["场址"]], r[col["图层"]], r[col["要素"]]) in overlaps for r in nearest)
    for r in nearest:
        if (r[col["场址"]], r[col["图层"]], r[col["要素"]]) in overlaps:
            assert r[col["结论"]] is None and "相交行" in r[col["规则"]]
        else:
            assert r[col["结论"]] == "符合"


def test_html_embeds_a_cjk_subset_of_its_own_characters(result, tmp_path):
    """The last font of the stack is a subset of Noto Sans CJK SC embedded in the page: it has a glyph
    for every CJK character of the page's own text (so a machine without CJK fonts shows no boxes)."""
    import base64
    import io
    import re

    from fontTools.ttLib import TTFont

    from ecogis.render.html_fonts import EMBEDDED_FAMILY

    text = render_check_html(result, tmp_path / "c.html").read_text(encoding="utf-8")
    body = text.split("</head>", 1)[1].split("<iframe", 1)[0]
    for family in ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", EMBEDDED_FAMILY):  # Win, macOS, Linux
        assert family in text.split("</head>")[0]
    data = re.search(r"base64,([A-Za-z0-9+/=]+)", text.split("</head>")[0]).group(1)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    cmap = font.getBestCmap()
    needed = {ord(c) for c in re.sub(r"<[^>]+>", "", body) if "\u4e00" <= c <= "\u9fff"}
    assert needed and needed <= set(cmap)
    assert len(data) < 600_000  # a subset, not the 16 MB font


@pytest.mark.browser
def test_html_prints_on_a4_in_black_and_white_without_map_controls(result, tmp_path, page):
    out = render_check_html(result, tmp_path / "check.html")
    page.goto(out.resolve().as_uri())
    page.emulate_media(media="print")
    badge = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('#verdict'));
        return [s.color, s.backgroundColor, s.borderTopWidth, s.borderTopStyle]; }""")
    assert badge[0] == "rgb(0, 0, 0)" and badge[1] in ("rgba(0, 0, 0, 0)", "transparent")
    assert badge[3] == "solid" and float(badge[2].rstrip("px")) >= 2
    frame = page.frame_locator("#map iframe")
    frame.locator(".leaflet-container").wait_for()
    zoom = frame.locator(".leaflet-control-zoom")
    assert zoom.count() == 1 and not zoom.is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    import re

    width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert width == pytest.approx(595.3, abs=0.5) and height == pytest.approx(841.9, abs=0.5)  # A4 in pt
