"""A project's industry as a GB/T 4754-2017 code (《国民经济行业分类》) and its prefix match.

GB/T 4754-2017 codes are hierarchical: a section letter (门类, A..T), then 2 digits for the division
(大类), 3 for the group (中类) and 4 for the class (小类): ``C``, ``C26``, ``C261``, ``C2614``. A
requirement naming ``C26`` covers every code that starts with ``C26``. Each division number belongs
to exactly one section (01-05 are A, 13-43 are C ...), so ``D2614`` is refused.

Only the forms are checked here; ecogis ships no code table. :data:`NAMES` holds the few names the
sample data uses (source: GB/T 4754-2017, 国家统计局/国家标准化管理委员会, in force 2017-10-01, with
amendment No. 1 of 2019); any other valid code is accepted without a name unless one is given.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from ecogis.error_messages import error, phrase, placed
from ecogis.errors import EcogisError

#: The first and last division (大类) number of each section (门类) of GB/T 4754-2017.
SECTIONS: dict[str, tuple[int, int]] = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}

#: Names of the codes the sample data uses (GB/T 4754-2017); not a code table.
NAMES: dict[str, str] = {
    "B": "采矿业", "B07": "石油和天然气开采业", "B071": "石油开采", "B0711": "陆地石油开采",
    "C": "制造业", "C25": "石油、煤炭及其他燃料加工业", "C251": "精炼石油产品制造",
    "C2511": "原油加工及石油制品制造", "C26": "化学原料和化学制品制造业", "C261": "基础化学原料制造",
    "C2614": "有机化学原料制造",
    "D": "电力、热力、燃气及水生产和供应业", "D44": "电力、热力生产和供应业", "D441": "电力生产",
    "D4411": "火力发电",
}

FORM = ("a GB/T 4754-2017 code: a section letter A-T, optionally followed by 2, 3 or 4 digits of its "
        "division, group or class (C, C26, C261, C2614)")
_CODE = re.compile(r"^([A-Z])(\d{2}(?:\d{1,2})?)?$")


@dataclass(frozen=True)
class Industry:
    """The project's industry: a GB/T 4754-2017 code and its name (None when unknown)."""

    code: str
    name: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def normalise_code(value, *, what: str = "industry code") -> str:
    """``value`` as a canonical GB/T 4754-2017 code (upper case, no spaces); anything else is an
    EcogisError naming the allowed form."""
    text = re.sub(r"[\s.\-]", "", unicodedata.normalize("NFKC", str(value))).upper()
    match = _CODE.match(text)
    if match is None:
        raise error("sites.not_industry_code", what=what, value=value, hint="sites.industry_form")
    letter, digits = match.groups()
    if digits:
        first, last = SECTIONS[letter] if letter in SECTIONS else (0, -1)
        if not first <= int(digits[:2]) <= last:
            raise error("sites.division_not_in_section", what=what, value=value, division=digits[:2], letter=letter,
                        hint=phrase("sites.section_divisions", letter=letter, first=f"{first:02d}", last=f"{last:02d}")
                        if letter in SECTIONS else phrase("sites.sections"))
    elif letter not in SECTIONS:
        raise error("sites.no_section", what=what, value=value, letter=letter, hint="sites.sections")
    return text


def parse_industry(value, name: str | None = None) -> Industry:
    """An :class:`Industry` from ``"C2614"`` or ``"C2614:有机化学原料制造"`` (a name after ``:``);
    the name defaults to :data:`NAMES`."""
    text = str(value).replace("：", ":")
    code_text, _, given = text.partition(":")
    code = normalise_code(code_text)
    return Industry(code, (name or given.strip() or NAMES.get(code)) or None)


def parse_code_list(value, *, what: str = "industry code") -> tuple[str, ...]:
    """Codes listed in a cell (separated by commas, 、, ; or spaces), each checked; empty -> ()."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN: an empty cell
        return ()
    parts = re.split(r"[,，、;；\s]+", unicodedata.normalize("NFKC", str(value)).strip())
    return tuple(normalise_code(p, what=what) for p in parts if p)


def covers(listed: str, site: str) -> bool | None:
    """Does the listed code ``listed`` cover the site's code ``site``?

    True when ``site`` starts with ``listed`` (C26 covers C2614); False when the two differ within
    their common length (C26 and D4411); None when the site's code is broader than the listed one
    (a site given as C26 against a list naming C2614: it may or may not be that class)."""
    if site.startswith(listed):
        return True
    if listed.startswith(site):
        return None
    return False


#: Site attribute names that carry the industry code (first found wins).
SITE_FIELDS: tuple[str, ...] = ("industry", "行业代码", "国民经济行业代码", "行业类别代码", "HYDM", "HYLBDM")


#: Site attribute names (first found wins) of the other fields of a project description
#: (:mod:`ecogis.zoning.description`), carried beside the industry code.
SITE_COLUMNS: dict[str, tuple[str, ...]] = {
    "industry": SITE_FIELDS,
    "industry_name": ("industry_name", "行业名称", "国民经济行业名称", "行业类别名称", "HYMC"),
    "project_type": ("project_type", "项目类型", "工程类型", "XMLX"),
    "description": ("project_description", "项目描述", "项目概况", "建设内容", "XMMS"),
}


def carry_industry(source, target) -> None:
    """Copy the site attributes holding the industry code (:data:`SITE_FIELDS`) and the other fields of
    :data:`SITE_COLUMNS` of ``source`` into ``target`` under their canonical names (same rows, in
    order); nothing for a field the sites lack."""
    names = {str(c).strip().upper(): c for c in source.columns}
    for canonical, aliases in SITE_COLUMNS.items():
        column = next((names[a.upper()] for a in aliases if a.upper() in names), None)
        if column is not None:
            target[canonical] = list(source[column])


def site_industries(sites) -> dict[str, Industry]:
    """``{site id: Industry}`` from the ``industry`` attribute of the sites (empty cells skipped); a bad
    code is an EcogisError naming the site."""
    if "industry" not in sites:
        return {}
    out = {}
    for site_id, value in zip(sites["id"].astype(str), sites["industry"]):
        if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
            continue
        try:
            out[site_id] = parse_industry(value)
        except EcogisError as exc:
            raise placed(exc, feature=f"site {site_id}", field="industry") from None
    return out
