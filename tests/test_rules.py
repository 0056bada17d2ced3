"""Rules: default file contents, user overrides, specificity, and line-numbered errors."""
from __future__ import annotations

import re

import pytest

from ecogis.errors import EcogisError
from ecogis.project import layer_kinds
from ecogis.rules import DEFAULT_RULES_PATH, load_rules, normalise_verdict, parse_buffers, worst_verdict


def write(tmp_path, text, name="rules.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_default_rules_cover_the_regulations():
    rs = load_rules(kinds=layer_kinds())
    by_id = {r.id: r for r in rs.rules}
    assert rs.buffers_m == [500, 1000, 5000]
    assert by_id["redline-intersects"].verdict == "禁止" and "142号" in by_id["redline-intersects"].basis
    assert "第二十七条" in by_id["reserve-core"].basis
    assert "第二十八条" in by_id["reserve-buffer"].basis
    assert by_id["reserve-experimental"].verdict == "限制" and "第三十二条" in by_id["reserve-experimental"].basis
    assert "第六十四条" in by_id["water-source-outfall"].basis
    assert "第六十五条" in by_id["water-source-grade1"].basis
    assert "第六十六条" in by_id["water-source-grade2"].basis
    assert "第三十二条第二款" in by_id["reserve-near"].basis  # the surrounding belt is Art. 32 para. 2
    assert "第六十七条" in by_id["water-source-quasi"].basis
    assert "国务院令第830号" in by_id["reserve-core-protection"].basis  # the 2026 revision names the new zones
    for r in rs.rules:
        assert r.rule_zh and r.rule_en and r.basis and r.basis_en, r.id
        # English text carries no Chinese; English basis only Chinese document numbers in 〔〕 form
        assert not re.search(r"[\u4e00-\u9fff]", r.rule_en), r.id
        assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"\S*〔\d{4}〕\d+号", "", r.basis_en)), r.id


def test_seed_rules_cite_their_seed_files():
    by_id = {r.id: r for r in load_rules().rules}
    assert "003_70c4bb9e90054668.txt" in by_id["reserve-core-well"].basis and "204" in by_id["reserve-core-well"].rule_zh
    chp = by_id["facility-chp-heating"]
    assert "004_71df9ef4c03a5c50.txt" in chp.basis and chp.within_m == 15000 and "35" in chp.rule_zh
    rectify = by_id["outfall-rectify"]
    assert "004_71df9ef4c03a5c50.txt" in rectify.basis and "50平方公里" in rectify.rule_zh


def test_match_prefers_zone_use_and_smallest_distance():
    rs = load_rules()
    assert rs.match("reserve", "intersects", zone="核心区").id == "reserve-core"
    assert rs.match("reserve", "intersects", zone="核心区", site_use="油井").id == "reserve-core-well"
    assert rs.match("reserve", "intersects", zone=None).id == "reserve-any"
    assert rs.match("reserve", "within_buffer", distance_m=800).id == "reserve-near"
    assert rs.match("reserve", "within_buffer", distance_m=1200) is None
    assert rs.match("water_source", "intersects", zone="一级", site_use="排污口").id == "water-source-outfall"
    assert rs.match("redline", "intersects", site_use="pipeline").id == "redline-linear"
    assert rs.match("redline", "intersects", site_use="factory").id == "redline-intersects"
    assert rs.match("outfall", "within_buffer", distance_m=3000, site_use="outfall").id == "outfall-rectify"
    assert rs.match("outfall", "within_buffer", distance_m=3000).id == "outfall-near"


def test_user_file_overrides_adds_and_disables(tmp_path):
    p = write(tmp_path, """
buffers_m: [200, 2000]
rules:
  - id: reserve-experimental
    kind: reserve
    zone: 实验区
    relation: intersects
    verdict: prohibited
    rule_zh: 本地规定：实验区禁止
    basis: 地方条例
  - id: redline-near
    disabled: true
  - id: town-info
    kind: town_boundary
    relation: intersects
    verdict: 需论证
""")
    rs = load_rules(p, kinds=layer_kinds())
    by_id = {r.id: r for r in rs.rules}
    assert rs.buffers_m == [200, 2000]
    assert by_id["reserve-experimental"].verdict == "禁止" and by_id["reserve-experimental"].basis == "地方条例"
    assert "redline-near" not in by_id
    assert by_id["town-info"].verdict == "需论证"
    assert rs.sources[0] == str(DEFAULT_RULES_PATH)


@pytest.mark.parametrize("text, line, words", [
    ("rules:\n  - kind: reserve\n    relation: intersects\n    verdict: [oops\n", 4, "YAML syntax"),
    ("rules:\n  - kind: reserve\n    relation: intersects\n    verdict: maybe\n", 4, "unknown verdict"),
    ("rules:\n  - kind: reserve\n    relation: touches\n    verdict: 禁止\n", 3, "unknown relation"),
    ("rules:\n  - kind: forest\n    relation: intersects\n    verdict: 禁止\n", 2, "unknown layer kind"),
    ("rules:\n  - kind: reserve\n    relation: intersects\n", 2, "missing 'verdict'"),
    ("rules:\n  - kind: reserve\n    relation: intersects\n    verdict: 禁止\n    colour: red\n", 5, "unknown rule key"),
    ("buffers_m: [500, abc]\nrules: []\n", 1, "buffer distance"),
    ("rulez: []\n", 1, "unknown key"),
    ("rules:\n  - kind: reserve\n    relation: within_buffer\n    within_m: -5\n    verdict: 禁止\n", 4, "within_m"),
])
def test_malformed_rules_name_file_and_line(tmp_path, text, line, words):
    p = write(tmp_path, text)
    with pytest.raises(EcogisError) as exc:
        load_rules(p, kinds=layer_kinds())
    msg = str(exc.value)
    assert str(p) in msg and f"line {line}" in msg and words in msg


def test_verdict_helpers():
    assert normalise_verdict("Needs assessment") == "需论证"
    assert worst_verdict(["符合", "限制", "需论证"]) == "限制"
    assert worst_verdict([]) == "符合"
    assert parse_buffers("5000,500，1000") == [500, 1000, 5000]


def test_partial_override_keeps_the_rest_of_a_rule(tmp_path):
    p = write(tmp_path, "rules:\n  - id: reserve-near\n    within_m: 2000\n  - {id: redline-near, verdict: 限制}\n")
    by_id = {r.id: r for r in load_rules(p, kinds=layer_kinds()).rules}
    default = {r.id: r for r in load_rules().rules}
    assert by_id["reserve-near"].within_m == 2000
    assert by_id["reserve-near"].verdict == default["reserve-near"].verdict == "需论证"
    assert by_id["reserve-near"].basis == default["reserve-near"].basis
    assert by_id["redline-near"].verdict == "限制" and by_id["redline-near"].within_m == 500
    assert by_id["reserve-near"].source == f"{p.name}:2"
    assert load_rules(p).match("reserve", "within_buffer", distance_m=1500).id == "reserve-near"


@pytest.mark.parametrize("text, line, words, hint", [
    ("rules:\n  - {id: reserve-nera, disabled: true}\n", 2, "no rule with id 'reserve-nera'", "reserve-near"),
    ("rules:\n  - {id: a, kind: reserve, relation: intersects, verdict: 禁止}\n"
     "  - {id: a, kind: well, relation: intersects, verdict: 符合}\n", 3, "used twice (first on line 2)", ""),
])
def test_rule_id_mistakes_name_the_line(tmp_path, text, line, words, hint):
    p = write(tmp_path, text)
    with pytest.raises(EcogisError) as exc:
        load_rules(p, kinds=layer_kinds())
    msg = str(exc.value)
    assert f"line {line}" in msg and words in msg and hint in msg


def test_site_use_words_match_alike_in_rules_and_in_the_search_distance(tmp_path):
    """The screening engine searches as far as the rules for this site use reach (same word matching)."""
    from ecogis.screen import _search_distance

    p = write(tmp_path, "rules:\n  - {id: w7, kind: well, relation: within_buffer, within_m: 7000, "
                        "site_use: [Heating], verdict: 需论证}\n")
    rs = load_rules(p)
    for use in ("heating", " HEATING ", ["heating"], ("boiler", "Heating")):
        assert rs.match("well", "within_buffer", distance_m=6500, site_use=use).id == "w7", use
        assert _search_distance(rs, "well", [500.0], use) == 7000, use
    for use in (None, "", "factory"):
        rule = rs.match("well", "within_buffer", distance_m=6500, site_use=use)
        assert rule is None or rule.id != "w7"
        assert _search_distance(rs, "well", [500.0], use) < 7000
