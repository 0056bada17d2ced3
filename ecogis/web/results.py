"""``ecogis serve --results-to STORE``: every check's results also go to the results tables of a PostGIS
database or a GeoPackage, as ``ecogis check --results-to`` writes them (single checks: ecogis_check_runs,
_sites, _findings; batch jobs: one row per site in ``?table=``, the findings in ``&findings=``).

Writing is thread-safe (one transaction per check in PostGIS, one check at a time per GeoPackage file).
A failure to write never loses a check silently and never fails it: the check answers as usual, with a
warning in its response, and the failure is logged. A GeoPackage that is one of the project's own files
(a layer, the boundary, the project or rules file, in any letter case) is refused at start and on reload,
as ``ecogis check --results-to`` refuses it (:func:`ecogis.outputs.refuse_inputs`).
"""
from __future__ import annotations

import logging
from pathlib import Path

from ecogis.errors import EcogisError
from ecogis.store.results_target import ResultsTarget, parse_results_target

LOG = logging.getLogger("ecogis.web")
WARNING = {"en": "the results were not written to {store}: {reason}",
           "zh": "结果未写入 {store}：{reason}"}


class ResultsRecorder:
    """Writes checks to ``target`` (a ``--results-to`` value, checked when the service starts); a None
    target writes nothing."""

    def __init__(self, target: str | None, project: str):
        self.target: ResultsTarget | None = None if target is None else parse_results_target(target)
        self.project = project

    def refuse_inputs_of(self, project) -> None:
        """EcogisError (``out.is_input``) when the GeoPackage target is one of the files of ``project``
        (an :class:`ecogis.project.Project`), so the service never writes its tables into its own layers."""
        if self.target is not None and self.target.path is not None:
            from ecogis.outputs import refuse_inputs

            refuse_inputs(self.target.path, project_files(project))

    def check(self, result, *, site_input: str, lang: str) -> dict | None:
        """Append one check; ``{"store", "run_id", "sites", "findings"}`` or ``{"warning": text}``."""
        if self.target is None:
            return None
        from ecogis.store.results import write_results

        store = self.target.pg if self.target.pg is not None else self.target.path
        try:
            return write_results(result, store, project=self.project, site_input=site_input).to_dict()
        except Exception as exc:  # noqa: BLE001 - any failure becomes the response's warning and a log line
            return {"warning": self.failed(exc, lang, self.target.where)}

    def batch_writer(self, *, site_input: str, lang: str):
        """The writer a batch job streams into (or None), which turns a failure into a warning."""
        if self.target is None:
            return None
        from ecogis.store.results_batch import BatchResultsWriter

        return _Guarded(BatchResultsWriter(self.target, project=self.project, site_input=site_input), self, lang)

    def failed(self, exc: Exception, lang: str, where=None) -> str:
        """The warning (in ``lang``) and the log line of a failed write to ``where`` (default the target)."""
        reason = exc.text(lang) if isinstance(exc, EcogisError) else f"{type(exc).__name__}: {exc}"
        where = where or self.target
        LOG.warning("results not written to %s: %s", where, reason)
        return WARNING[lang if lang in WARNING else "en"].format(store=where, reason=reason)


class _Guarded:
    """A batch results writer whose failure stops the writing (its run rolled back) but not the batch."""

    def __init__(self, writer, recorder: ResultsRecorder, lang: str):
        self.writer, self.recorder, self.lang = writer, recorder, lang
        self.warning: str | None = None

    def _call(self, name: str, *args) -> None:
        if self.warning is not None:
            return
        try:
            getattr(self.writer, name)(*args)
        except Exception as exc:  # noqa: BLE001 - reported as the job's warning and logged
            self.warning = self.recorder.failed(exc, self.lang)
            self.writer.close()

    def begin(self, batch) -> None:
        self._call("begin", batch)

    def add(self, chunk, batch=None) -> None:
        self._call("add", chunk, batch)

    def end(self, batch=None) -> None:
        self._call("end", batch)

    def close(self) -> None:
        self.writer.close()

    def outcome(self) -> dict:
        return {"warning": self.warning} if self.warning is not None else self.writer.to_dict()


def project_files(project) -> list[Path]:
    """The files the service reads for ``project``: the project file, its rules file, the files of its
    layers, boundary and coverages (PostGIS sources and administrative names are no files), and the
    default rules."""
    from ecogis.io.postgis import PgSource
    from ecogis.rules import DEFAULT_RULES_PATH

    specs = [*project.layers.values(), *([project.boundary] if project.boundary is not None else [])]
    paths = [project.path, project.rules_path, DEFAULT_RULES_PATH]
    paths += [spec.path for spec in specs if not isinstance(spec.path, PgSource)]
    paths += [Path(spec.coverage) for spec in specs if spec.coverage and Path(spec.coverage).is_file()]
    if isinstance(project.project_info, str):
        paths.append(Path(project.project_info))
    return [Path(p) for p in paths if p is not None]
