"""One check as the service runs it: save and check the upload, run, write the reports, record the history.

Runs in a worker thread (:meth:`CheckService.run` is blocking); the route awaits it with a timeout.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import ecogis
from ecogis.errors import EcogisError
from ecogis.web.engine import CheckRequest, LoadedProject, run_check, write_quick_reports, write_slow_reports
from ecogis.web.mapdata import map_geojson
from ecogis.web.store import Store, new_id, now
from ecogis.web.uploads import ZipLimits, prepare_site, upload_folder

LOG = logging.getLogger("ecogis.web")


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


class CheckService:
    """Runs checks against the loaded project and keeps their history in the store."""

    def __init__(self, loaded: LoadedProject, store: Store, data_dir: Path, limits: ZipLimits, workers: int):
        self.loaded = loaded
        self.store = store
        self.data_dir = data_dir
        self.limits = limits
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ecogis-check")
        self.report_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecogis-report")
        self.pending: dict[str, Future] = {}

    def folder(self, check_id: str) -> Path:
        return self.data_dir / "checks" / check_id

    def run(self, owner: str, site: SiteInput, req: CheckRequest, abandoned: threading.Event) -> dict:
        """Check ``site`` for ``owner``; returns the history record. EcogisError when the input is bad
        (the failed attempt is recorded too)."""
        check_id = new_id()
        record = {"id": check_id, "owner": owner, "created": now(), "input_name": site.name,
                  "input_sha256": site.sha256, "ecogis_version": ecogis.__version__,
                  "parameters": req.parameters(), "reports": {}, "project_versions": self.loaded.versions}
        try:
            with upload_folder(self.data_dir) as tmp:
                req.site = self._site_argument(site, tmp)
                result, versions = run_check(self.loaded, req, hide_root=tmp)
                if abandoned.is_set():
                    raise TimeoutError("abandoned after the timeout")
                folder = self.folder(check_id)
                reports = write_quick_reports(result, folder, req.lang)
        except EcogisError as exc:
            message = str(exc).replace(str(tmp) + "/", "")
            self.store.add_check(dict(record, status="error", error=message))
            raise EcogisError(message) from exc
        (folder / "map.json").write_text(json.dumps(map_geojson(result), ensure_ascii=False), encoding="utf-8")
        site_geojson = json.loads(result.site_gdf.to_json(default=str)) if result.site_gdf is not None else None
        self.store.add_check(dict(record, status="done", verdict=result.verdict, reports=reports,
                                  project_versions=versions, site_geojson=site_geojson))
        self.pending[check_id] = self.report_pool.submit(self._slow_reports, check_id, result, req.lang, reports)
        LOG.info("check %s by %s: %s (%s)", check_id, owner, result.verdict, site.name)
        return self.store.check(check_id) or record

    def _site_argument(self, site: SiteInput, tmp: Path):
        """What :func:`run_check` takes: a file path under ``tmp`` or coordinate text."""
        if site.data is not None:
            raw = tmp / "upload.bin"
            raw.write_bytes(site.data)
            return prepare_site(raw, site.name, tmp, self.limits)
        return site.text

    def _slow_reports(self, check_id: str, result, lang: str, reports: dict) -> dict:
        try:
            more = write_slow_reports(result, self.folder(check_id), lang)
        except Exception:
            LOG.exception("check %s: DOCX/XLSX reports failed", check_id)
            raise
        finally:
            self.pending.pop(check_id, None)
        self.store.update_check(check_id, reports=dict(reports, **more))
        return more

    def wait_reports(self, check_id: str, timeout: float) -> None:
        """Wait until the DOCX/XLSX of a check are written (at once when they already are)."""
        future = self.pending.get(check_id)
        if future is not None:
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        """Finish running checks and reports, then stop the workers (graceful shutdown)."""
        self.pool.shutdown(wait=True)
        self.report_pool.shutdown(wait=True)
        shutil.rmtree(self.data_dir / "tmp", ignore_errors=True)
