"""Accounts, sessions, CSRF and the per-user rate limit of the service.

Passwords are hashed with Argon2id (argon2-cffi). A browser logs in with a form and then carries a
signed session cookie (HttpOnly, SameSite=Strict, Secure off loopback); API clients may instead send
HTTP Basic credentials on each call. Every state-changing request that rides on the session cookie
must carry the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``).
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from base64 import b64decode
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import HTTPException, Request

from ecogis.error_messages import error
from ecogis.web.settings import is_trusted_proxy

ROLES = ("admin", "user")
MIN_PASSWORD = 8
HASHER = PasswordHasher()
# verified against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = HASHER.hash("not a password")


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


LOCAL_USER = User("local", "admin")   # the one user of a --no-auth service (loopback only)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise error("web.short_password", n=MIN_PASSWORD)
    return HASHER.hash(password)


def verify(store, name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else None (same work whether or not the name exists)."""
    row = store.user(name)
    try:
        HASHER.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row["name"], row["role"]) if row else None


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "CSRF token missing or wrong: reload the page and try again")


def request_user(request: Request) -> User | None:
    """Who sent the request: the --no-auth local user, the reverse proxy's user (``--auth proxy``), the
    session's user, or HTTP Basic credentials."""
    app = request.app.state
    if not app.settings.auth:
        return LOCAL_USER
    if app.settings.auth_mode == "proxy":
        return proxy_user(request)
    name = request.session.get("user")
    if name:
        row = app.store.user(name)
        return User(row["name"], row["role"]) if row else None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            name, _, password = b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return verify(app.store, name, password)
    return None


def proxy_user(request: Request) -> User | None:
    """The user named by the proxy header, believed only when the TCP peer is a trusted proxy address.

    The role is the account's in the store (``ecogis serve-user add NAME --role admin``); a name without
    an account is a ``user``. From any other address, or without the header, nobody is signed in."""
    settings = request.app.state.settings
    peer = request.client.host if request.client else None
    name = (request.headers.get(settings.proxy_header) or "").strip()
    if not name or not is_trusted_proxy(peer, settings.proxy_networks):
        return None
    row = request.app.state.store.user(name)
    return User(name, row["role"] if row else "user")


def rides_on_ambient_credentials(request: Request) -> bool:
    """True when the browser sends the credentials by itself (session cookie, or the proxy's own sign-in),
    so that a state-changing request must prove it came from the page (CSRF token)."""
    settings = request.app.state.settings
    return settings.auth and (settings.auth_mode == "proxy" or "user" in request.session)


def require_user(request: Request) -> User:
    """FastAPI dependency: the signed-in user (401 otherwise); CSRF checked on POSTs whose credentials the
    browser sends by itself."""
    user = request_user(request)
    if user is None:
        raise HTTPException(401, "sign in first (session or HTTP Basic)", headers={"WWW-Authenticate": "Basic"})
    if request.method not in ("GET", "HEAD", "OPTIONS") and rides_on_ambient_credentials(request):
        check_csrf(request, request.headers.get("x-csrf-token"))
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise HTTPException(403, "administrators only")
    return user


class RateLimiter:
    """At most ``per_minute`` events per key in any 60-second window (sliding, in memory)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one event for ``key``; HTTP 429 with Retry-After when the window is full."""
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= 60:
                events.popleft()
            if len(events) >= self.per_minute:
                wait = int(60 - (now - events[0])) + 1
                raise HTTPException(429, f"more than {self.per_minute} checks a minute: wait {wait} s",
                                    headers={"Retry-After": str(wait)})
            events.append(now)
