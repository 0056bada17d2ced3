"""The project held in memory by the service, checks run through :func:`ecogis.check.check`, and their reports.

Layers are read and normalised once (at start and on an admin's reload); every check gets its own
copies, so concurrent checks never share a mutable frame. Each worker thread projects and indexes the
layers (STRtrees, prepared geometries) once per Gauss-Kruger zone and reuses them for its later checks
(at start, :func:`warm_up` does it for the zone of the project's boundary). The reports are written by the same render
entry points as ``ecogis check``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path, PurePath
from typing import Any

from ecogis.notes import Note
from ecogis.project import Project, load_project

SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")
LOG = logging.getLogger("ecogis.web")


@dataclass
class CachedProject(Project):
    """A :class:`Project` whose layers and boundary were read once; each read hands out copies."""

    cached_layers: dict = field(default_factory=dict, repr=False)
    cached_boundary: object = field(default=None, repr=False)

    def read_layers(self) -> dict:
        return {name: _copy(gdf) for name, gdf in self.cached_layers.items()}

    def read_boundary(self):
        return None if self.cached_boundary is None else _copy(self.cached_boundary)


def _copy(gdf):
    out = gdf.copy()
    out.attrs = json.loads(json.dumps(gdf.attrs, default=str))
    return out


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_version(path: Path) -> dict:
    """Path, SHA-256, size (bytes) and modification time (UTC, ISO 8601) of one input file."""
    st = path.stat()
    return {"path": str(path), "sha256": file_sha256(path), "bytes": st.st_size,
            "modified": datetime.fromtimestamp(st.st_mtime, timezone.utc).isoformat(timespec="seconds")}


def project_versions(project: Project) -> dict:
    """File versions of the project file, rules file and every layer file (with shapefile sidecars)."""
    files: dict[str, list[dict]] = {}
    specs = dict(project.layers)
    if project.boundary is not None:
        specs["boundary"] = project.boundary
    for name, spec in specs.items():
        if not isinstance(spec.path, Path):  # a PostGIS table or query has no file version
            files[name] = []
            continue
        paths = [spec.path] + [spec.path.with_suffix(s) for s in SHAPEFILE_SIDECARS
                               if spec.path.suffix.lower() == ".shp"]
        files[name] = [file_version(p) for p in paths if p.is_file()]
    return {"project": file_version(project.path) if project.path else None,
            "rules": file_version(project.rules_path) if project.rules_path else None,
            "layers": files}


class LoadedProject:
    """The service's project: read at start, swapped whole on :meth:`reload` (running checks keep theirs)."""

    def __init__(self, path: Path, guard: Callable[[Project], None] | None = None):
        self.path = Path(path)
        self.guard = guard               # refuses a project (EcogisError) before its layers are read
        self._lock = threading.Lock()
        self._threads = threading.local()   # per worker thread: the layers indexed for its checks
        self.project, self.versions, self.loaded_at = self._load()

    def _load(self) -> tuple[CachedProject, dict, str]:
        plain = load_project(self.path)
        if self.guard is not None:
            self.guard(plain)
        base = {f.name: getattr(plain, f.name) for f in fields(Project)}
        layers = plain.read_layers()
        for name, gdf in layers.items():
            for note in gdf.attrs.get("ecogis", {}).get("notes", []):
                LOG.warning("layer %s: %s", name, note)
        cached = CachedProject(**base, cached_layers=layers, cached_boundary=plain.read_boundary())
        loaded = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return cached, project_versions(plain), loaded

    def reload(self) -> None:
        """Read the project and its layers again (an admin action); an error leaves the old state in place."""
        state = self._load()
        with self._lock:
            self.project, self.versions, self.loaded_at = state

    def snapshot(self) -> tuple[CachedProject, dict]:
        with self._lock:
            return self.project, self.versions

    def index_cache(self, project: CachedProject) -> dict:
        """This thread's layers projected and indexed for ``project`` (STRtrees, prepared geometries; see
        :func:`ecogis.screen_index.reusing_indexes`): one dict per worker thread, since prepared geometries are
        not thread-safe; a new one after a reload."""
        local = self._threads
        if getattr(local, "project", None) is not project:
            local.project, local.cache = project, {}
        return local.cache


@dataclass
class CheckRequest:
    """One check as the service received it: the site (a file path or coordinate text) and parameters."""

    site: object                     # Path of the uploaded file, or 'lon,lat' / WKT text
    site_crs: str | None = None
    buffers: str | None = None
    site_use: str | None = None
    lang: str = "zh"
    skip_empty: bool = False
    industry: str | None = None      # GB/T 4754-2017 code[:name], as ecogis check --industry
    description: str | None = None

    def parameters(self) -> dict:
        return {"site_crs": self.site_crs, "buffers": self.buffers, "site_use": self.site_use,
                "lang": self.lang, "skip_empty": self.skip_empty, "industry": self.industry,
                "description": self.description}


def run_check(loaded: LoadedProject, req: CheckRequest, hide_root: Path | None = None):
    """Run :func:`ecogis.check.check` on the cached project; returns ``(CheckResult, versions)``.

    Text sites go through :func:`ecogis.site_input.parse_at` first, as ``ecogis check --at`` does. The
    server's temporary folder ``hide_root`` is cut from the paths in the result's inputs and notes
    (the reports name the uploaded file, not where the server kept it)."""
    from ecogis.check import check
    from ecogis.screen_index import reusing_indexes
    from ecogis.site_input import parse_at

    project, versions = loaded.snapshot()
    site = req.site
    if isinstance(site, str):
        site = parse_at(site, req.site_crs)
    with reusing_indexes(loaded.index_cache(project)):
        result = check(site, project, buffers=req.buffers, site_crs=req.site_crs, site_use=req.site_use,
                       skip_empty=req.skip_empty, industry=_industry(req.industry), description=req.description)
    if hide_root is not None:
        prefix = str(hide_root) + "/"
        result.inputs = strip_prefix(result.inputs, prefix)
        result.assumptions = strip_prefix(result.assumptions, prefix)
    return result, versions


def _industry(text: str | None):
    """``--industry`` text as ecogis check reads it (a bad code is an EcogisError)."""
    if text is None:
        return None
    from ecogis.zoning.industry import parse_industry

    return parse_industry(text)


def warm_up(loaded: LoadedProject) -> None:
    """Index the layers in this thread for the GK zone of the project's boundary (a check of the point
    on the boundary's surface; its result is dropped)."""
    from ecogis.geodesy import GEOGRAPHIC_CRS

    boundary: Any = loaded.project.cached_boundary
    if boundary is None:
        return
    point = boundary.to_crs(GEOGRAPHIC_CRS).union_all().representative_point()
    run_check(loaded, CheckRequest(site=f"{point.x:.6f},{point.y:.6f}", site_crs="EPSG:4490"))


def strip_prefix(value, prefix: str):
    """``value`` (nested dicts, lists, strings, notes) with every occurrence of ``prefix`` removed from its
    strings (a note keeps its key, so it still reads in every language)."""
    if isinstance(value, Note):
        return Note(value.key, strip_prefix(value.fields, prefix), severity=value.severity,
                    path=strip_prefix(value.path, prefix), feature=value.feature, field=value.field,
                    parts=tuple(strip_prefix(list(value.parts), prefix)))
    if isinstance(value, (str, PurePath)):
        return str(value).replace(prefix, "")
    if isinstance(value, dict):
        return {k: strip_prefix(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return type(value)(strip_prefix(v, prefix) for v in value)
    return value


def write_quick_reports(result, folder: Path, lang: str) -> dict[str, str]:
    """Write check.json and check.html (the answer the page shows at once) into ``folder``."""
    from ecogis.render.check_html import render_check_html

    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str)
    (folder / "check.json").write_text(text, encoding="utf-8")
    render_check_html(result, folder / "check.html", lang=lang)
    return {"json": "check.json", "html": "check.html"}


def write_slow_reports(result, folder: Path, lang: str) -> dict[str, str]:
    """Write check.docx, check.xlsx and site.txt (the site as an exchange text, when it can be one)."""
    from ecogis.render.check_docx import render_check_docx
    from ecogis.render.check_xlsx import render_check_xlsx

    names = {"docx": "check.docx", "xlsx": "check.xlsx"}
    render_check_docx(result, folder / names["docx"], lang=lang)
    render_check_xlsx(result, folder / names["xlsx"], lang=lang)
    if _write_site_exchange(result, folder / "site.txt"):
        names["txt"] = "site.txt"
    return names


def _write_site_exchange(result, path: Path) -> bool:
    """The checked site as a land-survey exchange text; False when the site cannot be one (e.g. mixed types)."""
    from ecogis.errors import EcogisError
    from ecogis.io import write_layer

    if result.site_gdf is None:
        return False
    try:
        write_layer(result.site_gdf, path, overwrite=True)
    except EcogisError:
        return False
    return True
