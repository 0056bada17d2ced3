"""Site-check reports: the HTML opens offline in headless chromium with a map, the DOCX and XLSX carry
the findings table. Expected cell values are computed independently (pyproj.Geod), not read back."""
from __future__ import annotations

import warnings

import geopandas as gpd
import pyproj
import pytest
from shapely.geometry import Point, box

from ecogis.check import check
from ecogis.errors import AssumptionWarning, EcogisError
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumptionWarning)
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
    frame_or_svg = page.locator("#map iframe, #map svg")
    assert frame_or_svg.count() >= 1
    if page.locator("#map iframe").count():  # folium map: Leaflet drew the site and layers
        frame = page.frame_locator("#map iframe")
        assert frame.locator(".leaflet-container").count() == 1
        assert frame.locator("path.leaflet-interactive").count() >= 2
    else:  # inline SVG sketch
        assert page.locator("#map svg path").count() >= 2
    page.screenshot(path=str(artifacts_dir / f"check_report_{lang}.png"), full_page=True)


def test_html_has_method_units_and_basis(result, tmp_path):
    text = (render_check_html(result, tmp_path / "c.html")).read_text(encoding="utf-8")
    for needle in ("椭球面积", "公顷", "亩", "第二十七条", "EPSG:4550", "大地线"):
        assert needle in text, needle
    assert "https://" not in text.split("<iframe")[0]  # the report itself loads nothing remote


def test_docx_contains_findings_table(result, tmp_path):
    docx = pytest.importorskip("docx")
    out = render_check_docx(result, tmp_path / "check.docx")
    doc = docx.Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "禁止" in text and "生态空间管控符合性分析" in text
    findings = [t for t in doc.tables if t.rows[0].cells[0].text == "场址" and t.rows[0].cells[4].text == "空间关系"]
    assert findings, "findings table missing"
    rows = [[c.text for c in r.cells] for r in findings[0].rows[1:]]
    listed = [f for f in result.findings if f.relation == "intersects"]
    assert len(rows) == len(listed) == 2  # core and experimental zone
    nearest = [t for t in doc.tables if t.rows[0].cells[3].text == "最近要素"]
    assert len(nearest[0].rows) == 1 + 2
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
    with pytest.raises(EcogisError, match="exists"):
        render_check_xlsx(result, out)
