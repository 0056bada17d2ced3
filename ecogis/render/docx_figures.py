"""The overlay figures (叠图) of the DOCX report, drawn in a forked process while the rest is written.

Drawing the figures (matplotlib) is most of a DOCX report's time and needs nothing the other reports
write, so :class:`PendingFigures` starts it in a child process at once (where the platform forks:
Linux; elsewhere, or with ``fork=False``, the figures are drawn in this process when asked for) and
:meth:`PendingFigures.wait` collects the PNG files. The child draws exactly what this process would
(same code, same inputs: the fork's copy of them); the warnings it emits are recorded and emitted again
here, in order, and an error it raises is raised here. A child that dies without answering is no error:
the figures are then drawn here.
"""
from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path

from ecogis.render import check_text as T

#: with more sites than this the report has the overview figure only
MAX_SITE_FIGURES = 8


def figures(result, tmp: Path, lang: str, width_cm: float = 16.0) -> list[tuple[str, Path]]:
    """``(caption name, PNG)`` of the overlay figures (ecogis.render.static_map): one framed on all sites,
    then, when there are 2 to :data:`MAX_SITE_FIGURES` sites, one framed on each; none without a site.
    Each is drawn at the resolution that prints at static_map.PRINT_DPI when placed ``width_cm`` wide."""
    from ecogis.render.static_map import dpi_for_width, render_static

    site = T.site_layer(result)
    if site is None:
        return []
    project = result.inputs.get("project") or {}
    layers = T.map_layers(result, lang)
    shared: dict = {}  # the layers projected once for every figure

    def draw(sites, png):  # zlib level 1: the same pixels, written in ~0.6× the time (the DOCX zips them again)
        return render_static(layers, png, site=sites, title=None, dpi=dpi_for_width(width_cm), lang=lang,
                             focus="site", review_no=project.get("review_no"), source=project.get("source"),
                             shared=shared, png_compress=1)

    out = [(T.t("site", lang), draw(site, tmp / "map.png"))]
    if 1 < len(site) <= MAX_SITE_FIGURES:
        names = site["name"] if "name" in site.columns else site["id"]
        for i, name in enumerate(names.where(names.notna(), site["id"]).astype(str)):
            one = site.iloc[[i]].copy()
            one.attrs = site.attrs
            out.append((f"{T.t('site', lang)} {name}", draw(one, tmp / f"map_{i}.png")))
    return out


def can_fork() -> bool:
    """Whether figures are drawn in a forked process: on Linux (macOS and Windows spawn, which would
    import and read everything again)."""
    import multiprocessing

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class PendingFigures:
    """The overlay figures of ``result``, being drawn (:func:`figures`) into a temporary folder of their
    own; :meth:`wait` returns them, :meth:`close` (or the ``with`` block's end) removes the folder."""

    def __init__(self, result, lang: str, width_cm: float = 16.0, fork: bool | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="ecogis-figures-")
        self._args = (result, Path(self._tmp.name), lang, width_cm)
        self._done: list | None = None
        self._proc = self._conn = None
        if fork if fork is not None else can_fork():
            self._start()

    def _start(self) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_draw_in_child, args=(child_end, self._args), daemon=True)
        self._proc.start()
        child_end.close()

    def wait(self) -> list[tuple[str, Path]]:
        """The ``(caption name, PNG)`` list of :func:`figures` (its warnings emitted, its error raised)."""
        if self._done is None:
            answer = self._receive() if self._proc is not None else None
            self._done = figures(*self._args) if answer is None else answer
        return self._done

    def _receive(self) -> list | None:
        try:
            status, value, caught = self._conn.recv()
        except (EOFError, OSError):     # the child died without answering: draw here
            return None
        finally:
            self._conn.close()
            self._proc.join()
        for message, category in caught:
            warnings.warn(message, category, stacklevel=3)
        if status == "error":
            raise value
        return value

    def close(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.terminate()
            self._proc.join()
        self._tmp.cleanup()

    def __enter__(self) -> PendingFigures:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _draw_in_child(conn, args) -> None:
    """In the forked child: draw the figures and send back (status, value, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            answer: tuple = ("ok", figures(*args))
        except Exception as exc:  # noqa: BLE001 - any error is the parent's to raise
            answer = ("error", exc)
    replay = [(w.message, w.category) for w in caught]
    try:
        conn.send((*answer, replay))
    except Exception:  # noqa: BLE001 - an answer that cannot be pickled: the parent draws the figures itself
        pass
    conn.close()
    os._exit(0)
