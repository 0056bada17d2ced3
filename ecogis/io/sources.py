"""Where GDAL reads a vector source from: the suffixes ecogis opens, the /vsizip/ path of a zipped
shapefile (or other zipped source) and of an Ovi KMZ, and the .dbf of a shapefile (on disk or in the zip)."""
from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from ecogis.error_messages import error
from ecogis.io.dbf import _DbfFile
from ecogis.io.shapefile import _check_shapefile_parts, _sibling

#: suffix -> what the file is, for messages and dispatch
VECTOR_SUFFIXES = {
    ".shp": "Shapefile", ".zip": "zipped Shapefile", ".gpkg": "GeoPackage", ".geojson": "GeoJSON",
    ".json": "GeoJSON", ".kml": "KML", ".kmz": "KMZ", ".gdb": "FileGDB",
    ".ovkml": "KML (奥维互动地图)", ".ovkmz": "KMZ (奥维互动地图)",  # Ovi's GCJ-02 exports: see ecogis.webmap
}


def _gdal_path_and_dbf(path: Path, notes=None, layer=None):
    """Return (path for GDAL, the shapefile's .dbf as a :class:`_DbfFile` or None).

    ``layer`` picks one shapefile (by its stem) out of a zip holding several."""
    suffix = path.suffix.lower()
    if path.is_file() and path.stat().st_size == 0:
        raise error("io.empty_file", path=path, hint="io.copy_again")
    if suffix == ".shp":
        _check_shapefile_parts(path, notes)
        dbf = _sibling(path, ".dbf")
        return str(path), (None if dbf is None else _DbfFile(dbf))
    if suffix == ".zip":
        return _zip_path(path, layer)
    if suffix == ".ovkmz":  # a KMZ under Ovi's suffix, which GDAL does not recognise: open its KML inside
        kml = next((n for n in _zip_names(path) if n.lower().endswith(".kml")), None)
        if kml is None:
            raise error("inputs.ovkmz_no_kml", path=path, hint="inputs.export_ovi")
        return f"/vsizip/{{{path}}}/{kml}", None
    return str(path), None


class _ZippedDbf(_DbfFile):
    def __init__(self, zpath: Path, member: str):
        self.zpath, self.member = zpath, member
        self.name = member

    def copy_parts(self, folder: Path, stem: str) -> None:
        base = str(PurePosixPath(self.member).with_suffix("")).lower()
        with zipfile.ZipFile(self.zpath) as zf:
            for name in zf.namelist():
                suffix = PurePosixPath(name).suffix.lower()
                if name.lower() == base + suffix and suffix != ".dbf":
                    (folder / (stem + suffix)).write_bytes(zf.read(name))

    def dbf_bytes(self) -> bytes:
        with zipfile.ZipFile(self.zpath) as zf:
            return zf.read(self.member)

    def cpg_text(self) -> str | None:
        with zipfile.ZipFile(self.zpath) as zf:
            stem = str(PurePosixPath(self.member).with_suffix(""))
            for name in zf.namelist():
                if name.lower() == f"{stem}.cpg".lower():
                    return zf.read(name).decode("ascii", "replace").strip()
        return None


def _zip_path(path: Path, layer=None):
    """A zipped shapefile (or other single source) as a /vsizip/ path plus its .dbf, if any.

    A zip with several shapefiles needs ``layer``: the stem of the one to read."""
    names = _zip_names(path)
    shps = [n for n in names if n.lower().endswith(".shp")]
    if len(shps) > 1 and layer is not None:
        shps = [n for n in shps if PurePosixPath(n).stem == str(layer)] or shps
    if len(shps) == 1:
        shp = shps[0]
        stem = shp[:-4].lower()
        if not any(n.lower() == stem + ".shx" for n in names):
            raise error("io.zip_no_shx", path=path, shp=shp, hint="io.zip_together")
        dbfs = [n for n in names if n.lower() == stem + ".dbf"]
        return f"/vsizip/{path}/{shp}", (_ZippedDbf(path, dbfs[0]) if dbfs else None)
    if len(shps) > 1:
        stems = ", ".join(PurePosixPath(n).stem for n in shps)
        if layer is not None:
            raise error("io.zip_several_none_named", path=path, shps=", ".join(shps), layer=repr(layer), stems=stems,
                        hint="io.choose_shapefile")
        raise error("io.zip_several", path=path, shps=", ".join(shps), stems=stems, hint="io.choose_shapefile")
    gdbs = sorted({n[: n.lower().index(".gdb/") + 4] for n in names if ".gdb/" in n.lower()})
    if len(gdbs) == 1:
        return f"/vsizip/{path}/{gdbs[0]}", None
    others = [n for n in names if Path(n).suffix.lower() in VECTOR_SUFFIXES]
    if len(others) == 1:
        return f"/vsizip/{path}/{others[0]}", None
    if not names:
        raise error("io.zip_empty", path=path)
    raise error("io.zip_no_shapefile", path=path, names=", ".join(names[:10]), hint="io.zip_found")


def _zip_names(path: Path) -> list[str]:
    """The files in a zip archive (folders and macOS resource forks left out)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
    except zipfile.BadZipFile as exc:
        raise error("io.bad_zip", path=path, hint="io.recreate_zip") from exc


def _zip_folder_path(path: Path) -> str:
    """GDAL path listing the layers of a zip: the folder holding its shapefiles, or its only data source."""
    shps = [PurePosixPath(n) for n in _zip_names(path) if n.lower().endswith(".shp")]
    folders = {str(p.parent) for p in shps}
    if len(shps) <= 1:
        return _zip_path(path)[0]
    if len(folders) == 1:  # GDAL opens a folder of shapefiles with each one as a layer
        folder = folders.pop()
        return f"/vsizip/{path}" + ("" if folder == "." else f"/{folder}")
    return str(path)


def layers_gdal_path(path: Path) -> str:
    """The path GDAL lists the layers of ``path`` from (for a zip, the folder inside holding the data)."""
    zipped = path.suffix.lower() == ".zip" and zipfile.is_zipfile(path)
    return _zip_folder_path(path) if zipped else _gdal_path_and_dbf(path)[0]
