"""Audits run by the service: a YAML audit (:mod:`ecogis.audit`) chosen among the service's own specs
(``--audits DIR``) or uploaded, run in the background like a batch, with the tables of ``ecogis audit --out``.

An uploaded spec reads only the project's layers: its relative paths start from the project's folder
(not from where the upload was kept), and every text in it that would name a file outside that folder
(an absolute path, ``..``, a link leading out) refuses the spec before anything is read. The service's
own specs are the operator's and read what they name. The user chooses one of those by its file name
from the list, never by a path.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from ecogis.audit import AuditSpec, load_spec, recorded_assumptions, run_audit
from ecogis.error_messages import error
from ecogis.web.engine import strip_prefix
from ecogis.web.service import write_notes

AUDIT_FILES = {"xlsx": "audit.xlsx", "csv": "audit.csv", "details": "audit_details.csv", "json": "audit.json",
               "txt": "audit.txt"}
SPEC_SUFFIXES = (".yaml", ".yml")


def listed_specs(audits_dir: Path | None) -> dict[str, Path]:
    """The service's audit specs: file name -> path (``*.yaml`` / ``*.yml`` directly in ``audits_dir``)."""
    if audits_dir is None or not audits_dir.is_dir():
        return {}
    return {p.name: p for p in sorted(audits_dir.iterdir()) if p.suffix.lower() in SPEC_SUFFIXES and p.is_file()}


def spec_titles(audits_dir: Path | None) -> list[dict]:
    """Name and title (Chinese, English) of each listed spec; a spec that does not load shows its error."""
    out: list[dict] = []
    for name, path in listed_specs(audits_dir).items():
        try:
            spec = load_spec(path)
        except Exception as exc:   # a broken spec of the operator's: listed with its reason, not hidden
            out.append({"name": name, "title": name, "title_en": name, "error": str(exc)})
            continue
        out.append({"name": name, "title": spec.title.zh, "title_en": spec.title.en, "checks": len(spec.checks)})
    return out


@dataclass
class RootedSpec(AuditSpec):
    """An uploaded spec whose relative paths start from ``root`` (the project's folder)."""

    root: Path = Path(".")

    @property
    def base(self) -> Path:
        return self.root


def uploaded_spec(path: Path, root: Path) -> RootedSpec:
    """Load the uploaded spec at ``path`` with its paths relative to ``root``; EcogisError when the file is
    not YAML or a text in it names a file outside ``root``."""
    if path.suffix.lower() not in SPEC_SUFFIXES:
        raise error("web.not_an_audit")
    spec = load_spec(path)
    root = root.resolve()
    for where, text in _texts(spec.layers, "layers") + _texts(spec.checks, "checks") \
            + _texts(spec.defaults, "defaults"):
        if not (root / text).resolve().is_relative_to(root):
            raise error("web.audit_path_outside", path=path.name, where=where, given=text, hint="web.audit_paths_hint")
    values = {f.name: getattr(spec, f.name) for f in fields(AuditSpec)}
    return RootedSpec(**values, root=root)


def _texts(value, where: str, seen: set | None = None) -> list[tuple[str, str]]:
    """Every string in ``value`` (nested mappings and lists) with where it sits ('layers.redline.path').

    A mapping or list met again (a YAML alias) is not walked twice, so aliases cannot blow up the walk."""
    seen = set() if seen is None else seen
    if isinstance(value, str):
        return [(where, value)]
    if not isinstance(value, (dict, list)) or id(value) in seen:
        return []
    seen.add(id(value))
    items = value.items() if isinstance(value, dict) else enumerate(value)
    return [t for k, v in items for t in _texts(v, f"{where}.{k}" if isinstance(value, dict) else f"{where}[{k}]",
                                                  seen)]


def run_and_write(spec: AuditSpec, folder: Path, lang: str, hide: str) -> dict:
    """Run the audit and write its table (XLSX, CSV), JSON and text into ``folder``; returns the
    report's JSON document (``ecogis audit --json``) with the server's folder ``hide`` cut from paths."""
    from ecogis.render.audit_table import audit_text, write_audit_table

    with recorded_assumptions([]):
        report = run_audit(spec)
    report.spec = Path(report.spec).name
    report.notes = strip_prefix(report.notes, hide)
    for check in report.checks:
        check.notes = strip_prefix(check.notes, hide)
    folder.mkdir(parents=True, exist_ok=True)
    write_audit_table(report, folder, lang=lang, overwrite=True)
    doc = report.to_dict(lang)
    (folder / AUDIT_FILES["json"]).write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str),
                                              encoding="utf-8")
    (folder / AUDIT_FILES["txt"]).write_text(audit_text(report, lang), encoding="utf-8")
    write_notes(report.notes, folder)
    return doc
