"""The HTML pages: sign-in, the screening page (check, batch, map drawing) and the history.

The page is rendered by Jinja2 (autoescape on) and talks to the JSON API from /static/app.js; its texts
come from :mod:`ecogis.web.labels`, the finding labels from the report renderer's lookups.
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader

from ecogis.rules import VERDICTS
from ecogis.web.auth import check_csrf, csrf_token, request_user, verify
from ecogis.web.labels import LANGS, labels

router = APIRouter(include_in_schema=False)
ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        request.session["lang"] = asked
    return request.session.get("lang", "zh")


def _page(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    lang = _lang(request)
    html = ENV.get_template(template).render(lang=lang, L=labels(lang), csrf=csrf_token(request), **context)
    return HTMLResponse(html, status_code=status)


@router.get("/login")
def login_page(request: Request) -> Response:
    proxy = _proxy_mode(request)
    return _page(request, "login.html", status=401 if proxy else 200, proxy=proxy)


def _proxy_mode(request: Request) -> bool:
    return request.app.state.settings.auth_mode == "proxy"


def _password_sign_in(request: Request) -> bool:
    """Whether users sign in and out here (accounts with passwords), not through a proxy or not at all."""
    settings = request.app.state.settings
    return settings.auth and settings.auth_mode == "password"


@router.post("/login")
async def login(request: Request) -> Response:
    if _proxy_mode(request):
        return login_page(request)    # the proxy signs users in; no password is taken here
    form = await request.form(max_files=0, max_fields=5)
    check_csrf(request, str(form.get("csrf_token") or ""))
    name, password = str(form.get("user") or ""), str(form.get("password") or "")
    request.app.state.limiter.hit("login:" + name)
    user = verify(request.app.state.store, name, password)
    if user is None:
        return _page(request, "login.html", status=401, failed=True)
    lang = request.session.get("lang", "zh")
    request.session.clear()   # a new session on sign-in (no fixation), with a new CSRF token
    request.session.update(user=user.name, lang=lang, csrf=secrets.token_urlsafe(32))
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=5)
    check_csrf(request, str(form.get("csrf_token") or ""))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def index(request: Request) -> Response:
    user = request_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    from ecogis.render.check_text import RELATION

    lang = _lang(request)
    project = request.app.state.loaded.project
    page_data = {"labels": labels(lang), "relation": RELATION.get(lang, RELATION["zh"]), "lang": lang,
                 "check": request.query_params.get("check"), "buffers": project.buffers_m}
    return _page(request, "index.html", user=user, project=project.name, auth=_password_sign_in(request),
                 page_data=json.dumps(page_data, ensure_ascii=False))


@router.get("/history")
def history(request: Request, verdict: str | None = None, q: str | None = None, everyone: bool = False) -> Response:
    user = request_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    owner = None if (everyone and user.is_admin) else user.name
    rows = request.app.state.store.checks(owner, verdict=verdict or None, text=q or None)
    return _page(request, "history.html", user=user, rows=rows, verdict=verdict or "", q=q or "",
                 everyone=everyone, auth=_password_sign_in(request),
                 verdicts=list(reversed(VERDICTS)))
