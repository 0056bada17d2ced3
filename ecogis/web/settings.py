"""What the operator of ``ecogis serve`` chooses: project, data folder, limits, authentication."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from ecogis.error_messages import error

MB = 1024 * 1024


@dataclass
class ServeSettings:
    """Settings of one service. Sizes in bytes, times in seconds."""

    project: Path
    data_dir: Path
    host: str = "127.0.0.1"
    auth: bool = True
    max_upload: int = 50 * MB          # request body, checked from Content-Length before reading
    max_unzipped: int = 200 * MB       # total uncompressed size of a zip upload
    max_zip_entries: int = 500
    max_zip_ratio: float = 200.0       # uncompressed / compressed, per entry and in total
    check_timeout_s: float = 60.0
    batch_timeout_s: float = 3600.0
    checks_per_minute: int = 60        # per user
    workers: int = 4                   # checks running at once
    secure_cookies: bool | None = None  # None: Secure unless the service listens on loopback only
    session_hours: float = 8.0

    def __post_init__(self) -> None:
        self.project = Path(self.project).resolve()
        self.data_dir = Path(self.data_dir).resolve()
        if not self.auth and not is_loopback(self.host):
            raise error("web.no_auth_not_loopback", host=self.host, hint="web.no_auth_loopback_only")

    @property
    def cookie_secure(self) -> bool:
        """Session cookies carry Secure except on a loopback-only service reached over plain http."""
        return (not is_loopback(self.host)) if self.secure_cookies is None else self.secure_cookies


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'; False for 0.0.0.0 and every other address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
