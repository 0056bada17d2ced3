"""Text that is safe to put in report files: control characters made visible, spreadsheet cells that
are never formulas.

Names and values come from user data (a parcel named ``=1+2``, a site name with a NUL byte). Every
renderer passes its texts through these helpers at the point where they enter a file:

* :func:`visible_text` writes control characters, which XML (DOCX, XLSX) forbids and HTML drops, as
  a visible escape (NUL -> ``\\x00``); :class:`VisibleText` also counts them, so that a report can
  say so (:func:`control_note`).
* :func:`xlsx_row` turns a row of values into cells for ``Worksheet.append`` (normal and write-only
  workbooks): texts stay texts (formula-like ones are marked as text for Excel's editor too).
* :func:`frame_to_excel` writes a DataFrame into a pandas ``ExcelWriter`` sheet the same way.
* :func:`plain_value` / :func:`plain_records`: NaN and numpy scalars as None and Python numbers, for
  JSON and XLSX cells.
* :func:`csv_row` (:func:`csv_frame` for a DataFrame) escapes cells that a spreadsheet would run
  as a formula (``= + - @``, tab, CR at the start) with a leading apostrophe, as OWASP recommends.
"""
from __future__ import annotations

import math
import re

#: Characters XML 1.0 does not allow (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF), and DEL.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
#: First characters that make a spreadsheet read a CSV cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class VisibleText:
    """``visible(text)`` is ``text`` with each control character written as ``\\xNN`` (``\\uNNNN``);
    ``visible.replaced`` counts the characters replaced so far."""

    def __init__(self):
        self.replaced = 0

    def __call__(self, text: str) -> str:
        text, n = CONTROL.subn(_escape, text)
        self.replaced += n
        return text


def visible_text(text: str) -> str:
    """``text`` with each control character written as a visible escape (NUL -> ``\\x00``)."""
    return CONTROL.sub(_escape, text)


#: the report's note on escaped control characters, per language
CONTROL_NOTE = {
    "zh": "输入文本含控制字符（如 NUL），报告中以 \\x00 形式的转义显示",
    "en": "the input texts contain control characters (such as NUL): the report shows them as \\x00 escapes",
}


def control_note(lang: str = "zh") -> str:
    """The report's note that control characters were found in its texts and are shown escaped."""
    return CONTROL_NOTE[lang]


def formula_like(text: str) -> bool:
    """True for a text that a spreadsheet would take for a formula (``= + - @``, tab or CR first),
    but not for a number written as text ("-12.5") nor a lone sign ("-" for no value)."""
    return text.startswith(FORMULA_START) and text not in ("-", "+") and not _NUMBER.fullmatch(text)


def _as_text(cell) -> None:
    cell.data_type = "s"      # openpyxl stores a text starting with "=" as a formula otherwise
    cell.quotePrefix = True   # and Excel keeps it text when the cell is edited


def xlsx_value(ws, value, visible=visible_text):
    """``value`` for a cell of worksheet ``ws``: texts with control characters made visible, and a
    formula-like text (:func:`formula_like`) as a text cell."""
    if not isinstance(value, str):
        return value
    value = visible(value)
    if not formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell  # only the XLSX writers need it (≈ 40 ms to import)

    cell = WriteOnlyCell(ws, value=value)
    _as_text(cell)
    return cell


def xlsx_row(ws, values, visible=visible_text) -> list:
    """``values`` ready for ``ws.append`` (:func:`xlsx_value` for each)."""
    return [xlsx_value(ws, v, visible) for v in values]


def frame_to_excel(df, writer, sheet_name: str = "Sheet1", **kwargs) -> None:
    """``df.to_excel(writer, sheet_name, **kwargs)`` (openpyxl ``ExcelWriter``) with control characters
    in texts and labels made visible and no text stored as a formula."""
    _map_frame(df, visible_text).to_excel(writer, sheet_name=sheet_name, **kwargs)
    for row in writer.sheets[sheet_name].iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and formula_like(cell.value):
                _as_text(cell)


def csv_frame(df):
    """A copy of DataFrame ``df`` for ``to_csv``: :func:`csv_value` for every cell and column label."""
    return _map_frame(df, csv_value)


def _map_frame(df, fix):
    """A copy of ``df`` with ``fix`` applied to its text cells and its column and index labels."""
    def fix_text(v):
        return fix(v) if isinstance(v, str) else v

    out = df.map(fix_text)
    out.columns = out.columns.map(fix_text)
    out.index = out.index.map(fix_text)
    return out


def csv_value(value, visible=visible_text):
    """``value`` for a CSV cell: visible control characters, and a leading apostrophe before a text
    that a spreadsheet would run as a formula. Numbers written as text ("-12.5") stay as they are."""
    if not isinstance(value, str):
        return value
    value = visible(value)
    return "'" + value if formula_like(value) else value


def csv_row(values, visible=visible_text) -> list:
    """``values`` ready for ``csv.writer.writerow`` (:func:`csv_value` for each)."""
    return [csv_value(v, visible) for v in values]


def plain_value(value):
    """A JSON/XLSX cell value: NaN and missing as None, numpy scalars as Python numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def plain_records(frame) -> list[dict]:
    """Rows of ``frame`` as dicts of plain values (one conversion per column, not per cell)."""
    cols = {c: [plain_value(v) for v in frame[c].tolist()] for c in frame.columns}
    return [dict(zip(cols, row)) for row in zip(*cols.values())]
