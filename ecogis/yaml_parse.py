"""Parsing YAML text with PyYAML for :mod:`ecogis.yamlio` (imported only when a text is parsed): libyaml's
events when PyYAML has them, else PyYAML's own parser; anchors, aliases, tags and keys given twice are
refused with errors naming the file and the line."""
from __future__ import annotations

from typing import Any

import yaml

from ecogis.error_messages import error
from ecogis.errors import EcogisError
from ecogis.yaml_types import SAVE_AS_UTF8, LineDict, LineList

_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def parse(text: str, path, lines: bool):
    """:func:`ecogis.yamlio.parse_yaml`: by libyaml when it can, else (and for every error) by PyYAML."""
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
