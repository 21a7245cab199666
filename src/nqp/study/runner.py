"""Run a study's models and tests on a panel (研究运行): ``run_study(study, frame) -> StudyRun``.

Pure computation: a validated :class:`~nqp.study.spec.Study` and the panel frame in, results
out; no files are read or written here (``nqp.study.outputs`` writes them).

* Models are turned into :class:`nqp.econometrics.ModelSpec` s and estimated by
  :func:`nqp.econometrics.feols_multi`, which groups them by sample and fixed effects so each
  variable is absorbed once per group. A model that cannot be estimated is kept with its reason
  (status ``failed``) and the others still run.
* An IV model with ``first_stage = true`` gives two columns: its first stage, then the second.
* Between-group tests (Table 6) use the two models' samples as group 0 and group 1 of one
  data set: ``permutation`` (Stata bdiff), ``suest`` or ``chow`` from
  :mod:`nqp.econometrics.group_tests`.
* Warnings are records (:class:`WarningRecord`: where, message): each model and test collects
  its own; none is printed here.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqp.errors import EstimationError, NqpError
from nqp.study.spec import ModelDef, Study, TestDef


@dataclass(frozen=True)
class WarningRecord:
    """One warning, with the place it comes from (``model t5_lags``, ``panel``, ``ingest``)."""

    where: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ModelEntry:
    """One column of a table: the model definition and its result (or why there is none)."""

    model: ModelDef
    column: str
    result: Any = None            # FeolsResult / IVResult, or a first-stage FeolsResult
    error: str | None = None
    error_type: str | None = None
    stage: str | None = None      # None, or "first" (then first_stage_of names the IV model)
    first_stage_of: str | None = None
    warnings: list[str] = field(default_factory=list)
    wild: Any = None              # WildBootResult of the table's wild_bootstrap option
    wild_error: str | None = None

    @property
    def id(self) -> str:
        return f"{self.model.id}.first" if self.stage == "first" else self.model.id

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass
class TestEntry:
    __test__ = False

    test: TestDef
    result: Any = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class StudyRun:
    """Everything a run estimated, in the study's order."""

    study: Study
    entries: list[ModelEntry]
    tests: list[TestEntry]
    warnings: list[WarningRecord]
    seconds: dict[str, float]

    def entry(self, entry_id: str) -> ModelEntry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)

    @property
    def failed(self) -> list[ModelEntry]:
        return [e for e in self.entries if not e.ok]


def model_rows(frame: pd.DataFrame, m: ModelDef) -> np.ndarray:
    """Rows of ``frame`` in the model's subsample (all rows without one), as feols_multi selects them."""
    from nqp.econometrics.spec import ModelSpec, sample_mask

    if not m.sample:
        return np.ones(len(frame), dtype=bool)
    return sample_mask(ModelSpec(id=m.id, formula=m.formula, sample=m.sample), frame)


def _fit_models(study: Study, frame: pd.DataFrame, panel: tuple[str, str]) -> dict[str, Any]:
    """Every model as a ModelSpec through one ``feols_multi`` call (absorbing once per sample);
    a model that cannot be estimated comes back as a ``FailedFit`` with its reason."""
    from nqp.econometrics import FitOptions, ModelSpec, feols_multi

    specs = [ModelSpec(id=m.id, formula=m.formula, sample=m.sample,
                       options=FitOptions(cluster=list(m.cluster) or None, vcov=m.vcov, ssc=study.defaults["ssc"],
                                          panel=panel))
             for m in study.models]
    return feols_multi(specs, frame, errors="collect")


def run_models(study: Study, frame: pd.DataFrame) -> list[ModelEntry]:
    """Estimate every model of the study on ``frame``; one entry per printed column."""
    panel = tuple(study.defaults["panel"])
    fits = _fit_models(study, frame, panel)  # type: ignore[arg-type]
    entries: list[ModelEntry] = []
    for m in study.models:
        res = fits.get(m.id)
        if res is None or getattr(res, "status", "ok") == "failed":
            err = getattr(res, "error", "not estimated")
            etype = getattr(res, "error_type", None)
            if m.first_stage:
                entries.append(ModelEntry(m, column=_first_column(m), error=err, error_type=etype, stage="first",
                                          first_stage_of=m.id))
            entries.append(ModelEntry(m, column=m.column, error=err, error_type=etype))
            continue
        own = list(getattr(res, "warnings", ()) or ())
        if m.first_stage:
            for endog in m.endog:
                fs = res.first_stage.get(endog)
                entries.append(ModelEntry(m, column=_first_column(m), result=fs, stage="first", first_stage_of=m.id,
                                          warnings=own, error=None if fs is not None else "no first stage"))
        entries.append(ModelEntry(m, column=m.column, result=res, warnings=own))
    return entries


def _first_column(m: ModelDef) -> str:
    n = int(m.column.strip("()"))
    return f"({n - 1})"


def _group_frame(study: Study, frame: pd.DataFrame, t: TestDef) -> pd.DataFrame:
    a, b = study.model(t.models[0]), study.model(t.models[1])
    in_a, in_b = model_rows(frame, a), model_rows(frame, b)
    both = int((in_a & in_b).sum())
    if both:
        raise EstimationError(f"test {t.id}: {both} firm-years are in both groups ({a.sample!r} and {b.sample!r}); "
                              "the groups of a difference test must not overlap")
    sub = frame.loc[in_a | in_b].copy()
    sub["_group"] = np.where(in_b[in_a | in_b], 1, 0)
    return sub


def run_test(study: Study, frame: pd.DataFrame, t: TestDef) -> Any:
    """One between-group difference test; group 0 is the test's first model."""
    from nqp.econometrics import group_tests

    a = study.model(t.models[0])
    data = _group_frame(study, frame, t)
    cluster = list(a.cluster) or None
    if t.method == "permutation":
        return group_tests.permutation_test(a.formula, data, "_group", t.term, reps=t.reps, seed=t.seed, unit=t.unit,
                                            cluster=cluster[0] if cluster else None)
    if t.method == "suest":
        return group_tests.suest_test(a.formula, data, "_group", t.term, cluster=cluster[0] if cluster else None)
    return group_tests.chow_test(a.formula, data, "_group", t.term, cluster=cluster, ssc=study.defaults["ssc"])


def _captured(fn: Callable[[], Any]) -> tuple[Any, list[str], str | None]:
    """Run ``fn``; return its value, the warnings it raised, and an error message if it failed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, err = fn(), None
        except NqpError as exc:
            value, err = None, str(exc)
        except (ValueError, np.linalg.LinAlgError, KeyError) as exc:
            value, err = None, f"{type(exc).__name__}: {exc}"
    msgs = list(dict.fromkeys(str(w.message) for w in caught))
    return value, msgs, err


def wild_bootstrap_model(frame: pd.DataFrame, m: ModelDef, options: dict[str, Any]) -> Any:
    """WCR wild cluster bootstrap (Rademacher/Webb draws, null imposed) of a model's main term by
    its (first) cluster variable: p-value and interval beside the CRV1 ones."""
    from nqp.econometrics.wild_bootstrap import wild_bootstrap

    if not m.cluster:
        raise EstimationError(f"model {m.id}: the wild cluster bootstrap needs a cluster variable")
    term = options.get("term") or m.regressors[0]
    data = frame.loc[model_rows(frame, m)] if m.sample else frame
    return wild_bootstrap(m.formula, data, term, cluster=m.cluster[0], reps=options["reps"],
                          bootstrap_weights=options["weights"], seed=options["seed"], ci_level=0.95)


def _one_test(args: tuple[Study, pd.DataFrame, TestDef]) -> tuple[Any, list[str], str | None]:
    study, frame, t = args
    return _captured(lambda: run_test(study, frame, t))


class PendingTests:
    """The study's between-group tests, started on ``workers`` processes as soon as this is made,
    so they run while the main process estimates the models (and, in ``nqp run``, the
    robustness section); :meth:`results` waits for them. With one worker (or one test) they
    run in this process when :meth:`results` is called. Each test has its own seed, so the
    results do not depend on how they are spread."""

    __test__ = False

    def __init__(self, study: Study, frame: pd.DataFrame, workers: int) -> None:
        from nqp.jobs.background import BackgroundJobs

        self.tests = list(study.tests)
        self._jobs = BackgroundJobs(min(workers, len(self.tests)) if len(self.tests) > 1 else 1)
        self._done: list[TestEntry] | None = None
        # the workers get only the columns the tests use
        cols = sorted({c for t in self.tests for m in t.models for c in study.model(m).variables()} & set(frame.columns))
        data = frame[cols] if self._jobs.workers > 1 else frame
        for t in self.tests:
            self._jobs.submit(_one_test, (study, data, t))

    @property
    def seconds(self) -> float:
        """Wall time from the start of the tests to their last result."""
        return self._jobs.seconds

    def results(self) -> list[TestEntry]:
        """Every test's entry, in the study's order (waits for the workers)."""
        if self._done is None:
            outs = self._jobs.results()
            self._done = [TestEntry(t, result=res, error=err, warnings=ws) for t, (res, ws, err) in zip(self.tests, outs)]
        return self._done

    def close(self) -> None:
        """Stop the workers (queued tests are cancelled); safe to call more than once."""
        self._jobs.close()


def run_study(study: Study, frame: pd.DataFrame, *, strict: bool = False, workers: int = 1,
              progress: Callable[[str], None] | None = None, tests: PendingTests | None = None,
              wait: bool = True) -> StudyRun:
    """Estimate every model and test of ``study`` on the panel ``frame``.

    ``workers``: processes for the between-group tests (each is a resampling loop); they start
    before the models are estimated. ``tests``: tests already started (``PendingTests``);
    ``wait=False`` returns without them, and :func:`finish_study` adds them later.
    ``strict``: a warning is an error (the run stops with :class:`nqp.errors.EstimationError`)."""
    pending = tests if tests is not None else PendingTests(study, frame, workers)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        (entries, model_warnings, err) = _captured(lambda: run_models(study, frame))
        if err is not None:
            raise EstimationError(f"the models could not be run: {err}")
    except BaseException:
        pending.close()  # the tests' workers stop with the run
        raise
    seconds["models"] = time.perf_counter() - t0
    records: list[WarningRecord] = []
    for e in entries:
        if e.stage != "first":
            records += [WarningRecord(f"model {e.model.id}", w) for w in e.warnings]
            if e.error:
                records.append(WarningRecord(f"model {e.model.id}", f"not estimated: {e.error}"))
    known = {r.message for r in records}
    records += [WarningRecord("models", w) for w in model_warnings if w not in known]
    if progress:
        progress(f"{sum(e.ok for e in entries)} of {len(entries)} columns estimated")
    t2 = time.perf_counter()
    for e in entries:
        table = next(t for t in study.tables if t.id == e.model.table)
        if table.wild_bootstrap is None or e.stage == "first" or e.model.is_iv or not e.ok:
            continue
        e.wild, ws, e.wild_error = _captured(lambda e=e, w=table.wild_bootstrap: wild_bootstrap_model(frame, e.model, w))
        records += [WarningRecord(f"model {e.model.id}", f"wild bootstrap: {w}") for w in ws]
        if e.wild_error:
            records.append(WarningRecord(f"model {e.model.id}", f"wild bootstrap not computed: {e.wild_error}"))
    seconds["wild_bootstrap"] = time.perf_counter() - t2
    run = StudyRun(study=study, entries=entries, tests=[], warnings=records, seconds=seconds)
    if wait:
        finish_study(run, pending, strict=strict, progress=progress)
    return run


def finish_study(run: StudyRun, pending: PendingTests, *, strict: bool = False,
                 progress: Callable[[str], None] | None = None) -> StudyRun:
    """Add the between-group tests to ``run`` (waiting for their workers); apply ``strict``."""
    run.tests = pending.results()
    for t in run.tests:
        run.warnings += [WarningRecord(f"test {t.test.id}", w) for w in t.warnings]
        if t.error:
            run.warnings.append(WarningRecord(f"test {t.test.id}", f"not computed: {t.error}"))
    run.seconds["tests"] = pending.seconds
    if progress and run.tests:
        progress(f"{sum(x.result is not None for x in run.tests)} of {len(run.tests)} group tests")
    if strict and run.warnings:
        raise EstimationError("--strict: the run has warnings:\n" + "\n".join(f"  {r}" for r in run.warnings))
    return run
