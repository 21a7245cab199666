"""`nqp demo --scale 1` end to end: the time of each stage, as manifest.json records it.

No other tool runs this pipeline, so there is no peer for the whole; the peers of its parts are
side by side in their own benchmarks: bench_synth, bench_text and bench_patents (the document
stages), bench_study_models (the study's 33 models vs pyfixest's multiple estimation and one by
one), bench_group_tests (the bdiff permutation test vs a pyfixest refit loop), bench_report (the
tables and figures). The issue's goal: under 60 s in all, the models and the six group tests at
1,000 permutations each under 5 s. Prints the machine's load, since the machine is shared, and
the CPU seconds of the run (this process and its worker processes, user + system): the figure
that other load on the machine changes least.

Run: python benchmarks/bench_demo.py [--scale F]   (or make bench)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from nqp.study.demo import run_demo
from timing import cpu_seconds
from nqp.study.stages import StageLog


def main() -> None:
    scale = float(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1.0
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), cpu_seconds()
        res = run_demo(Path(tmp) / "demo", scale=scale, log=StageLog(quiet=True))
        total, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        man = json.loads((res.out / "manifest.json").read_text(encoding="utf-8"))
    print(f"nqp demo --scale {scale:g}: {len(res.panel.frame):,} firm-years, {len(res.run.entries)} columns, "
          f"{len(res.run.tests)} group tests")
    for stage, secs in man["seconds"].items():
        if isinstance(secs, dict):  # the panel's own steps
            print("    panel steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in secs.items()))
        else:
            print(f"  {stage:<10} {secs:8.1f} s")
    print(f"  {'models':<10} {res.run.seconds['models']:8.2f} s of which model fits; group tests "
          f"{res.run.seconds['tests']:.2f} s")
    print(f"  {'total':<10} {total:8.1f} s   (goal: 60 s)")
    print(f"  {'CPU':<10} {cpu:8.1f} s   (user + system, all processes: {cpu / total:.2f} cores busy on average)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
