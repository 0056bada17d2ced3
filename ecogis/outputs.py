"""Writing outputs safely: never over an input, never half-written, never over an existing file unasked.

A shapefile is a family of files sharing a stem (``x.shp``, ``x.shx``, ``x.dbf``, ``x.prj`` ...); GDAL
finds and writes the parts in either letter case, so names are compared case-insensitively and a
shapefile is checked as its whole family. Every output is written into a hidden temporary folder
(``.NAME.ecogis-PID-XXXX``, beside the target or inside an existing output folder) and moved into
place at the end; a report set (all files of one run) is moved together. A temporary folder left by
a killed run is removed by the next run that writes the same target.
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import signal
from pathlib import Path

from ecogis.error_messages import error

#: suffixes of the files of one shapefile (lower case; GDAL writes .shp .shx .dbf .prj .cpg)
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".fbn", ".fbx", ".ain",
                   ".aih", ".atx", ".ixs", ".mxs", ".qmd", ".qpj", ".fix", ".shp.xml")
#: outputs that are folders (FileGDB): only these may replace an existing folder
FOLDER_FORMATS = (".gdb",)
#: errors that mean "this place cannot be written" (not a bug): reported as one line
_UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EEXIST,
               errno.ENAMETOOLONG)
_TEMP_TAG = ".ecogis-"


def check_output_path(path, *, overwrite: bool = False, inputs=()) -> Path:
    """Return ``path`` as a Path after refusing to clobber an input or an existing file.

    Raises EcogisError when ``path`` (or, for a shapefile, any file of its family) is an input or a
    file of an input's shapefile family (compared case-insensitively and by resolved path), when it
    exists and ``overwrite`` is false, or when its folder cannot be created or written.
    """
    path = Path(path)
    refuse_inputs(path, inputs)
    if path.is_dir() and path.suffix.lower() not in FOLDER_FORMATS:
        raise error("out.is_folder", path=path, hint="out.give_file_name")
    existing = _existing_parts(path)
    if existing and not overwrite:
        if path in existing:
            raise error("out.exists", path=path, hint="out.pass_overwrite")
        raise error("out.exists_part", path=path, part=existing[0].name, hint="out.pass_overwrite")
    _require_writable_folder(path)
    return path


def _family(path: Path) -> list[Path]:
    """The files ``path`` stands for: every part of a shapefile, else ``path`` itself."""
    if path.name.lower().endswith(".shp"):
        stem = path.name[:-4]
        return [path.with_name(stem + part) for part in SHAPEFILE_PARTS]
    return [path]


def _key(path: Path) -> str:
    """Resolved path, case-folded: equal for two spellings of one file on any file system."""
    return str(Path(os.path.abspath(path)).resolve()).casefold()


def refuse_inputs(path: Path, inputs) -> None:
    """EcogisError when writing ``path`` would write into one of ``inputs`` (the file itself or a file of
    its shapefile family, by resolved path, case-insensitively) or an input lies inside ``path``."""
    sources = [Path(src) for src in inputs if src is not None and not _is_virtual(src)]
    taken = {_key(part) for src in sources for part in _family(src)}
    for part in _family(path):
        if _key(part) in taken or any(part.exists() and src.exists() and os.path.samefile(part, src)
                                      for src in sources):
            if part == path:
                raise error("out.is_input", path=path, hint="out.choose_other")
            raise error("out.replaces_sidecar", path=path, part=part.name, hint="out.choose_other")
    out = Path(os.path.abspath(path)).resolve()
    for src in sources:
        src_abs = Path(os.path.abspath(src)).resolve()
        if src_abs.is_relative_to(out) or (src.is_dir() and out.is_relative_to(src_abs)):
            raise error("out.nested", path=path, src=src, hint="out.outside_inputs")


def _is_virtual(src) -> bool:
    return str(src).startswith("/vsi")


def _existing_parts(path: Path) -> list[Path]:
    """Existing files ``path`` would replace: itself, and for a shapefile every part in any letter case."""
    if not path.name.lower().endswith(".shp"):
        return [path] if path.exists() or path.is_symlink() else []
    names = {p.name.casefold() for p in _family(path)}
    try:
        return sorted(p for p in path.parent.iterdir() if p.name.casefold() in names)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _require_writable_folder(path: Path) -> None:
    """EcogisError unless the folder of ``path`` is, or can be created as, a writable folder."""
    nearest = Path(os.path.abspath(path.parent))
    while not nearest.exists() and nearest != nearest.parent:
        nearest = nearest.parent
    if not nearest.is_dir():
        raise error("out.inside_file", path=path, nearest=nearest, hint="out.not_inside_file")
    if not os.access(nearest, os.W_OK | os.X_OK):
        raise error("out.not_writable", path=path, nearest=nearest, hint="out.writable_folder")


@contextlib.contextmanager
def atomic_path(path, *, overwrite: bool = False, inputs=()):
    """Yield a temporary path beside ``path``; on success move it into place in one step.

    Works for single files, shapefiles (every part the driver writes is moved; with ``overwrite`` the
    old parts are removed, in any letter case) and directories written by a driver (the temporary keeps
    the suffix so format drivers recognise it). On error the temporary is removed and ``path`` is untouched.
    """
    path = check_output_path(path, overwrite=overwrite, inputs=inputs)
    with _temporary_folder(path.parent, path) as tmpdir, _unwritable_as_error(path):
        yield tmpdir / path.name
        with _signals_deferred():
            _move_into_place(tmpdir, path)


def check_output_folder(folder, names, *, overwrite: bool = False, inputs=()) -> Path:
    """Return ``folder`` as a Path after checking each of ``names`` in it with :func:`check_output_path`."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise error("out.must_be_folder", path=folder, hint="out.give_folder")
    for name in names:
        check_output_path(folder / name, overwrite=overwrite, inputs=inputs)
    return folder


@contextlib.contextmanager
def atomic_folder(folder, names, *, overwrite: bool = False, inputs=()):
    """Yield a temporary folder; the files ``names`` written into it are moved into ``folder`` together.

    For a report set: either every file of the run is in ``folder`` or none is (an interrupted or
    failed run leaves nothing behind). Refuses before any work, like :func:`check_output_path`, when
    one of the files exists (unless ``overwrite``) or is an input.
    """
    folder = check_output_folder(folder, names, overwrite=overwrite, inputs=inputs)
    existed = folder.exists()  # then the temporary goes inside it (its parent may not be writable)
    with _temporary_folder(folder if existed else folder.parent, folder) as tmpdir, _unwritable_as_error(folder):
        yield tmpdir
        with _signals_deferred():
            if not existed:
                os.rename(tmpdir, folder)  # one step: the whole set appears at once
            else:
                for name in names:
                    if (tmpdir / name).exists():
                        _move_into_place(tmpdir, folder / name)


@contextlib.contextmanager
def _temporary_folder(parent: Path, target: Path):
    """A new hidden folder for ``target`` in ``parent``, removed on exit (stale ones of dead runs first)."""
    tmpdir = parent / f".{target.name}{_TEMP_TAG}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        with _unwritable_as_error(target):
            parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_temporaries(parent, target.name)
            tmpdir.mkdir()  # default mode (umask applies), unlike tempfile's private 0700 folders
        yield tmpdir
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _remove_stale_temporaries(parent: Path, name: str) -> None:
    """Remove temporaries for ``name`` whose writing process no longer runs (killed, power cut)."""
    prefix = f".{name}{_TEMP_TAG}"
    for p in parent.iterdir():
        if p.name.startswith(prefix) and p.is_dir() and not _process_alive(p.name[len(prefix):].split("-")[0]):
            shutil.rmtree(p, ignore_errors=True)


def _process_alive(pid_text: str) -> bool:
    if not pid_text.isdigit() or os.name == "nt":  # not ours; on Windows os.kill would end the process
        return True
    try:
        os.kill(int(pid_text), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by another user
        pass
    return True


def _move_into_place(tmpdir: Path, path: Path) -> None:
    """Move what was written as ``tmpdir / path.name`` to ``path``: every part of a shapefile."""
    stem = path.name[:-4] if path.name.lower().endswith(".shp") else None
    if stem is None:
        _replace(tmpdir / path.name, path)
        return
    old = _existing_parts(path)
    moved = []
    for src in sorted(tmpdir.iterdir()):
        if src.name.casefold() in {p.name.casefold() for p in _family(path)}:
            dest = path.with_name(stem + src.name[len(stem):])
            _replace(src, dest)
            moved.append(dest)
    for stale in old:
        if stale not in moved:
            stale.unlink()  # a part of the replaced shapefile (another case, or an old index)


def _replace(src: Path, dest: Path) -> None:
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    os.replace(src, dest)


@contextlib.contextmanager
def _signals_deferred():
    """Hold back Ctrl-C and SIGTERM while files are moved into place (they arrive right after)."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _unwritable_as_error(path: Path):
    """Turn "cannot write here" OS errors (permission, read-only, disk full) into one-line EcogisErrors."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in _UNWRITABLE:
            raise
        raise error("out.cannot_write", path=path, reason=exc.strerror or exc, hint="out.check_folder") from exc


def write_text_atomic(path, text: str, *, overwrite: bool = False, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)
