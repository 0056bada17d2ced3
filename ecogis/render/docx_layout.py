"""Page layout and styles of the Word reports (python-docx): A4, 宋体/黑体, a 三线表 table style whose
header row repeats on every page, captions kept with their table or figure, landscape sections for
wide tables, and an institute's own template (its styles and fonts win over ours)."""
from __future__ import annotations

import copy
import weakref

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ecogis.render.cells import VisibleText

A4_CM = (21.0, 29.7)
MARGINS_CM = {"top_margin": 2.5, "bottom_margin": 2.5, "left_margin": 2.8, "right_margin": 2.6}
TABLE_STYLE = "三线表"
RULE_HEAVY, RULE_LIGHT = 12, 6  # border sizes in eighths of a point: 1.5 pt top/bottom, 0.75 pt under the head
LATIN_FONT, BODY_FONT, HEAD_FONT = "Times New Roman", "宋体", "黑体"
BODY_PT = 10.5  # 五号
TABLE_PT = 9  # 小五


def new_document(template=None):
    """A document on A4 portrait; with ``template`` (a .docx path) its styles, fonts and page set-up
    are kept and only what is missing (the 三线表 style) is added."""
    doc = Document(str(template)) if template else Document()
    if template is None:
        _fonts(doc)
        _portrait(doc.sections[0])
    _missing_styles(doc)
    _table_style(doc)
    _table_text_style(doc)
    return doc


#: per document part: (style name, style type) -> style id (None for the document's default style)
_STYLE_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def set_style(paragraph, name: str) -> None:
    """``paragraph.style = name``, the style id looked up once per document: python-docx looks through
    every style of the document for the default one at each assignment."""
    ids = _STYLE_IDS.setdefault(paragraph.part, {})
    if name not in ids:
        ids[name] = paragraph.part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
    paragraph._p.style = ids[name]


def add_paragraph(doc, text: str = "", style: str | None = None):
    """``doc.add_paragraph(text, style)``, with the style set by :func:`set_style`."""
    paragraph = doc.add_paragraph(text)
    if style is not None:
        set_style(paragraph, style)
    return paragraph


def _table_text_style(doc) -> None:
    """The paragraph style of table cells: 9 pt, no space around (an empty cell keeps the row low)."""
    if TABLE_TEXT in {s.name for s in doc.styles}:
        return
    style = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(TABLE_PT)
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


TABLE_TEXT = "表格文字"
PARAGRAPH_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "List Bullet", "List Number")


def _missing_styles(doc) -> None:
    """Paragraph styles the report uses that a template lacks, added on top of its Normal style."""
    names = {s.name for s in doc.styles}
    for name in PARAGRAPH_STYLES:
        if name not in names:
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = doc.styles["Normal"]
            style.font.bold = name.startswith(("Title", "Heading"))


def _portrait(sec) -> None:
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(A4_CM[0]), Cm(A4_CM[1])
    for side, cm in MARGINS_CM.items():
        setattr(sec, side, Cm(cm))


def landscape(doc):
    """Start a new A4 landscape section (for a wide table) on a new page."""
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(A4_CM[1]), Cm(A4_CM[0])
    return sec


def portrait(doc):
    """Go back to A4 portrait in a new section on a new page."""
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    _portrait(sec)
    return sec


def text_width_cm(doc) -> float:
    sec = doc.sections[-1]
    return (sec.page_width - sec.left_margin - sec.right_margin) / 360000


def _set_fonts(style, latin: str, east_asia: str) -> None:
    style.font.name = latin
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)


def _fonts(doc) -> None:
    """Body 宋体 + Times New Roman 10.5 pt; headings, title and captions 黑体, black."""
    normal = doc.styles["Normal"]
    _set_fonts(normal, LATIN_FONT, BODY_FONT)
    normal.font.size = Pt(BODY_PT)
    sizes = {"Title": 16, "Heading 1": 15, "Heading 2": 14, "Heading 3": 12, "Caption": 10.5}
    for name, size in sizes.items():
        style = doc.styles[name]
        _set_fonts(style, LATIN_FONT, HEAD_FONT)
        style.font.size, style.font.color.rgb = Pt(size), RGBColor(0, 0, 0)
        style.font.bold, style.font.italic = name != "Caption", False
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption = doc.styles["Caption"].paragraph_format
    caption.alignment, caption.space_before, caption.space_after = WD_ALIGN_PARAGRAPH.CENTER, Pt(6), Pt(3)


def _border(parent, edge: str, size: int) -> None:
    el = OxmlElement(f"w:{edge}")
    for k, v in (("val", "single" if size else "nil"), ("sz", str(size)), ("space", "0"), ("color", "000000")):
        el.set(qn(f"w:{k}"), v)
    parent.append(el)


def _table_style(doc) -> None:
    """Add the 三线表 table style (unless the template has one): heavy rules above and below the table,
    a light rule under the header row, no vertical rules."""
    if TABLE_STYLE in [s.name for s in doc.styles]:
        return
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    tbl_pr = style.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        style.element.append(tbl_pr)
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", RULE_HEAVY), ("left", 0), ("bottom", RULE_HEAVY), ("right", 0),
                       ("insideH", 0), ("insideV", 0)):
        _border(borders, edge, size)
    tbl_pr.append(borders)
    head = OxmlElement("w:tblStylePr")
    head.set(qn("w:type"), "firstRow")
    tc_pr = OxmlElement("w:tcPr")
    tc_borders = OxmlElement("w:tcBorders")
    _border(tc_borders, "bottom", RULE_LIGHT)
    tc_pr.append(tc_borders)
    head.append(tc_pr)
    style.element.append(head)


def _cell_rules(cell, top: int | None = None, bottom: int | None = None) -> None:
    """Direct cell borders repeating the style's rules (LibreOffice does not apply a style's
    first-row formatting)."""
    borders = OxmlElement("w:tcBorders")
    for edge, size in (("top", top), ("bottom", bottom)):
        if size is not None:
            _border(borders, edge, size)
    cell._tc.get_or_add_tcPr().append(borders)


def _row_flags(row, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))  # repeats at the top of every page


def table(doc, head: list[str], rows: list[list[str]], visible: VisibleText, *, numeric=()) -> object:
    """A 三线表 at 9 pt whose header row repeats on every page; column widths follow the longest text
    (capped) over the current section's text width; columns in ``numeric`` are right-aligned.

    The body rows are copies of a row laid out once through python-docx (:func:`_row_like`), each with
    its own texts: the same XML as filling every cell through python-docx, in a fraction of the time."""
    t = doc.add_table(rows=1, cols=len(head))
    t.style = doc.styles[TABLE_STYLE]
    t.autofit = False
    widths = [Cm(w) for w in column_widths_cm(head, rows, text_width_cm(doc))]
    for col, w in zip(t.columns, widths):  # the grid (LibreOffice reads this) and each cell (Word)
        col.width = w
    _row_flags(t.rows[0], header=True)
    _fill(t.rows[0].cells, head, widths, visible, bold=True, numeric=(), top=RULE_HEAVY, bottom=RULE_LIGHT)
    if rows:
        body, last = (_row_like(t, widths, numeric, bottom) for bottom in (None, RULE_HEAVY))
        for i, row in enumerate(rows):
            tr = copy.deepcopy(last if i == len(rows) - 1 else body)
            for run, value in zip(tr.iter(qn("w:r")), row):
                run.text = visible(value)       # python-docx's run text: tabs and breaks as elements
            t._tbl.append(tr)
    return t


def _row_like(t, widths, numeric, bottom):
    """A body row of ``t`` laid out by :func:`_fill` (one run per cell), taken out of the table."""
    r = t.add_row()
    _row_flags(r, header=False)
    _fill(r.cells, [""] * len(widths), widths, str, bold=False, numeric=numeric, bottom=bottom)
    t._tbl.remove(r._tr)
    return r._tr


def _fill(cells, values, widths, visible, *, bold, numeric, top=None, bottom=None) -> None:
    for j, (c, v, w) in enumerate(zip(cells, values, widths)):
        c.text, c.width = visible(v), w
        para = c.paragraphs[0]
        set_style(para, TABLE_TEXT)
        para.alignment = (WD_ALIGN_PARAGRAPH.CENTER if bold else
                          WD_ALIGN_PARAGRAPH.RIGHT if j in numeric else WD_ALIGN_PARAGRAPH.LEFT)
        for run in para.runs:
            run.bold = bold
        if top is not None or bottom is not None:
            _cell_rules(c, top, bottom)


CHAR_CM = 0.17  # one Latin character at 9 pt, with a little room; CJK characters count twice
PADDING_CM = 0.45  # the cell's left and right margins (0.19 cm each) and a little room
SHORT_CHARS = 16  # columns up to this wide are never wrapped


def column_widths_cm(head: list[str], rows: list[list[str]], total_cm: float) -> list[float]:
    """Column widths (cm) summing to ``total_cm``: short columns (codes, figures, verdicts) get their
    full text width so that they never wrap; long texts share the rest in proportion to their length.
    Headers may wrap (they count half)."""
    natural = [max([text_width(h) / 2, 4.0] + [float(text_width(r[i])) for r in rows]) for i, h in enumerate(head)]
    full = [n * CHAR_CM + PADDING_CM for n in natural]
    if sum(full) <= total_cm:  # everything fits on one line: share the spare room alike
        return [w * total_cm / sum(full) for w in full]
    fixed = {i: full[i] for i, n in enumerate(natural) if n <= SHORT_CHARS}
    long_cols = [i for i in range(len(head)) if i not in fixed]
    rest = total_cm - sum(fixed.values())
    if not long_cols or rest < 2.0 * len(long_cols):
        return [w * total_cm / sum(full) for w in full]
    weights = {i: min(natural[i], 40.0) for i in long_cols}
    return [fixed[i] if i in fixed else rest * weights[i] / sum(weights.values()) for i in range(len(head))]


def text_width(text: str) -> int:
    """Printed width in Latin characters: CJK characters count twice."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


class Captions:
    """Numbered captions: tables above (kept with the table), figures below (the picture kept with it)."""

    WORDS = {"zh": ("表", "图"), "en": ("Table", "Figure")}

    def __init__(self, lang: str):
        self.table_word, self.figure_word = self.WORDS.get(lang, self.WORDS["zh"])
        self.tables = self.figures = 0

    def table(self, doc, title: str):
        self.tables += 1
        p = doc.add_paragraph(f"{self.table_word} {self.tables}  {title}", style="Caption")
        p.paragraph_format.keep_with_next = True
        return p

    def figure(self, doc, picture_paragraph, title: str, before=None):
        """The caption of the next figure, at the end of ``doc`` or before the paragraph ``before`` (through
        ``doc.insert_paragraph``)."""
        self.figures += 1
        picture_paragraph.paragraph_format.keep_with_next = True
        picture_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        text = f"{self.figure_word} {self.figures}  {title}"
        if before is not None:
            return doc.insert_paragraph(before, text, style="Caption")
        return doc.add_paragraph(text, style="Caption")
