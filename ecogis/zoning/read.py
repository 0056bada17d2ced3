"""Reading 生态环境准入清单 tables (XLSX with one or more sheets, or CSV) of kind ``access_list``.

Published lists put a title line or two above the header and split the overall and the per-unit
requirements over sheets; every sheet whose header (found in its first 10 rows) names at least one
requirement dimension is read, the others are skipped with a note. Column names follow the aliases
of the ``access_list`` kind (:data:`ecogis.layers.KINDS`); ``fields=`` maps others.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ecogis.error_messages import error
from ecogis.io.table import _check_workbook_bytes, _read_frame
from ecogis.kinds import match_fields
from ecogis.layers import normalise_layer
from ecogis.messages import register, say
from ecogis.zoning.requirements import DIMENSIONS, Requirement, requirements_from_table

register({
    "zoning.sheet_skipped": ("{path}: sheet '{sheet}' has no access-list header (no column 空间布局约束, "
                             "污染物排放管控, 环境风险防控 or 资源开发效率要求) and is not read",
                             "{path}：工作表“{sheet}”无准入清单表头（无空间布局约束、污染物排放管控、环境风险防控或"
                             "资源开发效率要求列），未读取"),
})
HEADER_ROWS = 10


def read_access_list(path, *, fields: dict | None = None, encoding: str | None = None, layer: str | None = None,
                     notes: list | None = None) -> tuple[list[Requirement], dict]:
    """The requirements of an access-list file and a description of what was read (path, sheets, rows,
    requirements). An unreadable file, or one with no sheet that has an access-list header, is an
    EcogisError."""
    path = Path(path)
    if not path.exists():
        raise error("sites.no_access_list", path=path)
    frames = _sheets(path, encoding, layer, notes)
    tables = []
    for sheet, raw in frames.items():
        table = _with_header(raw, fields, path)
        if table is None:
            say("zoning.sheet_skipped", notes, warn=False, path=path, sheet=sheet)
            continue
        table = normalise_layer(table, "access_list", fields=fields, path=path)
        table["_sheet"] = sheet
        tables.append(table)
    if not tables:
        raise error("sites.no_dimension_header", path=path, hint="sites.name_dimensions")
    table = pd.concat(tables, ignore_index=True)
    requirements = requirements_from_table(table, source=path.name)
    meta = {"path": str(path), "kind": "access_list", "sheets": [str(t["_sheet"].iloc[0]) for t in tables],
            "rows": int(len(table)), "requirements": len(requirements)}
    return requirements, meta


def _sheets(path: Path, encoding, layer, notes) -> dict[str, pd.DataFrame]:
    """Each sheet of a workbook without a header row (so the header can be found), or the CSV."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_workbook_bytes(path)
        try:
            sheets = pd.read_excel(path, sheet_name=layer if layer is not None else None, header=None, dtype=object,
                                   engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise error("sites.bad_workbook", reason=str(exc), path=path, hint="sites.save_xlsx") from exc
        if isinstance(sheets, pd.DataFrame):
            sheets = {str(layer): sheets}
        return {str(k): v.dropna(how="all") for k, v in sheets.items()}
    frame, _, _ = _read_frame(path, encoding, None, notes)
    header = pd.DataFrame([list(frame.columns)], columns=range(frame.shape[1]))
    return {path.stem: pd.concat([header, frame.set_axis(range(frame.shape[1]), axis=1)], ignore_index=True)}


def _with_header(raw: pd.DataFrame, fields, path) -> pd.DataFrame | None:
    """The sheet with its header row promoted: the first of the first rows whose cells name a dimension.
    ``_row`` keeps each row's line in the sheet (1-based, as a spreadsheet shows it)."""
    for i in range(min(HEADER_ROWS, len(raw))):
        names = [("" if pd.isna(v) else str(v).strip()) for v in raw.iloc[i].tolist()]
        mapping = match_fields([n for n in names if n], "access_list", fields if _named(fields, names) else None,
                               path)
        if any(d in mapping for d in DIMENSIONS):
            body = raw.iloc[i + 1:].copy()
            body.columns = [n or f"column {k + 1}" for k, n in enumerate(names)]
            body = body.loc[:, [c for c in body.columns if not c.startswith("column ")]]
            body["_row"] = [int(r) + 1 for r in raw.index[i + 1:]]
            return body.dropna(how="all", subset=[c for c in body.columns if c != "_row"])
    return None


def _named(fields, names) -> bool:
    """Whether every source column of the user mapping is among ``names`` (then it applies to this row)."""
    return bool(fields) and all(k in names or v in names for k, v in fields.items())
