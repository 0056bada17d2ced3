"""Decoding the text files ecogis reads (CSV point tables, coordinate exchange texts).

Order: a byte-order mark (UTF-8, UTF-16 or UTF-32) decides; UTF-16 without a mark is recognised by the NUL
byte in every other byte of its ASCII characters (digits, commas, line ends: reported); then strict
UTF-8; then GB18030 (a superset of GBK). A NUL or other control character left in the decoded text is an
error: it means a damaged or binary file, and it breaks writers downstream (XML allows none of them).
"""
from __future__ import annotations

import codecs
import re

from ecogis.error_messages import error
from ecogis.io.dbf import DETECT_ORDER
from ecogis.messages import register, say

REPLACEMENT = "\ufffd"  # what a decoder writes for bytes it could not decode

register({
    "text.replacement": ("{path}: {count} U+FFFD replacement character(s) (�) in field(s) {fields}: the text was "
                         "damaged before ecogis read it (an earlier program could not decode it and replaced the "
                         "characters), so those names are lost; get the file again from its source",
                         "{path}：字段 {fields} 中有 {count} 个 U+FFFD 替换字符（�）：文本在 ecogis 读取前已损坏"
                         "（之前的程序无法解码而替换了字符），这些名称已丢失；请从来源重新获取文件"),
})

#: byte-order marks, longest first (the UTF-32 LE mark starts like the UTF-16 LE one): (mark, codec, label)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8-sig", "UTF-8-SIG"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # C0 controls other than tab and line ends
# share of NUL bytes at odd (LE) or even (BE) positions from which bytes without a mark are UTF-16
_UTF16_NUL_SHARE = 0.25


def decode_text(data: bytes, path, notes) -> tuple[str, str, str]:
    """Decode ``data`` (the bytes of ``path``): return ``(text, encoding label, source)``.

    ``source`` is ``bom`` when a byte-order mark decided, else ``detected``. The label is one of
    UTF-8-SIG, UTF-16, UTF-32, UTF-16LE, UTF-16BE, UTF-8 or GB18030; callers report a GB18030 guess their own way.
    """
    for mark, codec, label in _BOMS:
        if data.startswith(mark):
            return _strict(data, codec, label, path), label, "bom"
    utf16 = _utf16_without_bom(data)
    if utf16:
        codec = utf16
        label = codec.upper().replace("-16-", "-16")  # UTF-16LE, UTF-16BE
        text = _strict(data, codec, label, path)
        say("text_utf16_no_bom", notes, path=path, label=label)
        return text, label, "detected"
    for enc in DETECT_ORDER:
        try:
            return data.decode(enc), enc, "detected"
        except UnicodeDecodeError:
            continue
    raise error("text.no_encoding_fits", path=path, hint="text.save_or_pass_encoding")


def check_control_characters(text: str, path) -> str:
    """``text`` without a trailing DOS end-of-file mark (Ctrl-Z); raise EcogisError naming the line of the
    first other control character (NUL and the like, not tab or line ends): a damaged or binary file."""
    text = text.rstrip("\x1a")
    found = _CONTROL.search(text)
    if found:
        line = len((text[:found.start()] + ".").splitlines())
        code = ord(found.group())
        raise error("text.control_character", path=path, line=line, code=f"U+{code:04X}{', NUL' if code == 0 else ''}",
                    hint="text.remove_character")
    return text


def note_replacement_characters(gdf, path, notes) -> int:
    """Warn, with the count per field, when text columns of ``gdf`` hold U+FFFD replacement characters: text
    that decodes but was damaged at its source. Returns the number found."""
    counts = {}
    for column in gdf.columns:
        if column == gdf.geometry.name or gdf[column].dtype.kind not in "OSU":
            continue
        found = sum(value.count(REPLACEMENT) for value in gdf[column] if isinstance(value, str))
        if found:
            counts[str(column)] = found
    if counts:
        say("text.replacement", notes, path=path, count=sum(counts.values()),
            fields=", ".join(f"{name} ({n})" for name, n in counts.items()))
    return sum(counts.values())


def _strict(data: bytes, codec: str, label: str, path) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise error("text.not_valid_as", path=path, label=label, reason=exc.reason, byte=exc.start,
                    hint="text.save_again") from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when NUL bytes fill one byte position of the first 4 KiB, else None."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= _UTF16_NUL_SHARE * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= _UTF16_NUL_SHARE * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode_survey_text(data: bytes, path, encoding, notes, *, hint: str = "exchange.leave_out_encoding"):
    """``(text, encoding label, source)`` of a surveying text file (exchange text, CASS/coordinate list):
    ``encoding`` when given ("user"), else :func:`decode_text` with a note when GB18030 was taken; a BOM-marked
    UTF-8 is reported as UTF-8; control characters are an error. ``hint`` is the key of the hint shown when
    the given encoding does not fit."""
    if encoding:
        try:
            text, used, source = data.decode(encoding), encoding, "user"
        except (UnicodeDecodeError, LookupError) as exc:
            raise error("exchange.cannot_decode", encoding=encoding, reason=str(exc), path=path, hint=hint) from exc
    else:
        text, used, source = decode_text(data, path, notes)
        if used == "GB18030":
            say("exchange_gbk", notes, path=path)
    return check_control_characters(text, path), used.replace("UTF-8-SIG", "UTF-8"), source
