"""Map styles per layer kind, loaded from YAML.

The defaults live in ``ecogis/render/styles.yaml`` (package data; ``maps/styles.yaml`` in the
repository links to it). A user file passed as ``styles=`` / ``--styles`` is merged over the
defaults key by key, so it only needs the entries it changes.
"""
from __future__ import annotations

import copy
import functools
from importlib import resources
from pathlib import Path

import yaml

from ecogis.errors import EcogisError

DEFAULT_STYLES_NAME = "styles.yaml"


@functools.lru_cache(maxsize=1)
def _default_styles() -> dict:
    text = resources.files("ecogis.render").joinpath(DEFAULT_STYLES_NAME).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_styles(styles=None) -> dict:
    """Return the style dictionary: the packaged defaults merged with ``styles``.

    ``styles`` may be None (defaults), a path to a YAML file, or a dict (already parsed).
    Raises EcogisError for a missing file, bad YAML or an unknown top-level key.
    """
    base = copy.deepcopy(_default_styles())
    if styles is None:
        return base
    if isinstance(styles, dict):
        override = styles
    else:
        override = _read_yaml(Path(styles))
    unknown = set(override) - set(base)
    if unknown:
        raise EcogisError(
            f"unknown style section(s) {sorted(unknown)}; expected some of {sorted(base)}",
            path=None if isinstance(styles, dict) else styles,
            hint="See ecogis/render/styles.yaml (maps/styles.yaml) for the layout",
        )
    return deep_merge(base, override)


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise EcogisError("style file not found", path=path, hint="Check the --styles path")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EcogisError(f"not valid YAML ({exc})", path=path) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise EcogisError("a style file must be a YAML mapping", path=path)
    return data


def deep_merge(base: dict, override: dict) -> dict:
    """Merge ``override`` into ``base`` recursively (dicts merge, other values replace)."""
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def kind_style(styles: dict, kind: str | None) -> dict:
    """The style entry for ``kind`` (the ``default`` entry for unknown or missing kinds)."""
    kinds = styles["kinds"]
    return kinds.get(kind or "default", kinds["default"])


def text(styles: dict, key: str, lang: str = "zh") -> str:
    """A fixed map word (legend title, north, units) in ``lang``."""
    entry = styles["text"].get(key)
    return key if entry is None else entry.get(lang, entry.get("zh", key))


def label(entry: dict, lang: str = "zh", fallback: str = "") -> str:
    """The ``zh``/``en`` label of a style entry (or of its ``label`` sub-entry)."""
    lab = entry.get("label", entry)
    if isinstance(lab, dict):
        return str(lab.get(lang) or lab.get("zh") or fallback)
    return str(lab or fallback)


def field_label(styles: dict, field: str, lang: str = "zh") -> str:
    """The display label of an attribute field (canonical fields have Chinese labels)."""
    entry = styles["fields"].get(field)
    return field if entry is None else entry.get(lang, entry.get("zh", field))


def water_class_entry(styles: dict, value) -> tuple[str, dict]:
    """(canonical class, style entry) for a water-quality class value; unknown values map to 'unknown'."""
    classes = styles["water_classes"]
    key = _normalise_water_class(value)
    if key in classes:
        return key, classes[key]
    return "unknown", classes["unknown"]


def _normalise_water_class(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    try:
        from ecogis.layers import normalise_water_class
    except ImportError:  # the layers module may not be available in a partial install
        return str(value).strip()
    try:
        return normalise_water_class(value)
    except (ValueError, KeyError):
        return None


def value_entry(style: dict, value) -> tuple[str, dict]:
    """(key, entry) for a categorical value of a ``by`` style; unknown values map to ``other``."""
    values = style.get("values", {})
    key = None if value is None else str(value).strip()
    if key in values:
        return key, values[key]
    return "other", style.get("other", {})
