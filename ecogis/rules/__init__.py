"""Screening rules: which verdict a site gets when it touches a layer, with the rule text and legal basis.

Rules live in YAML (``default_rules.yaml`` beside this module); users extend or override them with their
own file (``ecogis check --rules my_rules.yaml``), never by editing code. A rules file::

    buffers_m: [500, 1000, 5000]        # default buffer distances, metres (geodesic)
    rules:
      - id: reserve-core                # id of a known rule: the keys given here replace its keys
        kind: reserve                   # layer kind (see ecogis.kinds.KINDS)
        zone: 核心区                     # optional: zone / grade / type value; omitted = any zone
        relation: intersects            # intersects | within_buffer (with within_m: metres) | nearest
        site_use: [well, 油井]           # optional: applies only when the site's use is one of these
        verdict: 禁止                    # 禁止 | 限制 | 需论证 | 符合 (or prohibited/restricted/...)
        rule_zh: ...
        rule_en: ...
        basis: 《中华人民共和国自然保护区条例》（国务院令第830号修订，2026年3月15日起施行）第二十六条
        basis_en: Regulations on Nature Reserves, Art. 26   # optional: the basis in English reports
        effective_from: 2026-03-15      # optional: the text cited is in force from / until (exclusive)
        jurisdiction: ["2111"]          # optional: adcode prefixes where the rule applies (default national)
        verified: false                 # optional: the article was (not) checked against a published text
        verification: 条号未核对         # the note reports print beside the basis when verified is false
        checked_source: https://...     # optional: where the article text was read, and when (checked_on)
        checked_on: 2026-12-01
      - {id: reserve-near, within_m: 2000}   # change one key of a rule, keep the rest
      - id: redline-near
        disabled: true                  # switch a rule off (an unknown id is an error)

Only the rules in force on the check date are kept (:mod:`ecogis.rules.scope`); a check then leaves
out the rules whose jurisdiction the site is not in (:meth:`RuleSet.for_area`).

A malformed file raises :class:`ecogis.errors.EcogisError` naming the file and line.
"""
from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ecogis.error_messages import Phrase, error, phrase
from ecogis.rules.scope import in_force_on, parse_date, parse_jurisdiction, shown_basis, within_jurisdiction
from ecogis.yamlio import LineDict, line_of, load_yaml_lines

DEFAULT_RULES_PATH = Path(__file__).with_name("default_rules.yaml")

# Verdicts from best to worst; the overall verdict of a check is the worst of its findings.
# 无法判定 (undetermined): the site, or part of it, lies outside a layer's coverage (ecogis.coverage).
VERDICTS = ("符合", "无法判定", "需论证", "限制", "禁止")
VERDICT_EN = {"符合": "clear", "无法判定": "undetermined", "需论证": "needs assessment", "限制": "restricted",
              "禁止": "prohibited"}
_VERDICT_ALIASES = {
    "符合": "符合", "clear": "符合", "ok": "符合", "compliant": "符合",
    "无法判定": "无法判定", "undetermined": "无法判定", "cannot be determined": "无法判定", "unknown": "无法判定",
    "需论证": "需论证", "needs assessment": "需论证", "needs_assessment": "需论证", "assess": "需论证",
    "限制": "限制", "restricted": "限制", "restrict": "限制",
    "禁止": "禁止", "prohibited": "禁止", "forbidden": "禁止",
}
RELATIONS = ("intersects", "within_buffer", "nearest")
_RULE_KEYS = {"id", "kind", "zone", "relation", "within_m", "site_use", "verdict", "rule_zh", "rule_en",
              "basis", "basis_en", "disabled", "note", "effective_from", "effective_until", "jurisdiction",
              "verified", "verification", "verification_en", "local_source"}


def normalise_verdict(value, *, path=None, line=None) -> str:
    """Return the canonical Chinese verdict for ``value`` (禁止/限制/需论证/符合 or the English names)."""
    key = str(value).strip().lower().replace("-", " ")
    key = key if key in _VERDICT_ALIASES else key.replace(" ", "_")
    if key not in _VERDICT_ALIASES:
        raise error("rules.unknown_verdict", path=path, at=_at(line), value=repr(value), verdicts=", ".join(VERDICTS),
                    english=", ".join(VERDICT_EN.values()), hint="rules.use_verdicts")
    return _VERDICT_ALIASES[key]


def verdict_rank(verdict: str) -> int:
    """0 for 符合, 1 无法判定, 2 需论证, 3 限制, 4 禁止."""
    return VERDICTS.index(normalise_verdict(verdict))


def worst_verdict(verdicts) -> str:
    """The worst verdict of an iterable (符合 when empty)."""
    ranks = [verdict_rank(v) for v in verdicts]
    return VERDICTS[max(ranks)] if ranks else VERDICTS[0]


def _at(line) -> Phrase:
    """The "line N: " that starts an error message (nothing when the line is not known)."""
    return phrase("rules.at_line", line=line) if line else Phrase(en="", zh="")


# --------------------------------------------------------------------------------------------------
# Rules

def site_uses(site_use) -> set[str]:
    """What a site is for (a word, a list of words or None) as a set of lower-case words."""
    items = site_use if isinstance(site_use, (list, tuple, set)) else [site_use]
    return {str(u).strip().lower() for u in items if u not in (None, "")}


@dataclass
class Rule:
    """One screening rule. ``within_m`` (metres) bounds within_buffer rules; ``zone``/``site_use`` narrow it."""

    id: str
    kind: str
    relation: str
    verdict: str
    rule_zh: str = ""
    rule_en: str = ""
    basis: str = ""
    basis_en: str = ""
    zone: str | None = None
    within_m: float | None = None
    site_use: list[str] = field(default_factory=list)
    source: str = ""
    effective_from: dt.date | None = None  # the text cited is in force from this day
    effective_until: dt.date | None = None  # ... until the day before this one (superseded on it)
    jurisdiction: list[str] = field(default_factory=list)  # adcode prefixes; empty: national
    verified: bool | None = None  # the citation was checked against a published text (None: not stated)
    verification: str = ""
    verification_en: str = ""
    local_source: str = ""  # local plans giving figures or context: never a legal basis
    checked_source: str = ""  # where the article text was read (the address of a published text)
    checked_on: dt.date | None = None  # the day it was read there

    def fits_use(self, uses: set[str]) -> bool:
        """True when the rule names no site use, or one of ``uses`` (lower-case, from :func:`site_uses`)."""
        return not self.site_use or bool(uses & {u.lower() for u in self.site_use})

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("effective_from", "effective_until", "checked_on"):
            d[key] = None if d[key] is None else d[key].isoformat()
        return d


@dataclass
class RuleSet:
    """Rules merged from the defaults and any user files and in force on ``at_date``, plus the default
    buffer distances (metres). ``superseded``: ids of the rules in the files that are not in force then."""

    rules: list[Rule]
    buffers_m: list[float]
    sources: list[str]
    at_date: dt.date | None = None
    superseded: list[str] = field(default_factory=list)

    def for_area(self, adcodes) -> tuple[RuleSet, list[Rule]]:
        """(the rule set without the rules whose jurisdiction excludes ``adcodes``, the rules left out).

        ``adcodes``: the 6-digit administrative codes of the site's area, or None when unknown (then
        every rule with a jurisdiction is left out)."""
        keep = [r for r in self.rules if within_jurisdiction(r, adcodes)]
        out = [r for r in self.rules if not within_jurisdiction(r, adcodes)]
        return replace(self, rules=keep), out

    def match(self, kind: str, relation: str, zone=None, distance_m=None, site_use=None) -> Rule | None:
        """The most specific rule for a finding, or None.

        Specific beats general: a rule naming the site use beats one that does not, a rule naming the
        zone beats one for any zone, and among within_buffer rules the smallest ``within_m`` that
        still covers ``distance_m`` wins.
        """
        best, best_key = None, None
        uses = site_uses(site_use)
        for r in self.rules:
            if r.kind != kind or r.relation != relation:
                continue
            if r.zone is not None and (zone is None or str(zone) != r.zone):
                continue
            if not r.fits_use(uses):
                continue
            if relation == "within_buffer" and r.within_m is not None:
                if distance_m is None or distance_m > r.within_m:
                    continue
            key = (bool(r.site_use), r.zone is not None, -(r.within_m if r.within_m is not None else float("inf")))
            if best_key is None or key > best_key:
                best, best_key = r, key
        return best

    def to_dict(self) -> dict:
        return {"buffers_m": self.buffers_m, "sources": self.sources, "rules": [r.to_dict() for r in self.rules],
                "at_date": None if self.at_date is None else self.at_date.isoformat(), "superseded": self.superseded}


def load_rules(*paths, kinds=None, at_date=None) -> RuleSet:
    """Load the default rules, then each user file in ``paths`` on top.

    A rule with a known id changes that rule: the keys it gives replace the old ones and the rest are
    kept (``- {id: reserve-near, within_m: 2000}`` moves only the distance). A new id adds a rule;
    ``disabled: true`` switches a known rule off. Duplicate ids in one file, and switching off an id
    that does not exist, are errors naming the line.

    ``kinds``: optional collection of valid layer kinds; a rule naming another kind is an error.
    ``at_date``: the check date (a date or ``YYYY-MM-DD``; default today): only the rules in force on it
    are kept, and the basis of a rule whose citation was not checked carries that note.
    """
    day = parse_date(at_date, what="check date") or dt.date.today()
    rules: dict[str, Rule] = {}
    buffers: list[float] = []
    sources = []
    for path in (DEFAULT_RULES_PATH, *[p for p in paths if p is not None]):
        file_buffers, file_rules, disabled = _parse_rules_file(Path(path), kinds, rules)
        if file_buffers is not None:
            buffers = file_buffers
        for rid in disabled:
            rules.pop(rid, None)
        for r in file_rules:
            rules[r.id] = r
        sources.append(str(path))
    current = in_force_on(rules.values(), day)
    shown = [replace(r, basis=shown_basis(r, "zh"), basis_en=shown_basis(r, "en")) for r in current]
    return RuleSet(shown, buffers, sources, day, [rid for rid, r in rules.items() if r not in current])


def _parse_rules_file(path: Path, kinds, known: dict):
    """(buffers or None, rules, ids to switch off) of one rules file; ``known`` are the rules so far."""
    buffers, items = _rules_items(load_yaml_lines(path), path)
    out, disabled = [], []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        line = item.line if hasattr(item, "line") else items.lines[i]
        if not isinstance(item, dict):
            raise error("rules.rule_mapping", path=path, at=_at(line))
        rid = None if item.get("id") in (None, "") else str(item["id"])
        if rid in seen:
            raise error("rules.id_twice", path=path, at=_at(line), rid=repr(rid), first=seen[rid], hint="rules.own_id")
        if rid is not None:
            seen[rid] = line
        if not item.get("disabled"):
            out.append(_parse_rule(item, path, line, kinds, known.get(rid)))
        elif rid is None:
            raise error("rules.disabled_needs_id", path=path, at=_at(line))
        elif rid not in known:
            close = difflib.get_close_matches(rid, list(known), n=3)
            if close:
                raise error("rules.no_id_to_disable", path=path, at=_at(line_of(item, "id")), rid=repr(rid),
                            close=", ".join(close), hint="rules.did_you_mean")
            raise error("rules.no_id_to_disable", path=path, at=_at(line_of(item, "id")), rid=repr(rid),
                        hint="rules.ids_listed")
        else:
            disabled.append(rid)
    return buffers, out, disabled


def _rules_items(data, path: Path):
    """Check the top level of a rules file; return (buffer distances in m or None, list of rule items)."""
    if data is None:
        return None, []
    if not isinstance(data, dict):
        raise error("rules.not_mapping", path=path, at=_at(line_of(data)))
    unknown = set(data) - {"rules", "buffers_m", "version", "name", "description"}
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise error("rules.unknown_key", path=path, at=_at(line_of(data, key)), key=repr(key), hint="rules.top_keys")
    buffers = None
    if "buffers_m" in data:
        buffers = parse_buffers(data["buffers_m"], path=path, line=line_of(data, "buffers_m"))
    items = data.get("rules") or []
    if not isinstance(items, list):
        raise error("rules.rules_list", path=path, at=_at(line_of(data, "rules")))
    return buffers, items


def _parse_rule(item, path, line, kinds, base: Rule | None = None) -> Rule:
    """One rule from its YAML mapping; with ``base`` (a known rule of the same id) missing keys keep the
    base's values."""
    unknown = set(item) - _RULE_KEYS
    if base is not None:
        inherited = asdict(base)
        if "basis" in item and "verified" not in item:  # a new basis: the old one's check says nothing of it
            inherited.update(verified=None, verification="", verification_en="", checked_source="", checked_on=None)
        merged = LineDict({k: v for k, v in inherited.items() if k != "source" and v not in (None, "", [])})
        merged.update(item)
        merged.line, merged.lines = getattr(item, "line", line), getattr(item, "lines", {})
        item = merged
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise error("rules.unknown_rule_key", path=path, at=_at(line_of(item, key)), key=repr(key),
                    keys=", ".join(sorted(_RULE_KEYS)), hint="rules.rule_keys")
    for key in ("kind", "relation", "verdict"):
        if key not in item or item[key] in (None, ""):
            raise error("rules.rule_missing", path=path, at=_at(line), key=repr(key))
    kind, relation, within = _where(item, path, kinds)
    uses = item.get("site_use") or []
    uses = [str(u) for u in (uses if isinstance(uses, list) else [uses])]
    zone = item.get("zone")
    return Rule(
        id=str(item.get("id") or f"{kind}-{zone or 'any'}-{relation}"),
        kind=kind, relation=relation,
        verdict=normalise_verdict(item["verdict"], path=path, line=line_of(item, "verdict")),
        rule_zh=str(item.get("rule_zh") or ""), rule_en=str(item.get("rule_en") or ""),
        basis=str(item.get("basis") or ""), basis_en=str(item.get("basis_en") or ""),
        zone=None if zone is None else str(zone), within_m=within, site_use=uses, source=f"{path.name}:{line}",
        **_scope(item, path),
    )


def _scope(item, path) -> dict:
    """The when/where/how-checked keys of a rule item (dates, jurisdiction, verification)."""
    dates = {key: parse_date(item.get(key), path=path, line=line_of(item, key), what=key)
             for key in ("effective_from", "effective_until", "checked_on")}
    if dates["effective_from"] and dates["effective_until"] and dates["effective_until"] <= dates["effective_from"]:
        raise error("inputs.effective_order", at=_at(line_of(item, "effective_until")), path=path)
    verified = item.get("verified")
    if verified is not None and not isinstance(verified, bool):
        raise error("inputs.verified_bool", at=_at(line_of(item, "verified")), path=path)
    return {**dates, "verified": verified,
            "jurisdiction": parse_jurisdiction(item.get("jurisdiction"), path=path, line=line_of(item, "jurisdiction")),
            **{k: str(item.get(k) or "") for k in ("verification", "verification_en", "local_source",
                                                   "checked_source")}}


def _where(item, path, kinds) -> tuple[str, str, float | None]:
    """The checked kind, relation and within_m (metres) of a rule item."""
    kind = str(item["kind"])
    if kinds is not None and kind not in kinds:
        raise error("rules.unknown_kind", path=path, at=_at(line_of(item, "kind")), kind=repr(kind),
                    kinds=", ".join(sorted(kinds)), hint="rules.use_kinds")
    relation = str(item["relation"])
    if relation not in RELATIONS:
        raise error("rules.unknown_relation", path=path, at=_at(line_of(item, "relation")), relation=repr(relation),
                    relations=", ".join(RELATIONS), hint="rules.use_relations")
    within = item.get("within_m")
    if within is not None:
        if relation != "within_buffer":
            raise error("rules.within_m_relation", path=path, at=_at(line_of(item, "within_m")))
        within = _positive_number(within, path, line_of(item, "within_m"), "within_m")
    return kind, relation, within


#: The largest buffer or rule distance, metres: a site check looks at its surroundings, not the country.
MAX_DISTANCE_M = 100_000.0


def _positive_number(value, path, line, what) -> float:
    """``value`` as metres, more than 0 and at most :data:`MAX_DISTANCE_M` (NaN and infinity refused)."""
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer of hundreds of digits
        v = float("nan")
    if isinstance(value, bool) or not 0 < v <= MAX_DISTANCE_M:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise error("rules.distance", path=path, at=_at(line), what=what, max=f"{MAX_DISTANCE_M:g}", value=shown)
    return v


def parse_buffers(value, *, path=None, line=None) -> list[float]:
    """Buffer distances in metres from a list or a comma-separated string ('500,1000,5000'), sorted."""
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    if not isinstance(value, (list, tuple)):
        value = [value]
    if not value:
        raise error("rules.no_buffer", path=path, at=_at(line), hint="rules.give_metres")
    return sorted({_positive_number(v, path, line, phrase("rules.buffer_distance")) for v in value})


# Rule keys of the in-force and verification schema (dates in force, jurisdiction, verification notes):
# accepted in rules files so that rules carrying them load.
_RULE_KEYS |= {"effective_from", "effective_until", "jurisdiction", "verified", "verification", "verification_en",
               "local_source", "checked_source", "checked_on"}
