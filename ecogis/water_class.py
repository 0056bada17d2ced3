"""Water-quality classes (GB 3838-2002 地表水环境质量标准 Ⅰ-Ⅴ, 劣Ⅴ): the one spelling of a class, its rank,
and whether a measured class meets a target class."""
from __future__ import annotations

import re

from ecogis.error_messages import error
from ecogis.vocabularies import _clean_text, _is_missing, _vocabulary_error

__all__ = ["WATER_CLASSES", "normalise_water_class", "class_rank", "meets_target"]

#: Surface water quality classes of GB 3838-2002, best first.
WATER_CLASSES: tuple[str, ...] = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ")


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5,
              "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}


def normalise_water_class(value) -> str | None:
    """Return the GB 3838-2002 class ``"Ⅰ"`` .. ``"Ⅴ"`` or ``"劣Ⅴ"`` for any common spelling.

    Accepts ``Ⅳ``, ``IV``, ``iv``, ``4``, ``4.0``, ``四``, ``四类``, ``Ⅳ类``, ``IV类水``, ``Class IV``,
    ``劣V``, ``劣Ⅴ类``, ``劣五类``, ``劣5``. Missing values (None, NaN, empty) return None.
    Anything else raises :class:`EcogisError` listing the allowed classes.
    """
    if _is_missing(value):
        return None
    text = _clean_text(value)
    worse = False
    if text.startswith("劣"):
        worse, text = True, text[1:]
    elif text.startswith("WORSETHAN"):
        worse, text = True, text[len("WORSETHAN"):]
    text = re.sub(r"\.0+$", "", text)
    text = re.sub(r"^(CLASS|GRADE|第)", "", text)
    text = re.sub(r"(类水质|类水|类|水质|CLASS)$", "", text)
    number = _CN_DIGITS.get(text)
    if number is None or (worse and number != 5):
        raise _vocabulary_error("water-quality class", value, WATER_CLASSES, "IV, 4, 四类, Ⅳ类, 劣V, 劣五类")
    return "劣Ⅴ" if worse else WATER_CLASSES[number - 1]


def class_rank(value) -> int:
    """Rank of a water-quality class: 1 for Ⅰ (best) .. 6 for 劣Ⅴ (worst). Any spelling is accepted."""
    cls = normalise_water_class(value)
    if cls is None:
        raise error("layers.no_water_class", hint="layers.water_class_needed")
    return WATER_CLASSES.index(cls) + 1


def meets_target(measured, target) -> bool | None:
    """True when the measured class is at or better than the target class; None if either is missing."""
    if _is_missing(measured) or _is_missing(target):
        return None
    return class_rank(measured) <= class_rank(target)
