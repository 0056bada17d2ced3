"""The project's own description for the 生态环境分区管控 chapter: industry (GB/T 4754-2017 code and
name), project type (linear / point / area), a short description and the use of the site.

Three places may give it, and the first that gives a field wins, field by field:

1. the command line (``--industry``, ``--description``, ``--use``; source ``cli``);
2. the site's own attributes, per site (columns 行业代码, 行业名称, 项目类型, 项目描述 ...; source ``site``);
3. a project-description YAML file (``--project-info FILE`` or ``project_info:`` in the project file,
   a path or the mapping itself; source ``file``)::

       industry: C2614            # or "C2614:有机化学原料制造"
       industry_name: 有机化学原料制造
       type: area                 # linear | point | area (线性 | 点状 | 面状)
       description: 年产 5 万吨有机化学原料项目
       use: heating               # optional, as --use

The report states each field with its source and this order.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ecogis.error_messages import error, placed
from ecogis.errors import EcogisError
from ecogis.yamlio import line_of, load_yaml_lines
from ecogis.zoning.industry import Industry, parse_industry

#: the order in which the places are taken (the report prints it)
PRECEDENCE = ("cli", "site", "file")
FIELDS = ("industry", "project_type", "description", "use")
_FILE_KEYS = {"industry", "industry_name", "type", "project_type", "description", "use"}
#: project types and their accepted spellings
TYPES = {"linear": "linear", "line": "linear", "线性": "linear", "线状": "linear", "线性工程": "linear",
         "point": "point", "点状": "point", "点": "point", "点状工程": "point",
         "area": "area", "polygon": "area", "面状": "area", "面": "area", "片区": "area", "面状工程": "area"}


@dataclass(frozen=True)
class ProjectDescription:
    """What the project is: ``industry`` (an :class:`Industry` or None), ``project_type`` (``linear``,
    ``point``, ``area`` or None), ``description`` and ``use`` (texts or None), and ``sources``: for each
    field given, where it came from (``cli``, ``site`` or ``file``); ``file`` is the description file read."""

    industry: Industry | None = None
    project_type: str | None = None
    description: str | None = None
    use: Any = None  # a word or a list of words, as check(site_use=)
    sources: dict = field(default_factory=dict)
    file: str | None = None

    def to_dict(self) -> dict:
        return {"industry": None if self.industry is None else self.industry.to_dict(),
                "project_type": self.project_type, "description": self.description, "use": self.use,
                "sources": dict(self.sources), "file": self.file, "precedence": list(PRECEDENCE)}

    def over(self, lower: ProjectDescription) -> ProjectDescription:
        """This description with the fields it lacks taken from ``lower`` (with their sources)."""
        values: dict[str, Any] = {f: getattr(self, f) if getattr(self, f) is not None else getattr(lower, f)
                                  for f in FIELDS}
        sources = {f: (self.sources if getattr(self, f) is not None else lower.sources).get(f)
                   for f in FIELDS if values[f] is not None}
        return ProjectDescription(**values, sources=sources, file=self.file or lower.file)


def normalise_type(value, *, path=None) -> str | None:
    """``linear``, ``point`` or ``area`` from any accepted spelling (None for an empty value)."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    found = TYPES.get(text.lower(), TYPES.get(text))
    if found is None:
        raise error("sites.unknown_project_type", path=path, value=text, hint="sites.project_types")
    return found


def from_cli(industry=None, description=None, use=None, project_type=None) -> ProjectDescription:
    """The description given on the command line (or as keyword arguments of ``check``)."""
    ind = industry if isinstance(industry, Industry) or industry is None else parse_industry(industry)
    values: dict[str, Any] = {"industry": ind, "project_type": normalise_type(project_type),
                              "description": _text(description),
                              "use": list(use) or None if isinstance(use, (list, tuple, set)) else _text(use)}
    return ProjectDescription(**values, sources={f: "cli" for f, v in values.items() if v is not None})


def read_description(spec, base: Path | None = None) -> ProjectDescription:
    """A project-description file (a path, relative to ``base``) or its mapping, as a description of
    source ``file``. Unknown keys and bad codes or types are an EcogisError naming the file and line."""
    if spec is None:
        return ProjectDescription()
    path = None
    data = spec
    if not isinstance(spec, dict):
        path = Path(str(spec)).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.exists():
            raise error("sites.no_project_info", path=path, hint="sites.project_info_form")
        data = load_yaml_lines(path)
        if not isinstance(data, dict):
            raise error("sites.project_info_mapping", path=path, hint="sites.project_info_form")
    unknown = sorted(set(map(str, data)) - _FILE_KEYS)
    if unknown:
        raise error("sites.project_info_key", path=path, line=line_of(data, unknown[0]) or 1, key=unknown[0],
                    keys=", ".join(sorted(_FILE_KEYS)), hint="sites.project_info_form")
    try:
        industry = None if _text(data.get("industry")) is None else parse_industry(
            data["industry"], _text(data.get("industry_name")))
    except EcogisError as exc:
        raise placed(exc, path=path, field="industry") from None
    kind = normalise_type(data.get("type", data.get("project_type")), path=path)
    values: dict[str, Any] = {"industry": industry, "project_type": kind, "description": _text(data.get("description")),
              "use": _text(data.get("use"))}
    return ProjectDescription(**values, sources={f: "file" for f, v in values.items() if v is not None},
                              file=None if path is None else str(path))


def site_descriptions(sites, project: ProjectDescription) -> dict[str, ProjectDescription]:
    """``{site id: description}`` for the sites whose own attributes change a field that the command
    line did not give (CLI > site attribute > file). Bad codes or types are an EcogisError naming the
    site. Each distinct combination of attribute values is parsed once."""
    columns = [c for c in ("industry", "industry_name", "project_type", "description") if c in sites]
    if not columns:
        return {}
    cli = _keep_cli(project)
    values = zip(*(sites[c].tolist() for c in columns))
    parsed: dict[tuple, ProjectDescription] = {}
    out = {}
    for site_id, row in zip(sites["id"].astype(str).tolist(), values):
        key = tuple(_text(v) for v in row)
        if not any(key):
            continue
        if key not in parsed:
            try:
                parsed[key] = cli.over(_site_own(dict(zip(columns, key)))).over(project)
            except EcogisError as exc:
                raise placed(exc, feature=f"site {site_id}") from None
        if parsed[key] != project:
            out[site_id] = parsed[key]
    return out


def _site_own(values: dict) -> ProjectDescription:
    industry = None
    if values.get("industry"):
        industry = parse_industry(values["industry"], values.get("industry_name"))
    own: dict[str, Any] = {"industry": industry, "project_type": normalise_type(values.get("project_type")),
           "description": values.get("description"), "use": None}
    return ProjectDescription(**own, sources={f: "site" for f, v in own.items() if v is not None})


def _keep_cli(project: ProjectDescription) -> ProjectDescription:
    """Only the fields of ``project`` given on the command line."""
    keep = {f: getattr(project, f) if project.sources.get(f) == "cli" else None for f in FIELDS}
    return replace(project, **keep, sources={f: "cli" for f, v in keep.items() if v is not None})


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None
