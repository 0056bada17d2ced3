"""The chapter 生态环境分区管控符合性分析 of the HTML check report (every text escaped). Called by
:func:`ecogis.render.check_html.check_html`."""
from __future__ import annotations

import html

from ecogis.render import zoning_text as Z


def zoning_html(result, lang: str = "zh") -> str:
    """The chapter as an HTML fragment (``<section id="zoning">``); empty when the check has no zoning."""
    zoning = getattr(result, "zoning", None)
    if zoning is None:
        return ""
    e = html.escape
    parts = [f"<section id=\"zoning\"><h2>{e(Z.label('chapter', lang))}</h2>",
             *(f"<p>{e(line)}</p>" for line in Z.description_lines(zoning, lang))]
    titles = Z.layer_titles(result, lang)
    for key, build in (("summary", lambda z, lg: Z.summary_table(z, lg, titles)), ("units", Z.units_table),
                       ("requirements", Z.requirements_table)):
        head, rows = build(zoning, lang)
        parts.append(f"<h3>{e(Z.label(key, lang))}</h3>")
        if not rows:
            parts.append(f"<p>{e(Z.label('no_units' if not zoning.unit_layers else 'no_requirements', lang))}</p>")
            continue
        body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in Z.text_rows(head, rows, key))
        parts.append(f"<div class=\"scroll\"><table id=\"zoning-{key}\"><thead><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in head) + f"</tr></thead><tbody>{body}</tbody></table></div>")
    parts.append("<ul class=\"small\">" + "".join(f"<li>{e(n)}</li>" for n in Z.notes(zoning, lang)) + "</ul>")
    return "".join(parts) + "</section>"
