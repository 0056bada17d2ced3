"""The app factory of ``ecogis serve``: project loaded once, store, middleware, routes, static assets."""
from __future__ import annotations

import logging
import secrets
import warnings
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from ecogis.errors import AssumptionWarning, EcogisError
from ecogis.web.auth import RateLimiter
from ecogis.web.engine import LoadedProject
from ecogis.web.history import open_store
from ecogis.web.results import ResultsRecorder
from ecogis.web.service import CheckService
from ecogis.web.settings import ServeSettings
from ecogis.web.uploads import ZipLimits

LOG = logging.getLogger("ecogis.web")
HERE = Path(__file__).parent
VENDOR = HERE.parent / "render" / "vendor"


#: how uvicorn serves the app; proxy_headers off, so the client address is the TCP peer (what --auth proxy
#: compares with the trusted proxies), never an X-Forwarded-For header
UVICORN_OPTIONS = {"proxy_headers": False, "server_header": False, "timeout_graceful_shutdown": 30}


def create_app(settings: ServeSettings) -> FastAPI:
    """Read the project and its layers, open the store in ``settings.data_dir`` and build the app."""
    from ecogis.web import routes_api, routes_audit, routes_batch, routes_pages

    # every assumption travels in the result and is shown on the page; as a warning it would reach only the log
    warnings.filterwarnings("ignore", category=AssumptionWarning)
    recorder = ResultsRecorder(settings.results_to, str(settings.project))
    if settings.results_to:   # never the project's own files: refused before anything is read or written
        from ecogis.project import load_project

        recorder.refuse_inputs_of(load_project(settings.project))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.data_dir, settings.history)
    loaded = LoadedProject(settings.project, guard=recorder.refuse_inputs_of)
    limits = ZipLimits(settings.max_zip_entries, settings.max_unzipped, settings.max_zip_ratio)
    service = CheckService(loaded, store, settings.data_dir, limits, settings.workers)
    service.results = recorder

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        LOG.info("serving %s (%d layers) from %s", loaded.project.name, len(loaded.project.layers), settings.data_dir)
        if settings.warm_up:
            service.warm_up()
        yield
        LOG.info("shutting down: finishing running checks")
        service.shutdown()
        app.state.batches.shutdown()
        store.close()

    # no /docs or /redoc: their pages load scripts from a CDN, which an offline intranet (and the CSP) refuses
    app = FastAPI(title="ecogis serve", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Site screening against the ecological protection red line and other control layers.")
    app.state.settings = settings
    app.state.store = store
    app.state.loaded = loaded
    app.state.service = service
    app.state.limiter = RateLimiter(settings.checks_per_minute)
    app.state.batches = routes_batch.BatchRunner(service, settings)
    app.include_router(routes_api.router)
    app.include_router(routes_batch.router)
    app.include_router(routes_audit.router)
    app.include_router(routes_pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/vendor", StaticFiles(directory=VENDOR), name="vendor")
    app.add_exception_handler(EcogisError, _bad_input)
    app.add_middleware(SessionMiddleware, secret_key=_secret(settings.data_dir), session_cookie="ecogis_session",
                       max_age=int(settings.session_hours * 3600), same_site="strict",
                       https_only=settings.cookie_secure)
    from ecogis.web.security import BodyLimit, SecurityHeaders

    app.add_middleware(BodyLimit, limit=settings.max_upload)
    app.add_middleware(SecurityHeaders)
    return app


async def _bad_input(request: Request, exc: Exception) -> JSONResponse:
    from ecogis.web.labels import request_lang

    assert isinstance(exc, EcogisError)
    return JSONResponse({"detail": exc.text(request_lang(request))}, status_code=422)


def _secret(data_dir: Path) -> str:
    """The session-signing key, kept in ``data_dir/secret.key`` (mode 600) so sessions survive a restart."""
    path = data_dir / "secret.key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _version() -> str:
    import ecogis

    return ecogis.__version__
