"""What an audit returns: one :class:`CheckResult` per check, gathered in an :class:`AuditReport`.

``to_dict(lang=None)`` follows the convention of every ecogis result: language-independent keys and
values (ids, codes, numbers, ``passed``/``verdict``, notes in English); the wording (``title``,
``value``, ``expected``) only when a language ("zh" or "en") is asked for.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ecogis.area import Text, text_in
from ecogis.notes import Notes
from ecogis.outcome import pass_fail


def _worded(lang: str | None, **texts) -> dict:
    """``texts`` in ``lang``; nothing when no language is asked for."""
    return {} if lang is None else {k: text_in(v, lang) for k, v in texts.items()}


@dataclass
class CheckResult:
    """Outcome of one audit check. ``title``/``value``/``expected`` are :class:`Text` (Chinese and English)
    or plain strings; ``metrics`` holds the numbers (English keys, numeric values)."""

    id: str
    type: str
    title: Text | str
    value: Text | str
    expected: Text | str
    passed: bool
    metrics: dict = field(default_factory=dict)
    details: list[dict] = field(default_factory=list)
    method: str | None = None
    crs: str | None = None
    notes: list = field(default_factory=Notes)
    report_only: bool = False  # no requirement: the check only reports (never a pass)
    circular: str | None = None  # the spec's reason why the expectation is derived from the result itself

    @property
    def verdict(self) -> str:
        """PASS, FAIL or REPORT (a check without a requirement)."""
        return "REPORT" if self.report_only else pass_fail(self.passed)

    def to_dict(self, lang: str | None = None) -> dict:
        return {"id": self.id, "type": self.type,
                **_worded(lang, title=self.title, value=self.value, expected=self.expected),
                "verdict": self.verdict, "passed": self.passed, "metrics": self.metrics, "details": self.details,
                "method": self.method, "crs": self.crs, "notes": [str(n) for n in self.notes],
                "report_only": self.report_only, "circular": self.circular}


@dataclass
class AuditReport:
    """The results of every check of a spec, in order, and all their notes (each once)."""

    title: Text | str
    spec: str
    checks: list[CheckResult]
    notes: list = field(default_factory=Notes)
    outputs: list[str] = field(default_factory=list)
    date: str = ""  # ISO date of the run
    operator: str | None = None
    sources: list[dict] = field(default_factory=list)  # layers: name, path, kind, crs, features, version...

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def verdict(self) -> str:
        return pass_fail(self.passed)

    def to_dict(self, lang: str | None = None) -> dict:
        return {**_worded(lang, title=self.title), "spec": self.spec, "passed": self.passed, "verdict": self.verdict,
                "failed": [c.id for c in self.checks if not c.passed],
                "checks": [c.to_dict(lang) for c in self.checks], "notes": [str(n) for n in self.notes],
                "outputs": self.outputs, "date": self.date, "operator": self.operator, "sources": self.sources}
