"""The DOCX tables' body rows, copied from one row laid out through python-docx, are the XML that
filling every cell through python-docx writes (texts with tabs, breaks, spaces, control characters,
empty cells, numeric columns, the heavy rule under the last row)."""
from __future__ import annotations

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from lxml import etree

from ecogis.render import docx_layout as L
from ecogis.render.cells import VisibleText


def _python_docx_table(doc, head, rows, visible, numeric=()):
    """The table written cell by cell through python-docx (the layout of :func:`docx_layout.table`)."""
    t = doc.add_table(rows=1, cols=len(head))
    t.style = doc.styles[L.TABLE_STYLE]
    t.autofit = False
    widths = [Cm(w) for w in L.column_widths_cm(head, rows, L.text_width_cm(doc))]
    for col, w in zip(t.columns, widths):
        col.width = w
    L._row_flags(t.rows[0], header=True)
    L._fill(t.rows[0].cells, head, widths, visible, bold=True, numeric=(), top=L.RULE_HEAVY, bottom=L.RULE_LIGHT)
    for i, row in enumerate(rows):
        r = t.add_row()
        L._row_flags(r, header=False)
        for j, (c, v, w) in enumerate(zip(r.cells, row, widths)):
            c.text, c.width = visible(v), w
            para = c.paragraphs[0]
            para.style = doc.styles[L.TABLE_TEXT]
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if j in numeric else WD_ALIGN_PARAGRAPH.LEFT
            for run in para.runs:
                run.bold = False
            if i == len(rows) - 1:
                L._cell_rules(c, None, L.RULE_HEAVY)
    return t


ROWS = [["A", "辽河口 国家级自然保护区", "12.50"], ["", " lead and trail ", "0"],
        ["tab\there", "line\nbreak", "1\r\n2"], ["ctrl\x01char", "全角　空格", ""]]


@pytest.mark.parametrize("rows", [[], ROWS[:1], ROWS, ROWS * 30])
def test_table_rows_are_the_xml_python_docx_writes(rows):
    head = ["编号", "名称", "面积（公顷）"]
    ours_vis, ref_vis = VisibleText(), VisibleText()
    ours = L.table(L.new_document(), head, rows, ours_vis, numeric=(2,))
    ref = _python_docx_table(L.new_document(), head, rows, ref_vis, numeric=(2,))
    assert etree.tostring(ours._tbl) == etree.tostring(ref._tbl)
    assert ours_vis.replaced == ref_vis.replaced


def test_table_round_trips_through_a_saved_file(tmp_path):
    doc = L.new_document()
    L.table(doc, ["a", "b"], [["x", "1"], ["y\tz", "2"]], VisibleText(), numeric=(1,))
    doc.save(tmp_path / "t.docx")
    table = docx.Document(str(tmp_path / "t.docx")).tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [["a", "b"], ["x", "1"], ["y\tz", "2"]]
