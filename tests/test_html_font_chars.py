"""The characters of the HTML report's embedded font subset (ecogis.render.html_fonts.cjk_characters)."""
from ecogis.render.html_fonts import cjk_characters


def test_distinct_cjk_characters_sorted_by_code_point():
    # 生 U+751F, 态 U+6001, 红 U+7EA2, 线 U+7EBF; full-width 、U+3001 and ，U+FF0C; ASCII and Latin-1 left out
    text = "生态红线、生态, red line，é 线" * 1000
    assert cjk_characters(text) == "\u3001\u6001\u751f\u7ea2\u7ebf\uff0c"


def test_no_cjk_character_gives_an_empty_string():
    assert cjk_characters("ecogis report, 100 m² — ok") == ""
