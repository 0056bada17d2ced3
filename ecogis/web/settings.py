"""What the operator of ``ecogis serve`` chooses: project, data folder, limits, authentication."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from ecogis.error_messages import error

MB = 1024 * 1024
AUTH_MODES = ("password", "proxy")


@dataclass
class ServeSettings:
    """Settings of one service. Sizes in bytes, times in seconds."""

    project: Path
    data_dir: Path
    host: str = "127.0.0.1"
    auth: bool = True                  # False: --no-auth (loopback only)
    auth_mode: str = "password"        # "password" (accounts) or "proxy" (a reverse proxy names the user)
    proxy_header: str | None = None    # the header the proxy sets to the signed-in user's name
    trusted_proxies: tuple = ("127.0.0.1", "::1")   # addresses/networks whose proxy_header is believed
    history: str | None = None         # postgresql://user@host/db: the store in PostgreSQL; None: SQLite
    audits_dir: Path | None = None     # the audit specs (*.yaml) offered on the audit tab
    proxy_networks: tuple = field(default=(), init=False)
    max_upload: int = 50 * MB          # request body, checked from Content-Length before reading
    max_unzipped: int = 200 * MB       # total uncompressed size of a zip upload
    max_zip_entries: int = 500
    max_zip_ratio: float = 200.0       # uncompressed / compressed, per entry and in total
    check_timeout_s: float = 60.0      # from when a worker starts the check
    queue_timeout_s: float = 600.0     # waiting for a free worker, before HTTP 503
    batch_timeout_s: float = 3600.0
    checks_per_minute: int = 60        # per user
    workers: int = 4                   # checks running at once
    secure_cookies: bool | None = None  # None: Secure unless the service listens on loopback only
    session_hours: float = 8.0
    warm_up: bool = False              # index the layers in every worker at start (ecogis serve does)
    results_to: str | None = None      # --results-to: every check's results also into these results tables

    def __post_init__(self) -> None:
        self.project = Path(self.project).resolve()
        self.data_dir = Path(self.data_dir).resolve()
        self.audits_dir = None if self.audits_dir is None else Path(self.audits_dir).resolve()
        if not self.auth and not is_loopback(self.host):
            raise error("web.no_auth_not_loopback", host=self.host, hint="web.no_auth_loopback_only")
        if self.auth_mode not in AUTH_MODES:
            raise error("web.unknown_auth_mode", mode=self.auth_mode, modes=", ".join(AUTH_MODES))
        if self.auth_mode == "proxy" and not (self.proxy_header or "").strip():
            raise error("web.proxy_needs_header")
        self.proxy_networks = tuple(proxy_network(a) for a in self.trusted_proxies)
        if self.history is not None and not self.history.startswith(("postgresql://", "postgresql+psycopg://")):
            raise error("web.bad_history_url", url=self.history)

    @property
    def cookie_secure(self) -> bool:
        """Session cookies carry Secure except on a loopback-only service reached over plain http."""
        return (not is_loopback(self.host)) if self.secure_cookies is None else self.secure_cookies


def proxy_network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A trusted proxy address or network ('10.0.0.5', '10.0.0.0/24', '::1')."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError as exc:
        raise error("web.bad_proxy_address", value=value, reason=str(exc)) from exc


def is_trusted_proxy(peer: str | None, networks) -> bool:
    """True when the TCP peer address ``peer`` lies in one of the trusted proxy ``networks``."""
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    return any(address in net for net in networks)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'; False for 0.0.0.0 and every other address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
