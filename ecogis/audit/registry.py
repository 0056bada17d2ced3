"""The registry of audit check types: one :class:`CheckType` per ``type:`` a spec may name.

A check module registers its function with :func:`check_type`; the spec validator
(:mod:`ecogis.audit.spec`) and the runner (:mod:`ecogis.audit.runner`) read :data:`CHECK_TYPES`, so a
new check type is one decorated function::

    @check_type("length_share", keys={"layer": "layer", "value": None, "min_pct": float},
                required=("layer", "value"), percent=("min_pct",))
    def length_share(ctx: CheckContext) -> CheckResult: ...

Key kinds (the values of ``keys``): ``float`` / ``int`` / ``dict`` / ``list`` / ``bool``, ``"layer"``
(a name from ``layers:`` or a file), ``"counts"`` ({zone: whole number}), or ``None`` (any text or
value, checked when the check runs).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: The keys every check takes besides its own.
COMMON_KEYS = {"id": None, "type": None, "title": None, "title_en": None, "unit": None, "method": None,
               "circular": None}  # circular: why the expectation is derived from the check's own result


@dataclass(frozen=True)
class CheckType:
    """One check type: the function that runs it and the keys it takes.

    ``keys``: {key: kind} (see the module docstring); ``required``: the keys it cannot do without;
    ``positive``: number keys that must be above 0 (denominators, distances; other numbers must be 0
    or more); ``percent``: number keys that are percentages (at most 100); ``validate``: an extra
    check of the keys, called with the context when the spec is loaded (before any data is read).
    """

    name: str
    run: Callable
    keys: dict
    required: tuple = ()
    positive: frozenset = frozenset()
    percent: frozenset = frozenset()
    validate: Callable | None = None

    @property
    def all_keys(self) -> dict:
        """The common keys and this type's own."""
        return {**COMMON_KEYS, **self.keys}


#: type name -> :class:`CheckType`, in the order the types were registered.
CHECK_TYPES: dict[str, CheckType] = {}


def check_type(name: str, *, keys: dict, required=(), positive=(), percent=(), validate=None):
    """Decorator registering a check function as check type ``name`` (see :class:`CheckType`)."""
    unknown = (set(required) | set(positive) | set(percent)) - set(keys)
    if unknown:
        raise ValueError(f"check type {name!r}: {', '.join(sorted(unknown))} not among its keys")

    def register(run: Callable) -> Callable:
        if name in CHECK_TYPES:
            raise ValueError(f"check type {name!r} is registered twice")
        CHECK_TYPES[name] = CheckType(name, run, dict(keys), tuple(required), frozenset(positive),
                                      frozenset(percent), validate)
        return run

    return register
