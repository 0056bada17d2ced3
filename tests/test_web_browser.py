"""``ecogis serve`` in Debian's chromium (Playwright), the network blocked except the local service:
sign in, upload the sample exchange text, see the verdict and the site on the map, download the DOCX,
draw a polygon and check it, run a 1 000-site batch to the end of its progress bar, run the sample audit
and download its table."""
from __future__ import annotations

import json

import docx
import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from web_support import PASSWORDS, REPO, SITES, LiveServer, make_app, service_warnings

from ecogis.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _service_warnings():
    service_warnings()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    service_warnings()
    with LiveServer(make_app(tmp_path_factory.mktemp("serve") / "data", audits_dir=REPO / "scripts")) as live:
        yield live


@pytest.fixture
def site_page(browser, server):
    """A signed-in page; every request to anything but the local service is aborted (and counted)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    blocked = []

    def only_local(route):
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    page.goto(server.url + "/")
    page.fill("input[name=user]", "alice")
    page.fill("input[name=password]", PASSWORDS["alice"])
    page.click("#login")
    page.wait_for_selector("#check-form")
    page.blocked = blocked
    yield page
    context.close()


def _check_done(page):
    page.wait_for_selector("#result:not([hidden]) #verdict", timeout=60_000)
    return page.text_content("#verdict")


def _wait_for_site_on_map(page):
    """The site is drawn on the map after the verdict is shown, once the map data has come."""
    page.wait_for_function("() => window.ecogisSiteLayer && window.ecogisSiteLayer._map", timeout=60_000)


def test_upload_verdict_map_and_docx(site_page, tmp_path):
    page = site_page
    page.set_input_files("#site-file", str(SITES / "sites_zone41.txt"))
    assert page.is_hidden("#gcj-question")     # an exchange text holds surveyed Gauss-Kruger coordinates
    page.click("#run")
    verdict = _check_done(page)
    assert verdict.startswith("总体结论") and "禁止" in verdict
    assert page.locator("#findings tbody tr").count() > 0
    _wait_for_site_on_map(page)  # and the map is focused on it
    inside = page.evaluate("""() => {
        const map = window.ecogisSiteLayer._map, b = window.ecogisSiteLayer.getBounds();
        return map.getBounds().contains(b) && map.getBounds().pad(-0.2).intersects(b);
    }""")
    assert inside
    with page.expect_download(timeout=180_000) as dl:   # the DOCX (maps) is written on this first download
        page.click("#download-docx")
    target = tmp_path / "check.docx"
    dl.value.save_as(target)
    document = docx.Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs) + "".join(c.text for t in document.tables
                                                                    for r in t.rows for c in r.cells)
    assert "禁止" in text
    assert page.errors == [] and page.blocked == []


def test_draw_polygon_and_check(site_page):
    page = site_page
    page.check("input[name=mode][value=draw]")
    assert page.is_hidden("#crs-box")
    page.click("button[data-draw=polygon]")
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in [(-30, -30), (30, -30), (30, 30), (-30, 30)]:
        page.mouse.click(cx + dx, cy + dy)
    page.click("#draw-finish")
    wkt = page.text_content("#draw-wkt")
    assert wkt.startswith("POLYGON ((")
    page.click("#run")
    verdict = _check_done(page)
    assert verdict.startswith("总体结论")
    _wait_for_site_on_map(page)
    assert page.evaluate("window.ecogisSiteLayer.getLayers()[0].feature.geometry.type") == "Polygon"
    assert page.errors == [] and page.blocked == []


def test_coordinates_ask_the_gcj02_question(site_page):
    page = site_page
    page.check("input[name=mode][value=coords]")
    page.fill("#coords", "121.8562,40.9543")
    assert page.is_visible("#gcj-question")
    page.click("#run")        # unanswered: the browser refuses the form, nothing is sent
    page.wait_for_timeout(500)
    assert page.is_hidden("#result") and page.text_content("#check-status") == ""
    page.check("input[name=web_crs][value='GCJ-02']")
    page.click("#run")
    _check_done(page)
    assert "GCJ-02" in page.text_content("#assumptions")


def test_batch_of_1000_sites_progress(site_page, tmp_path):
    page = site_page
    rng = np.random.default_rng(15)
    lon, lat = rng.uniform(121.6, 122.3, 1000), rng.uniform(40.8, 41.4, 1000)
    csv = tmp_path / "many.csv"
    csv.write_text("编号,名称,经度,纬度\n" + "".join(f"S{i},site {i},{x:.6f},{y:.6f}\n"
                                                 for i, (x, y) in enumerate(zip(lon, lat))), encoding="utf-8")
    page.click("#tab-batch-button")
    assert page.is_hidden("#batch-gcj-question")
    page.set_input_files("#batch-file", str(csv))
    assert page.is_visible("#batch-gcj-question")     # a CSV of longitudes/latitudes: the GCJ-02 question
    page.click("#batch-run")                          # unanswered: the browser refuses the form
    page.wait_for_timeout(500)
    assert page.text_content("#batch-status") == ""
    page.check("input[name='batch-web_crs'][value=none]")
    page.click("#batch-run")
    page.wait_for_selector("#batch-download-xlsx", timeout=300_000)
    assert page.evaluate("[document.querySelector('#batch-progress').value, document.querySelector('#batch-progress').max]") \
        == [1000, 1000]
    assert "1000 / 1000" in page.text_content("#batch-count")
    assert page.errors == [] and page.blocked == []


def test_english_page(site_page, server):
    page = site_page
    page.goto(server.url + "/?lang=en")
    assert page.text_content("h1") == "Ecological red line site screening"
    page.check("input[name=mode][value=coords]")
    page.fill("#coords", "121.85,40.95")
    page.check("input[name=web_crs][value=none]")
    page.click("#run")
    assert _check_done(page).startswith("Overall verdict")


def test_audit_tab_runs_the_sample_audit_and_downloads_its_table(site_page, tmp_path):
    page = site_page
    spec = REPO / "scripts" / "panjin_audit.yaml"
    res = CliRunner().invoke(main, ["audit", str(spec), "--json", "--lang", "zh"])
    cli = json.loads(res.stdout)
    page.click("#tab-audit-button")
    page.wait_for_selector("#audit-name option[value='panjin_audit.yaml']", state="attached")
    page.select_option("#audit-name", "panjin_audit.yaml")
    page.click("#audit-run")
    page.wait_for_selector("#audit-result:not([hidden]) #audit-table tbody tr", timeout=300_000)
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() == len(cli["checks"])
    shown = [rows.nth(i).locator("td").all_text_contents() for i in range(rows.count())]
    assert [r[0] for r in shown] == [c["id"] for c in cli["checks"]]
    assert [r[2] for r in shown] == [c["value"] for c in cli["checks"]]      # the CLI's figures, in Chinese
    assert page.text_content("#audit-verdict").endswith("通过" if cli["passed"] else "不通过")
    with page.expect_download() as dl:
        page.click("#audit-download-xlsx")
    target = tmp_path / "audit.xlsx"
    dl.value.save_as(target)
    ids = {str(r[0].value) for r in openpyxl.load_workbook(target).worksheets[0].iter_rows()}
    assert {c["id"] for c in cli["checks"]} <= ids
    assert page.errors == [] and page.blocked == []
