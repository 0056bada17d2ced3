"""The result of ``ecogis publish`` (a plain object; :mod:`ecogis.render.store_text` words it)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PublishResult:
    """What was published: the history row written and the store (password-free), the versions of the
    name after publishing (oldest first) and which is current."""

    store: str
    row: dict
    versions: list[str]
    current: str | None

    def to_dict(self) -> dict:
        return {"store": self.store, **self.row, "versions": self.versions, "current": self.current}
