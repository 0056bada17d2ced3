"""Notes: the one way an assumption, a repair or a piece of information reaches the user.

A :class:`Note` is a message key of the catalogue (:mod:`ecogis.messages`), its fields, a severity
and, where known, the file, feature and field it is about. ``note.text(lang)`` formats the template
of its key in "en" or "zh"; a field that is itself a Note (a CRS description, the reason of a CRS
guess) is formatted in the same language. A Note *is* its English text (a ``str``), so code and JSON
that treat notes as text keep working and two notes with the same English text are the same note.

:class:`Notes` is the collector: an ordered list that keeps each note once. Analyses append to the
``notes`` they are given and their results own ``.notes``; the CLI prints them; Python users turn
them into :class:`~ecogis.errors.AssumptionWarning` with :meth:`Notes.warn`.

The catalogue itself (``MESSAGES``, :func:`register`) lives here, so that this module is a leaf;
:mod:`ecogis.messages` holds the templates and :func:`~ecogis.messages.say`.
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ecogis.errors import AssumptionWarning

#: key -> (English template, Chinese template)
MESSAGES: dict[str, tuple[str, str]] = {}

#: severities: a guess the user should check, a change made to the data in memory, plain information
SEVERITIES = ("assumption", "repair", "info")
LANGS = ("en", "zh")
_FIELD = re.compile(r"\{(\w+)\}")
_CLAUSE_SEPARATOR = {"en": "; ", "zh": "；"}


def template_fields(template: str) -> set[str]:
    """The ``{field}`` names of a template."""
    return set(_FIELD.findall(template))


def register(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add ``key -> (english, chinese)`` templates; a key registered twice must have the same texts."""
    for key, (en, zh) in messages.items():
        if key in MESSAGES and MESSAGES[key] != (en, zh):
            raise ValueError(f"message {key!r} registered twice with different texts")
        if template_fields(en) != template_fields(zh):
            raise ValueError(f"message {key!r}: the English and Chinese templates have different fields")
        MESSAGES[key] = (en, zh)


class Label(NamedTuple):
    """A name in Chinese and English (a layer's label) used as a note field: each language shows its own."""

    zh: str
    en: str

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return self.en


def _render(value: Any, lang: str) -> str:
    return value.text(lang) if isinstance(value, (Note, Label)) else str(value)


class Note(str):
    """One note: its English text as a ``str``, plus ``key``, ``fields``, ``severity``, ``path``,
    ``feature`` and ``field``. ``text(lang)`` is the note in "en" or "zh".

    ``Note.join(parts)`` is a note made of clauses (each a Note or plain text), joined by "; " in
    English and "；" in Chinese. ``Note.plain(text)`` wraps text that has no template (it reads the
    same in every language).
    """

    key: str | None
    fields: dict[str, Any]
    severity: str
    path: str | None
    feature: Any
    field: str | None
    parts: tuple[Any, ...]

    def __new__(cls, key: str | None, fields: Mapping[str, Any] | None = None, *, severity: str = "assumption",
                path: object = None, feature: Any = None, field: str | None = None,
                parts: Iterable[Any] = ()) -> Note:
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
        fields = dict(fields or {})
        parts = tuple(parts)
        if key is not None:
            if key not in MESSAGES:
                raise KeyError(f"message {key!r} is not registered")
            missing = template_fields(MESSAGES[key][0]) - set(fields)
            if missing:
                raise KeyError(f"message {key!r} needs the field(s) {', '.join(sorted(missing))}")
        note = super().__new__(cls, _format(key, fields, parts, "en"))
        note.key, note.fields, note.severity, note.parts = key, fields, severity, parts
        path = fields.get("path") if path is None else path  # a template's {path} is where the note is about
        note.path = None if path is None else str(path)
        note.feature = fields.get("feature") if feature is None else feature
        note.field = fields.get("field") if field is None else field
        return note

    @classmethod
    def join(cls, parts: Iterable[Any], *, severity: str = "assumption") -> Note:
        """A note made of clauses (Notes or text), "; "-joined in English, "；"-joined in Chinese."""
        return cls(None, parts=parts, severity=severity)

    @classmethod
    def plain(cls, text: object, *, severity: str = "info") -> Note:
        """A note without a template: ``text`` in every language (a value, a name, a command)."""
        return text if isinstance(text, Note) else cls(None, parts=(str(text),), severity=severity)

    def text(self, lang: str = "en") -> str:
        """The note in ``lang`` ("en" or "zh")."""
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
        return str(self) if lang == "en" else _format(self.key, self.fields, self.parts, lang)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """Language-independent form (key, fields, severity, where); ``text`` only when ``lang`` is given."""
        out: dict[str, Any] = {"key": self.key, "fields": {k: str(v) for k, v in self.fields.items()},
                               "severity": self.severity, "path": self.path, "feature": self.feature,
                               "field": self.field}
        if lang is not None:
            out["text"] = self.text(lang)
        return out

    def __reduce__(self):
        """Pickles as a Note with its templates: a batch worker's process may not have imported the
        module that registered them."""
        templates = None if self.key is None else MESSAGES[self.key]
        return (_rebuild, (self.key, self.fields, self.severity, self.path, self.feature, self.field, self.parts,
                           templates))


def _rebuild(key, fields, severity, path, feature, field, parts, templates=None) -> Note:
    if key is not None and templates is not None:
        register({key: tuple(templates)})
    return Note(key, fields, severity=severity, path=path, feature=feature, field=field, parts=parts)


def _format(key: str | None, fields: Mapping[str, Any], parts: tuple[Any, ...], lang: str) -> str:
    if key is None:
        return _CLAUSE_SEPARATOR[lang].join(t for t in (_render(p, lang) for p in parts) if t)
    template = MESSAGES[key][LANGS.index(lang)]
    return template.format(**{k: _render(v, lang) for k, v in fields.items()})


def text_in(note: object, lang: str = "zh") -> str:
    """``note`` in ``lang`` when it is a :class:`Note`, else the text itself (a plain string has no
    other wording)."""
    return note.text(lang) if isinstance(note, Note) else str(note)


class Notes(list):
    """Ordered notes, each kept once (by its English text). A ``list`` of :class:`Note`, so it can
    be passed wherever a ``notes`` list is expected; ``append``/``extend``/``add`` skip a note
    already held."""

    def __init__(self, notes: Iterable[Any] = ()):
        super().__init__()
        self.extend(notes)

    def append(self, note: Any) -> None:
        if note not in self:
            super().append(note)

    def extend(self, notes: Iterable[Any]) -> None:
        for note in notes:
            self.append(note)

    def __iadd__(self, notes: Iterable[Any]) -> Notes:  # type: ignore[override,misc]
        self.extend(notes)
        return self

    def add(self, key: str, *, severity: str = "assumption", **fields: Any) -> Note:
        """Record a note by key (``path``/``feature``/``field`` among the fields also say where it is
        about); returns it (the one already held when the same text was recorded)."""
        note = Note(key, fields, severity=severity)
        self.append(note)
        return self[self.index(note)]

    def to_list(self, lang: str | None = None) -> list[str]:
        """The notes as text: English when ``lang`` is None or "en", else in ``lang``."""
        return [text_in(n, lang or "en") for n in self]

    def warn(self, stacklevel: int = 2) -> None:
        """Emit each note as an :class:`~ecogis.errors.AssumptionWarning` (for library users)."""
        for note in self:
            warnings.warn(note, AssumptionWarning, stacklevel=stacklevel + 1)


def warn_note(note: Note, notes: list | None = None, stacklevel: int = 3) -> Note:
    """Record ``note`` in ``notes`` (when given) and emit it as an AssumptionWarning."""
    if notes is not None and note not in notes:
        notes.append(note)
    warnings.warn(note, AssumptionWarning, stacklevel=stacklevel)
    return note


def note_of(warning: Warning | str) -> Any:
    """The :class:`Note` an AssumptionWarning carries (its first argument), else its text."""
    arg = warning.args[0] if isinstance(warning, Warning) and warning.args else warning
    return arg if isinstance(arg, Note) else str(arg)
