"""The ingest and panel stages of `nqp demo --scale 1`, called as the demo calls them.

* ingest: ``nqp.study.external.ingest`` (raw exports -> warehouse, the stage the demo's
  manifest calls ``ingest``);
* panel: ``nqp.study.pipeline.build_study_panel`` for the shipped study ``ai_nqp`` (base table,
  formula and document variables, lags, sample rules, TFP / frontier / FC measures, winsorizing,
  the entropy index), with the time of each panel step.

Targets on an idle 2-core machine: each stage under 5 s. No other tool builds this warehouse or
panel, so there is no peer: the figures are compared with the code before the change
(docs/benchmarks.md). Medians of ``--repeat`` runs (default 3) of wall and CPU seconds (CPU of
this process, DuckDB's threads included), with the load average before and after, since the
machine is shared.

Run: OPENBLAS_NUM_THREADS=1 python benchmarks/bench_ingest_panel.py [--data EXPORTS] [--db WAREHOUSE] [--repeat N]

``--data``: an exports folder written by ``nqp synth --scale 1`` (default: written here, once).
``--db``: a warehouse with the text and patent tables (default: built here once from the
exports with the demo's ingest, text and patents stages, untimed).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _option(name: str) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def _timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def main() -> None:
    import warnings

    from nqp.study import external
    from nqp.study.pipeline import build_study_panel, ingest_stage
    from nqp.study.spec import load_study
    from nqp.study.stages import StageLog

    warnings.simplefilter("ignore")
    repeat = int(_option("--repeat") or 3)
    study = load_study("ai_nqp")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(_option("--data") or Path(tmp) / "raw")
        if _option("--data") is None:
            from nqp.synth import write_synthetic
            write_synthetic(data, scale=1.0, progress=False)
        db = Path(_option("--db") or Path(tmp) / "full.duckdb")
        if _option("--db") is None:
            ingest_stage(data, db, StageLog(quiet=True), required=external.check_exports(data, study))
        required = external.check_exports(data, study)
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        rows: dict[str, list[tuple[float, float]]] = {"ingest": [], "panel": []}
        steps: dict[str, list[float]] = {}
        for i in range(repeat):
            target = Path(tmp) / f"ingest{i}.duckdb"
            wall, cpu, _ = _timed(lambda: external.ingest(data, target, quiet=True, required=required))
            rows["ingest"].append((wall, cpu))
            target.unlink()
            wall, cpu, panel = _timed(lambda: build_study_panel(study, db))
            rows["panel"].append((wall, cpu))
            for name, secs in panel.steps.timings:  # type: ignore[attr-defined]
                steps.setdefault(name, []).append(secs)
    for stage, runs in rows.items():
        walls, cpus = zip(*runs)
        print(f"  {stage:<8} wall {statistics.median(walls):6.2f} s  cpu {statistics.median(cpus):6.2f} s  "
              f"(median of {repeat}; goal: 5 s)")
    print("    panel steps (median wall s): " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in steps.items()))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
