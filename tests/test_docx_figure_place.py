"""The DOCX report's overlay figures are put in their section after the rest of the document is made
(they are drawn meanwhile): in the section 位置关系图, in order, each picture followed by its numbered
caption, then the CRS note, at the width of that section's text (portrait) and not of the landscape
chapter made before they are put; a control character in a site name is escaped in the caption."""
from __future__ import annotations

import docx
from docx.shared import Cm
from PIL import Image

from ecogis.render.cells import control_note
from ecogis.render.check_docx import render_check_docx
from ecogis.render.check_docx_text import words


class _Drawn:
    """Figures already drawn, as :class:`ecogis.render.docx_figures.PendingFigures` returns them."""

    def __init__(self, figures):
        self.figures = figures

    def wait(self):
        return self.figures


def _body(path) -> list[tuple[str, str, bool]]:
    """(style, text, has a picture) of each paragraph of the body, in order."""
    doc = docx.Document(str(path))
    return [(p.style.name, p.text, bool(p._p.xpath(".//pic:pic"))) for p in doc.paragraphs]


def _map_section(body, lang="zh") -> list[tuple[str, str, bool]]:
    """The paragraphs between the headings of the map section and of the next one."""
    sections = words(lang)["sections"]
    start = next(i for i, p in enumerate(body) if p[0] == "Heading 1" and p[1] == f"4 {sections[3]}")
    end = next(i for i, p in enumerate(body) if p[0] == "Heading 1" and p[1] == f"5 {sections[4]}")
    return body[start + 1:end]


def _png(path, size=(400, 283)):
    Image.new("RGB", size, "white").save(path, dpi=(116, 116))
    return path


def test_figures_put_last_are_in_their_section_in_order_with_their_captions(sample_result, tmp_path):
    names = ["A", "B\x07", "C"]
    drawn = [(name, _png(tmp_path / f"{i}.png")) for i, name in enumerate(names)]
    out = render_check_docx(sample_result, tmp_path / "check.docx", figures=_Drawn(drawn))
    section = _map_section(_body(out))
    w = words("zh")
    captions = [f"图 {i}  " + w["figure"].format(site=name) for i, name in enumerate(["A", "B\\x07", "C"], 1)]
    assert [p[2] for p in section] == [True, False] * 3 + [False]
    assert [p[1] for p in section[1::2]][:3] == captions
    assert [p[0] for p in section[1::2]][:3] == ["Caption"] * 3
    assert section[-1][1].startswith(w["figure_note"].split("{")[0])
    doc = docx.Document(str(out))
    portrait = doc.sections[0]
    text_cm = (portrait.page_width - portrait.left_margin - portrait.right_margin) / Cm(1)
    assert [round(s.width / Cm(1), 2) for s in doc.inline_shapes] == [round(min(16.0, text_cm), 2)] * 3
    assert any(s.page_width > s.page_height for s in doc.sections[1:])      # a landscape chapter came after
    assert doc.paragraphs[-1].text == control_note("zh")                    # the escaped caption is noted


def test_without_figures_the_section_says_there_is_no_map(sample_result, tmp_path):
    out = render_check_docx(sample_result, tmp_path / "check.docx", figures=_Drawn([]))
    section = _map_section(_body(out))
    assert section == [("Normal", "（无场址几何，未生成地图）", False)]
