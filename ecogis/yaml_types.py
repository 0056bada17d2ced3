"""What YAML files read with line numbers are made of (:func:`ecogis.yamlio.load_yaml_lines`): dicts and
lists that remember the line of each key and item, for error messages."""
from __future__ import annotations

SAVE_AS_UTF8 = "text.save_as_utf8"  # the key of the hint "Save the file as UTF-8"


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
