"""Hostile names in reports (issue 9, items 12, 13 and the NUL byte of 10).

A parcel named ``=1+2`` must stay text in every XLSX and CSV ecogis writes; a parcel named
``<img src=x onerror=alert(1)>`` must never run script in an HTML report or map (checked in a real
browser: every popup and tooltip opened); a NUL byte in a name must not break the DOCX/XLSX/HTML
writers but be shown as a visible escape with a note.
"""
from __future__ import annotations

import csv
import shutil
import subprocess

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import skip_or_fail_in_ci
from docx import Document
from shapely.geometry import Point, box

from ecogis.audit import AuditReport, CheckResult
from ecogis.check import check
from ecogis.cli import main
from ecogis.errors import AssumptionWarning
from ecogis.io.table import write_table
from ecogis.raster.output import write_zonal
from ecogis.render.audit_table import write_audit_table
from ecogis.render.check_docx import render_check_docx
from ecogis.render.check_html import render_check_html
from ecogis.render.check_xlsx import render_check_xlsx
from ecogis.render.folium_map import make_map, save_map

FORMULAS = ["=1+2", "=A1", "=", "+1+2", "-1+2", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\",\"y\")"]
SCRIPTS = ["<img src=x onerror=alert(1)>", "\"><script>window.__pwned=1</script>", "javascript:alert(1)",
           "{{7*7}}", "</script><script>alert(1)</script>", "`${alert(1)}`", "'><svg onload=alert(1)>"]


def _controls(path, names, zones, extra_field=None):
    """A GeoPackage with a reserve layer (CGCS2000) whose features carry ``names`` and ``zones`` (and
    the names again in a field called ``extra_field``)."""
    n = len(names)
    columns = {"name": names, "zone": zones, **({extra_field: names} if extra_field else {})}
    gpd.GeoDataFrame(columns, geometry=[box(121.0 + 0.01 * i, 40.0, 121.01 + 0.01 * i, 40.01) for i in range(n)],
                     crs=4490).to_file(path, layer="reserve")
    return path


def _sites(names):
    """Small parcels, one inside each reserve feature of :func:`_controls`."""
    return gpd.GeoDataFrame({"id": [f"S{i}" for i in range(len(names))], "name": names},
                            geometry=[box(121.002 + 0.01 * i, 40.002, 121.004 + 0.01 * i, 40.004)
                                      for i in range(len(names))], crs=4490)


def _check(tmp_path, site_names, feature_names, zones, extra_field=None):
    gpkg = _controls(tmp_path / "controls.gpkg", feature_names, zones, extra_field)
    return check(_sites(site_names), gpkg)


def no_province_inset():
    """The test parcels lie in the sea off Liaoning: the static map's location inset says so."""
    return pytest.warns(AssumptionWarning, match="location inset left empty: the map extent is in no Chinese province")


# ------------------------------------------------------------------------------------------ item 12

def _cells(path):
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _assert_text_cells(path, values):
    cells = _cells(path)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    found = {c.value for c in cells if c.data_type == "s"}
    assert set(values) <= found, f"{path.name}: {set(values) - found} not stored as text"
    assert all(c.quotePrefix for c in cells if c.value in values and c.value[0] in "=+-@")   # text after an edit


def test_check_xlsx_writes_formula_like_names_as_text(tmp_path):
    result = _check(tmp_path, FORMULAS, [f"保护区{v}" for v in FORMULAS], ["核心区"] * len(FORMULAS))
    out = render_check_xlsx(result, tmp_path / "check.xlsx")
    _assert_text_cells(out, FORMULAS + [f"保护区{v}" for v in FORMULAS])


def test_table_writer_xlsx_and_csv_are_formula_safe(tmp_path):
    gdf = gpd.GeoDataFrame({"name": FORMULAS, "=cmd": ["a"] * len(FORMULAS)},
                           geometry=[Point(121, 40 + i / 10) for i in range(len(FORMULAS))], crs=4490)
    write_table(gdf, tmp_path / "t.xlsx")
    _assert_text_cells(tmp_path / "t.xlsx", FORMULAS + ["=cmd"])
    write_table(gdf, tmp_path / "t.csv")
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["name", "'=cmd"]
    assert [r[0] for r in rows[1:]] == ["'" + v for v in FORMULAS]
    assert float(rows[1][2]) == 121.0   # numbers are not escaped


def test_audit_table_xlsx_and_csv_are_formula_safe(tmp_path):
    checks = [CheckResult(id="c1", type="count", title="=1+2", value="@SUM(A1)", expected="-1+2", passed=True,
                          details=[{"name": "=A1", "count": -3, "note": "+x"}])]
    paths = write_audit_table(AuditReport(title="=T()", spec="s.yaml", checks=checks), tmp_path / "audit",
                              lang="en")
    _assert_text_cells(paths[0], ["=T()", "=1+2", "@SUM(A1)", "-1+2", "=A1", "+x"])
    with open(paths[1], encoding="utf-8-sig", newline="") as f:
        summary = list(csv.reader(f))
    assert summary[1][2:5] == ["'=1+2", "'@SUM(A1)", "'-1+2"]
    with open(paths[2], encoding="utf-8-sig", newline="") as f:
        details = list(csv.reader(f))
    assert details[1] == ["c1", "'=A1", "-3", "'+x"]


class _Zonal:
    """The part of a zonal result that write_zonal uses."""

    def table(self, lang):
        return pd.DataFrame({"zone": ["=1+2", "@A1"], "class": ["-x", "林地"], "area_m2": [1.0, -2.0]})

    def to_dict(self):
        return {}


def test_raster_tables_are_formula_safe(tmp_path):
    csv_path, xlsx_path, _ = write_zonal(_Zonal(), tmp_path)
    _assert_text_cells(xlsx_path, ["=1+2", "@A1", "-x"])
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1] == ["'=1+2", "'-x", "1.0"] and rows[2] == ["'@A1", "林地", "-2.0"]


def test_libreoffice_does_not_evaluate_names(tmp_path):
    """LibreOffice Calc (headless) converts check.xlsx to CSV: the names are printed, not computed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        skip_or_fail_in_ci("LibreOffice is not installed", "scripts/setup.sh --test installs it as root")
    result = _check(tmp_path, ["=1+2", "=A1"], ["a", "b"], ["核心区", "核心区"])
    xlsx = render_check_xlsx(result, tmp_path / "check.xlsx")
    utf8_csv = "csv:Text - txt - csv (StarCalc):44,34,76"   # comma, double quote, UTF-8
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", utf8_csv,
                    "--outdir", str(tmp_path / "csv"), str(xlsx)], check=True, capture_output=True, timeout=240)
    with open(tmp_path / "csv" / "check.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    names = [r[1] for r in rows[1:]]
    assert "=1+2" in names and "=A1" in names
    assert "3" not in names


# ------------------------------------------------------------------------------------------ item 13

def _open_every_popup_and_tooltip(frame) -> dict:
    """Click and hover every drawn feature of the Leaflet map in ``frame``; return what was shown
    and whether anything injected turned up."""
    return frame.evaluate("""async () => {
        const sleep = ms => new Promise(r => setTimeout(r, ms));
        const shown = [];
        const targets = [...document.querySelectorAll('path.leaflet-interactive, .leaflet-marker-icon')];
        for (const el of targets) {
            for (const type of ['mouseover', 'mousemove', 'click']) {
                const r = el.getBoundingClientRect();
                el.dispatchEvent(new MouseEvent(type, {bubbles: true, clientX: r.x + r.width / 2,
                                                       clientY: r.y + r.height / 2}));
            }
            await sleep(30);
            for (const p of document.querySelectorAll('.leaflet-popup-content, .leaflet-tooltip'))
                shown.push(p.textContent);
        }
        return {targets: targets.length, shown: shown.join('\\n'),
                layers: document.querySelector('.leaflet-control-layers')?.textContent || '',
                legend: document.querySelector('.ecogis-legend')?.textContent || '',
                title: document.querySelector('.ecogis-title')?.textContent || '',
                injected: document.querySelectorAll('img[src="x"], [onerror], [onload], svg[onload]').length,
                scripts_in_content: document.querySelectorAll(
                    '.leaflet-popup-content script, .leaflet-tooltip script, .leaflet-control script').length,
                pwned: window.__pwned !== undefined};
    }""")


def _watch(page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def _assert_safe(state, dialogs, payloads):
    assert state["targets"] > 0
    assert dialogs == []
    assert state["injected"] == 0 and state["scripts_in_content"] == 0 and not state["pwned"]
    for p in payloads:   # shown as text: the payload is printed, not parsed
        assert p in state["shown"], f"{p!r} not shown in a popup or tooltip"


@pytest.mark.browser
def test_check_html_map_popups_do_not_run_hostile_names(tmp_path, page):
    result = _check(tmp_path, SCRIPTS, SCRIPTS[::-1], ["核心区"] * len(SCRIPTS), extra_field=SCRIPTS[0])
    for lang in ("zh", "en"):
        out = render_check_html(result, tmp_path / f"check_{lang}.html", lang=lang)
        dialogs = _watch(page)
        page.goto(out.resolve().as_uri())
        page.wait_for_timeout(500)
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"], [onerror]').length") == 0
        frame = next(f for f in page.frames if f != page.main_frame)
        frame.wait_for_selector(".leaflet-control-layers")
        state = _open_every_popup_and_tooltip(frame)
        _assert_safe(state, dialogs, SCRIPTS)
        assert SCRIPTS[0] in page.inner_text("body")   # the report's own text shows the names
        assert page.evaluate("window.__pwned") is None


@pytest.mark.browser
def test_check_cli_html_with_hostile_project_layer_and_label(tmp_path, page, chinese_default):
    """Project name (the report banner), layer name and layer title from a project YAML."""
    _controls(tmp_path / "controls.gpkg", SCRIPTS, ["核心区"] * len(SCRIPTS))
    project = tmp_path / "project.yaml"
    project.write_text(yaml.safe_dump({"name": SCRIPTS[1], "layers": {SCRIPTS[4]: {
        "kind": "reserve", "path": "controls.gpkg", "layer": "reserve", "label": SCRIPTS[0]}}},
        allow_unicode=True), encoding="utf-8")
    site = tmp_path / "site.geojson"
    _sites(SCRIPTS).to_file(site)
    r = CliRunner().invoke(main, ["check", str(site), "-p", str(project), "--out", str(tmp_path / "out"),
                                  "--format", "html"])
    assert r.exit_code == 0, r.output
    dialogs = _watch(page)
    page.goto((tmp_path / "out" / "check.html").as_uri())
    page.wait_for_timeout(500)
    body = page.inner_text("body")
    assert SCRIPTS[1] in body and SCRIPTS[0] in body   # banner and tables print the names
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], [onerror], [onload]').length") == 0
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector(".leaflet-control-layers")
    state = _open_every_popup_and_tooltip(frame)
    _assert_safe(state, dialogs, SCRIPTS)
    assert SCRIPTS[0] in state["layers"] and SCRIPTS[0] in state["legend"]
    assert page.evaluate("window.__pwned") is None


@pytest.mark.browser
def test_maps_do_not_run_hostile_layer_names_fields_and_titles(tmp_path, page):
    layers = {}
    for i, p in enumerate(SCRIPTS):
        gdf = gpd.GeoDataFrame({"name": [p], p: [SCRIPTS[i - 1]], "zone": [p]},
                               geometry=[box(121 + i / 10, 40, 121.05 + i / 10, 40.05)], crs=4490)
        gdf.attrs["ecogis"] = {"kind": "reserve" if i % 2 else p, **({"label": p} if i % 3 == 0 else {})}
        layers[p] = gdf
    layers["points"] = gpd.GeoDataFrame({"name": SCRIPTS, "type": SCRIPTS},
                                        geometry=[Point(121 + i / 10, 40.2) for i in range(len(SCRIPTS))], crs=4490)
    layers["points"].attrs["ecogis"] = {"kind": "outfall"}
    site = gpd.GeoDataFrame({"name": [SCRIPTS[1]]}, geometry=[box(121, 40.3, 121.01, 40.31)], crs=4490)
    with pytest.warns(AssumptionWarning, match="has no known kind .*: drawn with the default style"):
        out = save_map(make_map(layers, site=site, title=SCRIPTS[4]), tmp_path / "map.html")
    dialogs = _watch(page)
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    state = _open_every_popup_and_tooltip(page.main_frame)
    _assert_safe(state, dialogs, SCRIPTS)
    assert state["title"] == SCRIPTS[4]
    assert all(p in state["layers"] for p in SCRIPTS)   # layer names shown as text in the layer control
    assert SCRIPTS[0] in state["legend"]


@pytest.mark.browser
def test_map_cli_title_and_names_are_text(tmp_path, page):
    path = tmp_path / "parcels.geojson"
    gpd.GeoDataFrame({"name": SCRIPTS, SCRIPTS[1]: SCRIPTS[::-1]},
                     geometry=[box(121 + i / 10, 40, 121.05 + i / 10, 40.05) for i in range(len(SCRIPTS))],
                     crs=4490).to_file(path)
    out = tmp_path / "map.html"
    r = CliRunner().invoke(main, ["map", f"redline={path}", "--title", SCRIPTS[0], "--out", str(out)])
    assert r.exit_code == 0, r.output
    dialogs = _watch(page)
    page.goto(out.as_uri())
    page.wait_for_selector(".leaflet-control-layers")
    state = _open_every_popup_and_tooltip(page.main_frame)
    _assert_safe(state, dialogs, SCRIPTS)
    assert state["title"] == SCRIPTS[0]


# ------------------------------------------------------------------------------------------ item 10 (NUL)

def test_nul_byte_in_site_name_is_shown_escaped_in_every_report(tmp_path):
    # GDAL's readers cut text at a NUL and the CSV/exchange readers refuse one as damaged text, so a NUL
    # reaches the reports through the library: a GeoDataFrame built in Python
    sites = gpd.GeoDataFrame({"name": ["场址\x00一", "场址\x07二"]},
                             geometry=[Point(121.003, 40.003), Point(121.013, 40.003)], crs=4490)
    gpkg = _controls(tmp_path / "controls.gpkg", ["保护区\x01甲", "保护区乙"], ["核心区", "实验区"])
    out = tmp_path / "out"
    result = check(sites, gpkg)
    render_check_html(result, out / "check.html")
    with no_province_inset():
        render_check_docx(result, out / "check.docx")
    render_check_xlsx(result, out / "check.xlsx")

    html = (out / "check.html").read_text(encoding="utf-8")
    assert "\x00" not in html and "\x07" not in html
    assert "场址\\x00一" in html and "保护区\\x01甲" in html and 'id="control-note"' in html

    doc = Document(out / "check.docx")
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "场址\\x00一" in texts and "场址\\x07二" in texts
    assert any("控制字符" in t for t in texts)

    cells = _cells(out / "check.xlsx")
    values = {c.value for c in cells}
    assert "场址\\x00一" in values and "保护区\\x01甲" in values
    assert any(isinstance(v, str) and "控制字符" in v for v in values)


def test_control_characters_in_maps_are_visible(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["a\x00b"]}, geometry=[box(121, 40, 121.1, 40.1)], crs=4490)
    gdf.attrs["ecogis"] = {"kind": "redline", "label": "红线\x01"}
    html = save_map(make_map({"r": gdf}, title="图\x02名"), tmp_path / "m.html").read_text(encoding="utf-8")
    for escaped in ("a\\\\x00b", "红线\\\\x01", "图\\\\x02名"):   # the escapes, written in JSON strings
        assert escaped in html
    assert "\\u0000" not in html and "\\u0001" not in html and "\\u0002" not in html


def test_other_control_characters_do_not_break_the_writers(tmp_path):
    result = _check(tmp_path, ["\x0b\x1f\x7f"], ["\ufffe"], ["核心区"])
    with pytest.warns(AssumptionWarning, match="have no glyph in the installed fonts"), no_province_inset():
        render_check_docx(result, tmp_path / "c.docx")
    render_check_xlsx(result, tmp_path / "c.xlsx")
    assert "\\x0b\\x1f\\x7f" in render_check_html(result, tmp_path / "c.html").read_text(encoding="utf-8")
    assert "\\x0b\\x1f\\x7f" in {c.value for c in _cells(tmp_path / "c.xlsx")}


def test_static_maps_print_names_with_dollar_signs(tmp_path):
    """matplotlib reads text between two $ as TeX: a name like "$\\foo$" must be printed, not parsed."""
    path = tmp_path / "parcels.geojson"
    gpd.GeoDataFrame({"name": ["$\\notacommand$", "$\\frac{$"]},
                     geometry=[box(121, 40, 121.05, 40.05), box(121.1, 40, 121.15, 40.05)], crs=4490).to_file(path)
    r = CliRunner().invoke(main, ["map", f"redline={path}", "--site", str(path), "--title", "$\\undefined$",
                                  "--dpi", "50", "--out", str(tmp_path / "map.png")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "map.png").stat().st_size > 0
    result = _check(tmp_path, ["$\\notacommand$"], ["$x^$"], ["核心区"])
    with no_province_inset():
        Document(render_check_docx(result, tmp_path / "check.docx"))
