"""The overlay figures (叠图) of the DOCX report, drawn in a forked process while the rest is written.

Drawing the figures (matplotlib) is most of a DOCX report's time and needs nothing the other reports
write, so :class:`PendingFigures` starts it in child processes at once (where the platform forks:
Linux, from a process without other threads; elsewhere, or with ``fork=False``, the figures are drawn
in this process when asked for; the first child imports matplotlib and forks the second) and
:meth:`PendingFigures.wait` collects the PNG files. The CLI starts the first child before the check
(:func:`start_early`), so that matplotlib is imported while the check runs; it is then sent its inputs
pickled. Each process draws its figures into one matplotlib figure, emptied between them
(:mod:`ecogis.render.static_figure`), without garbage collection. The child draws exactly what this process would
(same code, same inputs: the fork's copy of them); the warnings it emits are recorded and emitted again
here, in order, and an error it raises is raised here. A child that dies without answering is no error:
the figures are then drawn here.
"""
from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from ecogis.render import check_text as T

#: with more sites than this the report has the overview figure only
MAX_SITE_FIGURES = 8
#: forked processes drawing the figures (see :func:`_groups`)
PROCESSES = 2


def plan(result, lang: str) -> list[tuple[str, object, str]]:
    """``(caption name, site rows, PNG file name)`` of each overlay figure: one framed on all sites, then,
    when there are 2 to :data:`MAX_SITE_FIGURES` sites, one framed on each; none without a site."""
    site = T.site_layer(result)
    if site is None:
        return []
    out = [(T.t("site", lang), site, "map.png")]
    if 1 < len(site) <= MAX_SITE_FIGURES:
        names = site["name"] if "name" in site.columns else site["id"]
        for i, name in enumerate(names.where(names.notna(), site["id"]).astype(str)):
            one = site.iloc[[i]].copy()
            one.attrs = site.attrs
            out.append((f"{T.t('site', lang)} {name}", one, f"map_{i}.png"))
    return out


def figures(result, tmp: Path, lang: str, width_cm: float = 16.0, shared: dict | None = None, *,
            which: list[int] | None = None) -> list[tuple[str, Path]]:
    """``(caption name, PNG)`` of the overlay figures of :func:`plan` (those numbered ``which``, all when
    None), drawn into ``tmp`` (ecogis.render.static_map) at the resolution that prints at
    static_map.PRINT_DPI when placed ``width_cm`` wide. ``shared``: what :func:`_prepare` made for them."""
    from ecogis.render.static_map import dpi_for_width, render_static

    figures_planned = plan(result, lang)
    if not figures_planned:
        return []
    project = result.inputs.get("project") or {}
    layers = T.map_layers(result, lang)
    shared = {} if shared is None else shared  # the layers projected once for every figure

    # zlib level 1: the same pixels, written in ~0.6× the time (the DOCX zips them again); each figure drawn
    # into the previous one's emptied figure (the same pixels, no new axes, text metrics kept)
    def draw(sites, png):
        return render_static(layers, png, site=sites, title=None, dpi=dpi_for_width(width_cm), lang=lang,
                             focus="site", review_no=project.get("review_no"), source=project.get("source"),
                             shared=shared, png_compress=1, reuse=True)

    chosen = range(len(figures_planned)) if which is None else which
    return [(figures_planned[i][0], draw(figures_planned[i][1], tmp / figures_planned[i][2])) for i in chosen]


def can_fork() -> bool:
    """Whether figures are drawn in forked processes: on Linux (macOS and Windows spawn, which would
    import and read everything again), from a process with no other Python thread (a thread holding a
    lock at the fork would leave it held in the child: the web server draws in its own thread)."""
    import multiprocessing
    import threading

    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and threading.active_count() == 1)


class PendingFigures:
    """The overlay figures of ``result``, being drawn (:func:`figures`) into a temporary folder of their
    own by :data:`PROCESSES` forked processes (:func:`_groups`): the first imports matplotlib, then
    forks the others, so that it is imported once. :meth:`wait` returns them, :meth:`close` (or the
    ``with`` block's end) stops the processes and removes the folder."""

    def __init__(self, result, lang: str, width_cm: float = 16.0, fork: bool | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="ecogis-figures-")
        self._args = (result, Path(self._tmp.name), lang, width_cm)
        self._done: list | None = None
        self._proc: Any = None
        self._jobs: list[tuple[list[int], Any]] = []   # (figure numbers, pipe end)
        groups = _groups(len(plan(result, lang)) if result is not None else 1)
        if fork is not False and self._send_early(groups):
            return
        if fork if fork is not None else can_fork():
            self._start(groups)

    def _send_early(self, groups: list[list[int]]) -> bool:
        """Give the figures to the process :func:`start_early` started, if there is one waiting: the
        inputs pickled to it (what it draws is what a fork of this process would draw); False when there
        is none, or it is gone, or the inputs cannot be pickled (it is then told to end)."""
        early = _EARLY.pop("process", None)
        if early is None:
            return False
        proc, job, answers = early
        try:
            job.send((self._args, groups))
        except Exception:  # noqa: BLE001 - an input that cannot be pickled, or the process is gone
            with contextlib.suppress(OSError):
                job.send(None)
            for conn in answers:
                conn.close()
            proc.join()
            return False
        finally:
            job.close()
        self._proc = proc
        self._jobs = list(zip(groups, answers))
        for conn in answers[len(groups):]:
            conn.close()
        return True

    def _start(self, groups: list[list[int]]) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        pipes = [ctx.Pipe(duplex=False) for _ in groups]
        jobs = [(which, child_end) for which, (_, child_end) in zip(groups, pipes)]
        self._proc = ctx.Process(target=_draw_in_children, args=(jobs, self._args), daemon=True)
        self._proc.start()
        for _, child_end in pipes:
            child_end.close()
        self._jobs = [(which, conn) for which, (conn, _) in zip(groups, pipes)]

    def wait(self) -> list[tuple[str, Path]]:
        """The ``(caption name, PNG)`` list of :func:`figures` (its warnings emitted, its error raised)."""
        if self._done is None:
            if self._proc is None:
                self._done = figures(*self._args)
            else:
                answers = [(which, _receive(conn)) for which, conn in self._jobs]   # every pipe read first
                self._proc.join()
                done: list[tuple[str, Path]] = []
                for which, answer in answers:
                    done += figures(*self._args, which=which) if answer is None else _replay(answer)
                self._done = done
        return self._done

    def close(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            try:
                os.killpg(self._proc.pid, signal.SIGTERM)   # the figure processes' own process group
            except ProcessLookupError:                      # not made yet: the first process alone
                self._proc.terminate()
            self._proc.join()
        self._tmp.cleanup()

    def __enter__(self) -> PendingFigures:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


#: the figure process started by :func:`start_early`, waiting for its figures: (process, job pipe end,
#: answer pipe ends, one per figure process)
_EARLY: dict[str, tuple] = {}


def start_early(fork: bool | None = None) -> None:
    """Start the figure process now, where figures are forked (:func:`can_fork`, or ``fork``), so that it
    imports matplotlib while this process does other work (the CLI: the check); the next
    :class:`PendingFigures` sends it its inputs (pickled) instead of forking then. Without one, it ends
    when this process does."""
    if _EARLY or not (fork if fork is not None else can_fork()):
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    job_read, job_write = ctx.Pipe(duplex=False)
    answers = [ctx.Pipe(duplex=False) for _ in range(PROCESSES)]
    proc = ctx.Process(target=_wait_for_job, args=(job_read, job_write, [end for _, end in answers]), daemon=True)
    proc.start()
    job_read.close()
    for _, end in answers:
        end.close()
    _EARLY["process"] = (proc, job_write, [conn for conn, _ in answers])


def end_early() -> None:
    """End the process :func:`start_early` started if no figures were given to it (the command ended
    before, e.g. on an error): it ends once it reads the closed pipe."""
    early = _EARLY.pop("process", None)
    if early is not None:
        _, job, answers = early
        for conn in (job, *answers):
            conn.close()


def _wait_for_job(job_conn, parent_end, answer_conns) -> None:
    """The process of :func:`start_early`: import the drawing code, wait for the inputs (None, or the
    parent's end of the pipe closed: end), then draw as :func:`_draw_in_children` does."""
    import pickle
    import threading

    parent_end.close()
    os.setpgid(0, 0)
    _no_gc()
    received: list[bytes] = []     # read meanwhile, so that the parent never waits on a full pipe
    reader = threading.Thread(target=_read_job, args=(job_conn, received))
    reader.start()
    import ecogis.render.static_map  # noqa: F401 - matplotlib, while the parent works

    reader.join()                  # no other thread left when the second figure process is forked
    job = pickle.loads(received[0]) if received else None
    if job is None:
        os._exit(0)
    args, groups = job
    for conn in answer_conns[len(groups):]:
        conn.close()
    _draw_jobs(list(zip(groups, answer_conns)), args)


def _read_job(conn, received: list) -> None:
    """The pickled job sent to the early process, into ``received`` (nothing when the parent's end closed)."""
    try:
        received.append(conn.recv_bytes())
    except (EOFError, OSError):
        pass
    conn.close()


def _no_gc() -> None:
    """No garbage collection in a figure process, which ends after a few figures: the parent's objects
    are never scanned (nor their pages copied); ~15 % of the drawing time."""
    gc.freeze()
    gc.disable()


def _groups(count: int) -> list[list[int]]:
    """Figure numbers per process: the overview (about twice a site's figure to draw) and the first
    sites' figures in one, the other sites' in the other, so that both take about as long."""
    if count <= 2 or PROCESSES < 2:
        return [list(range(max(count, 1)))]
    split = 1 + (count - 3) // 2
    return [list(range(split)), list(range(split, count))]


def _receive(conn) -> tuple | None:
    """A figure process's answer (status, value, warnings); None when it died unheard."""
    try:
        return conn.recv()
    except (EOFError, OSError):
        return None
    finally:
        conn.close()


def _replay(answer: tuple) -> list:
    """The figures of an answer, its warnings emitted here and its error raised."""
    status, value, caught = answer
    for message, category in caught:
        warnings.warn(message, category, stacklevel=4)
    if status == "error":
        raise value
    return value


def _draw_in_children(jobs, args) -> None:
    """In the forked process (a process group of its own): import the drawing code, fork a process for
    each job but the first, draw the first, wait for the others."""
    os.setpgid(0, 0)
    _no_gc()
    import ecogis.render.static_map  # noqa: F401 - matplotlib, imported once for every figure process

    _draw_jobs(jobs, args)


def _prepare(args) -> tuple:
    """``args`` with what every figure process needs first (the layers projected to the map CRS, see
    :func:`ecogis.render.static_map.project_layers`), made once before the second process is forked;
    ``args`` as they are if that fails (the figures then make it, or raise the error themselves)."""
    from ecogis.render.static_map import project_layers

    result, _, lang = args[:3]
    shared: dict = {}
    try:
        planned = plan(result, lang)
        if planned:
            project_layers(T.map_layers(result, lang), planned[0][1], shared)
    except Exception:  # noqa: BLE001 - the figures meet it again and say so
        return args
    return (*args, shared)


def _draw_jobs(jobs, args) -> None:
    """Fork a process for each job but the first, draw the first here, wait for the others, end."""
    if len(jobs) > 1:
        args = _prepare(args)
    others = []
    for which, conn in jobs[1:]:
        pid = os.fork()
        if pid == 0:
            for _, other in jobs:
                if other is not conn:
                    other.close()
            _draw(conn, args, which)
            os._exit(0)
        conn.close()
        others.append(pid)
    _draw(jobs[0][1], args, jobs[0][0])
    for pid in others:
        os.waitpid(pid, 0)
    os._exit(0)


def _draw(conn, args, which) -> None:
    """Draw the figures numbered ``which`` and send back (status, value, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            answer: tuple = ("ok", figures(*args, which=which))
        except Exception as exc:  # noqa: BLE001 - any error is the parent's to raise
            answer = ("error", exc)
    replay = [(w.message, w.category) for w in caught]
    try:
        conn.send((*answer, replay))
    except Exception:  # noqa: BLE001 - an answer that cannot be pickled: the parent draws the figures itself
        pass
    conn.close()
