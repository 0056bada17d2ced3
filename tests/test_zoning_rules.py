"""Legal bases of the zoning-related rules: where each citation was checked (address, day), and the
texts in force on the check date (the National Park Law from 1 January 2026)."""
from __future__ import annotations

import datetime as dt

import pytest

from ecogis.errors import EcogisError
from ecogis.rules import load_rules

KINDS = ("farmland", "protected_area", "wetland", "water_source", "redline", "ecological_space")


def by_id(at):
    return {r.id: r for r in load_rules(at_date=at).rules}


def test_checked_rules_say_where_and_when():
    rules = load_rules().rules
    checked = [r for r in rules if r.checked_source]
    assert {r.kind for r in checked} >= {"farmland", "protected_area", "wetland", "water_source", "redline"}
    for r in checked:
        assert r.checked_source.startswith("http") and isinstance(r.checked_on, dt.date), r.id
        assert r.to_dict()["checked_on"] == r.checked_on.isoformat()
    for r in rules:
        if r.kind in KINDS and r.verified is False:
            assert r.verification and r.verification_en, r.id  # what was not checked is said


def test_the_national_park_law_applies_from_2026():
    before, after = by_id("2025-12-31"), by_id("2026-01-01")
    assert {"protected-area-core-2019", "protected-area-general-2019"} <= set(before)
    assert "protected-area-core" not in before and "protected-area-core-2019" not in after
    for rid in ("protected-area-core", "protected-area-general"):
        assert "国家公园法" in after[rid].basis and "2026年1月1日起施行" in after[rid].basis
        assert "国家公园法" not in before[f"{rid}-2019"].basis
        assert after[rid].verdict == before[f"{rid}-2019"].verdict


@pytest.mark.parametrize("at", ["2020-06-01", "2024-06-01", "2025-12-31", "2026-01-01", "2026-12-01"])
def test_one_rule_per_kind_zone_relation_and_use_on_any_date(at):
    seen = set()
    for r in load_rules(at_date=at).rules:
        if r.kind in KINDS:
            key = (r.kind, r.zone, r.relation, r.within_m, tuple(r.site_use))
            assert key not in seen, (at, r.id)
            seen.add(key)


def test_a_bad_checked_on_date_names_the_line(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: farmland-any\n    checked_on: 2026-13-01\n", encoding="utf-8")
    with pytest.raises(EcogisError, match="line 3"):
        load_rules(path)
