"""Loading an audit spec: the YAML (read by :func:`ecogis.yamlio.load_yaml_lines`, as project and rules
files are) and the keys of every check, validated before any data is read. Errors name the line."""
from __future__ import annotations

from pathlib import Path

from ecogis.area import Text
from ecogis.audit.builtin import CHECK_TYPES
from ecogis.audit.common import area_method, area_unit, count_map
from ecogis.audit.context import AuditSpec, CheckContext
from ecogis.errors import EcogisError
from ecogis.yamlio import LineList, line_of, load_yaml_lines


def load_spec(path) -> AuditSpec:
    """Read and validate the structure of an audit YAML file (EcogisError naming the check and key)."""
    path = Path(path)
    data = load_yaml_lines(path)
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list) or not data["checks"]:
        raise EcogisError(f"{_at(data, 'checks')}an audit spec is a mapping with a non-empty list 'checks'",
                          path=path, field="checks", hint="See scripts/panjin_audit.yaml for an example")
    layers = _layers(data, path)
    _check_ids(data["checks"], path)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise EcogisError(f"{_at(data, 'defaults')}'defaults' must map keys to values, e.g. "
                          "{unit: km2, method: ellipsoid}", path=path, field="defaults")
    title = str(data.get("title") or path.stem)
    spec = AuditSpec(path=path, title=Text(title, str(data.get("title_en") or title)), defaults=defaults,
                     layers=layers, checks=data["checks"])
    for check in spec.checks:
        _validate_keys(CheckContext(spec, check, {}))
    return spec


def _at(obj, key=None) -> str:
    """"line N: " for a key (or a mapping) read from the spec, else ""."""
    line = line_of(obj, key)
    return f"line {line}: " if line else ""


def _layers(data: dict, path: Path) -> dict:
    """The spec's ``layers:`` as {name: {path: ..., ...}} (a plain file name stands for {path: name})."""
    layers = data.get("layers") or {}
    if not isinstance(layers, dict):
        raise EcogisError(f"{_at(data, 'layers')}'layers' must map names to {{path: ..., kind: ...}}", path=path,
                          field="layers")
    for name, spec in layers.items():
        if isinstance(spec, str):
            layers[name] = {"path": spec}
        elif not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise EcogisError(f"{_at(layers, name)}layer {name!r} needs a 'path' (a file name)", path=path,
                              field=f"layers.{name}.path")
    return layers


def _check_ids(checks: LineList, path: Path) -> None:
    """Every check is a mapping of a known type with a unique id (``check_N`` when it has none)."""
    seen: dict = {}
    for i, check in enumerate(checks):
        if not isinstance(check, dict):
            raise EcogisError(f"line {checks.lines[i]}: check #{i + 1} is not a mapping", path=path, field="checks")
        check.setdefault("id", f"check_{i + 1}")
        ctype = check.get("type")
        if not isinstance(check["id"], (str, int)):
            raise EcogisError(f"{_at(check, 'id')}check #{i + 1}: 'id' must be a name, got {check['id']!r}",
                              path=path, field="id")
        if not isinstance(ctype, str) or ctype not in CHECK_TYPES:
            raise EcogisError(f"{_at(check, 'type')}check {check['id']!r}: unknown type {ctype!r}; "
                              f"known: {', '.join(CHECK_TYPES)}", path=path, field="type")
        if check["id"] in seen:
            raise EcogisError(f"{_at(check, 'id')}check id {check['id']!r} is used twice (first on line "
                              f"{seen[check['id']]})", path=path, field="id")
        seen[check["id"]] = line_of(check, "id")


def _validate_keys(ctx: CheckContext) -> None:
    """Check a check's keys before any data is read: known keys, numbers, units, methods, layer names."""
    ctype = CHECK_TYPES[ctx.type]
    known = ctype.all_keys
    for key in ctx.check:
        if key not in known:
            raise ctx.error(key, f"unknown key {key!r}; {ctx.type} takes {', '.join(k for k in known if k != 'id')}")
    for key in ctype.required:
        ctx.get(key, required=True)
    area_unit(ctx)
    area_method(ctx)
    for key, kind in ctype.keys.items():
        if key not in ctx.check:
            continue
        if kind in (float, int, dict, list):
            ctx.get(key, kind=kind)
        elif kind is bool and not isinstance(ctx.check[key], bool):
            raise ctx.error(key, f"{key!r} must be true or false, got {ctx.check[key]!r}")
        elif kind == "counts":
            count_map(ctx, key)
        elif kind == "layer" and not ctx.is_layer_ref(ctx.check[key]):
            raise ctx.error(key, f"{ctx.check[key]!r} is neither a layer of 'layers:' ({', '.join(ctx.spec.layers)}) "
                                 "nor an existing file", hint="Fix the name, or add the layer under 'layers:'")
    if ctype.validate is not None:
        ctype.validate(ctx)
