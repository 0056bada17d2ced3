"""One check as the service runs it: save and check the upload, run, write the reports, record the history.

Runs in a worker thread (:meth:`CheckService.run` is blocking); the route awaits it with a timeout.
The answer carries the JSON and HTML reports; the DOCX, XLSX and the site's exchange text take seconds
(maps, tables) and are written when first downloaded, from the result kept in memory or, later, by
checking the kept input again on the same layers (refused when the layers changed since).
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import ecogis
from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.web.engine import CheckRequest, LoadedProject, run_check, warm_up, write_quick_reports, write_slow_reports
from ecogis.web.mapdata import map_geojson
from ecogis.web.results import ResultsRecorder
from ecogis.web.store import Store, new_id, now
from ecogis.web.uploads import ZipLimits, prepare_site, safe_name, upload_folder

LOG = logging.getLogger("ecogis.web")
SLOW_FORMATS = ("docx", "xlsx", "txt")   # written on first download: they take seconds (maps, tables)
RECENT_RESULTS = 32


@dataclass
class SiteInput:
    """The site as received: uploaded bytes (with the file name), or coordinate text, or a GeoJSON text."""

    name: str
    data: bytes | None = None
    text: str | None = None

    @property
    def sha256(self) -> str:
        raw = self.data if self.data is not None else (self.text or "").encode("utf-8")
        return hashlib.sha256(raw).hexdigest()


def write_notes(notes, folder: Path) -> None:
    """The assumptions and notes of a check or batch in Chinese and English (``notes.json``), for the page."""
    from ecogis.messages import translate

    texts = {lang: [translate(n, lang) for n in notes] for lang in ("zh", "en")}
    (folder / "notes.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")


def read_notes(folder: Path, lang: str) -> list[str] | None:
    """The notes of ``write_notes`` in ``lang``; None when the folder has none."""
    path = folder / "notes.json"
    return json.loads(path.read_text(encoding="utf-8"))[lang] if path.is_file() else None


def without_prefix(exc: EcogisError, prefix: str) -> EcogisError:
    """``exc`` with ``prefix`` (the server's temporary folder) cut from its file, reason and hint in every language."""
    def cut(texts: dict) -> dict:
        return {lang: text.replace(prefix, "") for lang, text in texts.items()}

    path = None if exc.path is None else exc.path.replace(prefix, "")
    return EcogisError(path=path, feature=exc.feature, field=exc.field, key=exc.key, reasons=cut(exc.reasons),
                       hints=cut(exc.hints))


class CheckService:
    """Runs checks against the loaded project and keeps their history in the store."""

    def __init__(self, loaded: LoadedProject, store: Store, data_dir: Path, limits: ZipLimits, workers: int):
        self.workers = workers
        self.loaded = loaded
        self.store = store
        self.data_dir = data_dir
        self.limits = limits
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ecogis-check")
        self.recent: OrderedDict = OrderedDict()    # check id -> CheckResult, the latest RECENT_RESULTS
        self._lock = threading.Lock()
        self._report_lock = threading.Lock()      # one DOCX/XLSX set written at a time (seconds of CPU each)
        self.results = ResultsRecorder(None, str(loaded.path))  # --results-to (ecogis.web.app sets it)

    def folder(self, check_id: str) -> Path:
        return self.data_dir / "checks" / check_id

    def run(self, owner: str, site: SiteInput, req: CheckRequest, abandoned: threading.Event) -> dict:
        """Check ``site`` for ``owner``; returns the history record. EcogisError when the input is bad
        (the failed attempt is recorded too). The input is kept in the check's folder (审查留痕)."""
        check_id = new_id()
        record = {"id": check_id, "owner": owner, "created": now(), "input_name": site.name,
                  "input_sha256": site.sha256, "ecogis_version": ecogis.__version__,
                  "parameters": dict(req.parameters(), coordinates=site.text), "reports": {},
                  "project_versions": self.loaded.versions}
        try:
            result, versions = self._screen(site, req)
        except EcogisError as exc:
            self.store.add_check(dict(record, status="error", error=exc.text(req.lang)))
            raise
        if abandoned.is_set():
            raise TimeoutError("abandoned after the timeout")
        folder = self.folder(check_id)
        reports = write_quick_reports(result, folder, req.lang)
        if site.data is not None:
            (folder / "input").mkdir()
            (folder / "input" / safe_name(site.name)).write_bytes(site.data)
        (folder / "map.json").write_text(json.dumps(map_geojson(result), ensure_ascii=False), encoding="utf-8")
        write_notes(result.assumptions, folder)
        site_geojson = json.loads(result.site_gdf.to_json(default=str)) if result.site_gdf is not None else None
        self.store.add_check(dict(record, status="done", verdict=result.verdict, reports=reports,
                                  project_versions=versions, site_geojson=site_geojson))
        self._remember(check_id, result)
        LOG.info("check %s by %s: %s (%s)", check_id, owner, result.verdict, site.name)
        stored = self.results.check(result, site_input=site.name, lang=req.lang)
        answer = self.store.check(check_id) or record
        return answer if stored is None else dict(answer, results_to=stored)

    def _screen(self, site: SiteInput, req: CheckRequest):
        """Run the check on the site in a private temporary folder; paths in messages name the upload only."""
        with upload_folder(self.data_dir) as tmp:
            try:
                if site.data is not None:
                    raw = tmp / "upload.bin"
                    raw.write_bytes(site.data)
                    req.site = prepare_site(raw, site.name, tmp, self.limits)
                else:
                    req.site = site.text
                return run_check(self.loaded, req, hide_root=tmp)
            except EcogisError as exc:
                raise without_prefix(exc, str(tmp) + "/") from exc

    def warm_up(self) -> None:
        """Index the layers in every worker thread at start (each task waits for the others, so that each
        runs in a thread of its own); checks arriving meanwhile wait behind them."""
        barrier = threading.Barrier(self.workers)

        def one() -> None:
            try:
                barrier.wait(timeout=60)
                warm_up(self.loaded)
            except Exception:      # a project whose boundary point cannot be checked: indexed on first use
                LOG.exception("warming the layer indexes failed")

        for _ in range(self.workers):
            self.pool.submit(one)

    def _remember(self, check_id: str, result) -> None:
        with self._lock:
            self.recent[check_id] = result
            while len(self.recent) > RECENT_RESULTS:
                self.recent.popitem(last=False)

    def report(self, record: dict, fmt: str) -> Path | None:
        """The file of report ``fmt`` of a check, written now when it is a DOCX/XLSX/exchange text not
        asked for before (from the result in memory, else by checking the kept input again on the same
        layers). None when the check has no such report."""
        name = record["reports"].get(fmt)
        if name is None and fmt in SLOW_FORMATS:
            with self._report_lock:
                record = self.store.check(record["id"]) or record
                if fmt not in record["reports"]:
                    more = write_slow_reports(self._result_again(record), self.folder(record["id"]),
                                              record["parameters"].get("lang", "zh"))
                    record["reports"] = {**record["reports"], **dict.fromkeys(SLOW_FORMATS), **more}
                    self.store.update_check(record["id"], reports=record["reports"])
            name = record["reports"].get(fmt)
        return None if name is None else self.folder(record["id"]) / name

    def _result_again(self, record: dict):
        result = self.recent.get(record["id"])
        if result is not None:
            return result
        if record["project_versions"] != self.loaded.versions:
            raise error("web.layers_changed", formats="DOCX/XLSX", hint="web.use_json_or_rerun")
        params = dict(record["parameters"])
        text = params.pop("coordinates", None)
        inputs = sorted((self.folder(record["id"]) / "input").glob("*"))
        site = SiteInput(record["input_name"], data=inputs[0].read_bytes() if inputs else None, text=text)
        req = CheckRequest(site=None, **{k: v for k, v in params.items() if k in CheckRequest.__dataclass_fields__})
        result, _ = self._screen(site, req)
        return result

    def shutdown(self) -> None:
        """Finish running checks, then stop the workers (graceful shutdown)."""
        self.pool.shutdown(wait=True)
        shutil.rmtree(self.data_dir / "tmp", ignore_errors=True)
