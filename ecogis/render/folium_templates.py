"""folium's, branca's and ecogis's map element templates, compiled once and kept in the cache folder.

Every folium and branca element class compiles its Jinja template when its module is imported: about 50
templates, ≈ 0.09 s of every HTML report (Jinja parses each source and generates Python code, which
Python compiles). The compiled code object of a template depends only on its source text, the syntax
settings of its Jinja environment, Jinja's version and Python's bytecode format, so inside
:func:`compiled_templates` each one is taken from a file in the ecogis cache folder
(:func:`ecogis.layer_cache.cache_dir`, ``templates/``) and compiled by Jinja only when missing there
(kept with ``marshal``, as Jinja's own ``BytecodeCache`` keeps the code of its loaders' templates).

Only the templates compiled inside the block are kept: while it imports modules (the element classes'
fixed sources) and while a map's figure is made (its one fixed ``<meta>`` element); rendering (any text
with a site's data) is never inside the block. The file is named by Jinja's version and Python's bytecode
format; an entry is keyed by a SHA-256 over the environment's class and syntax settings and the
template's name, file name and source. ``ECOGIS_NO_CACHE`` switches it off, an
unreadable file is ignored, a folder that cannot be written is no error.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import sys
import threading
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_LOCK = threading.RLock()
#: per process: the loaded store (key -> code object), whether it gained entries, the blocks open in all
#: threads (Jinja's compile is replaced while there is one) and Jinja's own compile
_STATE: dict[str, Any] = {"store": None, "path": None, "dirty": False, "depth": 0, "original": None}
#: per thread: the blocks open in this thread (only its compiles inside a block are kept)
_THREAD = threading.local()
#: the Environment settings that change the code Jinja generates for a source
_SYNTAX = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
           "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
           "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized", "is_async")


@contextlib.contextmanager
def compiled_templates() -> Iterator[None]:
    """Inside the block, Jinja templates compiled by this thread come from the cache file (compiled and
    added to it when missing). Meant for imports of folium and of ecogis's folium modules and the making of
    a map's figure only: never for rendering (texts with a site's data)."""
    from ecogis import layer_cache

    if not layer_cache.enabled():
        yield
        return
    import jinja2

    with _LOCK:
        if _STATE["depth"] == 0:
            _open_store(jinja2, layer_cache)
            _STATE["original"] = jinja2.Environment.compile
            jinja2.Environment.compile = _compile  # type: ignore[method-assign]
        _STATE["depth"] += 1
    _THREAD.depth = getattr(_THREAD, "depth", 0) + 1
    try:
        yield
    finally:
        _THREAD.depth -= 1
        with _LOCK:
            _STATE["depth"] -= 1
            if _STATE["depth"] == 0:
                jinja2.Environment.compile = _STATE["original"]  # type: ignore[method-assign]
                _save_store()


def _compile(env, source, name=None, filename=None, raw=False, defer_init=False):
    """``jinja2.Environment.compile`` through the store (Jinja's own for raw output, for threads outside a
    block and for environments with extensions, an autoescape function or a finalizer)."""
    original = _STATE["original"]
    if (raw or not isinstance(source, str) or not getattr(_THREAD, "depth", 0) or env.extensions
            or callable(env.autoescape) or env.finalize is not None):
        return original(env, source, name, filename, raw, defer_init)
    key = template_key(env, source, name, filename, defer_init)
    code = _STATE["store"].get(key)
    if not isinstance(code, types.CodeType):
        code = original(env, source, name, filename, raw, defer_init)
        _STATE["store"][key] = code
        _STATE["dirty"] = True
    return code


def template_key(env, source: str, name=None, filename=None, defer_init=False) -> str:
    """SHA-256 over what the compiled code of ``source`` depends on besides Jinja's and Python's versions."""
    settings = [type(env).__module__, type(env).__qualname__, *(getattr(env, s) for s in _SYNTAX),
                repr(env.autoescape), name, filename, defer_init]
    return hashlib.sha256(repr((settings, source)).encode("utf-8", "surrogatepass")).hexdigest()


def store_path(folder: Path, jinja_version: str) -> Path:
    """The cache file: one per Jinja version and Python bytecode format (the magic number of ``.pyc`` files)."""
    magic = importlib.util.MAGIC_NUMBER.hex()
    return folder / "templates" / f"jinja-{jinja_version}-{sys.implementation.cache_tag}-{magic}.marshal"


def _open_store(jinja2, layer_cache) -> None:
    """Load the store of the cache folder (once per folder and process)."""
    try:
        path = store_path(layer_cache.cache_dir(), jinja2.__version__)
    except (OSError, RuntimeError):  # no home folder
        path = None
    if _STATE["store"] is not None and path == _STATE["path"]:
        return
    store: dict = {}
    if path is not None:
        with contextlib.suppress(OSError, EOFError, ValueError, TypeError), open(path, "rb") as fh:
            loaded = marshal.load(fh)
            store = loaded if isinstance(loaded, dict) else {}
    _STATE["store"], _STATE["path"], _STATE["dirty"] = store, path, False


def _save_store() -> None:
    """Write the store atomically when it gained entries; a folder that cannot be written is no error."""
    path = _STATE["path"]
    if not _STATE["dirty"] or path is None:
        return
    _STATE["dirty"] = False
    from ecogis.layer_cache import write_atomically

    write_atomically(path, lambda fh: marshal.dump(_STATE["store"], fh))
