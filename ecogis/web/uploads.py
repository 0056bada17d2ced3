"""Uploaded site files: type sniffing, safe zip extraction, a private temporary folder per request.

Every upload is written into a fresh folder under ``data_dir/tmp`` and removed with it. A zip
(zipped shapefile) is extracted only after every entry passed the checks: a relative name inside the
folder (no ``..``, no absolute path, no drive, no link), at most ``max_entries`` entries, at most
``max_total`` bytes uncompressed in all, and an expansion ratio of at most ``max_ratio`` per entry and in
total. Extraction counts the bytes it really writes, so a forged size in the zip header does not help.
KMZ and XLSX (zips themselves) pass the same entry checks before a reader opens them.
"""
from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ecogis.error_messages import error

TEXT_SUFFIXES = {".txt", ".geojson", ".json", ".kml", ".csv", ".dxf"}
ZIP_SUFFIXES = {".zip", ".kmz", ".xlsx"}
SQLITE_SUFFIXES = {".gpkg"}
ACCEPTED = sorted(TEXT_SUFFIXES | ZIP_SUFFIXES | SQLITE_SUFFIXES)
ZIP_MAGIC = b"PK\x03\x04"
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class ZipLimits:
    max_entries: int = 500
    max_total: int = 200 * 1024 * 1024
    max_ratio: float = 200.0


def safe_name(filename: str | None) -> str:
    """The last component of an uploaded file name, without path or control characters."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*').strip(". ")
    return name[:120] or "site"


def sniff(head: bytes, suffix: str) -> str:
    """The container type of an upload from its first bytes and suffix: 'text', 'zip' or 'sqlite'.

    Raises EcogisError when the suffix is not a site format or the bytes do not match it."""
    suffix = suffix.lower()
    if suffix not in TEXT_SUFFIXES | ZIP_SUFFIXES | SQLITE_SUFFIXES:
        raise error("web.not_a_site_format", suffix=suffix or "(none)", formats=", ".join(ACCEPTED),
                    hint="web.upload_one_of")
    if head.startswith(ZIP_MAGIC):
        kind = "zip"
    elif head.startswith(SQLITE_MAGIC):
        kind = "sqlite"
    elif b"\x00" in head:
        kind = "binary"
    else:
        kind = "text"
    expected = "zip" if suffix in ZIP_SUFFIXES else "sqlite" if suffix in SQLITE_SUFFIXES else "text"
    if kind != expected:
        raise error("web.content_mismatch", kind=kind, suffix=suffix, expected=expected, hint="web.upload_the_file")
    return kind


def check_zip(path: Path, limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """The entries of a zip after the path-traversal and bomb checks (EcogisError names the first failure)."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise error("web.bad_zip", path=path.name, reason=str(exc)) from exc
    with zf:
        infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise error("web.zip_entries", path=path.name, n=len(infos), limit=limits.max_entries)
    total = packed = 0
    for info in infos:
        _check_entry_name(info, path)
        total += info.file_size
        packed += info.compress_size
        if info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise error("web.zip_entry_ratio", path=path.name, entry=info.filename,
                        ratio=f"{info.file_size / max(info.compress_size, 1):.0f}", limit=f"{limits.max_ratio:g}")
    if total > limits.max_total:
        raise error("web.zip_total", path=path.name, n=total, limit=limits.max_total)
    if total > limits.max_ratio * max(packed, 1):
        raise error("web.zip_ratio", path=path.name, ratio=f"{total / max(packed, 1):.0f}",
                    limit=f"{limits.max_ratio:g}")
    return infos


def _check_entry_name(info: zipfile.ZipInfo, path: Path) -> None:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    mode = info.external_attr >> 16
    if (name.startswith("/") or ".." in parts or (parts and ":" in parts[0]) or "\x00" in name
            or stat.S_ISLNK(mode)):
        raise error("web.zip_outside", path=path.name, entry=info.filename)


def extract_zip(path: Path, dest: Path, limits: ZipLimits) -> list[Path]:
    """Extract a checked zip into ``dest`` (files only), counting the bytes really written."""
    infos = check_zip(path, limits)
    root = dest.resolve()
    written = 0
    out = []
    with zipfile.ZipFile(path) as zf:
        for info in infos:
            if info.is_dir():
                continue
            target = (root / info.filename.replace("\\", "/")).resolve()
            if not target.is_relative_to(root):
                raise error("web.zip_outside", path=path.name, entry=info.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                while block := src.read(1 << 16):
                    written += len(block)
                    if written > limits.max_total:
                        raise error("web.zip_written_over", path=path.name, limit=limits.max_total)
                    dst.write(block)
            out.append(target)
    return out


def site_in_zip(files: list[Path], zip_name: str) -> Path:
    """The one shapefile (or GeoPackage, GeoJSON, KML) in an extracted zip."""
    for suffixes in ((".shp",), (".gpkg",), (".geojson", ".json", ".kml")):
        found = sorted(p for p in files if p.suffix.lower() in suffixes)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise error("web.zip_many_layers", path=zip_name, n=len(found), suffix=suffixes[0])
    raise error("web.zip_no_layer", path=zip_name)


@contextmanager
def upload_folder(data_dir: Path):
    """A private temporary folder under ``data_dir/tmp``, removed afterwards whatever happens."""
    base = Path(data_dir) / "tmp"
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepare_site(raw: Path, filename: str, folder: Path, limits: ZipLimits) -> Path:
    """Check an uploaded file saved at ``raw`` and return the path a reader should open.

    The file keeps its (sanitised) name so that readers dispatch on the suffix; a .zip is extracted to
    a sub-folder and its one layer returned; a .kmz or .xlsx is checked as a zip and read as it is."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    with open(raw, "rb") as f:
        head = f.read(8192)
    kind = sniff(head, suffix)
    site = folder / name
    raw.replace(site)
    if kind == "zip":
        if suffix == ".zip":
            unpacked = folder / "unzipped"
            unpacked.mkdir()
            return site_in_zip(extract_zip(site, unpacked, limits), name)
        check_zip(site, limits)
    return site
