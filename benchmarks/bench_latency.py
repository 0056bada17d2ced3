"""Benchmark: wall time of single CLI checks of the sample sites per output format, and of ``ecogis --help``.

Each command runs in a fresh interpreter (``subprocess``), timed in alternating pairs with the bare
start-up ``python -c "import geopandas, pyproj, shapely"``, so that the ratio (command / bare start-up)
does not depend on the machine or its load. Prints per command the median, best and worst seconds and
the median of the per-pair ratios. ``--against DIR`` also times every command with another ecogis
source tree first on ``PYTHONPATH`` (e.g. ``git archive <commit> ecogis | tar -x -C DIR``), in the
same alternation, for before/after figures on one machine. Not a test; never run in CI::

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


#: CPU seconds (user + system) of every command run, by argv and tree: steadier than wall time on a loaded machine
CPU: dict[tuple, list[float]] = {}


def wall(argv: list[str], tree: Path | None = None) -> float:
    """Wall seconds of ``argv`` in a fresh process (with ``tree`` first on PYTHONPATH when given); its CPU
    seconds are kept in :data:`CPU`."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH")])])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault((tuple(argv), tree), []).append(cpu)
    return elapsed


def _load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="alternating pairs per command")
    ap.add_argument("--against", type=Path, help="another ecogis source tree (the folder holding ecogis/)")
    args = ap.parse_args(argv)
    trees = {"": None, **({" [against]": args.against} if args.against else {})}
    print(f"load average at the start: {_load()}")
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(Path(tmp))
        for argv_ in cmds.values():  # warm the file cache once
            for tree in trees.values():
                wall(argv_, tree)
        CPU.clear()
        times = {name + label: [] for name in cmds for label in trees}
        ratios = {name: [] for name in times}
        bare = []
        for _ in range(args.repeat):
            for name, argv_ in cmds.items():
                for label, tree in trees.items():
                    b, t = wall(BARE), wall(argv_, tree)
                    bare.append(b)
                    times[name + label].append(t)
                    ratios[name + label].append(t / b)
    print(f"load average at the end: {_load()}")
    bare_cpu = statistics.median(CPU[(tuple(BARE), None)])
    print(f"bare start-up (import geopandas, pyproj, shapely): median {statistics.median(bare):.2f} s "
          f"(best {min(bare):.2f}, worst {max(bare):.2f}, n={len(bare)}); CPU median {bare_cpu:.2f} s")
    for name, ts in times.items():
        rs = sorted(ratios[name])
        argv_, tree = cmds[name.removesuffix(" [against]")], trees[" [against]" if name.endswith("]") else ""]
        cpu = statistics.median(CPU[(tuple(argv_), tree)])
        print(f"{name:46s} median {statistics.median(ts):5.2f} s  best {min(ts):5.2f}  worst {max(ts):5.2f}  "
              f"ratio to bare start-up: median of pairs {statistics.median(rs):.2f} (best {rs[0]:.2f}, "
              f"worst {rs[-1]:.2f}); CPU median {cpu:.2f} s = {cpu / bare_cpu:.2f}x the bare start-up's")


if __name__ == "__main__":
    main()
