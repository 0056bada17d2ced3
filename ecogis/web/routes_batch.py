"""Batch jobs: a file of many sites checked in the background (:func:`ecogis.check_batch.check_batch`), with
progress per chunk of sites, and the XLSX/JSON of ``ecogis check --batch`` when done."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.web.auth import User, require_user
from ecogis.web.engine import CheckRequest, strip_prefix
from ecogis.web.labels import request_lang
from ecogis.web.routes_api import ID, MEDIA, _params
from ecogis.web.service import CheckService, SiteInput, read_notes, without_prefix, write_notes
from ecogis.web.store import new_id, now
from ecogis.web.uploads import prepare_site, upload_folder

LOG = logging.getLogger("ecogis.web")
router = APIRouter()
BATCH_FORMATS = ("xlsx", "json")
CHUNK_SITES = 100   # progress advances per chunk of sites


class BatchRunner:
    """One batch at a time in its own worker thread (a batch does not hold up single checks)."""

    def __init__(self, service: CheckService, settings):
        self.service = service
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecogis-batch")
        self.stopping = threading.Event()
        self.results: dict[str, dict] = {}   # job id -> where --results-to wrote it, or the warning (this run)

    def folder(self, job_id: str) -> Path:
        return self.service.data_dir / "jobs" / job_id

    def submit(self, owner: str, site: SiteInput, req: CheckRequest) -> str:
        job_id = new_id()
        self.service.store.add_job({"id": job_id, "owner": owner, "created": now(), "status": "queued",
                                    "input_name": site.name, "input_sha256": site.sha256,
                                    "parameters": req.parameters(), "reports": {}})
        self.pool.submit(self._run, job_id, site, req)
        return job_id

    def _run(self, job_id: str, site: SiteInput, req: CheckRequest) -> None:
        store = self.service.store
        store.update_job(job_id, status="running")
        with upload_folder(self.service.data_dir) as tmp:
            try:
                raw = tmp / "upload.bin"
                raw.write_bytes(site.data or b"")
                path = prepare_site(raw, site.name, tmp, self.service.limits)
                verdict, reports = self._screen(job_id, path, req, str(tmp) + "/")
            except EcogisError as exc:
                store.update_job(job_id, status="error", error=without_prefix(exc, str(tmp) + "/").text(req.lang))
                return
            except Exception as exc:
                LOG.exception("batch %s failed", job_id)
                store.update_job(job_id, status="error", error=f"internal error ({type(exc).__name__})")
                return
        store.update_job(job_id, status="done", verdict=verdict, reports=reports)
        LOG.info("batch %s: %s", job_id, verdict)

    def _screen(self, job_id: str, path: Path, req: CheckRequest, hide: str) -> tuple[str, dict]:
        """Check the batch at ``path``; the server's temporary folder ``hide`` is cut from its inputs and
        notes (the outputs name the uploaded file, not where the server kept it)."""
        from ecogis.check_batch import check_batch
        from ecogis.render.batch_output import write_batch

        project, _ = self.service.loaded.snapshot()
        batch = check_batch(path, project, buffers=req.buffers, site_crs=req.site_crs, site_use=req.site_use,
                            chunk_size=CHUNK_SITES)
        batch.inputs = strip_prefix(batch.inputs, hide)
        total = int(batch.inputs.get("site", {}).get("features") or 0)
        self.service.store.update_job(job_id, total=total)
        chunks = batch.chunks
        deadline = time.monotonic() + self.settings.batch_timeout_s

        def counted():
            done = 0
            for chunk in chunks():
                if self.stopping.is_set() or time.monotonic() > deadline:
                    raise error("web.batch_stopped")
                done += len(chunk.sites)
                self.service.store.update_job(job_id, done=done)
                yield chunk
            batch.assumptions = strip_prefix(batch.assumptions, hide)   # complete after the last chunk

        batch.chunks = counted  # type: ignore[method-assign]  # progress per chunk, same chunks
        names = {fmt: f"batch.{fmt}" for fmt in BATCH_FORMATS}
        folder = self.folder(job_id)
        stored = self.service.results.batch_writer(site_input=path.name, lang=req.lang)
        write_batch(batch, {fmt: folder / n for fmt, n in names.items()}, lang=req.lang,
                    also=[stored] if stored is not None else [])
        if stored is not None:
            self.results[job_id] = stored.outcome()
        write_notes(batch.assumptions, folder)
        return batch.verdict, names

    def shutdown(self) -> None:
        self.stopping.set()
        self.pool.shutdown(wait=True)


def _job(request: Request, user: User, job_id: str) -> dict:
    job = request.app.state.store.job(job_id) if ID.match(job_id) else None
    if job is None or job["parameters"].get("kind", "batch") != "batch" or \
            (job["owner"] != user.name and not user.is_admin):
        raise HTTPException(404, "no such batch job")
    return job


@router.post("/api/batch", tags=["batch"], status_code=202)
async def post_batch(request: Request, user: User = Depends(require_user)) -> dict:
    """Start a batch check of a file of many sites (multipart ``file`` and the check parameters)."""
    state = request.app.state
    state.limiter.hit(user.name)
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get("file")
    if not (isinstance(upload, UploadFile) and upload.filename):
        raise HTTPException(422, "give a file of sites")
    site = SiteInput(upload.filename, data=await upload.read())
    job_id = state.batches.submit(user.name, site, _params(form))
    return {"id": job_id, "status_url": f"/api/batch/{job_id}"}


@router.get("/api/batch/{job_id}", tags=["batch"])
def get_batch(job_id: str, request: Request, user: User = Depends(require_user)) -> dict:
    """Status of a batch job: status (queued, running, done, error), sites done of total, verdict, outputs,
    and, when done, its assumptions (guessed CRS, ...) in the language asked (``lang``; Chinese by default)."""
    job = _job(request, user, job_id)
    job["outputs"] = {fmt: f"/api/batch/{job_id}/report/{fmt}" for fmt in job["reports"]}
    job["assumptions"] = read_notes(request.app.state.batches.folder(job_id), request_lang(request)) or []
    stored = request.app.state.batches.results.get(job_id)
    if stored is not None:  # --results-to: where the rows went, or why not (a warning)
        job["results_to"] = stored
        job["warnings"] = [stored["warning"]] if "warning" in stored else []
    return job


@router.get("/api/batch/{job_id}/report/{fmt}", tags=["batch"])
def get_batch_report(job_id: str, fmt: str, request: Request, user: User = Depends(require_user)) -> FileResponse:
    job = _job(request, user, job_id)
    name = job["reports"].get(fmt) if fmt in BATCH_FORMATS else None
    if name is None:
        raise HTTPException(404, f"this batch has no {fmt} output (yet)")
    return FileResponse(request.app.state.batches.folder(job_id) / name, media_type=MEDIA[fmt],
                        filename=f"ecogis-batch-{job_id[:8]}.{fmt}")
