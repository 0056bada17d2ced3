"""The 生态环境分区管控 part of the batch outputs (:mod:`ecogis.render.batch_output`), chunk by chunk.

JSON: each site row gets ``zoning`` (its units and requirement verdicts, null when it touches no unit);
the footer holds ``zoning``: the project's description, the access lists read, the methods and the text
of every requirement used, once (rows carry ``requirement_id``). XLSX: sheets of the units per site, of
the requirement verdicts per site and of the requirement texts used.
"""
from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ecogis.render import zoning_text as Z
from ecogis.render.cells import plain_records, xlsx_row

HEADS = {
    "zh": {"requirements": ["场址", "层级", "适用单元", "管控维度", "要求编号", "项目行业", "结论", "符合性分析"],
           "texts": ["要求编号", "层级", "适用范围", "管控类别", "单元编码", "管控维度", "管控要求", "禁止类行业",
                     "限制类行业", "来源"],
           "sheet_texts": "准入要求"},
    "en": {"requirements": ["Site", "Level", "Units", "Dimension", "Requirement id", "Industry", "Verdict",
                            "Analysis"],
           "texts": ["Requirement id", "Level", "Scope", "Class", "Unit code", "Dimension", "Requirement",
                     "Prohibited", "Restricted", "Source"],
           "sheet_texts": "requirements"},
}


def zoning_by_site(chunk) -> dict | None:
    """``{site id: {"verdict", "units": [...], "requirements": [...]}}`` of one chunk (None: no zoning)."""
    zoned = getattr(chunk, "zoning", None)
    if zoned is None:
        return None
    out: dict = {}
    for row in plain_records(zoned.units):
        out.setdefault(row.pop("site"), {"verdict": None, "units": [], "requirements": []})["units"].append(row)
    for row in plain_records(zoned.requirements):
        out.setdefault(row.pop("site"), {"verdict": None, "units": [], "requirements": []})["requirements"].append(row)
    for site, verdict in zoned.site_verdicts.items():
        out[site]["verdict"] = verdict
    for site, share in zoned.uncovered.items():
        out.setdefault(site, {"verdict": None, "units": [], "requirements": []})["uncovered"] = share
    return out


def used_ids(chunk) -> set:
    zoned = getattr(chunk, "zoning", None)
    return set() if zoned is None else set(zoned.requirements["requirement_id"].dropna())


def zoning_footer(batch, ids: set) -> dict | None:
    """The JSON footer's ``zoning``: header facts and the requirements used (texts once)."""
    if batch.zoning is None:
        return None
    reqs = [r.to_dict() for r in batch.zoning.requirements or [] if r.id in ids]
    return {**batch.zoning.header(), "requirements": reqs}


class ZoningSheets:
    """The zoning sheets of the batch workbook (write-only): units, requirement verdicts, texts."""

    def __init__(self, wb, lang: str):
        self.lang = lang
        self.units = wb.create_sheet(Z.label("sheet_units", lang))
        self.reqs = wb.create_sheet(Z.label("sheet_reqs", lang))
        self.texts = wb.create_sheet(HEADS[lang]["sheet_texts"])
        self.ids: set = set()
        _head(self.units, Z.HEADERS[lang]["units"])
        _head(self.reqs, HEADS[lang]["requirements"])

    def add(self, chunk, batch) -> None:
        zoned, lang = chunk.zoning, self.lang
        for u in plain_records(zoned.units):
            self.units.append(xlsx_row(self.units, [
                u["site"], u["unit_code"], u["unit_name"], u["unit_class"], u["subtype"], u["element"], u["county"],
                Z.RELATIONS[lang][u["relation"]], u["overlap_area_ha"], u["overlap_area_mu"], u["share_of_site"],
                u["distance_m"] if u["relation"] != "intersects" else None]))
        for r in plain_records(zoned.requirements):
            self.ids.add(r["requirement_id"])
            self.reqs.append(xlsx_row(self.reqs, [
                r["site"], Z.LEVELS[lang][r["level"]], r["units"], Z.DIMENSIONS[lang][r["dimension"]],
                r["requirement_id"], r["industry"], Z.verdict(r["verdict"], lang), _reason(r, batch, lang)]))

    def end(self, batch) -> None:
        lang = self.lang
        _head(self.texts, HEADS[lang]["texts"])
        for r in batch.zoning.requirements or []:
            if r.id in self.ids:
                self.texts.append(xlsx_row(self.texts, [
                    r.id, Z.LEVELS[lang][r.level], r.scope, r.unit_class, r.unit_code, Z.DIMENSIONS[lang][r.dimension],
                    r.text, "、".join(r.prohibited), "、".join(r.restricted), r.source]))
        for line in Z.description_lines(_Described(batch.zoning.project_description), lang):
            self.texts.append(xlsx_row(self.texts, [line]))


class _Described:
    """What :func:`zoning_text.description_lines` reads of a result, for a batch."""

    def __init__(self, description: dict):
        self.project_description = description
        self.site_descriptions: dict = {}


def _reason(row: dict, batch, lang: str) -> str:
    rid = row["requirement_id"]
    req = batch.zoning.requirement(rid) if rid else None
    codes = "" if req is None else "、".join(req.prohibited + req.restricted)
    return Z.REASONS[lang][row["reason"]].format(code=row["industry"] or "", matched=row["matched"] or "", codes=codes)


def _head(ws, names) -> None:
    cells = []
    for name in names:
        c = WriteOnlyCell(ws, value=name)
        c.font = Font(bold=True)
        cells.append(c)
    ws.freeze_panes = "A2"
    ws.append(cells)
