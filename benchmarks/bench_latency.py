"""Benchmark: wall time of single CLI checks of the sample sites per output format, and of ``ecogis --help``.

Each command runs in a fresh interpreter (``subprocess``), timed in alternating pairs with the bare
start-up ``python -c "import geopandas, pyproj, shapely"``, so that the ratio (command / bare start-up)
does not depend on the machine or its load. Prints per command the median, best and worst seconds and
the median of the per-pair ratios. ``--against DIR`` also times every command with another ecogis
source tree first on ``PYTHONPATH`` (e.g. ``git archive <commit> ecogis | tar -x -C DIR``), in the
same alternation, for before/after figures on one machine. Each check of this tree runs twice per
pair: ``[cached]`` with the layer cache (:mod:`ecogis.layer_cache`) filled by the warm-up run, and
``[cold]`` with an empty cache folder of its own (a first run, which fills it). Not a test; never run in CI::

    .venv/bin/python benchmarks/bench_latency.py --repeat 5
    .venv/bin/python benchmarks/bench_latency.py --repeat 5 --against /tmp/ecogis-before
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ECOGIS = [str(Path(sys.executable).parent / "ecogis"), "-q"]  # the console script beside this interpreter
BARE = [sys.executable, "-c", "import geopandas, pyproj, shapely"]
SITE = ["check", str(ROOT / "layers/sites/sites_zone41.txt"), "-p", str(ROOT / "layers/project.yaml")]


def commands(out: Path) -> dict[str, list[str]]:
    """Name -> argv of each timed command (reports written under ``out``, replaced each run)."""
    fmt = {f: [*ECOGIS, *SITE, "--format", f, "--out", str(out / f), "--overwrite"]
           for f in ("json", "html", "docx,html,xlsx,json")}
    return {"ecogis --help": [ECOGIS[0], "--help"], "check --json (stdout)": [*ECOGIS, *SITE, "--json"],
            **{f"check --format {f}": argv for f, argv in fmt.items()}}


#: CPU seconds (user + system) of every command run, by argv, tree and cache mode
CPU: dict[tuple, list[float]] = {}
#: cache modes: "cached" reads the layers (and font subsets) from a cache filled by the warm-up run;
#: "cold" is a first run, with an empty cache folder of its own (it fills it)
MODES = ("cached", "cold")


def wall(argv: list[str], tree: Path | None = None, cache: Path | None = None, mode: str = "") -> float:
    """Wall seconds of ``argv`` in a fresh process (with ``tree`` first on PYTHONPATH when given, the
    layer cache in ``cache``); its CPU seconds are kept in :data:`CPU`."""
    env = dict(os.environ)
    env.pop("ECOGIS_NO_CACHE", None)
    if cache is not None:
        env["ECOGIS_CACHE_DIR"] = str(cache)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH")])])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault((tuple(argv), tree, mode), []).append(cpu)
    return elapsed


def compile_bytecode(tree: Path | None) -> None:
    """Write the bytecode (``__pycache__``) of ecogis's modules in ``tree`` (this checkout when None), as
    an installed or once-imported ecogis has: with ``PYTHONDONTWRITEBYTECODE`` set in the environment,
    every timed process would otherwise compile ≈ 0.1–0.2 s of ecogis's sources again (the bare start-up's
    libraries, installed by pip, have their bytecode)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str((tree or ROOT) / "ecogis")], check=True,
                   stdout=subprocess.DEVNULL)


def _load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="alternating pairs per command")
    ap.add_argument("--against", type=Path, help="another ecogis source tree (the folder holding ecogis/)")
    ap.add_argument("--modes", default=",".join(MODES), help="cache modes to time: cached, cold (default both)")
    args = ap.parse_args(argv)
    trees = {"": None, **({" [against]": args.against} if args.against else {})}
    modes = [m for m in args.modes.split(",") if m in MODES]
    print(f"load average at the start: {_load()}")
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(Path(tmp))
        warm = Path(tmp) / "cache"
        for tree in trees.values():
            compile_bytecode(tree)
        for argv_ in cmds.values():  # warm the file cache (and fill the layer cache) once
            for tree in trees.values():
                wall(argv_, tree, warm)
        CPU.clear()
        runs = [(name, label, tree, mode) for name in cmds for label, tree in trees.items()
                for mode in (modes if tree is None and name != "ecogis --help" else ["cached"])]
        times: dict[tuple, list[float]] = {run: [] for run in runs}
        ratios: dict[tuple, list[float]] = {run: [] for run in runs}
        bare = []
        for i in range(args.repeat):
            for run in runs:
                name, _, tree, mode = run
                cache = warm if mode == "cached" else Path(tmp) / f"cold-{i}-{len(bare)}"
                b, t = wall(BARE, mode="bare"), wall(cmds[name], tree, cache, mode)
                bare.append(b)
                times[run].append(t)
                ratios[run].append(t / b)
    print(f"load average at the end: {_load()}")
    bare_cpu = statistics.median(CPU[(tuple(BARE), None, "bare")])
    print(f"bare start-up (import geopandas, pyproj, shapely): median {statistics.median(bare):.2f} s "
          f"(best {min(bare):.2f}, worst {max(bare):.2f}, n={len(bare)}); CPU median {bare_cpu:.2f} s")
    for run, ts in times.items():
        name, label, tree, mode = run
        rs = sorted(ratios[run])
        cpu = statistics.median(CPU[(tuple(cmds[name]), tree, mode)])
        title = f"{name}{label}" + (f" [{mode}]" if tree is None and name != "ecogis --help" else "")
        print(f"{title:55s} median {statistics.median(ts):5.2f} s  best {min(ts):5.2f}  worst {max(ts):5.2f}  "
              f"ratio to bare start-up: median of pairs {statistics.median(rs):.2f} (best {rs[0]:.2f}, "
              f"worst {rs[-1]:.2f}); CPU median {cpu:.2f} s = {cpu / bare_cpu:.2f}x the bare start-up's")


if __name__ == "__main__":
    main()
