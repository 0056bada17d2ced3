"""Benchmark: wall time of single CLI checks of the sample sites per output format, and of ``ecogis --help``.

Each command runs in a fresh interpreter (``subprocess``), timed in alternating pairs with the bare
start-up ``python -c "import geopandas, pyproj, shapely"``, so that the ratio (command / bare start-up)
does not depend on the machine or its load. Prints per command the median, best and worst seconds and
the median of the per-pair ratios. Not a test; never run in CI::

    .venv/bin/python benchmarks/bench_latency.py --repeat 5
"""
from __future__ import annotations

import argparse
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


def wall(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5, help="alternating pairs per command")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        cmds = commands(Path(tmp))
        for argv_ in cmds.values():  # warm the file cache once
            wall(argv_)
        times = {name: [] for name in cmds}
        ratios = {name: [] for name in cmds}
        bare = []
        for _ in range(args.repeat):
            for name, argv_ in cmds.items():
                b, t = wall(BARE), wall(argv_)
                bare.append(b)
                times[name].append(t)
                ratios[name].append(t / b)
    print(f"bare start-up (import geopandas, pyproj, shapely): median {statistics.median(bare):.2f} s "
          f"(best {min(bare):.2f}, worst {max(bare):.2f}, n={len(bare)})")
    for name, ts in times.items():
        print(f"{name:36s} median {statistics.median(ts):5.2f} s  best {min(ts):5.2f}  worst {max(ts):5.2f}  "
              f"ratio to bare start-up (median of pairs) {statistics.median(ratios[name]):.2f}")


if __name__ == "__main__":
    main()
