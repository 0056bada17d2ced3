"""The parsed rule set of a check kept in the layer cache (ecogis.check._ruleset): the same RuleSet as
parsing the files (ecogis.rules.load_rules, called here), read again when a rules file changes, and
kept apart per check date."""
from __future__ import annotations

from conftest import LAYERS

from ecogis.check import _ruleset
from ecogis.project import layer_kinds, load_project
from ecogis.rules import load_rules


def _entries(folder) -> set:
    return set((folder / "rules").glob("*.pickle")) if (folder / "rules").exists() else set()


def test_a_cached_rule_set_is_the_parsed_one(layer_cache_dir, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: reserve-near\n    within_m: 2000\n", encoding="utf-8")
    project = load_project(LAYERS / "project.yaml")
    first = _ruleset(project, rules, "2025-06-01")
    again = _ruleset(project, rules, "2025-06-01")
    assert len(_entries(layer_cache_dir)) == 1
    parsed = load_rules(rules, kinds=layer_kinds(), at_date="2025-06-01")
    assert first == parsed and again == parsed


def test_a_changed_rules_file_is_parsed_again(layer_cache_dir, tmp_path):
    rules = tmp_path / "rules.yaml"
    project = load_project(LAYERS / "project.yaml")
    rules.write_text("rules:\n  - id: reserve-near\n    within_m: 2000\n", encoding="utf-8")
    assert next(r for r in _ruleset(project, rules, None).rules if r.id == "reserve-near").within_m == 2000
    rules.write_text("rules:\n  - id: reserve-near\n    within_m: 3000\n", encoding="utf-8")
    assert next(r for r in _ruleset(project, rules, None).rules if r.id == "reserve-near").within_m == 3000
    assert len(_entries(layer_cache_dir)) == 2


def test_each_check_date_is_its_own_entry(layer_cache_dir):
    project = load_project(LAYERS / "project.yaml")
    early, late = _ruleset(project, None, "2020-01-01"), _ruleset(project, None, "2026-01-01")
    assert len(_entries(layer_cache_dir)) == 2
    assert early == load_rules(kinds=layer_kinds(), at_date="2020-01-01")
    assert late == load_rules(kinds=layer_kinds(), at_date="2026-01-01")
    assert early.at_date.isoformat() == "2020-01-01" and late.at_date.isoformat() == "2026-01-01"
