"""Point tables: CSV and XLSX with coordinate columns (经度/纬度, lon/lat, X/Y, E/N) or a WKT column.

Angles may be decimal degrees, degrees-minutes-seconds (``121°45′30.5″``, ``121度45分30.5秒``,
``121 45 30.5``, ``N41°12'3"``) or, when the caller says so with ``angle="ddd.mmss"``, the surveyors'
packed form ``121.4530`` (121° 45′ 30″). The CRS is not in a table: :func:`ecogis.io.read.read_layer`
infers it from the numbers unless the user gives one.

CSV text is decoded by :func:`ecogis.io.text.decode_text` (BOM, UTF-16, UTF-8, GB18030); fields are
separated by commas, tabs, semicolons or bars (sniffed), or full-width commas (，) when none of these
is used (noted). Every row must have as many fields as the first: a ragged row is an error naming its
line, never shifted into other columns.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ecogis.error_messages import error, phrase
from ecogis.io.dbf import DETECT_ORDER
from ecogis.io.text import check_control_characters, decode_text
from ecogis.messages import say

TABLE_SUFFIXES = {".csv", ".tsv", ".xlsx", ".xlsm"}

#: accepted values of ``angle``
ANGLE_FORMATS = ("auto", "decimal", "dms", "ddd.mmss")

# Candidate coordinate column pairs, most specific first: (first axis, second axis, kind)
# kind "lonlat" means degrees; "xy" and "en" may be projected metres (X/Y in surveying order or not).
_PAIRS = [
    (("经度", "东经"), ("纬度", "北纬"), "lonlat"),
    (("lon", "lng", "long", "longitude"), ("lat", "latitude"), "lonlat"),
    (("e", "east", "easting", "东坐标", "东"), ("n", "north", "northing", "北坐标", "北"), "en"),
    (("x", "x坐标", "横坐标", "坐标x"), ("y", "y坐标", "纵坐标", "坐标y"), "xy"),
]
_WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape")

_UNIT_SUFFIX = re.compile(r"[\s_]*[（(\[【].*?[)）\]】]\s*$")


def _canon(name) -> str:
    """Column name folded for matching: lower case, units in brackets and spaces removed."""
    return _UNIT_SUFFIX.sub("", str(name)).strip().lower().replace(" ", "")


# --------------------------------------------------------------------------- reading

def read_table(path: Path, *, encoding=None, fields=None, angle="auto", layer=None, notes=None):
    """Read a CSV/XLSX point table into a DataFrame plus the two coordinate arrays.

    Returns ``(df, x, y, info)``: ``x``/``y`` are float arrays in the order of the columns found
    (longitude/latitude, easting/northing or X/Y as written), ``geometry`` is None, and ``info`` holds
    ``encoding``, ``encoding_source``, ``columns`` (the two column names), ``axis_kind``
    (``lonlat``/``en``/``xy``) or ``wkt`` (the WKT column) with the geometries in ``info["geometry"]``.
    """
    notes = notes if notes is not None else []
    path = Path(path)
    df, enc, enc_source = _read_frame(path, encoding, layer, notes)
    if df.empty:
        raise error("table.no_rows", path=path, hint="table.right_file")
    info = {"encoding": enc, "encoding_source": enc_source}
    xcol, ycol, axis_kind = find_coordinate_columns(df.columns, fields)
    if xcol is None:
        promoted = _promote_header(df, fields)
        if promoted is not None:
            df, line = promoted
            say("header_line", notes, path=path, line=line)
            xcol, ycol, axis_kind = find_coordinate_columns(df.columns, fields)
    if xcol is None:
        wcol = next((c for c in df.columns if _canon(c) in _WKT_NAMES), None)
        if wcol is None:
            raise error("table.no_xy_columns", columns=", ".join(map(str, df.columns)), path=path, hint="table.name_xy")
        info.update(wkt=wcol, geometry=_parse_wkt(df[wcol], path, wcol))
        return df, None, None, info
    info.update(columns=(xcol, ycol), axis_kind=axis_kind)
    df = _drop_rows_without_coordinates(df, xcol, ycol, path, notes)
    # X/Y and E/N columns usually hold metres, but may hold degrees too: the same rules apply
    x = parse_angles(df[xcol], path=path, column=xcol, angle=angle, notes=notes)
    y = parse_angles(df[ycol], path=path, column=ycol, angle=angle, notes=notes)
    return df, x, y, info


def _blank(values: pd.Series) -> np.ndarray:
    return (values.isna() | (values.astype(str).str.strip() == "")).to_numpy()


def _promote_header(df, fields, max_rows: int = 10):
    """Find the header row under title rows (common in official spreadsheets); None if there is none.

    Returns (frame with that row as column names and the rows below it, 1-based line of the header).
    Row labels are kept, so error messages still give the right line.
    """
    for i in range(min(max_rows, len(df))):
        names = [str(v).strip() if pd.notna(v) else f"column{j + 1}" for j, v in enumerate(df.iloc[i])]
        if find_coordinate_columns(names, fields)[0] is not None:
            out = df.iloc[i + 1:].copy()
            out.columns = names
            return out, int(df.index[i]) + 2
    return None


def _drop_rows_without_coordinates(df, xcol, ycol, path, notes):
    """Drop rows where both coordinates are empty (notes, totals, spacer rows), saying which."""
    both = _blank(df[xcol]) & _blank(df[ycol])
    if not both.any():
        return df
    if both.all():
        raise error("table.no_xy_rows", x=xcol, y=ycol, path=path, hint="table.fill_xy")
    lines = [int(label) + 2 for label in df.index[both][:10] if isinstance(label, (int, np.integer))]
    if lines:
        key = "rows_without_xy_lines" if len(lines) > 1 else "rows_without_xy_line"
        say(key, notes, path=path, count=int(both.sum()), lines=", ".join(map(str, lines)))
    else:
        say("rows_without_xy", notes, path=path, count=int(both.sum()))
    return df[~both]


def _read_frame(path: Path, encoding, layer, notes):
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        _check_workbook_bytes(path)
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise error("table.bad_workbook", reason=str(exc), path=path, hint="table.save_xlsx") from exc
        sheets = {k: v.dropna(how="all") for k, v in sheets.items()}
        if layer is not None:
            if str(layer) not in sheets:
                raise error("table.no_sheet", sheet=layer, path=path,
                            hint=phrase("table.sheets", sheets=", ".join(sheets)))
            return sheets[str(layer)], "UTF-8", "file"  # XLSX text is UTF-8 XML
        filled = [k for k, v in sheets.items() if not v.empty]
        if len(filled) > 1:
            raise error("table.several_sheets", count=len(filled), sheets=", ".join(filled), path=path,
                        hint="table.choose_sheet")
        return (sheets[filled[0]] if filled else next(iter(sheets.values()))), "UTF-8", "file"
    raw = path.read_bytes()
    if not raw.strip():
        raise error("table.empty", path=path, hint="table.copy_again")
    text, enc, source = _decode_table(raw, path, encoding, notes)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # also old Mac line ends
    csv.field_size_limit(2**31 - 1)  # WKT of a detailed boundary exceeds the default 131 072 characters
    sep = "\t" if suffix == ".tsv" else _separator(text, path, notes)
    lines = _record_lines(text, sep, path)
    try:
        # index_col=False: rows with trailing separators must not turn the first column into the index
        df = pd.read_csv(io.StringIO(text), sep=sep, engine="python", dtype=str, skipinitialspace=True,
                         index_col=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise error("table.cannot_parse", reason=str(exc), path=path, hint="table.check_quotes") from exc
    if len(lines) == len(df) + 1:
        # row labels such that label + 2 is the row's line in the file (as in a spreadsheet with the header
        # on line 1): messages name rows by label + 1 and file lines by label + 2
        df.index = pd.Index(np.asarray(lines[1:]) - 2)
    return df.dropna(how="all"), enc, source


def _decode_table(raw: bytes, path: Path, encoding, notes):
    """(text, encoding, source) of a CSV: the user's encoding, else :func:`ecogis.io.text.decode_text`."""
    if encoding:
        try:
            text, enc, source = raw.decode(encoding), encoding, "user"
        except (UnicodeDecodeError, LookupError) as exc:
            raise error("table.bad_encoding", encoding=encoding, path=path, hint="table.check_encoding") from exc
    else:
        text, enc, source = decode_text(raw, path, notes)
        if source == "detected" and enc in DETECT_ORDER and not raw.isascii():
            say("table_encoding", notes, path=path, encoding=enc)
    text = check_control_characters(text, path)
    return text, enc, source


#: field separators recognised in a CSV (the full-width comma only when none of these is used)
SEPARATORS = ",\t;|"
FULL_WIDTH_COMMA = "，"


def _separator(text: str, path: Path, notes) -> str:
    """The field separator of a CSV, sniffed from its first lines (``,`` ``tab`` ``;`` ``|``).

    A table that uses none of them but full-width commas (，, as typed with a Chinese input method) is
    read with those, and the note says so. Otherwise the comma (a table of one column)."""
    head = "\n".join([line for line in text.split("\n") if line.strip()][:10])
    try:
        return csv.Sniffer().sniff(head, delimiters=SEPARATORS).delimiter
    except csv.Error:
        pass
    if FULL_WIDTH_COMMA in head and not any(sep in head for sep in SEPARATORS):
        say("table_full_width_commas", notes, path=path)
        return FULL_WIDTH_COMMA
    return ","


def _record_lines(text: str, sep: str, path: Path) -> list[int]:
    """The first line in the file of every record pandas reads (blank lines are skipped; a quoted value may
    span lines). Raises EcogisError naming the line where a quote is not closed or a record has more values
    or fewer fields than the first (pandas would shift such rows into the wrong columns, or fill them up)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep, skipinitialspace=True, strict=True)  # lines end in \n
    lines, width, first, start = [], None, None, 1
    named = 0  # set with width, from the first record
    try:
        for fields in reader:
            line, start = start, reader.line_num + 1
            if len(fields) < 2 and not "".join(fields).strip():
                continue  # a blank line
            lines.append(line)
            if not any(f.strip() for f in fields):
                continue  # separators only: an empty row, dropped later
            if width is None:  # empty fields after the last value (trailing separators) are harmless
                width, named, first = len(fields), _filled_length(fields), line
                continue
            filled = _filled_length(fields)
            if filled > width or len(fields) < named:
                count = filled if filled > width else len(fields)
                _ragged(path, line, count, width, first, sep, text.split("\n")[reader.line_num - 1])
    except csv.Error as exc:
        raise error("table.cannot_split", line=start, reason=str(exc), path=path, hint="table.close_quote") from exc
    return lines


def _filled_length(fields: list[str]) -> int:
    """Number of fields up to the last that is not empty."""
    return next((i + 1 for i in range(len(fields) - 1, -1, -1) if fields[i].strip()), 0)


def _ragged(path, line, values, width, first, sep, text):
    """Raise for record ``line`` (its last physical line is ``text``) that has ``values`` fields, not ``width``."""
    name = {",": phrase("table.sep_comma"), "\t": phrase("table.sep_tab"), ";": phrase("table.sep_semicolon"),
            "|": phrase("table.sep_bar"), FULL_WIDTH_COMMA: phrase("table.sep_full_width")}[sep]
    more = values > width
    hint = (phrase("table.use_separator", separator=name) if FULL_WIDTH_COMMA in text and sep != FULL_WIDTH_COMMA else
            phrase("table.title_line", first=first) if width == 1 else
            phrase("table.quote_values") if more else phrase("table.fill_fields"))
    count = phrase("table.one_field", count=values) if values == 1 else phrase("table.n_fields", count=values)
    raise error("table.ragged", line=line, fields=count, first=first, width=width, separator=name, path=path,
                hint=hint)


def _check_workbook_bytes(path: Path) -> None:
    """Raise EcogisError for a .xlsx that is empty, an old binary .xls or text rather than a zip archive."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise error("table.empty_workbook", path=path, hint="table.copy_again")
    if head.startswith(b"PK"):
        return
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise error("table.old_xls", path=path, hint="table.save_in_excel")
    raise error("table.not_xlsx", path=path, hint="table.csv_or_export")


def find_coordinate_columns(columns, fields=None):
    """Return (first column, second column, kind) of the coordinate pair in ``columns``, or Nones.

    ``fields`` may name them: ``{"东经度": "lon", "北纬度": "lat"}`` (or ``x``/``y``, ``e``/``n``).
    """
    cols = list(columns)
    if fields:
        role = {str(v).lower(): k for k, v in fields.items() if k in cols}
        for a, b, kind in (("lon", "lat", "lonlat"), ("x", "y", "xy"), ("e", "n", "en"),
                           ("经度", "纬度", "lonlat"), ("longitude", "latitude", "lonlat")):
            if a in role and b in role:
                return role[a], role[b], kind
    canon = {c: _canon(c) for c in cols}
    for firsts, seconds, kind in _PAIRS:
        xc = next((c for c in cols if canon[c] in firsts), None)
        yc = next((c for c in cols if canon[c] in seconds), None)
        if xc is not None and yc is not None:
            return xc, yc, kind
    return None, None, None


# --------------------------------------------------------------------------- angles

_DMS = re.compile(
    r"""^\s*(?P<h1>[NSEWnsew东西南北]?)\s*
        (?P<d>[+-]?\d+(?:\.\d+)?)\s*(?:°|度|º|˚|d|:|\s)?\s*
        (?:(?P<m>\d+(?:\.\d+)?)\s*(?:′|'|’|＇|分|m|:|\s)?\s*)?
        (?:(?P<s>\d+(?:\.\d+)?)\s*(?:″|"|”|＂|''|′′|秒|s)?\s*)?
        (?P<h2>[NSEWnsew东西南北]?)\s*$""",
    re.VERBOSE,
)


# a number with its digits grouped in threes by spaces: 4 534 567.123 (not commas: 121,980 may mean 121.98)
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?:\.\d+)?")
_GROUP_SEPARATOR = r"[ \u00a0\u2009\u202f]"


def _ungroup_digits(text: pd.Series, path, column, notes) -> pd.Series:
    """``text`` with digit-group separators removed from numbers like '4 534 567.123' (reported).

    A value that also reads as degrees-minutes-seconds (121 45 30, 121 045 030) is left as it is."""
    grouped = np.array(text.str.fullmatch(_GROUPED), dtype=bool)
    if not grouped.any():
        return text
    dms = text[grouped].str.extract(_DMS)
    as_dms = (dms["d"].notna() & (dms["d"].astype(float).abs() <= 180) & (dms["m"].astype(float).fillna(0) < 60)
              & (dms["s"].astype(float).fillna(0) < 60))
    grouped[grouped] = ~as_dms.to_numpy()
    if not grouped.any():
        return text
    first = int(np.flatnonzero(grouped)[0])
    label = text.index[first]
    where = f"line {int(label) + 2}" if isinstance(label, (int, np.integer)) else f"row {label}"
    say("table_digit_groups", notes, path=path, field=repr(column), count=int(grouped.sum()), where=where,
        value=repr(text.iloc[first]))
    return text.where(~grouped, text.str.replace(_GROUP_SEPARATOR, "", regex=True))


def parse_angles(values: pd.Series, *, path=None, column=None, angle="auto", notes=None) -> np.ndarray:
    """Convert a column of angles to decimal degrees (float array).

    ``angle``: ``auto`` (numbers are decimal degrees, strings with °′″/度分秒 are DMS), ``decimal``,
    ``dms`` or ``ddd.mmss`` (121.4530 -> 121°45′30″). A value that cannot be read raises EcogisError
    naming the row (1-based data row; spreadsheet line = row + 1) and the column.
    """
    if angle not in ANGLE_FORMATS:
        raise error("table.unknown_angle", angle=angle,
                    hint=phrase("table.use_angle", formats=", ".join(ANGLE_FORMATS)))
    s = values.astype(object)
    text = s.where(s.notna(), "").astype(str).str.strip()
    missing = text == ""
    if missing.any():
        _bad(path, column, s.index, missing.to_numpy(), text, phrase("table.expect_empty"))
    if angle in ("auto", "decimal"):
        text = _ungroup_digits(text, path, column, notes)
    number = pd.to_numeric(text, errors="coerce")
    infinite = np.isinf(number.to_numpy(float))
    if infinite.any():
        _bad(path, column, s.index, infinite, text, phrase("table.expect_finite"))
    if angle == "ddd.mmss":
        bad = number.isna().to_numpy()
        if bad.any():
            _bad(path, column, s.index, bad, text, phrase("table.expect_ddd_mmss"))
        return ddmmss_to_degrees(number.to_numpy(float), path=path, column=column, index=s.index, text=text)
    if angle == "decimal" or (angle == "auto" and number.notna().all()):
        bad = number.isna().to_numpy()
        if bad.any():
            _bad(path, column, s.index, bad, text, phrase("table.expect_number"))
        return number.to_numpy(float)
    out = number.to_numpy(float).copy()
    todo = number.isna().to_numpy() if angle == "auto" else np.ones(len(text), bool)
    parts = text[todo].str.extract(_DMS)
    bad = parts["d"].isna().to_numpy()
    if bad.any():
        _bad(path, column, s.index[todo], bad, text[todo], phrase("table.expect_dms"))
    d = parts["d"].astype(float).to_numpy()
    m = parts["m"].astype(float).fillna(0).to_numpy()
    sec = parts["s"].astype(float).fillna(0).to_numpy()
    over = (m >= 60) | (sec >= 60) | (np.abs(d) > 180)
    if over.any():
        _bad(path, column, s.index[todo], over, text[todo],
             phrase("table.expect_angle"))
    sign = np.where(np.signbit(d), -1.0, 1.0)
    hemi = (parts["h1"].fillna("") + parts["h2"].fillna("")).str.upper()
    sign = np.where(hemi.str.contains("S|W|南|西").to_numpy(), -1.0, sign)
    out[todo] = sign * (np.abs(d) + m / 60.0 + sec / 3600.0)
    return out


def ddmmss_to_degrees(v: np.ndarray, *, path=None, column=None, index=None, text=None) -> np.ndarray:
    """Convert packed ddd.mmss numbers (121.4530 = 121°45′30″) to decimal degrees, vectorised."""
    v = np.asarray(v, float)
    total = np.round(np.abs(v) * 1e4, 6)  # dddmmss.sss
    d = np.floor(total / 1e4)
    m = np.floor((total - d * 1e4) / 100)
    s = total - d * 1e4 - m * 100
    over = (m >= 60) | (s >= 60)
    if over.any():
        index = index if index is not None else pd.RangeIndex(len(v))
        text = text if text is not None else pd.Series(v.astype(str), index=index)
        _bad(path, column, index, over, text, phrase("table.expect_mmss_below_60"))
    return np.sign(v) * (d + m / 60 + s / 3600)


def _bad(path, column, index, mask, text, expected):
    """Raise for the first value where ``mask`` is set: its row and file line (label + 2), how many more."""
    pos = int(np.flatnonzero(mask)[0])
    label = index[pos]
    where = phrase("table.row_line", row=int(label) + 1, line=int(label) + 2) \
        if isinstance(label, (int, np.integer)) else phrase("table.row", row=label)
    value = text.iloc[pos] if hasattr(text, "iloc") else text[pos]
    more = int(mask.sum()) - 1
    raise error("table.bad_value", where=where, value=value, expected=expected,
                more=phrase("table.more_rows", count=more) if more else "", path=path, field=column,
                hint="table.fix_value")


def _parse_wkt(values: pd.Series, path, column):
    text = values.fillna("").astype(str)
    geoms = shapely.from_wkt(text.to_numpy(), on_invalid="ignore")
    bad = shapely.is_missing(geoms) & (text.str.strip() != "").to_numpy()
    if bad.any():
        _bad(path, column, values.index, bad, text, phrase("table.expect_wkt"))
    return geoms


# --------------------------------------------------------------------------- writing

def write_table(gdf, path: Path, *, encoding="utf-8-sig") -> None:
    """Write a GeoDataFrame as CSV/XLSX: points as 经度/纬度 (geographic) or X/Y columns, else WKT.

    CSV is written as UTF-8 with a byte-order mark so that Excel on Chinese Windows opens it correctly.
    Texts never become formulas: XLSX cells are stored as text; a CSV text starting with = + - @ gets
    a leading apostrophe (:mod:`ecogis.render.cells`).
    The CRS is not stored in the table; geographic coordinates are written with 8 decimals (~1 mm).
    """
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    geoms = gdf.geometry.to_numpy()
    types = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist())
    if types <= {0}:
        x, y = shapely.get_x(geoms), shapely.get_y(geoms)  # NaN (an empty cell) for missing points
        geographic = gdf.crs is not None and gdf.crs.is_geographic
        a, b = ("经度", "纬度") if geographic else ("E", "N")
        df[a], df[b] = (np.round(x, 8), np.round(y, 8)) if geographic else (x, y)
    else:
        df["WKT"] = shapely.to_wkt(geoms, rounding_precision=-1)
    from ecogis.render.cells import csv_frame, frame_to_excel

    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            frame_to_excel(df, writer, index=False)
    else:
        csv_frame(df).to_csv(path, index=False, encoding=encoding, sep="\t" if path.suffix.lower() == ".tsv" else ",")
