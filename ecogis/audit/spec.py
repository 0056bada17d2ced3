"""Loading an audit spec: the YAML (read by :func:`ecogis.yamlio.load_yaml_lines`, as project and rules
files are) and the keys of every check, validated before any data is read. Errors name the line."""
from __future__ import annotations

from pathlib import Path

from ecogis.area import Text
from ecogis.audit.builtin import CHECK_TYPES
from ecogis.audit.common import area_method, area_unit, count_map
from ecogis.audit.context import AuditSpec, CheckContext
from ecogis.error_messages import Phrase, error, phrase
from ecogis.yamlio import LineList, line_of, load_yaml_lines


def load_spec(path) -> AuditSpec:
    """Read and validate the structure of an audit YAML file (EcogisError naming the check and key)."""
    path = Path(path)
    data = load_yaml_lines(path)
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list) or not data["checks"]:
        raise error("audit.spec_checks", path=path, field="checks", at=_at(data, "checks"), hint="audit.see_example")
    layers = _layers(data, path)
    _check_ids(data["checks"], path)
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise error("audit.defaults_mapping", path=path, field="defaults", at=_at(data, "defaults"))
    title = str(data.get("title") or path.stem)
    spec = AuditSpec(path=path, title=Text(title, str(data.get("title_en") or title)), defaults=defaults,
                     layers=layers, checks=data["checks"])
    for check in spec.checks:
        _validate_keys(CheckContext(spec, check, {}))
    return spec


def _at(obj, key=None) -> Phrase:
    """"line N: " for a key (or a mapping) read from the spec, else ""."""
    line = line_of(obj, key)
    return phrase("rules.at_line", line=line) if line else Phrase(en="", zh="")


def _layers(data: dict, path: Path) -> dict:
    """The spec's ``layers:`` as {name: {path: ..., ...}} (a plain file name stands for {path: name})."""
    layers = data.get("layers") or {}
    if not isinstance(layers, dict):
        raise error("audit.layers_mapping", path=path, field="layers", at=_at(data, "layers"))
    for name, spec in layers.items():
        if isinstance(spec, str):
            layers[name] = {"path": spec}
        elif not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise error("audit.layer_path", path=path, field=f"layers.{name}.path", at=_at(layers, name),
                        name=repr(name))
    return layers


def _check_ids(checks: LineList, path: Path) -> None:
    """Every check is a mapping of a known type with a unique id (``check_N`` when it has none)."""
    seen: dict = {}
    for i, check in enumerate(checks):
        if not isinstance(check, dict):
            raise error("audit.check_mapping", path=path, field="checks", line=checks.lines[i], number=i + 1)
        check.setdefault("id", f"check_{i + 1}")
        ctype = check.get("type")
        if not isinstance(check["id"], (str, int)):
            raise error("audit.id_name", path=path, field="id", at=_at(check, "id"), number=i + 1,
                        value=repr(check["id"]))
        if not isinstance(ctype, str) or ctype not in CHECK_TYPES:
            raise error("audit.unknown_type", path=path, field="type", at=_at(check, "type"), id=repr(check["id"]),
                        type=repr(ctype), known=", ".join(CHECK_TYPES))
        if check["id"] in seen:
            raise error("audit.id_twice", path=path, field="id", at=_at(check, "id"), id=repr(check["id"]),
                        first=seen[check["id"]])
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
