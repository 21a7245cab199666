"""The study's regression stage on the demo panel: the 33 models of Tables 3-8 plus the six
between-group tests at 1,000 permutations each, as ``nqp run`` does it (``run_study`` with the
tests on 2 worker processes while this process fits the models). The issue's goal: under 5 s.

The peers of its parts are side by side in bench_study_models (the models vs pyfixest) and
bench_group_tests (the bdiff permutation test vs a pyfixest refit loop); this script times the
stage as a whole: wall seconds and CPU seconds (user + system of this process and its workers),
median of repeated runs, with the machine's load.

Panel: ``--panel FILE`` (a demo's panel.parquet), else a scale-1 ``nqp demo`` is run first into
a temporary folder (about a minute).

Run: python benchmarks/bench_regression_stage.py [--panel out/demo/panel.parquet] [--repeat N]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nqp.cli import _single_threaded_blas

_single_threaded_blas()  # one BLAS thread, as `nqp run` sets it (before numpy is loaded)

import pandas as pd

from nqp.study.pipeline import import_estimation_modules
from nqp.study.runner import run_study
from nqp.study.spec import load_study
from timing import cpu_seconds


def demo_panel(argv: list[str]) -> pd.DataFrame:
    if "--panel" in argv:
        return pd.read_parquet(argv[argv.index("--panel") + 1])
    from nqp.study.demo import run_demo
    from nqp.study.stages import StageLog

    with tempfile.TemporaryDirectory() as tmp:
        res = run_demo(Path(tmp) / "demo", log=StageLog(quiet=True))
        return pd.read_parquet(res.out / "panel.parquet")


def main(argv: list[str]) -> None:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 5
    frame = demo_panel(argv)
    study = load_study("ai_nqp")
    import_estimation_modules()  # as `nqp run` has done by then: the workers fork with them loaded
    run_study(study, frame, workers=2)  # warm-up
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; panel {len(frame):,} firm-years; "
          f"{len(study.models)} models, {len(study.tests)} group tests")
    walls, cpus, fits = [], [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        run = run_study(study, frame, workers=2)
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu_seconds() - c0)
        fits.append(run.seconds["models"])
        assert all(t.result is not None for t in run.tests), [t.error for t in run.tests]
    print(f"[regression stage] wall median {statistics.median(walls):.2f} s (runs: "
          + ", ".join(f"{w:.2f}" for w in walls) + f"); goal 5 s")
    print(f"[regression stage] CPU median {statistics.median(cpus):.2f} s (all processes); "
          f"model fits alone {statistics.median(fits):.2f} s")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
