"""Where and when a rule applies: the date its text is in force, and the jurisdiction (adcode prefixes).

A rule cites an instrument in force between ``effective_from`` and ``effective_until`` (the day it is
superseded, exclusive). A check applies the rules in force on its date (:func:`in_force_on`); the
superseded text stays in the rules file under its own id (``reserve-core-2017``) for checks dated
before the change. A rule with a ``jurisdiction`` (adcode prefixes such as ``"2109"`` for 阜新市) fires
only for sites whose administrative codes start with one of them (:func:`within_jurisdiction`).

Rules whose article was not checked against a published text (``verified: false``) carry that note
into the basis the reports print (:func:`shown_basis`).
"""
from __future__ import annotations

import datetime as dt
import re

from ecogis.error_messages import error, phrase
from ecogis.notes import Label

#: the note appended to the basis of a rule whose citation was not checked, per language
_UNCHECKED = {"zh": "〔依据未经核对：{note}〕", "en": " [citation not checked: {note}]"}


def parse_date(value, *, path=None, line=None, what="date") -> dt.date | None:
    """``value`` (a date, or text ``YYYY-MM-DD``) as a date; None for None/""; EcogisError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise error("sites.not_a_date", where=phrase("sites.at_line", line=line) if line else "", what=what, value=value,
                path=path, hint="sites.date_form")


def parse_jurisdiction(value, *, path=None, line=None) -> list[str]:
    """Adcode prefixes (2 to 6 digits) from a value or a list of values; [] for none (national)."""
    items = value if isinstance(value, (list, tuple)) else ([] if value in (None, "") else [value])
    out = []
    for item in items:
        text = str(item).strip()
        if not re.fullmatch(r"\d{2,6}", text):
            raise error("sites.not_adcode", where=phrase("sites.at_line", line=line) if line else "", item=item,
                        path=path, hint="sites.adcode_form")
        out.append(text)
    return out


def in_force(rule, day: dt.date) -> bool:
    """True when ``rule`` (with ``effective_from``/``effective_until`` dates or None) is in force on ``day``."""
    start, end = rule.effective_from, rule.effective_until
    return (start is None or start <= day) and (end is None or day < end)


def in_force_on(rules, day: dt.date) -> list:
    """The rules of ``rules`` in force on ``day``."""
    return [r for r in rules if in_force(r, day)]


def within_jurisdiction(rule, adcodes) -> bool:
    """True for a national rule, or when one of ``adcodes`` (a set of 6-digit codes) starts with a prefix
    of the rule's jurisdiction. ``adcodes`` None (the site's area is unknown) fits national rules only."""
    if not rule.jurisdiction:
        return True
    return bool(adcodes) and any(str(code).startswith(p) for code in adcodes for p in rule.jurisdiction)


def shown_basis(rule, lang: str = "zh") -> str:
    """The basis a report prints: the citation, plus the verification note when it was not checked."""
    basis = Label(rule.basis, rule.basis_en or rule.basis).text(lang)
    note = Label(rule.verification, rule.verification_en or rule.verification).text(lang)
    if rule.verified is False and note:
        return basis + _UNCHECKED[lang].format(note=note)
    return basis
