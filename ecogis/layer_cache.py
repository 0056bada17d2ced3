"""A cache of read and normalised project layers (and other deterministic reads) for repeated checks.

Reading and normalising the layers of a project is most of a single check's time, and its answer
depends only on the bytes of the source files, the read options and the code that reads them. The
cache keeps each answer in a user cache folder, never beside the input files:

* where: ``$ECOGIS_CACHE_DIR``, else ``$XDG_CACHE_HOME/ecogis``, else ``~/.cache/ecogis`` (the XDG user
  cache folder; platformdirs is not a dependency of ecogis); one file per entry.
* off: ``ECOGIS_NO_CACHE=1`` (any value but ``""``/``0``), ``ecogis check --no-cache``, or
  :func:`switched_off` in Python.
* key: a SHA-256 over the cache-format version, the ecogis version and its source files (size and
  mtime of each module), the versions of the libraries a read goes through, what is read (its name
  and options: kind, layer, CRS, encoding, field map) and the SHA-256 of the bytes of every file of
  the source: the file and its side-cars (every file of the folder whose name starts with the
  file's stem and a dot: ``.shp`` ``.dbf`` ``.shx`` ``.prj`` ``.cpg`` ..., a GeoPackage's ``-wal``
  and ``-shm``). A file's digest is reused without re-reading its bytes only while its size, mtime,
  ctime, inode and device are those recorded when it was hashed, and only when it was hashed at
  least :data:`SETTLE_S` seconds after its last change (a file changed since then has a new ctime,
  which no user program can set back); otherwise its bytes are hashed again. Digests are recorded by
  absolute path: checks run from two folders with the same relative paths keep one record each.
* what: the value (a pickle) and every warning the read emitted, which a cached read emits again in
  the same order, so that a cached check states exactly the assumptions of an uncached one (the
  notes travel inside the value, e.g. ``attrs["ecogis"]["notes"]`` of a layer).
* safety: writes go to a temporary file replaced atomically (``os.replace``); an entry that cannot be
  read or unpickled (truncated, corrupt, from another version) is ignored and read again from the
  source; a cache folder that cannot be written is no error (the read result is used uncached).
  Sources that are not plain files (PostGIS, folders) are never cached.
* derived values (:func:`derived`): what is computed from a cached value alone (the screening index of
  a layer in one GK zone, :func:`ecogis.screen_index.layer_arrays`) is kept under a key over that
  value's key and its own options, so it follows every change of the files, options and code.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import pickle
import sys
import tempfile
import time
import warnings
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

#: bump when the layout of an entry or the meaning of a key changes
CACHE_FORMAT = 1
CACHE_DIR_ENV = "ECOGIS_CACHE_DIR"
NO_CACHE_ENV = "ECOGIS_NO_CACHE"
#: a file's digest is reused by its stat only when it was hashed this long after its last change (s)
SETTLE_S = 2.0
_LIBRARIES = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "pyogrio", "openpyxl", "pyarrow")
_IMPORTED = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "pyarrow")  # imported by every check
_DIGESTS = "file-digests.pickle"


def enabled() -> bool:
    """Whether reads go through the cache (not when ``ECOGIS_NO_CACHE`` is set to anything but 0)."""
    return os.environ.get(NO_CACHE_ENV, "").strip() in ("", "0")


@contextlib.contextmanager
def switched_off() -> Iterator[None]:
    """Read without the cache inside the block (``ecogis check --no-cache``; also for child processes)."""
    before = os.environ.get(NO_CACHE_ENV)
    os.environ[NO_CACHE_ENV] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(NO_CACHE_ENV, None)
        else:
            os.environ[NO_CACHE_ENV] = before


def cache_dir() -> Path:
    """The cache folder: ``$ECOGIS_CACHE_DIR``, else ``$XDG_CACHE_HOME/ecogis``, else ``~/.cache/ecogis``."""
    given = os.environ.get(CACHE_DIR_ENV)
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "ecogis"


def cached(what: str, options: dict, files: list[Path] | None, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its value kept from an earlier call with the same key (see the module text).

    ``what`` names the kind of value (``"layer"``), ``options`` everything besides the files' bytes
    the value depends on (keyed by their ``repr``), ``files`` the source files (None: not cacheable,
    just compute). Warnings ``compute`` emits are recorded with the value and emitted again on a hit.
    The value's key is remembered for :func:`derived` (values computed from it).
    """
    if files is None or not enabled():
        return compute()
    try:
        folder = cache_dir()
        key = _key(what, options, files, folder)
    except OSError:
        return compute()
    return _remember(_through(folder / what / f"{key}.pickle", compute), key)


def derived(what: str, source: Any, options: dict, compute: Callable[[], Any]) -> Any:
    """``compute()`` for a value that depends only on ``source`` (a value :func:`cached` returned in this
    process, e.g. a read layer) and ``options``: kept under a key over the source's key and ``options``
    (their ``repr``), so it is computed again whenever the source's files, read options or ecogis's code
    change. Just computed when ``source`` did not come from the cache (or the cache is off). The source
    must not have been changed in place since it was read (a filtered or reprojected copy is a new
    object, which has no key)."""
    parent = key_of(source)
    if parent is None or not enabled():
        return compute()
    parts = [CACHE_FORMAT, what, parent, sorted((str(k), repr(v)) for k, v in options.items())]
    key = hashlib.sha256(repr(parts).encode()).hexdigest()
    try:
        folder = cache_dir()
    except OSError:
        return compute()
    return _remember(_through(folder / what / f"{key}.pickle", compute), key)


def key_of(value: Any) -> str | None:
    """The cache key of ``value`` when :func:`cached` or :func:`derived` returned this very object in this
    process, else None."""
    known = _KEYS.get(id(value))
    return known[1] if known is not None and known[0]() is value else None


def source_files(path: Path) -> list[Path] | None:
    """The files a read of ``path`` depends on: the file and its side-cars (same stem and a dot, or a
    GeoPackage's ``-wal``/``-shm``), sorted; None when ``path`` is not a plain file."""
    if not path.is_file():
        return None
    stem = path.name.split(".")[0].lower()  # any letter case: more files only means more invalidation
    parts = [p for p in path.parent.iterdir()
             if p.is_file() and (p.name.lower().startswith(stem + ".") or p.name in (path.name + "-wal",
                                                                                     path.name + "-shm"))]
    return sorted(set(parts) | {path})


# ------------------------------------------------------------------------------------------ internals

#: id(value) -> (weak reference to the value, its cache key), for :func:`key_of`
_KEYS: dict[int, tuple[Callable[[], Any], str]] = {}


def _remember(value: Any, key: str) -> Any:
    """Keep ``key`` for :func:`key_of` ``value`` (and ``f"{key}/{i}"`` for item ``i`` of a tuple, such as
    the ``(GeoDataFrame, LayerInfo)`` of a layer read)."""
    if isinstance(value, tuple):
        for i, item in enumerate(value):
            _remember(item, f"{key}/{i}")
        return value
    ident = id(value)

    def forget(_: object) -> None:
        _KEYS.pop(ident, None)

    try:
        ref = weakref.ref(value, forget)
    except TypeError:  # not weakly referable (None, a list...): no derived values of it
        return value
    _KEYS[ident] = (ref, key)
    return value


def _through(entry: Path, compute: Callable[[], Any]) -> Any:
    """The value kept in ``entry`` (its warnings emitted again), else ``compute()`` kept there."""
    hit = _load(entry)
    if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[1], list):
        _emit(hit[1])
        return hit[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = compute()
    replay = [(w.message, w.category) for w in caught]  # the message and class (a WarningMessage holds more)
    _store(entry, (value, replay))
    _emit(replay)
    return value


def _emit(replay: list) -> None:
    for message, category in replay:
        warnings.warn(message, category, stacklevel=4)


def _key(what: str, options: dict, files: list[Path], folder: Path) -> str:
    digests = _digests(folder)
    parts = [CACHE_FORMAT, what, sorted((str(k), repr(v)) for k, v in options.items()), _code_fingerprint(),
             [(str(f), digests.of(f)) for f in files]]
    digests.save()
    return hashlib.sha256(repr(parts).encode()).hexdigest()


_CODE: list[str] = []


def _code_fingerprint() -> str:
    """ecogis's version and its modules and rules files (path, size, mtime), the Python and library versions
    (computed once per process)."""
    if not _CODE:
        import ecogis

        modules = _source_stats(os.path.dirname(ecogis.__file__), "")
        import pyproj

        libs = [(name, _library_version(name)) for name in _LIBRARIES]
        fingerprint = repr((ecogis.__version__, sys.version, libs, pyproj.proj_version_str, sorted(modules)))
        _CODE.append(hashlib.sha256(fingerprint.encode()).hexdigest())
    return _CODE[0]


def _source_stats(folder: str, relative: str) -> list[tuple[str, int, int]]:
    """(path relative to ecogis's folder, size, mtime ns) of every ``.py`` and ``.yaml`` file under
    ``folder`` (bytecode folders skipped: they hold neither)."""
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            rel = os.path.join(relative, entry.name)
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    out.extend(_source_stats(entry.path, rel))
            elif entry.name.endswith((".py", ".yaml")):
                st = entry.stat()
                out.append((rel, st.st_size, st.st_mtime_ns))
    return out


def _library_version(name: str) -> str | None:
    """The installed version of a library: the ``__version__`` of those every check imports anyway
    (:data:`_IMPORTED`), else its package metadata's (the same answer whether or not it is imported yet)."""
    if name in _IMPORTED:
        return str(importlib.import_module(name).__version__)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


_DIGEST_INDEX: dict[Path, _Digests] = {}


def _digests(folder: Path) -> _Digests:
    """The file digests recorded in ``folder`` (read once per process)."""
    if folder not in _DIGEST_INDEX:
        _DIGEST_INDEX[folder] = _Digests(folder / _DIGESTS)
    return _DIGEST_INDEX[folder]


class _Digests:
    """SHA-256 of files, reused by their stat while provably unchanged (see the module text)."""

    def __init__(self, path: Path):
        self.path = path
        self.known = _load(path) or {}
        self.changed = False

    def of(self, file: Path) -> str:
        st = file.stat()
        stamp = _stamp(st)
        where = os.path.abspath(file)  # the same relative path in another folder is another file
        known = self.known.get(where) if isinstance(self.known, dict) else None
        if known is not None and known[0] == stamp:
            return known[1]
        with open(file, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        settled = time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLE_S * 1e9
        if settled and _stamp(file.stat()) == stamp:
            self.known[where] = (stamp, digest)
            self.changed = True
        return digest

    def save(self) -> None:
        if self.changed:
            _store(self.path, self.known)
            self.changed = False


def _stamp(st: os.stat_result) -> tuple:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


def _load(entry: Path) -> Any:
    """The unpickled content of ``entry``, or None when it is missing or unreadable."""
    try:
        with open(entry, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged entry is ignored and read again from the source
        return None


def _store(entry: Path, value: Any) -> None:
    """Write ``value`` to ``entry`` atomically as a pickle; a folder that cannot be written is no error."""
    write_atomically(entry, lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL))


def write_atomically(entry: Path, write: Callable[[Any], None]) -> None:
    """``write(fh)`` into a temporary file beside ``entry``, then moved onto it in one step (``os.replace``);
    an entry that cannot be written (folder, serialisation) is no error: it is just not kept."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=entry.suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            os.replace(tmp, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except Exception:  # noqa: BLE001 - an entry that cannot be written is just not kept
        return
