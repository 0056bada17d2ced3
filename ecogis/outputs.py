"""Writing outputs safely: never over an input, never half-written, never over an existing file unasked."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from ecogis.errors import EcogisError


def check_output_path(path, *, overwrite: bool = False, inputs=()) -> Path:
    """Return ``path`` as a Path after refusing to clobber an input or an existing file.

    Raises EcogisError when ``path`` is one of ``inputs`` or exists and ``overwrite`` is false.
    """
    path = Path(path)
    for src in inputs:
        if src is not None and Path(src).exists() and path.exists() and path.resolve() == Path(src).resolve():
            raise EcogisError("output is the same file as an input", path=path, hint="Choose another output path")
    if path.exists() and not overwrite:
        raise EcogisError("output exists", path=path, hint="Pass --overwrite (overwrite=True) to replace it")
    return path


@contextlib.contextmanager
def atomic_path(path, *, overwrite: bool = False, inputs=()):
    """Yield a temporary path beside ``path``; on success move it into place in one step.

    Works for single files and for directories written by a driver (the temporary keeps the suffix so
    format drivers recognise it). On error the temporary is removed and ``path`` is untouched.
    """
    path = check_output_path(path, overwrite=overwrite, inputs=inputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    tmp = tmpdir / path.name
    try:
        yield tmp
        _move_into_place(tmp, path, tmpdir)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _move_into_place(tmp: Path, path: Path, tmpdir: Path) -> None:
    # A shapefile is several files that share a stem: move them all.
    siblings = [p for p in tmpdir.iterdir() if p.stem == tmp.stem or p == tmp]
    for src in siblings:
        dest = path.with_name(path.stem + src.name[len(tmp.stem):])
        if dest.is_dir():
            shutil.rmtree(dest)
        os.replace(src, dest)


def write_text_atomic(path, text: str, *, overwrite: bool = False, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)

