"""Fonts of the HTML reports: a CJK font stack for Windows, macOS and Linux, and, last in the stack, a
subset of Noto Sans CJK SC (shipped by the mplfonts dependency) embedded in the page with only the
characters it uses, so that a machine with no CJK font shows text, not boxes (tofu)."""
from __future__ import annotations

import base64
import importlib.util
import io
from functools import lru_cache
from pathlib import Path

EMBEDDED_FAMILY = "ecogis CJK subset"
#: installed fonts first: Linux (Noto / Source Han / WenQuanYi), macOS (PingFang, Hiragino, Heiti),
#: Windows (Microsoft YaHei, DengXian, SimHei, SimSun); the embedded subset last
FONT_STACK = ('"Noto Sans CJK SC","Source Han Sans SC","Source Han Sans CN","WenQuanYi Micro Hei",'
              '"WenQuanYi Zen Hei","PingFang SC","Hiragino Sans GB","Heiti SC","Microsoft YaHei",'
              f'"DengXian","SimHei","SimSun","{EMBEDDED_FAMILY}",sans-serif')


def cjk_characters(text: str) -> str:
    """The distinct CJK characters and full-width punctuation of ``text``, sorted (the distinct characters
    first, in C: a page of 1 MB has a few hundred)."""
    return "".join(sorted(ch for ch in set(text) if ord(ch) >= 0x2E80))


def embedded_font_css(text: str) -> str:
    """An ``@font-face`` rule embedding the subset of Noto Sans CJK SC for the CJK characters of
    ``text`` (OpenType/CFF, base64); empty when ``text`` has none or the font is not available."""
    chars = cjk_characters(text)
    data = _subset(chars) if chars else None
    if not data:
        return ""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'@font-face{{font-family:"{EMBEDDED_FAMILY}";src:url(data:font/otf;base64,{b64}) format("opentype");'
            "font-display:swap}")


def _font_path() -> Path | None:
    """The font file in the mplfonts package, found without importing it (its ``__init__`` imports matplotlib)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "NotoSansCJKsc-Regular.otf"
    return path if path.is_file() else None


@lru_cache(maxsize=8)
def _subset(chars: str) -> bytes | None:
    """:func:`_make_subset`, kept in :mod:`ecogis.layer_cache` by the font file's bytes and ``chars``."""
    from ecogis.layer_cache import cached

    path = _font_path()
    if path is None:
        return None
    return cached("font_subset", {"chars": chars, "fonttools": _fonttools_version()}, [path],
                  lambda: _make_subset(path, chars))


def _fonttools_version() -> str:
    """fontTools' version (its package attribute: 1 ms to import, where the package metadata takes 7 ms)."""
    import fontTools

    return str(fontTools.version)


def _make_subset(path: Path, chars: str) -> bytes:
    """The font at ``path`` with only ``chars`` (no hinting, no layout features), as bytes.

    The bounding boxes in its ``head`` and ``hhea`` tables stay those of the whole font (they still
    enclose every glyph kept): recomputing them from the kept outlines took about as long as the subsetting."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features, options.hinting, options.notdef_outline = [], False, True
    font = TTFont(str(path), lazy=True, recalcBBoxes=False, recalcTimestamp=False)  # the same bytes each run
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()
