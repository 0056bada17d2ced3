"""The legal bases of the default rules: a rule marked verified names where and when its article was read,
and that place is an official publication (never a reprint alone); every other rule says what was not checked.
The expectations come from the rules file itself (its ``verified`` keys), not from a report."""
from __future__ import annotations

import datetime as dt
import urllib.parse

import yaml

from ecogis.rules import DEFAULT_RULES_PATH, load_rules

#: hosts of official and official-newspaper publications (a suffix match on the host name)
OFFICIAL = (".gov.cn", "gov.cn", "npc.gov.cn", "people.com.cn", "xinhuanet.com", "news.cn")
#: reprint and mirror sites that never make a citation verified on their own
REPRINTS = ("gwgpac.org", "wangxiao.cn", "lawparks.com", "jianbiaoku.com", "cnpre.com.cn", "how234.cn")


def raw_rules() -> list[dict]:
    """The rule entries of the default file as plain YAML, read without ecogis."""
    return yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))["rules"]


def every_rule():
    rules = {}
    for day in ("2018-06-01", "2025-06-01", "2026-03-01", "2026-12-01"):
        rules.update({r.id: r for r in load_rules(at_date=day).rules})
    return rules


def test_the_rules_file_loads_with_every_rule_of_the_file():
    assert set(every_rule()) == {item["id"] for item in raw_rules()}


def test_every_verified_rule_names_an_official_source_and_the_day_it_was_read():
    verified = [item for item in raw_rules() if item.get("verified") is True]
    assert verified, "the file marks some rules verified"
    loaded = every_rule()
    for item in verified:
        host = urllib.parse.urlparse(item["checked_source"]).hostname or ""
        assert host.endswith(OFFICIAL), (item["id"], host)
        assert not host.endswith(REPRINTS), (item["id"], host)
        assert isinstance(item["checked_on"], dt.date), item["id"]
        rule = loaded[item["id"]]
        assert rule.verified is True and rule.checked_on == item["checked_on"], item["id"]


def test_a_rule_read_only_in_a_reprint_is_not_verified():
    for item in raw_rules():
        host = urllib.parse.urlparse(item.get("checked_source") or "").hostname or ""
        if host.endswith(REPRINTS):
            assert item.get("verified") is False, item["id"]


def test_every_unverified_rule_says_in_both_languages_what_was_not_checked():
    unverified = [item["id"] for item in raw_rules() if item.get("verified") is False]
    loaded = every_rule()
    assert len(unverified) == sum(1 for r in loaded.values() if r.verified is False)
    for rid in unverified:
        rule = loaded[rid]
        assert rule.verification and rule.verification_en, rid
        assert "未经核对" in rule.basis and "citation not checked" in rule.basis_en, rid


def test_the_national_park_law_rules_cite_its_date_in_force():
    """国家公园法: in force 1 January 2026 (the rules citing it apply from that day, not before)."""
    for item in raw_rules():
        if "国家公园法" in item.get("basis", ""):
            assert "2026年1月1日起施行" in item["basis"], item["id"]
            assert item["effective_from"] >= dt.date(2026, 1, 1), item["id"]
