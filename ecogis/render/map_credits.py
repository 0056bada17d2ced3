"""The 审图号 (map review number) and data source printed on every map, static and interactive, in the
map's language; a map without them says so (and which option or project key gives them)."""
from __future__ import annotations

import html
from typing import Any

CREDITS = {
    "zh": {"review": "审图号：{review_no}", "no_review": "审图号：未注明（用 --review-no 或项目文件 review_no 指定）",
           "source": "数据来源：{source}", "no_source": "数据来源：未注明（用 --source 或项目文件 source 指定）",
           "sep": "；"},
    "en": {"review": "map review no. {review_no}",
           "no_review": "map review no.: not given (--review-no or the project file's review_no)",
           "source": "data: {source}", "no_source": "data source: not given (--source or the project file's source)",
           "sep": "; "},
}


def credit_parts(lang: str, review_no: str | None = None, source: str | None = None) -> list[str]:
    """["审图号：...", "数据来源：..."] in ``lang``."""
    w = CREDITS.get(lang, CREDITS["zh"])
    return [w["review"].format(review_no=review_no) if review_no else w["no_review"],
            w["source"].format(source=source) if source else w["no_source"]]


def credits_html(lang: str, review_no: str | None = None, source: str | None = None) -> str:
    """A fixed box at the bottom left of an HTML map with the review number and the data source."""
    text = html.escape(CREDITS.get(lang, CREDITS["zh"])["sep"].join(credit_parts(lang, review_no, source)))
    return ('<div id="ecogis-credits" style="position:fixed;left:8px;bottom:8px;z-index:1000;'
            'background:rgba(255,255,255,.85);padding:2px 6px;font-size:11px;color:#222">' + text + "</div>")


def add_credits(m, lang: str, review_no: str | None = None, source: str | None = None) -> None:
    """Put :func:`credits_html` on the folium map ``m``."""
    from ecogis.render.folium_offline import RawHTML  # the text as it is (never parsed as a template)

    root: Any = m.get_root()
    root.html.add_child(RawHTML(credits_html(lang, review_no, source)), name="ecogis_credits")
