"""Errors by key: the English and Chinese texts of every :class:`~ecogis.errors.EcogisError` made
with :func:`error`.

The templates live in :mod:`ecogis.errortexts` (one dict per part of the package) and are registered
in the catalogue of :mod:`ecogis.messages` under ``"error.<key>"``: each key has an English and a
Chinese template with the same ``{fields}`` (``messages.register`` refuses a key whose two templates
differ in fields; tests/test_error_messages.py checks every call of :func:`error` and :func:`phrase`
in the package against its template). A hint (what to do) is a key of its own, given as ``hint=``.

    raise error("yaml.duplicate_key", path=path, name=name, line=line)
"""
from __future__ import annotations

import string

from ecogis.errors import EcogisError
from ecogis.errortexts import CATALOGUES
from ecogis.messages import MESSAGES, register

PREFIX = "error."
LANGS = ("en", "zh")


def register_errors(templates: dict[str, tuple[str, str]]) -> None:
    """Add error templates ``key -> (english, chinese)`` to the catalogue (under ``error.<key>``)."""
    register({PREFIX + key: texts for key, texts in templates.items()})


def error_template(key: str, lang: str) -> str:
    """The template of error ``key`` in ``lang`` ("en" or "zh")."""
    en, zh = MESSAGES[PREFIX + key]
    return {"zh": zh}.get(lang, en)


def template_fields(key: str) -> set[str]:
    """The ``{fields}`` of error ``key``'s templates."""
    return {name for _, name, _, _ in string.Formatter().parse(error_template(key, "en")) if name}


def _in_lang(value, lang: str):
    if isinstance(value, EcogisError):
        return value.reason_in(lang)
    if isinstance(value, Phrase):
        return value[lang]
    return value


def _render(key: str, lang: str, fields: dict) -> str:
    return error_template(key, lang).format(**{name: _in_lang(v, lang) for name, v in fields.items()})


class Phrase(dict):
    """A piece of an error message in every language (language -> text), given as a field of another."""


def phrase(key: str, /, **fields) -> Phrase:
    """Catalogue entry ``key`` filled in, in every language (a field of a larger message)."""
    return Phrase({lang: _render(key, lang, fields) for lang in LANGS})


def joined(parts, separator_key: str | None = None) -> Phrase:
    """``parts`` (phrases) joined, in every language, by the template ``separator_key`` (none: run together)."""
    return Phrase({lang: (error_template(separator_key, lang) if separator_key else "").join(p[lang] for p in parts)
                   for lang in LANGS})


def error(key: str, /, *, path=None, feature=None, field=None, hint: str | Phrase | None = None,
          **fields) -> EcogisError:
    """The :class:`EcogisError` of catalogue entry ``key`` with its ``fields`` filled in, in every language.

    ``hint`` is the key of a hint template (filled with the same fields) or a :class:`Phrase`. A field
    holding an EcogisError is replaced by that error's reason in the same language (an error wrapping another), a
    :class:`Phrase` by its text in that language.
    """
    missing = template_fields(key) - set(fields)
    if missing:
        raise TypeError(f"error {key!r} needs the field(s) {sorted(missing)}")
    reasons = {lang: _render(key, lang, fields) for lang in LANGS}
    if isinstance(hint, Phrase):
        hints: dict[str, str] | None = dict(hint)
    else:
        hints = {lang: _render(hint, lang, fields) for lang in LANGS} if hint else None
    return EcogisError(path=path, feature=feature, field=field, key=key, reasons=reasons, hints=hints)


def at_path(exc: EcogisError, path) -> EcogisError:
    """``exc`` naming the file ``path`` instead, its reason and hint kept in every language."""
    return placed(exc, path=path)


def placed(exc: EcogisError, *, path=None, feature=None, field=None) -> EcogisError:
    """``exc`` naming the file, feature and field given instead, its reason and hint kept in every language."""
    return EcogisError(path=path, feature=feature, field=field, key=exc.key, reasons=exc.reasons, hints=exc.hints)


for _templates in CATALOGUES:
    register_errors(_templates)
