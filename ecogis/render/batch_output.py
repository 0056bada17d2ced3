"""Streaming writers of a batch check (:class:`ecogis.check.BatchCheck`): JSON and XLSX, chunk by chunk.

Each writer gets the header before the first chunk, then every chunk's site rows and findings, then
the footer (overall verdict, the rules used, assumptions), so memory holds one chunk at a time. Rule
texts are written once, in a ``rules`` table / sheet; every finding carries only its ``rule_id``.
The files are written into a temporary folder and moved into place together at the end
(:func:`ecogis.outputs.atomic_folder`): a failed or interrupted run leaves no partial output.

JSON layout (one site or finding per line)::

    {"format": ..., "findings_detail": ..., "project": ..., "buffers_m": [...], "layers": [...], "inputs": {...},
     "units": {...}, "notes": {...},
     "sites": [{"id", "name", ..., "verdict", "worst": {...} | null, "findings": n,
                "nearest_m": {layer: m}, "within": {layer: [count within buffers_m[0], ...]}}, ...],
     "findings": [{"site", "layer", "feature", ..., "verdict", "rule_id"}, ...],
     "verdict": ..., "sites_by_verdict": {...}, "findings_total": n, "findings_listed": n, "rules": [...],
     "assumptions": [...], "methods": {...}}
"""
from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ecogis.outputs import atomic_folder
from ecogis.render import check_text as T
from ecogis.render.cells import plain_records, plain_value, xlsx_row
from ecogis.render.check_xlsx import RULE_HEADERS, _input_rows
from ecogis.render.zoning_batch import ZoningSheets, used_ids, zoning_by_site, zoning_footer
from ecogis.rules import VERDICT_EN, VERDICTS

FORMAT = "ecogis batch check 1"
JSON_NOTES = {
    "sites": "one row per site; worst: the finding that decides the site's verdict (null when 符合)",
    "nearest_m": "per layer, geodesic distance (m) from the site to the nearest feature",
    "within": "per layer with features within the largest buffer: the number of features at most "
              "buffers_m[i] metres (geodesic) from the site, overlapping features included",
    "rule_id": "findings reference the rules table by id; null: no screening rule applies (符合, for information)",
}
#: the headers of the batch workbook that check_text does not hold, per language
XLSX_HEADS: dict[str, dict[str, Any]] = {
    "zh": {"worst": ["最不利：图层", "最不利：要素", "最不利：功能区/级别", "最不利：空间关系", "最不利：规则编号",
                     "结果条数"],
           "nearest": "最近{layer}距离（m）", "within": "{buffer} m 内{layer}要素数", "rule_id": "规则编号"},
    "en": {"worst": ["Worst: layer", "Worst: feature", "Worst: zone", "Worst: relation", "Worst: rule id", "Findings"],
           "nearest": "Nearest {layer} (m)", "within": "{layer} within {buffer} m", "rule_id": "Rule id"},
}
XLSX_MAX_ROWS = 1_048_576  # rows per sheet; further findings go to the next findings sheet


def write_batch(batch, targets: dict, *, lang: str = "zh", overwrite: bool = False, inputs=(),
                json_stream=None, also=()) -> list[Path]:
    """Stream the chunks of ``batch`` to ``targets`` ({"json": path, "xlsx": path}, one folder) and, when
    given, the JSON document to the text stream ``json_stream`` (stdout). The files are written as one
    set (:func:`ecogis.outputs.atomic_folder`): all of them or none. ``also``: more writers with the same
    begin/add/end/close (a results table, :mod:`ecogis.store.results_batch`), ended after the files'
    writers and before the files are moved into place. Returns the paths written."""
    with contextlib.ExitStack() as stack:
        writers = []
        if targets:
            folder = next(iter(targets.values())).parent
            names = [p.name for p in targets.values()]
            tmpdir = stack.enter_context(atomic_folder(folder, names, overwrite=overwrite, inputs=inputs))
        for fmt, path in targets.items():
            tmp = tmpdir / path.name
            writer = JsonBatchWriter(stack.enter_context(tmp.open("w", encoding="utf-8"))) if fmt == "json" \
                else XlsxBatchWriter(tmp, lang)
            stack.callback(writer.close)  # closed before the temporary is moved into place
            writers.append(writer)
        if json_stream is not None:
            writers.append(JsonBatchWriter(json_stream))
            stack.callback(writers[-1].close)
        for extra in also:
            writers.append(extra)
            stack.callback(extra.close)
        for w in writers:
            w.begin(batch)
        for chunk in batch.chunks():
            for w in writers:
                w.add(chunk, batch)
        for w in writers:
            w.end(batch)
    return [Path(p) for p in targets.values()]


def site_records(chunk, buffers_m) -> list[dict]:
    """The JSON site rows of one chunk (see the module docstring)."""
    nearest = chunk.nearest_m.to_numpy(dtype=float)
    layers = list(chunk.nearest_m.columns)
    counts = [chunk.within[b].to_numpy() for b in buffers_m]
    out = []
    for k, row in enumerate(plain_records(chunk.sites)):
        worst = {c: row.pop(f"worst_{c}") for c in ("layer", "feature", "zone", "relation", "rule_id")}
        row["worst"] = worst if worst["layer"] is not None else None
        row["nearest_m"] = {lyr: plain_value(float(d)) for lyr, d in zip(layers, nearest[k])}
        row["within"] = {lyr: [int(c[k, j]) for c in counts] for j, lyr in enumerate(layers)
                         if any(c[k, j] > 0 for c in counts)}
        out.append(row)
    return out


def _sites_by_verdict(batch) -> dict:
    counts = batch.site_rows()["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in reversed(VERDICTS)}


class JsonBatchWriter:
    """The JSON document on a text stream; the findings wait in an anonymous temporary file until the
    sites are written (two arrays, each streamed)."""

    def __init__(self, stream):
        self.stream = stream
        self.findings = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.first_site = self.first_finding = True
        self.zoning_ids: set = set()  # access-list requirements used (texts once in the footer)

    def begin(self, batch) -> None:
        header = {"format": FORMAT, "findings_detail": batch.findings_detail, "project": batch.project,
                  "buffers_m": batch.buffers_m, "layers": batch.layers, "inputs": batch.inputs,
                  "units": batch.units, "notes": dict(JSON_NOTES, findings=batch.methods["findings"]),
                  "coverage_gaps": [g.to_dict() for g in getattr(batch, "coverage", [])]}  # 无法判定 sites
        self.stream.write("{\n")
        for key, value in header.items():
            self.stream.write(f"{_dumps(key)}: {_dumps(value)},\n")
        self.stream.write('"sites": [')

    def add(self, chunk, batch=None) -> None:
        zoned = zoning_by_site(chunk)
        self.zoning_ids |= used_ids(chunk)
        for row in site_records(chunk, list(chunk.within)):
            if zoned is not None:
                row["zoning"] = zoned.get(row["id"])
            self.stream.write(("\n" if self.first_site else ",\n") + _dumps(row))
            self.first_site = False
        for row in plain_records(chunk.findings):
            self.findings.write(("\n" if self.first_finding else ",\n") + _dumps(row))
            self.first_finding = False

    def end(self, batch) -> None:
        self.stream.write('\n],\n"findings": [')
        self.findings.seek(0)
        shutil.copyfileobj(self.findings, self.stream)
        self.stream.write("\n],\n")
        footer = {"verdict": batch.verdict, "verdict_en": VERDICT_EN[batch.verdict],
                  "sites_by_verdict": _sites_by_verdict(batch), "findings_total": batch.findings_total,
                  "findings_listed": batch.findings_listed, "rules": batch.rules,
                  "assumptions": batch.assumptions, "methods": batch.methods,
                  "zoning": zoning_footer(batch, self.zoning_ids)}
        self.stream.write(",\n".join(f"{_dumps(k)}: {_dumps(v)}" for k, v in footer.items()) + "\n}\n")
        self.close()

    def close(self) -> None:
        self.findings.close()


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=plain_value)


class XlsxBatchWriter:
    """A write-only openpyxl workbook: sheets sites (one row per site), findings (rule ids), rules, inputs."""

    def __init__(self, path: Path, lang: str):
        self.path, self.lang = path, lang
        self.wb = Workbook(write_only=True)
        self.sites = self.wb.create_sheet("sites")
        self.findings = self.wb.create_sheet("findings")
        self.rules = self.wb.create_sheet("rules")
        self.inputs = self.wb.create_sheet("inputs")
        self.finding_rows = 0
        self.saved = False
        self.zoning: ZoningSheets | None = None

    def begin(self, batch) -> None:
        words = XLSX_HEADS[self.lang]
        self._head(self.sites, T.SITE_HEADERS[self.lang] + words["worst"]
                   + [words["nearest"].format(layer=lyr) for lyr in batch.layers]
                   + [words["within"].format(buffer=f"{b:g}", layer=lyr) for b in batch.buffers_m
                      for lyr in batch.layers])
        column = {"zh": 1, "en": 2}[self.lang]  # FINDING_HEADERS rows are (key, Chinese, English)
        head = {row[0]: row[column] for row in T.FINDING_HEADERS}
        self._finding_head = [head[k] for k in ("site", *_XLSX_FINDING_KEYS)] + [words["rule_id"]]
        self._head(self.findings, self._finding_head)
        if getattr(batch, "zoning", None) is not None:
            self.zoning = ZoningSheets(self.wb, self.lang)

    def add(self, chunk, batch=None) -> None:
        lang = self.lang
        if self.zoning is not None and chunk.zoning is not None:
            self.zoning.add(chunk, batch)
        rows = chunk.sites.copy()
        rows["verdict"] = rows["verdict"].map(lambda v: T.verdict_label(v, lang))
        rows["worst_relation"] = rows["worst_relation"].map(lambda v: T.RELATION[lang].get(v) if v else None)
        rows["worst_zone"] = rows["worst_zone"].map(lambda v: T.zone_label(v, lang) or None)
        wide = [rows.reset_index(drop=True), chunk.nearest_m.reset_index(drop=True)]
        wide += [chunk.within[b].reset_index(drop=True) for b in chunk.within]
        for values in zip(*(frame.itertuples(index=False, name=None) for frame in wide)):
            self.sites.append(xlsx_row(self.sites, [plain_value(v) for part in values for v in part]))
        table = chunk.findings.copy()
        for key in ("relation", "verdict", "zone"):
            table[key] = table[key].map({v: T.cell({key: v}, key, lang) or None for v in table[key].dropna().unique()})
        for values in table[["site", *_XLSX_FINDING_KEYS, "rule_id"]].itertuples(index=False, name=None):
            if self.finding_rows == XLSX_MAX_ROWS - 1:
                self.findings = self.wb.create_sheet(f"findings {len(self.wb.sheetnames) - 2}")
                self._head(self.findings, self._finding_head)
                self.finding_rows = 0
            self.findings.append(xlsx_row(self.findings, [plain_value(v) for v in values]))
            self.finding_rows += 1

    def end(self, batch) -> None:
        lang = self.lang
        self._head(self.rules, RULE_HEADERS[lang])
        for r in batch.rules:
            self.rules.append(xlsx_row(self.rules, [
                r["id"], r["kind"], T.zone_label(r["zone"], lang) or None, r["relation"], r["within_m"],
                T.verdict_label(r["verdict"], lang), T.rule_label(r, lang), T.basis_label(r, lang)]))
        self._head(self.inputs, ["name", "kind", "path / text", "crs", "features"])
        for row in _input_rows(batch, lang):
            self.inputs.append(xlsx_row(self.inputs, row))
        if self.zoning is not None:
            self.zoning.end(batch)
        self.wb.save(self.path)
        self.saved = True

    def close(self) -> None:
        """After a failure: end each sheet's XML stream and remove openpyxl's temporary sheet files."""
        if self.saved:
            return
        for ws in self.wb.worksheets:
            if not ws.closed:
                ws.close()
            out = getattr(getattr(ws, "_writer", None), "out", None)
            if out and Path(out).exists():
                Path(out).unlink()

    def _head(self, ws, names) -> None:
        cells = []
        for name in names:
            c = WriteOnlyCell(ws, value=name)
            c.font = Font(bold=True)
            cells.append(c)
        ws.freeze_panes = "A2"
        ws.append(cells)


_XLSX_FINDING_KEYS = ["layer", "feature", "zone", "relation", "overlap_area_m2", "overlap_area_ha",
                      "overlap_area_mu", "overlap_length_m", "share_of_site", "distance_m", "buffer_m", "verdict"]
