"""The one YAML loader for every YAML file ecogis reads (projects, rules, audit specs, styles, legends).

- The text is decoded as other text files are: a byte-order mark selects UTF-8, UTF-16 or UTF-32;
  otherwise strict UTF-8, else GB18030 (GBK) with a warning.
- Anchors and aliases (``&name`` / ``*name``) are refused: a few lines of them expand to gigabytes
  ("billion laughs") or refer to themselves.
- A key given twice in one mapping is an error (YAML would silently keep the last one).
- The result is plain data: dicts, lists and scalars (:func:`load_yaml_lines`: dicts and lists that
  remember the line of each key and item, for error messages).

Every problem is an :class:`~ecogis.errors.EcogisError` naming the file and the line.
"""
from __future__ import annotations

import codecs
from pathlib import Path

from ecogis.error_messages import error
from ecogis.layer_cache import cached
from ecogis.yaml_types import SAVE_AS_UTF8, LineDict, LineList, line_of  # noqa: F401 (public here)

#: byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))


def load_yaml(path):
    """The data of a YAML file as plain dicts, lists and scalars (None for an empty file)."""
    path = Path(path)
    return parse_yaml(decode_text(_read_bytes(path), path), path)


def load_yaml_lines(path):
    """Like :func:`load_yaml`, with :class:`LineDict` / :class:`LineList` that remember line numbers.
    Kept in the layer cache by the file's bytes (:func:`ecogis.layer_cache.cached`; its warnings
    replayed), so that a check of a project read before parses no YAML."""
    path = Path(path)
    return cached("yaml-lines", {}, [path], lambda: parse_yaml(decode_text(_read_bytes(path), path), path, lines=True))


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise error("file.not_found", path=path, hint="file.check_path")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise error("file.unreadable", path=path, reason=exc.strerror or exc) from exc


def decode_text(data: bytes, path) -> str:
    """Text of a file: by its byte-order mark, else strict UTF-8, else GB18030 (with a warning)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise error("text.bad_bom", path=path, name=name, byte=exc.start, hint=SAVE_AS_UTF8) from None
    if b"\x00" in data:
        raise error("text.nul_bytes", path=path, hint=SAVE_AS_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise error("text.not_utf8_gb18030", path=path, byte=exc.start, hint=SAVE_AS_UTF8) from None
    from ecogis.messages import say

    say("exchange_gbk", path=path)
    return text


def parse_yaml(text: str, path, *, lines: bool = False):
    """Parse YAML ``text`` (from file ``path``, named in errors); see the module docstring.

    libyaml's scanner and parser are used when PyYAML has them (the same events, ten times faster);
    on any problem the text is parsed again by PyYAML's own, so that every error is the one it gives
    (:mod:`ecogis.yaml_parse`, imported only when a text is parsed)."""
    from ecogis.yaml_parse import parse

    return parse(text, path, lines)
