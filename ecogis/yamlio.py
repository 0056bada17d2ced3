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
from typing import Any

import yaml

from ecogis.error_messages import error
from ecogis.errors import EcogisError

SAVE_AS_UTF8 = "text.save_as_utf8"  # the key of the hint "Save the file as UTF-8"

#: byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class LineDict(dict):
    """A dict from YAML that remembers the 1-based line of each key (``.lines``) and of itself (``.line``)."""

    line: int = 0
    lines: dict


class LineList(list):
    """A list from YAML that remembers the 1-based line of each item (``.lines``) and of itself."""

    line: int = 0
    lines: list


def line_of(obj, key=None) -> int | None:
    """Line of ``obj[key]`` (or of ``obj``) when ``obj`` came from :func:`load_yaml_lines`."""
    if key is not None and isinstance(getattr(obj, "lines", None), dict):
        return obj.lines.get(key, getattr(obj, "line", None))
    return getattr(obj, "line", None)


def load_yaml(path):
    """The data of a YAML file as plain dicts, lists and scalars (None for an empty file)."""
    path = Path(path)
    return parse_yaml(decode_text(_read_bytes(path), path), path)


def load_yaml_lines(path):
    """Like :func:`load_yaml`, with :class:`LineDict` / :class:`LineList` that remember line numbers."""
    path = Path(path)
    return parse_yaml(decode_text(_read_bytes(path), path), path, lines=True)


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
    on any problem the text is parsed again by PyYAML's own, so that every error is the one it gives."""
    if _FastLoader is not None:
        try:
            return _parse(_FastLoader, text, path, lines)
        except Exception:  # reported below, as the pure-Python parser reports it
            pass
    return _parse(_Loader, text, path, lines)


def _parse(loader_type, text: str, path, lines: bool):
    loader = None
    try:
        loader = loader_type(text)  # PyYAML's reader checks the characters here
        loader.ecogis_path = path
        node = loader.get_single_node()
        return None if node is None else _construct(node, loader, path, lines)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, path, text) from None
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1
        raise error("yaml.bad_character", path=path, line=line, character=repr(exc.character),
                    hint=SAVE_AS_UTF8) from None
    except RecursionError:
        raise error("yaml.too_deep", path=path, hint="yaml.flatten") from None
    finally:
        if loader is not None:
            loader.dispose()


class _NoAnchors:
    """Refuses anchors and aliases as soon as the composer meets one."""

    ecogis_path = None

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise error("yaml.anchor", path=self.ecogis_path, line=event.start_mark.line + 1,
                        anchor=f"{sign}{event.anchor}", hint="yaml.write_out")
        return super().compose_node(parent, index)


class _Loader(_NoAnchors, yaml.SafeLoader):
    """PyYAML's SafeLoader, refusing anchors and aliases."""


def _fast_loader() -> type | None:
    """A loader on libyaml's events, composed in Python (so that anchors are refused) and read as
    SafeLoader reads them; None when PyYAML was built without libyaml."""
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None

    class FastLoader(_NoAnchors, CParser, yaml.composer.Composer, yaml.constructor.SafeConstructor,
                     yaml.resolver.Resolver):
        get_single_node = yaml.composer.Composer.get_single_node

        def __init__(self, stream):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    return FastLoader


_FastLoader = _fast_loader()


def _syntax_error(exc: yaml.MarkedYAMLError, path, text: str) -> EcogisError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem = " ".join(str(exc.problem or exc).split())
    if exc.context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
        problem += f" ({exc.context} started on line {exc.context_mark.line + 1})"
    hint = "yaml.fix_indentation"
    if isinstance(exc, yaml.constructor.ConstructorError):
        hint = "yaml.remove_tag"
    elif line and "\t" in (text.splitlines()[line - 1:line] or [""])[0]:
        hint = "yaml.no_tabs"
    if line:
        return error("yaml.syntax_line", path=path, line=line, problem=problem, hint=hint)
    return error("yaml.syntax", path=path, problem=problem, hint=hint)


def _construct(node, loader, path, lines: bool):
    """Plain data of a composed node; a key given twice in a mapping is an error naming both lines."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise error("yaml.tag", path=path, line=node.start_mark.line + 1, tag=repr(node.tag), hint="yaml.remove_tag")
    if isinstance(node, yaml.MappingNode):
        out: Any = LineDict() if lines else {}
        first: dict = {}
        for knode, vnode in node.value:
            key = _construct(knode, loader, path, lines)
            line = knode.start_mark.line + 1
            if isinstance(key, (dict, list)):
                raise error("yaml.key_type", path=path, line=line)
            if key in first:
                raise error("yaml.duplicate_key", path=path, line=line, key=repr(key), first=first[key],
                            hint="yaml.keep_one")
            first[key] = line
            out[key] = _construct(vnode, loader, path, lines)
        if lines:
            out.line, out.lines = node.start_mark.line + 1, first
        return out
    if isinstance(node, yaml.SequenceNode):
        items = [_construct(v, loader, path, lines) for v in node.value]
        if not lines:
            return items
        out = LineList(items)
        out.line, out.lines = node.start_mark.line + 1, [v.start_mark.line + 1 for v in node.value]
        return out
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # a value YAML reads as a date or time but is none (2026-13-01)
        raise error("inputs.bad_yaml_date", line=node.start_mark.line + 1, value=node.value, reason=str(exc), path=path,
                    hint="inputs.date_or_quote") from None
