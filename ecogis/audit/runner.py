"""Running an audit: every check of a loaded spec in order, by its registered type; the assumptions made
while running are kept in the notes of the check that met them."""
from __future__ import annotations

import datetime
import os
import warnings
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from ecogis.area import Text
from ecogis.audit.builtin import CHECK_TYPES
from ecogis.audit.common import REPORT_ONLY
from ecogis.audit.context import AuditSpec, CheckContext
from ecogis.audit.result import AuditReport, CheckResult
from ecogis.error_messages import Phrase, error, phrase
from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.notes import Notes, note_of


@contextmanager
def recorded_assumptions(notes: list):
    """Record the AssumptionWarnings raised in the block in ``notes`` (once each, as the
    :class:`~ecogis.notes.Note` each carries) instead of passing them on.

    The report is then the one place where they appear. When the block raises, the recorded warnings
    are raised again (so the CLI shows them next to the error); other warnings always pass through.
    """
    failed = True
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", AssumptionWarning)
            yield notes
        failed = False
    finally:
        for w in caught:
            if issubclass(w.category, AssumptionWarning) and not failed:
                if note_of(w.message) not in notes:
                    notes.append(note_of(w.message))
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def run_audit(spec: AuditSpec, progress: bool = False) -> AuditReport:
    """Run every check of ``spec`` in order; bad keys or inputs raise EcogisError (exit 2 in the CLI).

    Assumptions (guessed CRS or encoding, repaired polygons, ...) are not raised as warnings but kept
    in each check's ``notes`` and, all together, in the report's ``notes``. ``progress``: a progress
    bar on a terminal when there is more than one check.
    """
    cache: dict = {}
    checks = spec.checks
    if progress and len(checks) > 1:
        checks = tqdm(checks, desc="audit", unit="check", leave=False, disable=None)  # only on a terminal
    results = [_run_check(CheckContext(spec, check, cache)) for check in checks]
    notes = Notes(n for r in results for n in r.notes)
    return AuditReport(title=spec.title, spec=str(spec.path), checks=results, notes=notes,
                       date=datetime.date.today().isoformat(), sources=_sources(spec, cache))


#: what a spec's layer may say of its data, shown in the report's sources
SOURCE_KEYS = ("label", "source", "version", "date")


def _sources(spec: AuditSpec, cache: dict) -> list[dict]:
    """Each layer of the spec: name, file, kind, what the spec says of its source, version and date,
    and, when a check read it, its CRS and number of features."""
    read = {(path, sublayer): gdf for (path, sublayer, _), (gdf, _info) in cache.items()}  # CheckContext.load
    out = []
    for name, layer in spec.layers.items():
        row = {"name": name, "path": layer["path"], "kind": layer.get("kind")}
        row.update({k: str(layer[k]) for k in SOURCE_KEYS if layer.get(k)})
        gdf = read.get((os.path.normpath(spec.base / layer["path"]), layer.get("layer")))
        if gdf is not None:
            row.update(crs=gdf.crs.to_string() if gdf.crs else None, features=int(len(gdf)))
        out.append(row)
    return out


def _run_check(ctx: CheckContext) -> CheckResult:
    """One check; its notes are the notes of the layers it read and the assumptions made while running.

    An EcogisError from deeper down (a reader, the area engine) is given the check id and the spec file.
    """
    raised = Notes()
    try:
        with recorded_assumptions(raised):
            result = CHECK_TYPES[ctx.type].run(ctx)
    except EcogisError as exc:
        if exc.reason.startswith(f"check {ctx.id!r}"):
            raise
        where = phrase("audit.in_spec", spec=ctx.spec.path) if exc.path and Path(exc.path) != ctx.spec.path \
            else Phrase(en="", zh="")
        raise error("audit.check_failed", path=exc.path or ctx.spec.path, feature=exc.feature, field=exc.field,
                    id=repr(ctx.id), type=ctx.type, where=where, reason=exc,
                    hint=Phrase(exc.hints) if exc.hints else None) from exc
    title, title_en = ctx.check.get("title"), ctx.check.get("title_en")
    if title or title_en:  # the spec's own title (Chinese) and its English version (title_en)
        result.title = Text(str(title or title_en), str(title_en or title))
    result.notes = Notes([*ctx.layer_notes, *raised, *result.notes])
    result.report_only = result.expected == REPORT_ONLY
    if ctx.check.get("circular"):
        result.circular = str(ctx.check["circular"])
    return result
