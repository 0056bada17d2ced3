"""Errors and warnings that ecogis raises.

Every error names the file, the feature and the field where it can, says what was expected and what
to do. The CLI turns an :class:`EcogisError` into exit code 2 and a one-line message on stderr, in the
language of ``--lang``.

An error made with :func:`ecogis.error_messages.error` (by key, from the catalogue) carries its reason
and hint in English and Chinese; one made with ``EcogisError(message, ...)`` carries English only and
shows it in every language. ``str(err)`` is English (for library users and logs); ``err.text(lang)``
is the line in ``lang`` ("en" or "zh").
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping

#: how the file, feature and field of an error are named, per language
_WHERE = {
    "en": {"feature": "feature {}", "field": "field {!r}", "join": ", ", "colon": ": ", "hint": "{}. {}"},
    "zh": {"feature": "要素 {}", "field": "字段 “{}”", "join": "，", "colon": "：", "hint": "{}。{}"},
}


class EcogisError(ValueError):
    """Bad input: a file, feature or field that ecogis cannot use as given.

    ``message`` and ``hint`` are English; ``reasons`` and ``hints`` (language -> text, set by the
    catalogue) add other languages. ``key`` names the catalogue entry (None for a plain message).
    """

    def __init__(self, message: str | None = None, *, path=None, feature=None, field=None, hint: str | None = None,
                 key: str | None = None, reasons: Mapping[str, str] | None = None,
                 hints: Mapping[str, str] | None = None):
        self.path = None if path is None else str(path)
        self.feature = feature
        self.field = field
        self.key = key
        self.reasons = dict(reasons or {})
        if message is not None:
            self.reasons["en"] = message
        self.hints = dict(hints or {})
        if hint is not None:
            self.hints["en"] = hint
        if "en" not in self.reasons:
            raise TypeError("EcogisError needs an English message")
        super().__init__(self.text("en"))

    @property
    def reason(self) -> str:
        """The English reason (without file, feature, field and hint)."""
        return self.reasons["en"]

    @property
    def hint(self) -> str | None:
        """The English hint (what to do), if any."""
        return self.hints.get("en")

    def reason_in(self, lang: str) -> str:
        """The reason in ``lang`` (English when the error has no text in that language)."""
        return self.reasons.get(lang, self.reasons["en"])

    def text(self, lang: str = "en") -> str:
        """The whole error in ``lang``: file, feature, field, reason and hint (all in English when the
        error has no text in ``lang``)."""
        if lang not in self.reasons or lang not in _WHERE:
            lang = "en"
        words = _WHERE[lang]
        where = []
        if self.path:
            where.append(self.path)
        if self.feature is not None:
            where.append(words["feature"].format(self.feature))
        if self.field is not None:
            where.append(words["field"].format(self.field))
        reason = self.reason_in(lang)
        line = words["colon"].join([words["join"].join(where), reason]) if where else reason
        hint = self.hints.get(lang, self.hints.get("en"))
        return words["hint"].format(line, hint) if hint else line


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
