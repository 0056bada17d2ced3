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
    rs = load_rules(kinds=layer_kinds(), at_date="2026-12-01")
    by_id = {r.id: r for r in rs.rules}
    assert rs.buffers_m == [500, 1000, 5000]
    assert by_id["redline-intersects"].verdict == "禁止" and "142号" in by_id["redline-intersects"].basis
    assert "第六十四条" in by_id["water-source-outfall"].basis
    assert "第六十五条" in by_id["water-source-grade1"].basis
    assert "第六十六条" in by_id["water-source-grade2"].basis
    assert "第六十七条" in by_id["water-source-quasi"].basis
    assert "国务院令第830号" in by_id["reserve-core-protection"].basis  # the 2026 revision names the new zones
    for r in rs.rules:
        assert r.rule_zh and r.rule_en and r.basis and r.basis_en, r.id
        # English text carries no Chinese; English basis only Chinese document numbers in 〔〕 form
        assert not re.search(r"[\u4e00-\u9fff]", r.rule_en), r.id
        assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"\S*〔\d{4}〕\d+号", "", r.basis_en)), r.id


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


# --------------------------------------------------------------------------------------------------
# legal bases: real, cited in full, in force on the check date, within their jurisdiction

import datetime as dt  # noqa: E402

from ecogis.rules.scope import in_force  # noqa: E402

BEFORE, AFTER = "2026-03-14", "2026-03-15"  # 国务院令第830号 is in force from 2026-03-15
TITLE = re.compile(r"《[^》]+》")
NUMBER = re.compile(r"国务院令第\d+号|主席令第[一二三四五六七八九十百零〇\d]+号|[\u4e00-\u9fff]+〔\d{4}〕\d+号"
                    r"|\b(?:GB|HJ)(?:/T)? \d+(?:\.\d+)?-\d{4}\b")
ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]+(?:条|章|部分)")
IN_FORCE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
#: what names a local plan or a seed document: a file name, 规划/十四五, a city's document number
LOCAL_PLAN = re.compile(r"\.txt|市.{0,12}规划|十四五|Five-Year|阜政|盘环|盘政|Panjin|Fuxin|盘锦|阜新")


def every_default_rule():
    """Every rule of the default file, whatever its dates (in force before and after the 2026 revision)."""
    rules = {r.id: r for day in ("2018-06-01", BEFORE, AFTER) for r in load_rules(at_date=day).rules}
    return list(rules.values())


def test_every_rule_cites_title_number_article_and_date_in_force():
    rules = every_default_rule()
    assert len(rules) >= 30
    for r in rules:
        assert TITLE.search(r.basis), (r.id, r.basis)
        assert NUMBER.search(r.basis), (r.id, r.basis)
        assert ARTICLE.search(r.basis), (r.id, r.basis)
        assert IN_FORCE_DATE.search(r.basis), (r.id, r.basis)
        assert r.effective_from is not None, r.id
        # the instrument cited is in force (its date in the text) by the day the rule applies from
        y, m, d = map(int, re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", r.basis).groups())
        assert dt.date(y, m, d) <= r.effective_from, r.id
        assert r.verified in (True, False), r.id


def test_seed_documents_are_never_a_legal_basis():
    """Local plans (the seeds, a city's 规划) give figures and context (local_source), never the basis."""
    for r in every_default_rule():
        for text in (r.basis.split("〔依据未经核对")[0], r.basis_en.split(" [citation not checked")[0]):
            assert not LOCAL_PLAN.search(text), (r.id, text)
    by_id = {r.id: r for r in every_default_rule()}
    assert "003_70c4bb9e90054668.txt" in by_id["reserve-core-well"].local_source
    assert "004_71df9ef4c03a5c50.txt" in by_id["facility-chp-heating"].local_source
    assert "004_71df9ef4c03a5c50.txt" in by_id["outfall-rectify"].local_source
    assert "54.72" not in by_id["shoreline-natural"].rule_zh  # a Panjin figure is no national rule text


def test_unchecked_citations_say_so_where_the_report_prints_the_basis():
    for r in every_default_rule():
        if r.verified is False:
            assert r.verification and r.verification_en, r.id
            assert r.basis.endswith(f"〔依据未经核对：{r.verification}〕"), r.id
            assert r.basis_en.endswith(f" [citation not checked: {r.verification_en}]"), r.id
        else:
            assert "未经核对" not in r.basis, r.id


def test_check_dates_before_and_after_2026_03_15_apply_different_texts():
    old, new = load_rules(at_date=BEFORE), load_rules(at_date=AFTER)
    core_old = old.match("reserve", "intersects", zone="核心区")
    core_new = new.match("reserve", "intersects", zone="核心区")
    assert core_old.id == "reserve-core-2017" and core_new.id == "reserve-core"
    # before: the 2017 text, Art. 18/27/32 on 核心区, named as superseded from 2026-03-15
    assert "2017年10月7日修订" in core_old.basis and "第二十七条" in core_old.basis
    assert "2026年3月15日起被国务院令第830号修订文本取代" in core_old.basis
    # after: the 2026 text, 核心区 read as 核心保护区 under Art. 26, the 2017 text named as superseded
    assert "国务院令第830号" in core_new.basis and "第二十六条（核心区对应核心保护区）" in core_new.basis
    assert "已被取代" in core_new.basis
    buffer_new = new.match("reserve", "intersects", zone="缓冲区")
    assert "第二十六条（缓冲区对应核心保护区）" in buffer_new.basis and buffer_new.verdict == "禁止"
    exp_new = new.match("reserve", "intersects", zone="实验区")
    assert "第二十七条（实验区对应一般控制区）" in exp_new.basis and exp_new.verdict == "限制"
    assert old.match("reserve", "intersects", zone="实验区").id == "reserve-experimental-2017"
    # the superseded rules are listed as such, and never both versions on one date
    assert "reserve-core-2017" in new.superseded and "reserve-core" in old.superseded
    for rs in (old, new):
        assert len({(r.kind, r.zone, r.relation, tuple(r.site_use)) for r in rs.rules}) == len(rs.rules)
    assert in_force(core_old, dt.date(2026, 3, 14)) and not in_force(core_old, dt.date(2026, 3, 15))


def test_jurisdiction_keeps_local_rules_to_their_area():
    rs = load_rules()
    local = {r.id for r in rs.rules if r.jurisdiction}
    assert {"outfall-rectify", "facility-chp-heating"} <= local  # Fuxin (2109) requirements
    panjin, left_out = rs.for_area({"211100"})
    assert local == {r.id for r in left_out}
    assert panjin.match("outfall", "within_buffer", distance_m=3000, site_use="outfall").id == "outfall-near"
    assert panjin.match("facility", "within_buffer", zone="热电联产", distance_m=3000, site_use="heating") is None
    fuxin, _ = rs.for_area({"210902"})  # a district of 阜新市
    assert fuxin.match("outfall", "within_buffer", distance_m=3000, site_use="outfall").id == "outfall-rectify"
    unknown, left_out = rs.for_area(None)
    assert local == {r.id for r in left_out}


def test_rule_texts_never_contradict_the_situation():
    """An overlap rule never says the site is outside the zone, a buffer rule never that it is inside."""
    for r in every_default_rule():
        if r.relation == "intersects":
            assert not re.search(r"(红线|保护区|控制区)外", r.rule_zh), (r.id, r.rule_zh)
            assert "outside the core" not in r.rule_en, r.id
        if r.relation == "within_buffer" and r.kind == "reserve":
            assert "保护区外" in r.rule_zh, r.id


@pytest.mark.parametrize("text, line, words", [
    ("rules:\n  - {id: a, kind: well, relation: intersects, verdict: 符合,\n     effective_from: 2026-13-01}\n", 3,
     "not a valid date"),
    ("rules:\n  - id: a\n    kind: well\n    relation: intersects\n    verdict: 符合\n    jurisdiction: [Fuxin]\n", 6,
     "jurisdiction"),
    ("rules:\n  - id: a\n    kind: well\n    relation: intersects\n    verdict: 符合\n    effective_from: 2026-03-15\n"
     "    effective_until: 2020-01-01\n", 7, "effective_until"),
])
def test_malformed_dates_and_jurisdictions_name_the_line(tmp_path, text, line, words):
    p = write(tmp_path, text)
    with pytest.raises(EcogisError) as exc:
        load_rules(p, kinds=layer_kinds())
    assert f"line {line}" in str(exc.value) and words in str(exc.value)
