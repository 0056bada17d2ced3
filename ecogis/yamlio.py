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

from ecogis.errors import EcogisError

SAVE_AS_UTF8 = "Save the file as UTF-8"

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
        raise EcogisError("file not found", path=path, hint="Check the path and its spelling")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise EcogisError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc


def decode_text(data: bytes, path) -> str:
    """Text of a file: by its byte-order mark, else strict UTF-8, else GB18030 (with a warning)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise EcogisError(f"the text starts with a {name} byte-order mark but is not valid {name} "
                                  f"(byte {exc.start})", path=path, hint=SAVE_AS_UTF8) from None
    if b"\x00" in data:
        raise EcogisError("the text holds NUL bytes: UTF-16 without a byte-order mark, or not a text file",
                          path=path, hint=SAVE_AS_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise EcogisError(f"the text is neither UTF-8 nor GB18030 (GBK) (byte {exc.start})", path=path,
                          hint=SAVE_AS_UTF8) from None
    from ecogis.messages import say

    say("exchange_gbk", path=path)
    return text


def parse_yaml(text: str, path, *, lines: bool = False):
    """Parse YAML ``text`` (from file ``path``, named in errors); see the module docstring."""
    loader = _Loader(text)
    loader.ecogis_path = path
    try:
        node = loader.get_single_node()
        return None if node is None else _construct(node, loader, path, lines)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, path, text) from None
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1
        raise EcogisError(f"line {line}: character {exc.character!r} is not allowed in YAML", path=path,
                          hint=SAVE_AS_UTF8) from None
    except RecursionError:
        raise EcogisError("YAML nested too deeply", path=path, hint="Flatten the structure") from None
    finally:
        loader.dispose()


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases as soon as it meets one."""

    ecogis_path = None

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            sign = "*" if isinstance(event, yaml.AliasEvent) else "&"
            raise EcogisError(f"line {event.start_mark.line + 1}: YAML anchors and aliases ({sign}{event.anchor}) "
                              "are not allowed", path=self.ecogis_path, hint="Write the values out in full")
        return super().compose_node(parent, index)


def _syntax_error(exc: yaml.MarkedYAMLError, path, text: str) -> EcogisError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem = " ".join(str(exc.problem or exc).split())
    if exc.context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
        problem += f" ({exc.context} started on line {exc.context_mark.line + 1})"
    hint = "Fix the indentation or quoting there"
    if isinstance(exc, yaml.constructor.ConstructorError):
        hint = "Remove the tag (!!...): ecogis reads plain YAML values only"
    elif line and "\t" in (text.splitlines()[line - 1:line] or [""])[0]:
        hint = "Indent with spaces, not tabs"
    at = f"line {line}: " if line else ""
    return EcogisError(f"{at}YAML syntax error: {problem}", path=path, hint=hint)


def _construct(node, loader, path, lines: bool):
    """Plain data of a composed node; a key given twice in a mapping is an error naming both lines."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise EcogisError(f"line {node.start_mark.line + 1}: YAML tag {node.tag!r} is not allowed", path=path,
                          hint="Remove the tag (!!...): ecogis reads plain YAML values only")
    if isinstance(node, yaml.MappingNode):
        out: Any = LineDict() if lines else {}
        first: dict = {}
        for knode, vnode in node.value:
            key = _construct(knode, loader, path, lines)
            line = knode.start_mark.line + 1
            if isinstance(key, (dict, list)):
                raise EcogisError(f"line {line}: a key must be a name or a number, not a mapping or a list", path=path)
            if key in first:
                raise EcogisError(f"line {line}: key {key!r} is given twice (first on line {first[key]})", path=path,
                                  hint="Keep one of them: YAML would silently use the last")
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
        raise EcogisError(f"line {node.start_mark.line + 1}: {node.value!r} is not a valid date ({exc})", path=path,
                          hint="Write dates as YYYY-MM-DD, or quote the value") from None
