"""Errors and warnings that ecogis raises.

Every error names the file, the feature and the field where it can, says what was expected and what
to do. The CLI turns an :class:`EcogisError` into exit code 2 and a one-line message on stderr.
"""
from __future__ import annotations

import warnings


class EcogisError(ValueError):
    """Bad input: a file, feature or field that ecogis cannot use as given."""

    def __init__(self, message: str, *, path=None, feature=None, field=None, hint: str | None = None):
        self.path = None if path is None else str(path)
        self.feature = feature
        self.field = field
        self.hint = hint
        self.reason = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.feature is not None:
            where.append(f"feature {self.feature}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        text = (": ".join([", ".join(where), self.reason]) if where else self.reason)
        return f"{text}. {self.hint}" if self.hint else text


class AssumptionWarning(UserWarning):
    """ecogis guessed something (a CRS, an encoding, a swapped axis order) that the user should check."""


def warn_assumption(message: str, notes: list[str] | None = None, stacklevel: int = 3) -> None:
    """Emit an :class:`AssumptionWarning` and record it in ``notes`` (shown in --json and reports).

    ``message`` is English (stderr, --json, English reports). Chinese reports show it through
    :func:`ecogis.messages.translate`: register its English and Chinese templates in
    :mod:`ecogis.messages` (tests/test_messages.py fails for a call site without one).
    """
    if notes is not None:
        notes.append(message)
    warnings.warn(message, AssumptionWarning, stacklevel=stacklevel)
