"""The DOCX of the sample check (layers/sites/sites_zone41.txt against layers/project.yaml), read back
with python-docx: A4, a 界址点坐标表 whose coordinates are those of the exchange text (parsed here on
its own), a 三线表 findings table with a repeating header row, the project's Chinese layer names only,
and a conclusion written as paragraphs. PDF rendering by LibreOffice when it is installed."""
from __future__ import annotations

import math
import re
import shutil
import subprocess

import docx
import pytest
import yaml
from conftest import LAYERS, SAMPLE_ASSUMPTIONS, assumed
from docx.oxml.ns import qn
from docx.shared import Cm

from ecogis.check import check
from ecogis.render.check_docx import render_check_docx
from ecogis.render.docx_layout import column_widths_cm

PROJECT = LAYERS / "project.yaml"
SITES = LAYERS / "sites" / "sites_zone41.txt"


def exchange_points() -> dict[str, list[tuple[str, int, float, float]]]:
    """Per parcel (地块编号, the third field of its header line), its rows (点号, 圈号, X, Y) as written."""
    lines = SITES.read_text(encoding="gb18030").splitlines()
    body = lines[lines.index("[地块坐标]") + 1:]
    parcels: dict[str, list] = {}
    for line in body:
        fields = line.split(",")
        if line.endswith("@"):
            current = parcels.setdefault(fields[2], [])
        elif len(fields) == 4:
            current.append((fields[0], int(fields[1]), float(fields[2]), float(fields[3])))
    return parcels


@pytest.fixture(scope="module")
def sample_docx(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx") / "check.docx"
    with assumed(*SAMPLE_ASSUMPTIONS["sites/sites_zone41.txt"], r"\(D\) lie wholly or partly outside the coverage"):
        result = check(str(SITES), str(PROJECT))  # parcel D reaches past the city boundary: 无法判定 there
    render_check_docx(result, out)
    return out, docx.Document(str(out)), result


def _table_after(doc, caption_word: str):
    """The table that follows the caption paragraph containing ``caption_word``."""
    body = list(doc.element.body.iterchildren())
    for i, el in enumerate(body):
        if el.tag == qn("w:p") and caption_word in "".join(t.text or "" for t in el.iter(qn("w:t"))):
            nxt = body[i + 1]
            assert nxt.tag == qn("w:tbl"), f"no table after {caption_word}"
            return next(t for t in doc.tables if t._tbl is nxt)
    raise AssertionError(f"no caption {caption_word}")


def _all_text(doc) -> list[str]:
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]


def test_sample_docx_is_a4_portrait_with_landscape_only_for_the_findings(sample_docx):
    _, doc, _ = sample_docx
    first = doc.sections[0]
    assert abs(first.page_width - Cm(21.0)) < Cm(0.05) and abs(first.page_height - Cm(29.7)) < Cm(0.05)
    sizes = [(round(s.page_width / 360000, 1), round(s.page_height / 360000, 1)) for s in doc.sections]
    assert set(sizes) <= {(21.0, 29.7), (29.7, 21.0)}
    # landscape only for the wide tables: the findings, and the 分区管控 chapter's requirement tables (last)
    assert sizes[0] == (21.0, 29.7) and sizes[-1] == (29.7, 21.0) and sizes.count((29.7, 21.0)) == 2


def test_coordinate_table_round_trips_to_the_exchange_text(sample_docx):
    _, doc, _ = sample_docx
    table = _table_after(doc, "界址点坐标表")
    caption = next(p.text for p in doc.paragraphs if "界址点坐标表" in p.text)
    assert "第 41 带" in caption and "中央经线 123°E" in caption and "EPSG:4529" in caption
    head = [c.text for c in table.rows[0].cells]
    assert head == ["地块", "圈号", "点号", "X（m）", "Y（m）", "边长（m）"]
    printed: dict[str, list] = {}
    for row in table.rows[1:]:
        site, ring, point, x, y, edge = (c.text for c in row.cells)
        printed.setdefault(site, []).append((point, int(ring), float(x), float(y), edge))
    expected = exchange_points()
    assert set(printed) == set(expected) == {"A", "B", "C", "D"}
    for parcel, rows in expected.items():
        got = printed[parcel]
        assert [(p, r) for p, r, _, _, _ in got] == [(p, r) for p, r, _, _ in rows]
        for (_, _, x, y, _), (_, _, ex, ey) in zip(got, rows):
            assert x == pytest.approx(ex, abs=0.0005) and y == pytest.approx(ey, abs=0.0005)  # to the mm
        for i, (_, ring, _, _, edge) in enumerate(got):  # plane edge to the next point of the same ring
            if i + 1 < len(rows) and rows[i + 1][1] == ring:
                (_, _, x0, y0), (_, _, x1, y1) = rows[i], rows[i + 1]
                assert float(edge) == pytest.approx(math.hypot(x1 - x0, y1 - y0), abs=0.005)
            else:
                assert edge == ""


def test_findings_table_is_a_three_line_table_with_repeating_header(sample_docx):
    _, doc, _ = sample_docx
    table = _table_after(doc, "场址与管控要素的空间关系")
    assert table.style.name == "三线表"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    style = doc.styles["三线表"].element
    borders = style.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    assert borders.find(qn("w:top")).get(qn("w:val")) == "single"
    assert borders.find(qn("w:insideV")).get(qn("w:val")) == "nil"  # no vertical rules
    # every caption is kept with the table under it
    for p in doc.paragraphs:
        if p.text.startswith("表 "):
            assert p.paragraph_format.keep_with_next


def test_layer_names_are_the_projects_chinese_labels(sample_docx):
    _, doc, _ = sample_docx
    layers = yaml.safe_load(PROJECT.read_text(encoding="utf-8"))["layers"]
    table = _table_after(doc, "场址与管控要素的空间关系")
    col = [c.text for c in table.rows[0].cells].index("图层")
    names = {r.cells[col].text for r in table.rows[1:]}
    assert names and names <= {spec["label"] for spec in layers.values()}
    text = "\n".join(_all_text(doc))
    for key in layers:  # internal layer keys never printed (file names in the data sources are)
        assert not re.search(rf"(?<![\w.]){key}(?![\w.])", text), key
    assert "Polygon" not in text  # geometry types in Chinese


def test_conclusion_is_written_as_paragraphs(sample_docx):
    _, doc, result = sample_docx
    paras = [p.text for p in doc.paragraphs]
    start, end = paras.index("2 分析结论"), paras.index("3 分析结果")
    body = paras[start + 1:end]
    a = next(p for p in body if p.startswith("A地块"))
    assert "占用生态保护红线" in a and "公顷" in a and "依据" in a and "结论为禁止" in a
    assert "距最近的敏感目标" in a and "建议" in a and "避让" in a
    b = next(p for p in body if p.startswith("B地块"))
    assert "结论为符合" in b or "不占用" in b
    text = "\n".join(_all_text(doc))
    assert "XLSX" not in text and "JSON" not in text
    assert "项目名称" in text and "sites_zone41.txt" not in paras[0]  # the title is no file name


def test_template_styles_are_kept(tmp_path, sample_docx):
    _, _, result = sample_docx
    template = docx.Document()
    template.styles["Normal"].font.name = "仿宋"
    template.sections[0].page_width = Cm(21.0)
    template.save(tmp_path / "institute.docx")
    doc = docx.Document(str(render_check_docx(result, tmp_path / "t.docx", template=tmp_path / "institute.docx")))
    assert doc.styles["Normal"].font.name == "仿宋"
    assert _table_after(doc, "界址点坐标表").style.name == "三线表"


def test_short_columns_get_their_full_width():
    head = ["结论", "依据"]
    rows = [["禁止", "《中华人民共和国自然保护区条例》第十八条" * 3]]
    widths = column_widths_cm(head, rows, 15.0)
    assert sum(widths) == pytest.approx(15.0)
    assert widths[0] >= 4 * 0.17  # two CJK characters at 9 pt fit
    assert widths[1] > widths[0]


def test_sample_docx_renders_to_a4_pdf(sample_docx, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        from conftest import skip_or_fail_in_ci
        skip_or_fail_in_ci("LibreOffice is not installed", "run scripts/setup.sh --test")
    path, _, _ = sample_docx
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "check.pdf").read_bytes()
    width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert width == pytest.approx(595.3, abs=0.5) and height == pytest.approx(841.9, abs=0.5)  # A4 in pt


def test_cli_name_and_template_reach_the_docx(tmp_path, chinese_default):
    from click.testing import CliRunner

    from ecogis.cli.check_cmds import check as check_cmd

    template = docx.Document()
    template.styles["Normal"].font.name = "仿宋"
    template.save(tmp_path / "institute.docx")
    res = CliRunner().invoke(check_cmd, [str(SITES), "-p", str(PROJECT), "--format", "docx", "--out",
                                         str(tmp_path / "out"), "--name", "盘锦某光伏项目",
                                         "--template", str(tmp_path / "institute.docx")])
    assert res.exit_code == 0, res.output
    doc = docx.Document(str(tmp_path / "out" / "check.docx"))
    assert doc.paragraphs[0].text == "盘锦某光伏项目生态空间管控符合性分析"
    assert doc.styles["Normal"].font.name == "仿宋"
