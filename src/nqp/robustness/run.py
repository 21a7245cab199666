"""``run_robustness``: every analysis of ``[robustness]`` on one panel (稳健性检验), one result.

The study runner calls this with the panel and the validated spec; ``RobustnessResult.to_dict()``
goes into ``results.json`` under ``"robustness"`` and the figures of
:mod:`nqp.report.figures_robustness` read that dict.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from nqp.results import ResultDisplay, TIDY_COLUMNS, json_ready
from nqp.robustness.leave_one_out import LeaveOneOut, leave_one_out_fits
from nqp.robustness.multiverse import PAPER_CONTROLS, Context, Progress, SpecCurve, build_design, make_context, run_curve
from nqp.robustness.null_inference import NullDraws, NullInference, summarise_null
from nqp.robustness.oster import OsterResult, oster_from_design
from nqp.robustness.placebo import PlaceboResult, placebo_from_design
from nqp.robustness.spec import Choice, RobustnessSpec, split_effects
from nqp.robustness.wild import WildTable, wild_bootstrap_table


@dataclass(frozen=True, repr=False)
class RobustnessResult(ResultDisplay):
    """The robustness analyses of one model; an analysis that was not run is ``None``."""

    spec: RobustnessSpec
    outcome: str
    treatment: str
    controls: tuple[str, ...]
    curve: SpecCurve | None = None
    null: NullInference | None = None
    placebo: PlaceboResult | None = None
    oster: OsterResult | None = None
    leave_one_out: LeaveOneOut | None = None
    wild: WildTable | None = None
    notes: tuple[str, ...] = ()
    seconds: Mapping[str, float] = field(default_factory=dict, compare=False)  # never in to_dict()

    _repr_name = "RobustnessResult"
    _repr_keys = ("n_specifications", "median_estimate", "p_median_estimate", "placebo_p_value", "delta_star")

    def _parts(self) -> dict[str, Any]:
        return {"curve": self.curve, "null_inference": self.null, "placebo": self.placebo, "oster": self.oster,
                "leave_one_out": self.leave_one_out, "wild_bootstrap": self.wild}

    def tidy(self) -> pd.DataFrame:
        """The headline beside each analysis' one-line answer."""
        rows = []
        if self.curve is not None:
            g = self.curve.glance()
            base = self.curve.tidy().iloc[self.curve.baseline_id]
            rows.append({**base.to_dict(), "term": f"{self.treatment}: headline specification"})
            rows.append({"term": f"{self.treatment}: median of {g['n_estimable']} specifications",
                         "estimate": g["median_estimate"],
                         "p_value": self.null.tests["median_estimate"].p_value if self.null else np.nan})
        if self.placebo is not None:
            rows.append({**self.placebo.tidy().iloc[0].to_dict()})
        if self.oster is not None:
            rows.append({"term": f"{self.treatment}: Oster beta* (delta={self.oster.delta:g}, "
                                 f"R_max={self.oster.r_max:.3f})", "estimate": self.oster.beta_star})
        if self.wild is not None and len(self.wild.table):
            rows.append(self.wild.tidy().iloc[0].to_dict())
        return pd.DataFrame(rows).reindex(columns=list(TIDY_COLUMNS))

    def glance(self) -> dict[str, Any]:
        g: dict[str, Any] = {"outcome": self.outcome, "treatment": self.treatment,
                             "analyses": [k for k, v in self._parts().items() if v is not None]}
        if self.curve is not None:
            g.update({k: v for k, v in self.curve.glance().items() if k not in ("outcome", "treatment")})
        if self.null is not None:
            g.update({f"p_{k}": t.p_value for k, t in self.null.tests.items()})
        if self.placebo is not None:
            g["placebo_p_value"] = self.placebo.p_value
        if self.oster is not None:
            g.update(delta_star=self.oster.delta_star, beta_star=self.oster.beta_star, r_max=self.oster.r_max)
        if self.leave_one_out is not None:
            lo = self.leave_one_out.glance()
            g.update(loo_min_estimate=lo["min_estimate"], loo_max_estimate=lo["max_estimate"])
        return json_ready(g)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; no timings (results.json must be byte-identical across runs)."""
        out = {"spec": self.spec.to_dict(), "model": {"outcome": self.outcome, "treatment": self.treatment,
                                                      "controls": list(self.controls)},
               "summary": self.glance(), "notes": list(self.notes)}
        out.update({k: (v.to_dict() if v is not None else None) for k, v in self._parts().items()})
        return json_ready(out)

    def summary(self) -> str:
        parts = [p.summary() for p in self._parts().values() if p is not None]
        return "\n\n".join([f"Robustness of {self.outcome} on {self.treatment}", *parts, *self.notes])


def headline_formula(ctx: Context, choice: Choice) -> tuple[str, pd.DataFrame]:
    """The headline as an ``nqp.feols`` formula and its data frame (outcome variant included)."""
    var = ctx.variants
    data = var.winsorized(choice.sample, choice.winsorize)
    y = var.outcome(choice.sample, choice.winsorize, ctx.outcome, choice.index, choice.shift)
    name = ctx.outcome
    rows = build_design(ctx, choice).rowset.rows  # the curve's rows for this specification
    data = data.assign(**{name: y}).iloc[rows].reset_index(drop=True)
    controls = [c for c in ctx.control_sets[choice.controls] if c != ctx.treatment]
    fe = " + ".join("^".join(t) for t in ctx.fe_terms(choice.fixed_effects))
    rhs = " + ".join([ctx.treatment, *controls])
    return f"{name} ~ {rhs}" + (f" | {fe}" if fe else ""), data


def _worker_analyses(ctx: Context, base: Choice, spec: RobustnessSpec, names: list[str]
                     ) -> dict[str, tuple[Any, float]]:
    """The analyses of ``names`` ("leave_one_out", "placebo", "wild"), one after the other, each
    with its seconds: the part of :func:`run_robustness` that runs on a worker process."""
    run = {"leave_one_out": lambda: leave_one_out_fits(ctx, base, spec.loo_by, spec.alpha),
           "placebo": lambda: placebo_from_design(build_design(ctx, base), draws=spec.placebo_draws, seed=spec.seed,
                                                  mode=spec.placebo_mode, year=spec.columns["year"]),
           "wild": lambda: _wild(ctx, base, spec)}
    out = {}
    for name in names:
        t0 = time.perf_counter()
        value = run[name]()
        out[name] = (value, time.perf_counter() - t0)
    return out


def _wild(ctx: Context, base: Choice, spec: RobustnessSpec) -> Any:
    """The WCR wild cluster bootstrap of the headline, clustered by ``spec.wild_cluster``."""
    formula, data = headline_formula(ctx, replace(base, cluster=spec.wild_cluster))
    return wild_bootstrap_table(data, {"headline": formula}, coef=ctx.treatment, cluster=spec.columns[spec.wild_cluster],
                                reps=spec.wild_reps, weights=spec.wild_weights, level=spec.wild_level, seed=spec.seed)


def run_robustness(panel: Any, spec: RobustnessSpec | Mapping[str, Any] | None = None, *, outcome: str = "NQP",
                   treatment: str = "lnAI", controls: Sequence[str] = PAPER_CONTROLS,
                   progress: Progress | None = None, workers: int = 1) -> RobustnessResult:
    """Run the analyses switched on in ``spec`` for ``outcome ~ treatment + controls``.

    ``panel``: an :class:`nqp.panel.Panel` (or a :class:`~nqp.robustness.variants.PanelSource`);
    ``spec``: a :class:`RobustnessSpec` or the ``[robustness]`` dict of a study;
    ``progress(stage, done, total)``: called as the work advances (None: silent);
    ``workers``: with 2 or more, the leave-one-out refits and then the placebo run on a worker
    process while this one runs the rest (``nqp run`` fills the core the group tests leave free
    once they end; the wild bootstrap follows there, as the specification curve takes this one
    longer). The results do not depend on it."""
    from nqp.jobs.background import BackgroundJobs

    spec = spec if isinstance(spec, RobustnessSpec) else RobustnessSpec.from_dict(spec)
    ctx = make_context(panel, spec, outcome=outcome, treatment=treatment, controls=controls)
    secs: dict[str, float] = {}
    base = spec.baseline()
    found: dict[str, Any] = {}
    on_worker = [name for name in ("leave_one_out", "placebo", "wild") if spec.runs(name)]
    worker_job = BackgroundJobs(workers)  # one job: at most one worker process is started
    if on_worker:
        worker_job.submit(_worker_analyses, ctx, base, spec, on_worker)

    def timed(name: str, fn):
        t0 = time.perf_counter()
        if progress is not None:
            progress(name, 0, 1)
        found[name] = fn()
        secs[name] = time.perf_counter() - t0
        if progress is not None:
            progress(name, 1, 1)

    try:
        if spec.runs("curve") or spec.runs("null"):
            nd = NullDraws(ctx, spec.null_draws, spec.seed, spec.null_unit) if spec.runs("null") else None
            t0 = time.perf_counter()
            found["curve"] = run_curve(ctx, hook=nd, progress=progress)
            secs["curve"] = time.perf_counter() - t0
            if nd is not None:
                timed("null", lambda: summarise_null(found["curve"], nd, spec.seed, spec.null_direction))
        if spec.runs("oster"):
            ob = base if ctx.control_sets[base.controls] else replace(base, controls="paper")
            timed("oster", lambda: oster_from_design(build_design(ctx, ob), r_max=spec.oster_r_max, r2=spec.oster_r2,
                                                     delta=spec.oster_delta, beta=spec.oster_beta))
        if on_worker:
            for name, (value, seconds) in worker_job.results()[0].items():
                timed(name, lambda v=value: v)
                secs[name] = seconds  # on the worker (beside the rest)
    finally:
        worker_job.close()
    notes = tuple(f"sample {k}: {n}" for k, ns in ctx.variants.notes.items() for n in ns)
    return RobustnessResult(spec, outcome, treatment, tuple(controls), curve=found.get("curve") if spec.runs("curve") else None,
                            null=found.get("null"), placebo=found.get("placebo"), oster=found.get("oster"),
                            leave_one_out=found.get("leave_one_out"), wild=found.get("wild"), notes=notes,
                            seconds=secs)
