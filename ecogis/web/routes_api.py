"""The JSON API (OpenAPI document at /openapi.json): checks, their reports, history, batch jobs, reload.

``GET /api/checks/{id}`` answers the CLI's ``ecogis check --json`` document (``CheckResult.to_dict()``)
with ``id``, ``record`` (the history entry), ``outputs`` (report URLs) and ``assumptions_text`` (the
assumptions in the language asked, Chinese by default) added.
"""
from __future__ import annotations

import asyncio
import json
import re
import threading

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.datastructures import UploadFile

from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.web.auth import User, csrf_token, require_admin, require_user
from ecogis.web.engine import CheckRequest
from ecogis.web.labels import request_lang
from ecogis.web.service import SLOW_FORMATS, SiteInput, read_notes

router = APIRouter()
ID = re.compile(r"^[0-9a-f]{32}$")
MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8", "txt": "text/plain; charset=gb18030",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PARAMS = {"site_crs": {"type": "string", "description": "CRS of the site: EPSG:4529, GCJ-02, BD-09 ..."},
          "buffers": {"type": "string", "description": "buffer distances in metres, e.g. 500,1000,5000"},
          "site_use": {"type": "string", "description": "what the site is for (well, outfall ...)"},
          "industry": {"type": "string", "description": "GB/T 4754-2017 industry code[:name], e.g. C2614"},
          "description": {"type": "string", "description": "a short description of the project"},
          "lang": {"type": "string", "enum": ["zh", "en"]}}
CHECK_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "properties": dict(
        file={"type": "string", "format": "binary", "description": "site file (exchange text, zipped "
              "shapefile, KML/KMZ, GeoJSON, CSV/XLSX, GeoPackage)"},
        coordinates={"type": "string", "description": "'lon,lat', Gauss-Kruger 'X,Y' or WKT instead of a file"},
        **PARAMS)}},
    "application/geo+json": {"schema": {"type": "object", "description": "GeoJSON site; parameters as query"}},
    "application/json": {"schema": {"type": "object", "description": "GeoJSON site; parameters as query"}}}}}


def _state(request: Request):
    return request.app.state


@router.get("/api/me", tags=["account"])
def me(request: Request, user: User = Depends(require_user)) -> dict:
    """The signed-in user and the CSRF token that POSTs riding on the session cookie must send."""
    return {"user": user.name, "role": user.role, "csrf_token": csrf_token(request)}


@router.post("/api/check", tags=["checks"], status_code=201, openapi_extra=CHECK_BODY)
async def post_check(request: Request, user: User = Depends(require_user)) -> JSONResponse:
    """Check one site (multipart file or coordinates, or a GeoJSON body); answers the check document."""
    state = _state(request)
    state.limiter.hit(user.name)
    site, req = await _read_check(request, state.settings)
    record = await _in_worker(state, state.settings.check_timeout_s, req.lang, state.service.run, user.name, site, req)
    return JSONResponse(_document(state, record, req.lang), status_code=201)


async def _read_check(request: Request, settings) -> tuple[SiteInput, CheckRequest]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in ("application/json", "application/geo+json"):
        body = await request.body()
        _require_json(body)
        return SiteInput("site.geojson", data=body), _params(request.query_params)
    if ctype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise HTTPException(415, "send multipart/form-data (file or coordinates) or a GeoJSON body")
    form = await request.form(max_files=1, max_fields=20)
    upload, coords = form.get("file"), form.get("coordinates")
    if isinstance(upload, UploadFile) and upload.filename:
        site = SiteInput(upload.filename, data=await upload.read())
    elif isinstance(coords, str) and coords.strip():
        site = SiteInput("coordinates", text=coords.strip())
    else:
        raise HTTPException(422, "give a site: a file, or coordinates ('lon,lat', 'X,Y' or WKT)")
    return site, _params(form)


def _params(values) -> CheckRequest:
    def text(key):
        v = values.get(key)
        return v.strip() or None if isinstance(v, str) else None

    lang = text("lang") or "zh"
    if lang not in ("zh", "en"):
        raise HTTPException(422, "lang is zh or en")
    return CheckRequest(site=None, site_crs=text("site_crs"), buffers=text("buffers"), site_use=text("site_use"),
                        lang=lang, industry=text("industry"), description=text("description"))


def _require_json(body: bytes) -> None:
    try:
        json.loads(body)
    except ValueError as exc:
        raise HTTPException(422, f"the body is not JSON ({exc})") from exc


async def _in_worker(state, timeout: float, lang: str, fn, *args):
    """Run ``fn(*args, abandoned)`` in the check pool; 422 for bad input (in ``lang``).

    ``timeout`` counts from when a worker starts the check (504 after it); a check waiting for a free
    worker is refused with 503 after the settings' ``queue_timeout_s``, so a busy service answers late
    checks slowly or says it is busy, but never abandons one merely for having queued."""
    abandoned = threading.Event()
    loop = asyncio.get_running_loop()
    started = asyncio.Event()

    def run():
        loop.call_soon_threadsafe(started.set)
        return fn(*args, abandoned)

    future = loop.run_in_executor(state.service.pool, run)
    try:
        await asyncio.wait_for(started.wait(), state.settings.queue_timeout_s)
    except (asyncio.TimeoutError, TimeoutError) as exc:
        abandoned.set()
        future.cancel()
        raise HTTPException(503, "every worker is busy: try again in a minute",
                            headers={"Retry-After": "60"}) from exc
    try:
        return await asyncio.wait_for(future, timeout)
    except (asyncio.TimeoutError, TimeoutError) as exc:
        abandoned.set()
        raise HTTPException(504, f"the check took longer than {timeout:g} s and was abandoned") from exc
    except EcogisError as exc:
        raise HTTPException(422, exc.text(lang)) from exc


def owned_record(request: Request, user: User, check_id: str) -> dict:
    """The history record of ``check_id`` if ``user`` may see it (its owner, or an admin); 404 otherwise,
    so that another user's check ids cannot be probed."""
    record = _state(request).store.check(check_id) if ID.match(check_id) else None
    if record is None or (record["owner"] != user.name and not user.is_admin):
        raise HTTPException(404, "no such check")
    return record


def _document(state, record: dict, lang: str) -> dict:
    """The check document: the CLI's --json (check.json) with id, record, outputs and assumptions_text (the
    assumptions in ``lang``) added."""
    folder = state.service.folder(record["id"])
    doc = json.loads((folder / "check.json").read_text(encoding="utf-8")) if record["status"] == "done" else {}
    doc["id"] = record["id"]
    doc["record"] = {k: v for k, v in record.items() if k != "site_geojson"}
    doc["outputs"] = {fmt: f"/api/checks/{record['id']}/report/{fmt}" for fmt in _formats(state, record)}
    doc["assumptions_text"] = read_notes(folder, lang) or doc.get("assumptions", [])
    if "results_to" in record:  # --results-to: where the results went, or why not (a warning)
        doc["results_to"] = record["results_to"]
        doc["warnings"] = [record["results_to"]["warning"]] if "warning" in record["results_to"] else []
    return doc


def _formats(state, record: dict) -> list[str]:
    """Reports written, and those written on first download (DOCX, XLSX, exchange text) not yet tried."""
    if record["status"] != "done":
        return []
    reports = record["reports"]
    return [f for f in reports if reports[f]] + [f for f in SLOW_FORMATS if f not in reports]


@router.get("/api/checks", tags=["checks"])
def list_checks(request: Request, verdict: str | None = None, q: str | None = None, everyone: bool = False,
                user: User = Depends(require_user)) -> list[dict]:
    """The history, newest first: the user's own checks (an admin may ask for everyone's)."""
    owner = None if (everyone and user.is_admin) else user.name
    return _state(request).store.checks(owner, verdict=verdict, text=q)


@router.get("/api/checks/{check_id}", tags=["checks"])
def get_check(check_id: str, request: Request, user: User = Depends(require_user)) -> dict:
    """One check: the check document (CLI --json shape) with its history record and report URLs."""
    return _document(_state(request), owned_record(request, user, check_id), request_lang(request))


@router.get("/api/checks/{check_id}/map", tags=["checks"])
def get_check_map(check_id: str, request: Request, user: User = Depends(require_user)) -> FileResponse:
    """The site and the layer features around it (clipped to the widest buffer) as GeoJSON, for the map."""
    record = owned_record(request, user, check_id)
    path = _state(request).service.folder(record["id"]) / "map.json"
    if not path.is_file():
        raise HTTPException(404, "this check has no map")
    return FileResponse(path, media_type="application/json")


@router.get("/api/checks/{check_id}/report/{fmt}", tags=["checks"])
def get_report(check_id: str, fmt: str, request: Request, user: User = Depends(require_user)) -> FileResponse:
    """A report of the check: json, html, docx, xlsx, or txt (the site as an exchange text)."""
    state = _state(request)
    record = owned_record(request, user, check_id)
    if fmt not in MEDIA:
        raise HTTPException(404, "no such report format")
    try:
        path = state.service.report(record, fmt)
    except EcogisError as exc:
        raise HTTPException(409, exc.text(request_lang(request))) from exc
    if path is None:
        raise HTTPException(404, f"this check has no {fmt} report")
    download = f"ecogis-check-{record['id'][:8]}.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    return FileResponse(path, media_type=MEDIA[fmt], filename=download, content_disposition_type=disposition)


@router.post("/api/admin/reload", tags=["admin"])
async def reload_project(request: Request, user: User = Depends(require_admin)) -> dict:
    """Read the project and its layers again (admins); running checks finish on the old layers."""
    state = _state(request)
    try:
        await asyncio.get_running_loop().run_in_executor(state.service.pool, state.loaded.reload)
    except EcogisError as exc:
        raise HTTPException(422, error("web.reload_failed", reason=exc).text(request_lang(request))) from exc
    if state.settings.warm_up:
        state.service.warm_up()          # the new layers indexed in every worker
    return {"loaded_at": state.loaded.loaded_at, "versions": state.loaded.versions}


@router.get("/health", tags=["operations"])
def health(request: Request) -> dict:
    """Liveness and what is loaded (no layer content, no paths)."""
    state = _state(request)
    import ecogis

    return {"status": "ok", "ecogis_version": ecogis.__version__, "loaded_at": state.loaded.loaded_at,
            "layers": len(state.loaded.project.layers)}


@router.get("/api/project/boundary", tags=["checks"])
def project_boundary(request: Request, user: User = Depends(require_user)) -> dict:
    """The project's administrative boundary (simplified, EPSG:4490 degrees) to draw a site on; no layer data."""
    from ecogis.geodesy import GEOGRAPHIC_CRS

    boundary = _state(request).loaded.project.cached_boundary
    if boundary is None:
        return {"type": "FeatureCollection", "features": []}
    shown = boundary.to_crs(GEOGRAPHIC_CRS)
    shown = shown.set_geometry(shown.geometry.simplify(0.0005))[["geometry"]]
    return json.loads(shown.to_json())
