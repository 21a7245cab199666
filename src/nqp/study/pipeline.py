"""The whole study, stage by stage: exports -> warehouse -> text, patents -> panel -> models -> files.

``run_pipeline`` is what ``nqp run`` and ``nqp demo`` call (the demo first writes the synthetic
exports into the same staging folder). Each stage is a function of its part of the package;
this module only orders them, times them (:class:`~nqp.study.stages.StageLog`) and writes the
run's files into the output folder (staged, then moved into place whole):

* ``warehouse.duckdb`` (with ``--data``), ``text_measures.parquet``, ``patent_counts.parquet``;
* ``panel.parquet``, ``panel.csv``, ``panel.dta`` (the analysis sample, Stata 118 with labels);
* ``results.json`` (every model, test and index weight; ``docs/results-json.md``);
* ``tables/``, ``figures/``, ``report.html`` (:func:`nqp.report.write_report`);
* ``manifest.json`` and ``run.log``.

Layout of an exports folder (``--data``): the CSMAR/regional table files anywhere in it (the
ingest mappings find them by name), annual reports under ``reports/`` and IncoPat patent
exports under ``patents/``; a folder that is absent skips its stage (its variables are then
reported unbuilt).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nqp.atomic import atomic_write_text
from nqp.errors import InputError
from nqp.jobs.background import BackgroundJobs
from nqp.files import files_under
from nqp.study.outputs import OutputFolder, input_hashes, manifest, sha256_file
from nqp.study.spec import Study
from nqp.study.stages import StageLog

if TYPE_CHECKING:
    from nqp.study.runner import StudyRun

SYNTHETIC_BANNER = ("SYNTHETIC DATA: these results come from nqp's synthetic data set, generated to resemble "
                    "CSMAR/IncoPat exports. They say nothing about real firms.")


@dataclass
class PipelineResult:
    out: Path
    run: StudyRun
    panel: Any
    results: dict[str, Any]
    log: StageLog


def build_study_panel(study: Study, warehouse: Path, workers: int = 1) -> Any:
    """``nqp.panel.build_panel`` with the study's sample rules, lags and index settings."""
    from nqp.panel import build_panel
    from nqp.panel.sample import SampleOptions

    s = study.sample
    limits = tuple(s["winsorize"]) if isinstance(s["winsorize"], list) else (0.01, 0.99)
    opts = SampleOptions(drop_st=s["drop_st"], drop_financial=s["drop_financial"],
                         winsorize=bool(s["winsorize"]), winsorize_limits=limits,  # type: ignore[arg-type]
                         winsorize_by=s["winsorize_by"] or None, index_method=study.index["method"])
    kwargs: dict[str, Any] = {}
    lags = study.lags
    if lags:
        kwargs.update(lags=lags, lag_convention=s["lag_convention"])
    return build_panel(warehouse, definitions=study.definitions, first_year=study.first_year,
                       last_year=study.last_year, sample=opts, indicator_system=study.index["indicators"],
                       workers=workers, **kwargs)


def ingest_stage(data: Path, warehouse: Path, log: StageLog, workers: int | None = None,
                 required: list[str] | None = None, text_workers: Any = None, report: bool = False) -> None:
    """Exports folder -> warehouse, then the annual reports and patents found beside them.

    The annual reports need nothing of the warehouse until their rows are stored, so they are
    processed (on their worker processes, driven from a thread) while the exports are ingested
    and the patents matched; the text stage waits for the warehouse only at its end. Its
    progress bar is off then (one live display at a time); its summary comes at the end.
    ``text_workers``: report workers started beforehand (``nqp.text.stage.start_text_workers``).
    ``report``: the run writes the report (then matplotlib is loaded here too, see
    :func:`import_estimation_modules`)."""
    from nqp.study import external

    reports, patents = data / "reports", data / "patents"
    text_job = None
    ingested = threading.Event()
    stop_text = threading.Event()
    if reports.is_dir():
        text_job = _Thread(lambda: external.text(reports, warehouse, warehouse.parent / "text_measures.parquet",
                                                 workers=workers, quiet=True, before_warehouse=ingested.wait,
                                                 started=text_workers, stop=stop_text))
        log.info("  text: annual reports processed on worker processes while the exports are ingested")
    else:
        if text_workers is not None:
            text_workers.close()
        log.warn("text", f"no reports/ folder in {data}: annual-report measures are not built")
    stages = [("ingest", "ingest: raw exports -> warehouse",
               lambda: external.ingest(data, warehouse, quiet=log.quiet, required=required))]
    if patents.is_dir():
        stages.append(("patents", "patents: AI patents -> firm-year counts", lambda: external.patents(
            patents, warehouse, warehouse.parent / "patent_counts.parquet", quiet=log.quiet)))
    else:
        log.warn("patents", f"no patents/ folder in {data}: AI patent counts are not built")
    if text_job is not None:
        stages.append(("text", "text: annual reports -> keyword measures (finishing)", text_job.result))
    try:
        for name, title, fn in stages:
            with log.stage(name, title):
                summary, warned = fn()
                if name == "ingest":
                    ingested.set()
                    if text_job is not None:
                        # now, not at the start: the text thread has listed the reports (the
                        # imports would hold the GIL it needs, the report workers waiting) and
                        # both cores are busy with them, where before one would wait
                        import_estimation_modules(report=report)
                log.info(f"  {summary}")
                for w in warned:
                    log.warn(name, w)
    except BaseException:
        # interrupted or failed: the text thread stops (its workers with it) before the caller
        # removes the output folder, which it would otherwise go on writing checkpoints into
        if text_job is not None:
            stop_text.set()
            ingested.set()
            text_job.join(timeout=30)
        raise
    finally:
        ingested.set()  # a text thread waiting for a failed ingest goes on (and fails on its own)


# what results.json, the models, the group tests and the robustness import (scipy.stats among them)
ESTIMATION_MODULES = ("nqp.study.results_json", "nqp.econometrics.multi", "nqp.econometrics.group_tests",
                      "nqp.robustness.run")


def import_estimation_modules(report: bool = False) -> None:
    """Import :data:`ESTIMATION_MODULES` and the panel measures' estimators, and load the compiled
    kernels (:func:`nqp.jit_cache.warm_estimation`), now: about 2.2 + 0.8 CPU s; with ``report``
    also the report's matplotlib parts and font (:func:`nqp.report.figures.load_matplotlib`,
    ~0.6 CPU s, else done by this process alone at the start of the report stage). Called once
    the exports are ingested, while the annual reports' workers keep both cores busy (at
    start-up one would wait); the worker processes forked later (the measures, the group tests,
    leave-one-out and placebo, the figures) inherit the modules and the kernels instead of each
    loading them."""
    from importlib import import_module

    from nqp.jit_cache import warm_estimation
    from nqp.panel.measures import load_estimators

    for name in ESTIMATION_MODULES:
        import_module(name)
    load_estimators()
    warm_estimation()
    if report:
        try:
            from nqp.report.figures import load_matplotlib
        except ImportError:  # the report stage says so itself
            return
        load_matplotlib()


class _Thread:
    """``fn()`` on a daemon thread; :meth:`result` joins it and returns its value or raises its
    exception. Daemon: an interrupted run does not wait for it."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._value: Any = None
        self._error: BaseException | None = None

        def target() -> None:
            try:
                self._value = fn()
            except BaseException as exc:  # handed to the caller by result()
                self._error = exc

        self._thread = threading.Thread(target=target, daemon=True, name="nqp-text")
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def run_pipeline(study: Study, out: Path, *, data: Path | None = None, db: Path | None = None,
                 force: bool = False, log: StageLog | None = None, synthetic: bool = False,
                 seed: int | None = None, workers: int | None = None, before: Any = None,
                 report: bool = True) -> PipelineResult:
    """Run ``study`` end to end into ``out``.

    Exactly one of ``data`` (an exports folder, ingested into ``out/warehouse.duckdb``) and
    ``db`` (an existing warehouse, read only) is given -- or neither when ``before(staging)``
    writes the exports (the demo) and returns the exports folder. ``force`` replaces an existing
    ``out`` (only once the new run has finished)."""
    log = log or StageLog()
    folder = OutputFolder(out, force=force)
    if db is not None and not Path(db).is_file():
        raise InputError("--db must name an existing warehouse (DuckDB file); build one with `nqp ingest`",
                         file=str(db))
    if data is not None and not Path(data).is_dir():
        raise InputError("--data must name a folder of exports", file=str(data))
    from nqp.study import external

    required = external.check_exports(Path(data), study) if data is not None else None
    staging = folder.open()
    text_workers = None
    try:
        if before is not None:
            # the demo: the report workers start (spawn, imports: ~1 s each) on the core the
            # first seconds of writing the exports leave free, to wait there for the reports
            from nqp.text.stage import start_text_workers

            text_workers = start_text_workers(workers)
            data = before(staging, log)
        if data is not None:
            warehouse = staging / "warehouse.duckdb"
            ingest_stage(Path(data), warehouse, log, workers=workers, required=required, text_workers=text_workers,
                         report=report)
            found, found_seed = external.synthetic_origin(Path(data))
            if found:
                external.mark_synthetic(warehouse, found_seed)
        else:
            assert db is not None
            warehouse = Path(db)
            found, found_seed = external.warehouse_origin(warehouse)
        if found and not synthetic:  # nqp synth's exports run through `nqp run`: say so everywhere
            synthetic, seed = True, found_seed if seed is None else seed
            log.warn("data", "these exports were written by `nqp synth`: every output is marked SYNTHETIC")
        with log.stage("panel", "panel: variables, sample rules, lags, NQP index", own_records=True):
            panel = build_study_panel(study, warehouse, workers=min(workers or 2, 2))
            for rec in panel.steps.warnings:
                log.warn(rec["where"], rec["message"])
            log.info(f"  {len(panel.frame):,} firm-years, {panel.frame['stkcd'].nunique():,} firms; "
                     f"{len(panel.built)} variables built, {len(panel.unbuilt)} not built")
            for name, why in panel.unbuilt.items():
                log.warn(f"panel: {name}", f"not built: {why}")
        # imported here, not at the top: the demo's synthetic exports are written first, and the
        # estimators (scipy.stats) would only delay them
        from nqp.study.results_json import dumps, results_document
        from nqp.study.runner import PendingTests, finish_study, run_study

        # the panel files are written by a worker process from now on, while the models, tests,
        # robustness and report run (left to the end, they kept one core idle there)
        panel_files = BackgroundJobs(min(workers or 2, 2))
        try:
            panel_files.submit(_write_panel_files, panel, staging, SYNTHETIC_BANNER if synthetic else None)
            # (done during ingest when there was one; with --db here, beside the panel files' worker,
            # before the workers below fork)
            import_estimation_modules(report=report)
            # the group tests run on worker processes while this one fits the models and the robustness
            pending = PendingTests(study, panel.frame, workers or 2)
            try:
                with log.stage("models", f"models: {len(study.models)} models of {len(study.tables)} tables "
                                         f"({len(study.tests)} group tests started on worker processes)"):
                    run = run_study(study, panel.frame, tests=pending, wait=False)
                    model_records = len(run.warnings)
                    log.add(run.warnings)
                    log.info(f"  {sum(e.ok for e in run.entries)} of {len(run.entries)} columns estimated "
                             f"({run.seconds['models']:.2f} s)")
                robustness = None
                if study.robustness is not None:
                    robustness = robustness_stage(study, panel, log, workers=min(workers or 2, 2))
                with log.stage("tests", f"tests: {len(study.tests)} between-group tests"):
                    finish_study(run, pending)
                    log.add(run.warnings[model_records:])
                    log.info(f"  {sum(t.result is not None for t in run.tests)} of {len(run.tests)} tests "
                             f"computed ({run.seconds['tests']:.2f} s since they started)")
            finally:
                pending.close()
            with log.stage("write", "files: results.json"):
                doc = results_document(run, panel, synthetic=synthetic, seed=seed, robustness=robustness,
                                       extra_warnings=[w for w in log.warnings
                                                       if not w.where.startswith(("model ", "test ", "models"))])
                atomic_write_text(staging / "results.json", dumps(doc))
            if report:
                _report_stage(doc, staging, log, workers=min(workers or 2, 2))
            with log.stage("panel_files", "files: panel.parquet, panel.csv, panel.dta (written on a worker process "
                                          "since the panel was built)"):
                panel_files.results()
        finally:
            panel_files.close()
        _write_manifest(staging, study, panel, log, data=data, db=db, seed=seed, synthetic=synthetic)
        log.info(f"total {log.total_seconds:.1f} s")
        atomic_write_text(staging / "run.log", "\n".join(log.lines) + "\n")
        final = folder.commit()
    except BaseException:
        folder.discard()
        raise
    finally:
        if text_workers is not None:
            text_workers.close()  # (a no-op once the text stage has taken them)
    return PipelineResult(out=final, run=run, panel=panel, results=doc, log=log)


def _write_panel_files(panel: Any, staging: Path, note: str | None) -> None:
    from nqp.panel.export import write_panel_files

    write_panel_files(panel, staging, note=note)


def _write_manifest(staging: Path, study: Study, panel: Any, log: StageLog, *, data: Path | None,
                    db: Path | None, seed: int | None, synthetic: bool) -> None:
    """manifest.json: how the run was made (the outputs' hashes, the inputs', timings, warnings)."""
    outputs = {rel: sha256_file(staging / rel) for rel in files_under(staging, skip_dirs=frozenset({"raw"}))
               if not rel.endswith(".duckdb")}
    inputs = None
    if data is not None and Path(data).is_relative_to(staging):  # the demo's exports, written by this run
        from nqp.study.external import synth_file_hashes

        inputs = synth_file_hashes(Path(data))
    if inputs is None:
        inputs = input_hashes(Path(data)) if data is not None else {Path(db).name: sha256_file(Path(db))}  # type: ignore[arg-type]
    seconds: dict[str, Any] = dict(log.seconds)
    if panel.steps.timings:
        seconds["panel_steps"] = {k: round(float(v), 3) for k, v in dict(panel.steps.timings).items()}
    where = None
    if data is not None:  # the demo's exports are inside the output folder: name them relative to it
        where = Path(data).relative_to(staging).as_posix() if Path(data).is_relative_to(staging) else str(data)
    man = manifest(study=study, seed=seed, synthetic=synthetic, inputs=inputs, seconds=seconds,
                   warnings=log.warnings, outputs=outputs, settings={"data": where, "db": str(db) if db else None})
    atomic_write_text(staging / "manifest.json", json.dumps(man, indent=1, ensure_ascii=False) + "\n")


def robustness_stage(study: Study, panel: Any, log: StageLog, workers: int = 1) -> dict[str, Any]:
    """The study's ``[robustness]`` analyses of its headline model (``model = "t3_2"``: outcome,
    first regressor and controls of that model) -> the ``robustness`` section of results.json."""
    from nqp.robustness import run_robustness

    section = dict(study.robustness or {})
    m = study.model(section.pop("model"))
    treatment = (m.regressors or m.endog)[0]
    with log.stage("robustness", f"robustness of {m.outcome} on {treatment} (model {m.id})"):
        rob = run_robustness(panel, section, outcome=m.outcome, treatment=treatment, controls=list(m.controls),
                             workers=workers)
        g = rob.glance()
        shown = ("n_specifications", "n_not_estimable", "share_significant", "p_share_significant",
                 "placebo_p_value", "delta_star")
        from nqp.report.format import fmt_count, fmt_number

        log.info("  " + ", ".join(f"{k} = {fmt_count(g[k]) if isinstance(g[k], int) else fmt_number(g[k])}"
                                  for k in shown if g.get(k) is not None))
    return rob.to_dict()


def _report_stage(doc: dict[str, Any], staging: Path, log: StageLog, workers: int = 1) -> None:
    try:
        from nqp.report import write_report
    except ImportError:
        log.warn("report", "nqp.report is not available: tables, figures and report.html not written")
        return
    with log.stage("report", "report: tables, figures, report.html"):
        write_report(doc, staging, workers=workers)
