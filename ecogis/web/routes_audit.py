"""The audit tab's API: the service's audit specs, an audit run in the background (one of those, by name,
or an uploaded YAML), its results and its tables (XLSX, CSV, JSON, text) — see :mod:`ecogis.web.audit_jobs`."""
from __future__ import annotations

import hashlib
import json
import logging

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.web.audit_jobs import AUDIT_FILES, listed_specs, run_and_write, spec_titles, uploaded_spec
from ecogis.web.auth import User, require_user
from ecogis.web.routes_api import ID, MEDIA
from ecogis.web.service import read_notes, without_prefix
from ecogis.web.store import new_id, now
from ecogis.web.uploads import safe_name, upload_folder

LOG = logging.getLogger("ecogis.web")
router = APIRouter()
AUDIT_MEDIA = {**MEDIA, "csv": "text/csv; charset=utf-8", "details": "text/csv; charset=utf-8",
               "txt": "text/plain; charset=utf-8"}


def _folder(state, job_id: str):
    return state.service.data_dir / "audits" / job_id


@router.get("/api/audits", tags=["audit"])
def list_audits(request: Request, user: User = Depends(require_user)) -> list[dict]:
    """The service's audit specs (``--audits DIR``): file name, title in Chinese and English, checks."""
    return spec_titles(request.app.state.settings.audits_dir)


@router.post("/api/audit", tags=["audit"], status_code=202)
async def post_audit(request: Request, user: User = Depends(require_user)) -> dict:
    """Start an audit: ``name`` (one of GET /api/audits) or ``file`` (an uploaded YAML spec whose paths are
    relative to the project's folder and stay in it); ``lang`` of the tables (zh, en)."""
    state = request.app.state
    state.limiter.hit(user.name)
    form = await request.form(max_files=1, max_fields=5)
    lang = str(form.get("lang") or "zh")
    if lang not in ("zh", "en"):
        raise HTTPException(422, "lang is zh or en")
    upload, name = form.get("file"), str(form.get("name") or "")
    source: tuple[str, bytes | None]
    if isinstance(upload, UploadFile) and upload.filename:
        source = (safe_name(upload.filename), await upload.read())
        digest = hashlib.sha256(source[1] or b"").hexdigest()
    elif name:
        path = listed_specs(state.settings.audits_dir).get(name)
        if path is None:
            raise HTTPException(404, error("web.no_such_audit", name=name).text(lang))
        source, digest = (name, None), hashlib.sha256(path.read_bytes()).hexdigest()
    else:
        raise HTTPException(422, "give name (one of /api/audits) or file (a YAML audit)")
    job_id = new_id()
    state.store.add_job({"id": job_id, "owner": user.name, "created": now(), "status": "queued",
                         "input_name": source[0], "input_sha256": digest,
                         "parameters": {"kind": "audit", "lang": lang, "listed": source[1] is None}, "reports": {}})
    state.batches.pool.submit(_run, state, job_id, source, lang)
    return {"id": job_id, "status_url": f"/api/audit/{job_id}"}


def _run(state, job_id: str, source: tuple, lang: str) -> None:
    """Run one audit (in the batch worker); its status, verdict and tables end up in the store."""
    store, settings = state.store, state.settings
    store.update_job(job_id, status="running")
    name, data = source
    with upload_folder(state.service.data_dir) as tmp:
        hide = str(tmp) + "/"
        try:
            if data is None:
                from ecogis.audit import load_spec

                spec = load_spec(listed_specs(settings.audits_dir)[name])
            else:
                (tmp / name).write_bytes(data)
                spec = uploaded_spec(tmp / name, settings.project.parent)
            doc = run_and_write(spec, _folder(state, job_id), lang, hide)
        except EcogisError as exc:
            store.update_job(job_id, status="error", error=without_prefix(exc, hide).text(lang))
            return
        except Exception as exc:
            LOG.exception("audit %s failed", job_id)
            store.update_job(job_id, status="error", error=f"internal error ({type(exc).__name__})")
            return
    store.update_job(job_id, status="done", verdict=doc["verdict"], done=len(doc["checks"]),
                     total=len(doc["checks"]), reports=AUDIT_FILES)
    LOG.info("audit %s (%s): %s", job_id, name, doc["verdict"])


def _audit_job(request: Request, user: User, job_id: str) -> dict:
    job = request.app.state.store.job(job_id) if ID.match(job_id) else None
    if job is None or job["parameters"].get("kind") != "audit" or (job["owner"] != user.name and not user.is_admin):
        raise HTTPException(404, "no such audit")
    return job


@router.get("/api/audit/{job_id}", tags=["audit"])
def get_audit(job_id: str, request: Request, user: User = Depends(require_user)) -> dict:
    """Status of an audit (queued, running, done, error); when done, ``result`` (the ``ecogis audit --json``
    document in the audit's language), ``notes`` (its assumptions in that language) and ``outputs``
    (XLSX, CSV, details CSV, JSON, text)."""
    job = _audit_job(request, user, job_id)
    job["outputs"] = {fmt: f"/api/audit/{job_id}/report/{fmt}" for fmt in job["reports"]}
    if job["status"] == "done":
        path = _folder(request.app.state, job_id) / AUDIT_FILES["json"]
        job["result"] = json.loads(path.read_text(encoding="utf-8"))
        job["notes"] = read_notes(path.parent, job["parameters"]["lang"]) or []
    return job


@router.get("/api/audit/{job_id}/report/{fmt}", tags=["audit"])
def get_audit_report(job_id: str, fmt: str, request: Request, user: User = Depends(require_user)) -> FileResponse:
    """One table of a finished audit: xlsx, csv, details (CSV), json, txt."""
    job = _audit_job(request, user, job_id)
    name = job["reports"].get(fmt) if fmt in AUDIT_FILES else None
    if name is None:
        raise HTTPException(404, f"this audit has no {fmt} output (yet)")
    suffix = name.rsplit(".", 1)[1]
    return FileResponse(_folder(request.app.state, job_id) / name, media_type=AUDIT_MEDIA[fmt],
                        filename=f"ecogis-audit-{job_id[:8]}{'-details' if fmt == 'details' else ''}.{suffix}")
