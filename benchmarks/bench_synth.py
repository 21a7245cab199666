"""Speed of ``nqp synth`` (no external peer exists for this step).

Runs ``nqp synth --scale S --quiet`` as a child process (what a user waits for: start-up,
imports, drawing, writing ~38,500 report files at scale 1) ``--repeat`` times per setting and
prints, per setting, the median wall time, the median user+sys CPU seconds of the command and
its worker processes, and the 1-minute load average before each run (the machine is shared:
read the wall times beside the load). Settings: ``--workers default`` (one worker process per
CPU) and ``--workers 1`` (everything in one process). Target from the issue: scale 1 in at
most 10 s wall on an idle 2-core machine.

Usage: ``.venv/bin/python benchmarks/bench_synth.py [--scale 1] [--repeat 3] [--workers default,1]``
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(scale: float, workers: str) -> tuple[float, float, float]:
    """(wall s, user+sys CPU s, load average before) of one ``nqp synth`` run."""
    d = Path(tempfile.mkdtemp(prefix="nqp-bench-synth-"))
    cmd = [sys.executable, "-m", "nqp.cli", "synth", "--out", str(d / "out"), "--scale", str(scale), "--quiet"]
    if workers != "default":
        cmd += ["--workers", workers]
    try:
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, load
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", default="default,1", help="comma-separated: 'default' or a number")
    args, _ = ap.parse_known_args()  # run_all.py passes every script the same options
    for workers in args.workers.split(","):
        runs = [run_once(args.scale, workers) for _ in range(args.repeat)]
        wall, cpu, load = (statistics.median(x) for x in zip(*runs))
        print(f"nqp synth --scale {args.scale:g} --workers {workers}: median {wall:6.2f} s wall, "
              f"{cpu:6.2f} s user+sys CPU over {args.repeat} run(s); load average {load:.1f} "
              f"(runs: {', '.join(f'{w:.1f} s at load {lo:.1f}' for w, _, lo in runs)})")


if __name__ == "__main__":
    main()
