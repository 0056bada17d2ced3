"""Project definitions: which control layers a site check uses, where they are and how to read them.

A project is a YAML file (paths relative to the file)::

    name: 盘锦市生态空间管控样例
    boundary: {path: boundary/panjin.gpkg, layer: city}
    rules: my_rules.yaml            # optional, on top of ecogis/rules/default_rules.yaml
    buffers_m: [500, 1000, 5000]    # optional, geodesic metres; overrides the rules file default
    layers:
      redline: {kind: redline, path: redline/redline.shp, encoding: gbk, label: 生态保护红线,
                label_en: Ecological protection red line}   # map/legend titles (zh, --lang en)
      reserve: {kind: reserve, path: reserve/liaohekou.geojson, fields: {功能区: zone}}
      outfalls: {kind: outfall, path: water/outfalls.csv, crs: EPSG:4490}
      wetlands: {kind: wetland, path: wetland/dawa.shp, coverage: 大洼区}   # a layer that covers less

``coverage:`` (a file path, ``{path:, layer:}``, or an administrative name such as 大洼区) is the area a
layer has data for; without it the layer covers the project boundary. A site outside a layer's
coverage gets 无法判定 for that layer (:mod:`ecogis.coverage`).

or, with zero configuration, a GeoPackage whose layers are named after their kind (``redline``,
``reserve``, ``outfall`` ... and ``boundary``): ``ecogis check SITE --project controls.gpkg``.

A layer may also live in PostGIS: ``path: postgresql://user@host:port/db?table=schema.name`` (or
``layer: schema.name``, or ``sql: SELECT ...``), its password from PGPASSWORD or a pgpass file, never
in the project file. A layer published with ``ecogis publish`` is named ``redline@2019`` (that version)
or ``redline`` (the current one), as the table of a PostGIS source or the ``layer:`` of a GeoPackage.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ecogis.error_messages import at_path, error
from ecogis.errors import EcogisError
from ecogis.io.postgis import PgSource, is_postgres_url, parse_source
from ecogis.io.versions import current_gpkg_layers, version_tables_gpkg
from ecogis.kinds import KINDS
from ecogis.rules import parse_buffers
from ecogis.yamlio import LineDict, line_of, load_yaml_lines

_LAYER_KEYS = {"kind", "path", "layer", "crs", "fields", "encoding", "label", "label_en", "name", "coverage",
               "source", "version", "date",  # source/version/date: what the data is (shown in reports)
               "sql"}  # a query on a PostGIS source (path: postgresql://...)
_TOP_KEYS = {"name", "description", "boundary", "rules", "buffers_m", "layers",
             "review_no", "source",  # 审图号 and data source printed on every map
             "project_info"}  # the checked project's description (ecogis.zoning.description): a path or a mapping


def layer_kinds() -> tuple[str, ...]:
    """The layer kinds a project may list (:data:`ecogis.kinds.KINDS`)."""
    return tuple(KINDS)


@dataclass
class LayerSpec:
    """How to read one control layer: kind, path (absolute), layer name, CRS override, field mapping."""

    name: str
    kind: str
    path: Path | PgSource  # a file, or a PostGIS table or query (ecogis.io.postgis)
    layer: str | None = None
    crs: str | None = None
    fields: dict | None = None
    encoding: str | None = None
    label: str | None = None
    label_en: str | None = None
    coverage: str | None = None  # a path (absolute) or an administrative name: the area the layer covers
    coverage_layer: str | None = None
    source: str | None = None
    version: str | None = None
    date: str | None = None

    def read(self):
        """Read the layer via :func:`ecogis.io.read_layer_info`; its :class:`~ecogis.layer_info.LayerInfo`
        (``LayerInfo.of(gdf)``) carries kind, name, labels, CRS and notes."""
        gdf, info = self._read_source()
        return info.updated(kind=self.kind, name=self.name, path=info.path or str(self.path),
                            label=self.label or info.label, label_en=self.label_en or info.label_en).attach(gdf)

    def _read_source(self):
        """``read_layer_info`` of this layer's source, through :mod:`ecogis.layer_cache` for a file."""
        from ecogis.io import read_layer_info
        from ecogis.layer_cache import cached, source_files

        def read():
            return read_layer_info(self.path, kind=self.kind, layer=self.layer, crs=self.crs,
                                   encoding=self.encoding, fields=self.fields)

        files = None if isinstance(self.path, PgSource) else source_files(self.path)
        options = {"kind": self.kind, "layer": self.layer, "crs": self.crs, "encoding": self.encoding,
                   "fields": list((self.fields or {}).items())}
        return cached("layer", options, files, read)

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "path": str(self.path), "layer": self.layer,
                "crs": self.crs, "fields": self.fields, "encoding": self.encoding, "label": self.label,
                "label_en": self.label_en, "coverage": self.coverage, "source": self.source,
                "version": self.version, "date": self.date}

    def read_coverage(self):
        """The declared coverage as ``(GeoDataFrame, label)``, or None when the layer declares none."""
        if self.coverage is None:
            return None
        from ecogis.io.boundary_refs import resolve_boundary

        return resolve_boundary(self.coverage, layer=self.coverage_layer)


@dataclass
class Project:
    """A set of control layers for site checks. ``buffers_m`` may be empty (the rules file decides)."""

    path: Path | None
    name: str
    layers: dict[str, LayerSpec]
    boundary: LayerSpec | None = None
    rules_path: Path | None = None
    buffers_m: list[float] = field(default_factory=list)
    review_no: str | None = None  # 审图号 of the maps
    source: str | None = None  # data source printed on the maps
    #: the checked project's industry, type and description (ecogis.zoning.description): an absolute
    #: path of a YAML file or the mapping itself; None when the project file gives none
    project_info: str | dict | None = None

    def read_layers(self) -> dict:
        """Read every control layer: ``{name: GeoDataFrame}`` (boundary and tables such as access lists,
        read by their analyses, not included)."""
        return {name: spec.read() for name, spec in self.layers.items() if KINDS[spec.kind].geometry != "table"}

    def read_boundary(self):
        """The boundary GeoDataFrame, or None when the project names none."""
        return None if self.boundary is None else self.boundary.read()

    def read_coverages(self) -> dict:
        """``{layer name: (GeoDataFrame, label)}`` of the layers that declare a ``coverage:``."""
        out = {}
        for name, spec in self.layers.items():
            cov = spec.read_coverage()
            if cov is not None:
                out[name] = cov
        return out

    def to_dict(self) -> dict:
        return {"path": None if self.path is None else str(self.path), "name": self.name,
                "layers": {k: v.to_dict() for k, v in self.layers.items()},
                "boundary": None if self.boundary is None else self.boundary.to_dict(),
                "rules_path": None if self.rules_path is None else str(self.rules_path),
                "buffers_m": self.buffers_m, "review_no": self.review_no, "source": self.source,
                "project_info": self.project_info}


def load_project(path) -> Project:
    """Load a project from a YAML file or a GeoPackage with layers named after their kind.

    Raises EcogisError naming the file and line for a malformed YAML project, and for a layer file
    that does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise error("project.not_found", path=path, hint="project.give_yaml")
    if path.suffix.lower() == ".gpkg":
        return _project_from_gpkg(path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise error("project.suffix", path=path)
    return _project_from_yaml(path)


def _project_from_yaml(path: Path) -> Project:
    data = load_yaml_lines(path)
    if not isinstance(data, dict):
        raise error("project.not_mapping", path=path, hint="project.see_example")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise error("project.unknown_key", path=path, line=line_of(data, key), key=repr(key),
                    keys=", ".join(sorted(_TOP_KEYS)), hint="project.keys")
    base = path.parent
    layers_data = data.get("layers")
    if not isinstance(layers_data, dict) or not layers_data:
        raise error("project.layers_mapping", path=path, line=line_of(data, "layers") or 1)
    kinds = layer_kinds()
    layers = {str(name): _layer_spec(str(name), spec, base, path, kinds, line_of(layers_data, name))
              for name, spec in layers_data.items()}
    boundary = _boundary_spec(data, base, path, kinds)
    rules_path = None
    if data.get("rules"):
        rules_path = _resolve(data["rules"], base)
        if not rules_path.exists():
            raise error("project.rules_not_found", path=path, line=line_of(data, "rules"), rules=rules_path)
    buffers = []
    if data.get("buffers_m") is not None:
        buffers = parse_buffers(data["buffers_m"], path=path, line=line_of(data, "buffers_m"))
    return Project(path=path, name=str(data.get("name") or path.stem), layers=layers, boundary=boundary,
                   rules_path=rules_path, buffers_m=buffers, review_no=_opt(data.get("review_no")),
                   source=_opt(data.get("source")), project_info=_project_info(data, base, path))


def _project_info(data, base: Path, path: Path) -> str | dict | None:
    """``project_info:``: a mapping (kept as plain data) or a path relative to the project file (absolute)."""
    value = data.get("project_info")
    if value is None or isinstance(value, dict):
        return None if value is None else dict(value)
    info = _resolve(value, base)
    if not info.exists():
        raise error("project.layer_not_found", path=path, line=line_of(data, "project_info"), name="'project_info'",
                    file=info, hint="project.relative_paths")
    return str(info)


def _boundary_spec(data, base, path, kinds) -> LayerSpec | None:
    """The ``boundary:`` entry (a path or a layer mapping, kind boundary), or None."""
    spec = data.get("boundary")
    if spec is None:
        return None
    line = line_of(data, "boundary")
    if isinstance(spec, (str, dict)):  # keep the line numbers of the keys for error messages
        entry = LineDict({"path": spec} if isinstance(spec, str) else spec)
        # line_of gives None only for data not read from YAML
        entry.line, entry.lines = getattr(spec, "line", line), dict(getattr(spec, "lines", {}))  # type: ignore[assignment]
        entry.setdefault("kind", "boundary")
        spec = entry
    return _layer_spec("boundary", spec, base, path, kinds, line)


def _layer_spec(name, spec, base, path, kinds, line) -> LayerSpec:
    if not isinstance(spec, dict):
        raise error("project.layer_mapping", path=path, line=line, name=repr(name))
    unknown = set(spec) - _LAYER_KEYS
    if unknown:
        key = sorted(unknown, key=str)[0]
        raise error("project.layer_unknown_key", path=path, line=line_of(spec, key), name=repr(name), key=repr(key),
                    keys=", ".join(sorted(_LAYER_KEYS)), hint="project.layer_keys")
    for key in ("kind", "path"):
        if not spec.get(key):
            raise error("project.layer_missing", path=path, line=line, name=repr(name), key=repr(key))
    kind = str(spec["kind"])
    if kind not in kinds:
        raise error("project.unknown_kind", path=path, line=line_of(spec, "kind"), name=repr(name), kind=repr(kind),
                    kinds=", ".join(kinds), hint="project.use_kinds")
    layer_path = _layer_source(spec, name, base, path)
    fields = spec.get("fields")
    if fields is not None and not isinstance(fields, dict):
        raise error("project.fields_mapping", path=path, line=line_of(spec, "fields"), name=repr(name))
    coverage, coverage_layer = _coverage(spec, name, base, path)
    layer = None if isinstance(layer_path, PgSource) else _opt(spec.get("layer"))
    return LayerSpec(name=name, kind=kind, path=layer_path, layer=layer,
                     crs=_opt(spec.get("crs")), fields=dict(fields) if fields else None,
                     encoding=_opt(spec.get("encoding")), label=_opt(spec.get("label") or spec.get("name")),
                     label_en=_opt(spec.get("label_en")), coverage=coverage, coverage_layer=coverage_layer,
                     source=_opt(spec.get("source")), version=_opt(spec.get("version")), date=_opt(spec.get("date")))


def _layer_source(spec, name, base: Path, path: Path) -> Path | PgSource:
    """A layer's ``path:``: a file (relative to the project file; it must exist) or a PostGIS connection
    with its table (``?table=`` or ``layer:``) or query (``sql:``); a password in it is refused."""
    if is_postgres_url(spec["path"]):
        try:
            return parse_source(str(spec["path"]), table=_opt(spec.get("layer")), sql=_opt(spec.get("sql")))
        except EcogisError as exc:
            raise at_path(exc, f"{path}, line {line_of(spec, 'path')}, layer {name!r}, {exc.path}") from exc
    layer_path = _resolve(spec["path"], base)
    if not layer_path.exists():
        raise error("project.layer_not_found", path=path, line=line_of(spec, "path"), name=repr(name),
                    file=layer_path, hint="project.relative_paths")
    return layer_path


def _coverage(spec, name, base: Path, path: Path) -> tuple[str | None, str | None]:
    """A layer's ``coverage:``: a path (relative to the project file) or {path:, layer:} -> absolute path
    and layer; any other text is an administrative name (looked up when the check reads it)."""
    value = spec.get("coverage")
    if value is None:
        return None, None
    layer = None
    if isinstance(value, dict):
        if not value.get("path") or set(value) - {"path", "layer"}:
            raise error("inputs.coverage_form", line=line_of(spec, "coverage"), name=name, path=path)
        value, layer = value["path"], _opt(value.get("layer"))
    candidate = _resolve(value, base)
    if candidate.exists():
        return str(candidate), layer
    if isinstance(spec.get("coverage"), dict) or candidate.suffix.lower() in (".shp", ".gpkg", ".geojson", ".json",
                                                                           ".kml", ".zip", ".csv", ".xlsx"):
        raise error("inputs.no_coverage_file", line=line_of(spec, "coverage"), name=name, candidate=candidate,
                    path=path, hint="inputs.relative_paths")
    return str(value), None


def _opt(v):
    return None if v is None else str(v)


def _resolve(p, base: Path) -> Path:
    p = Path(str(p)).expanduser()
    return p if p.is_absolute() else (base / p)


def _project_from_gpkg(path: Path) -> Project:
    """Zero-configuration project: every GeoPackage layer named after a kind (or ``kind_xxx``) is used."""
    import pyogrio
    from pyogrio.errors import DataSourceError

    kinds = layer_kinds()
    try:
        names = [row[0] for row in pyogrio.list_layers(path)]
    except DataSourceError as exc:  # not a GeoPackage, or unreadable
        raise error("project.cannot_list", path=path, reason=exc) from exc
    versions = version_tables_gpkg(path)  # published layers (ecogis publish): their names read the current version
    names = [n for n in names if n not in versions] + sorted(current_gpkg_layers(path))
    layers, boundary = {}, None
    for lname in names:
        kind = next((k for k in sorted(kinds, key=len, reverse=True)
                     if lname == k or lname.startswith(k + "_")), None)
        if kind is None:
            continue
        spec = LayerSpec(name=lname, kind=kind, path=path, layer=lname)
        if kind == "boundary" and boundary is None:
            boundary = spec
        elif kind != "site":
            layers[lname] = spec
    if not layers:
        raise error("project.no_kind_layer", path=path, kinds=", ".join(kinds), hint="project.name_layers")
    return Project(path=path, name=path.stem, layers=layers, boundary=boundary)
