"""Specification curve (多重设定曲线 / multiverse analysis; Simonsohn, Simmons & Nelson 2020).

Every combination of the choices of :class:`~nqp.robustness.spec.RobustnessSpec` (index method
and shift, winsorizing, fixed effects, clustering, sample rule, controls) is one specification:
``outcome ~ treatment + controls | fixed effects``, CRV1 standard errors clustered as chosen,
reghdfe conventions (``nqp.feols`` gives the same numbers; tested against pyfixest).

How it is computed (the reason it is fast): the specifications are grouped by *row set*
(sample rule x control set x fixed-effect set: the same rows, the same absorbed effects).
For each row set every column its specifications use -- the treatment, each control at each
winsorizing level, the outcome for each index and winsorizing variant -- is partialled out in
one :func:`nqp.econometrics.demean.demean` call; a specification is then a least-squares
problem with a handful of columns, and each clustering choice only re-weights its scores.
Clustering never changes an estimate, only its standard error; rows missing any clustering
variable of the multiverse are left out of every specification so that this holds exactly.

A specification that cannot be estimated (empty sample, treatment absorbed by the fixed effects
or collinear with the controls, fewer than two clusters) is a row with ``estimable = False``
and the reason -- it is never dropped. Controls dropped as collinear are listed in ``dropped``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqp.results import ResultDisplay, TIDY_COLUMNS, json_ready
from nqp.robustness.fit import (Fit, NotEstimable, RowSet, absorb, collinearity_scales, fit_partialled,
                                make_rowset, t_critical, t_pvalue)
from nqp.robustness.spec import Choice, RobustnessSpec, split_effects
from nqp.robustness.variants import PanelSource, Variants

Progress = Callable[[str, int, int], None]
CHOICE_COLUMNS = ("index", "shift", "winsorize", "fixed_effects", "cluster", "sample", "controls")
PAPER_CONTROLS = ("Size", "Age", "Lev", "Mshare", "INST")


@dataclass
class Context:
    """Everything the analyses share: the data variants, the spec and the model."""

    source: PanelSource
    spec: RobustnessSpec
    outcome: str
    treatment: str
    control_sets: dict[str, tuple[str, ...]]
    variants: Variants

    def fe_terms(self, text: str) -> list[tuple[str, ...]]:
        return [tuple(self.spec.columns[p] for p in term.split("^")) for term in split_effects(text)]

    def cluster_terms(self, text: str) -> list[str]:
        return [self.spec.columns[p] for p in split_effects(text)]

    @property
    def all_cluster_terms(self) -> dict[str, list[str]]:
        names = dict.fromkeys([*self.spec.cluster, self.spec.wild_cluster])
        return {c: self.cluster_terms(c) for c in names}


def make_context(panel: Any, spec: RobustnessSpec, *, outcome: str = "NQP", treatment: str = "lnAI",
                 controls: Sequence[str] = PAPER_CONTROLS) -> Context:
    """Bind a panel (or :class:`PanelSource`) to a spec and a model."""
    source = PanelSource.from_panel(panel)
    sets = {"paper": tuple(controls), "none": (), **{k: tuple(controls) + tuple(v) for k, v in spec.control_sets.items()}}
    sets = {k: tuple(dict.fromkeys(v)) for k, v in sets.items()}
    used_sets = {k: sets[k] for k in dict.fromkeys(spec.controls)}
    used = {p for text in (*spec.fixed_effects, *spec.cluster, spec.wild_cluster) for t in split_effects(text)
            for p in t.split("^")} | set(spec.loo_by) | {spec.null_unit}
    logical = [spec.columns[p] for p in ("industry", "province") if p in used]
    needed = [treatment, *([] if outcome == source.index_name else [outcome]),
              *dict.fromkeys(c for v in used_sets.values() for c in v), *logical]
    return Context(source, spec, outcome, treatment, sets, Variants(source, needed))


@dataclass(frozen=True, repr=False)
class SpecCurve(ResultDisplay):
    """The curve: one row per specification (``table``), the headline and the summary."""

    table: pd.DataFrame
    baseline_id: int
    alpha: float
    outcome: str
    treatment: str
    seconds: float = field(default=0.0, compare=False)

    _repr_name = "SpecCurve"
    _repr_keys = ("n_specifications", "n_estimable", "median_estimate", "share_significant")

    @property
    def estimable(self) -> pd.DataFrame:
        return self.table[self.table["estimable"]]

    @property
    def direction(self) -> float:
        """The headline's sign (+1/-1); the median's if the headline is not estimable."""
        row = self.table.loc[self.table["id"] == self.baseline_id]
        b = float(row["estimate"].iloc[0]) if len(row) and bool(row["estimable"].iloc[0]) else float(
            np.median(self.estimable["estimate"])) if len(self.estimable) else 1.0
        return -1.0 if b < 0 else 1.0

    def glance(self) -> dict[str, Any]:
        est = self.estimable
        d = self.direction
        sig = (est["p_value"] < self.alpha) & (np.sign(est["estimate"]) == d)
        base = self.table.loc[self.table["id"] == self.baseline_id].iloc[0]
        return json_ready({
            "n_specifications": int(len(self.table)), "n_estimable": int(len(est)),
            "n_not_estimable": int((~self.table["estimable"]).sum()),
            "median_estimate": float(np.median(est["estimate"])) if len(est) else None,
            "min_estimate": float(est["estimate"].min()) if len(est) else None,
            "max_estimate": float(est["estimate"].max()) if len(est) else None,
            "share_significant": float(sig.mean()) if len(est) else None,
            "share_positive": float((est["estimate"] > 0).mean()) if len(est) else None,
            "direction": d, "alpha": self.alpha, "headline_id": self.baseline_id,
            "headline_estimate": base["estimate"], "headline_p_value": base["p_value"],
            "outcome": self.outcome, "treatment": self.treatment,
        })

    def tidy(self) -> pd.DataFrame:
        """One row per specification: ``term`` = its id and choices, then the common columns."""
        t = self.table
        term = [f"{i}: " + " | ".join(str(v) for v in vals)
                for i, vals in zip(t["id"], t[list(CHOICE_COLUMNS)].itertuples(index=False))]
        out = t[["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]].copy()
        out.insert(0, "term", term)
        return out[list(TIDY_COLUMNS)].reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        return json_ready({"summary": self.glance(), "choices": list(CHOICE_COLUMNS),
                           "specifications": self.table.to_dict(orient="records")})

    def summary(self) -> str:
        g = self.glance()
        fmt = lambda v: "." if v is None else f"{v:.4f}"  # noqa: E731
        return (f"Specification curve: {g['n_specifications']} specifications of {self.outcome} on "
                f"{self.treatment}, {g['n_estimable']} estimable ({g['n_not_estimable']} not, with reasons)\n"
                f"headline estimate {fmt(g['headline_estimate'])} (p = {fmt(g['headline_p_value'])}); median "
                f"{fmt(g['median_estimate'])}, range [{fmt(g['min_estimate'])}, {fmt(g['max_estimate'])}]; "
                f"significant at {self.alpha:g} with the headline's sign: {fmt(g['share_significant'])}")


FitHook = Callable[[RowSet, Fit, pd.DataFrame, list[tuple[int, str]]], None]


def _row(i: int, c: Choice) -> dict[str, Any]:
    return {"id": i, **c.to_dict(), "estimate": math.nan, "std_error": math.nan, "statistic": math.nan,
            "p_value": math.nan, "conf_low": math.nan, "conf_high": math.nan, "df_resid": None, "nobs": 0,
            "n_clusters": None, "estimable": False, "reason": "", "dropped": "", "note": ""}


def run_curve(ctx: Context, *, hook: FitHook | None = None, progress: Progress | None = None) -> SpecCurve:
    """Estimate every specification of ``ctx.spec`` (see the module docstring)."""
    t0 = time.perf_counter()
    spec, var = ctx.spec, ctx.variants
    choices = spec.choices()
    rows = [_row(i, c) for i, c in enumerate(choices)]
    groups: dict[tuple[str, str], list[int]] = {}
    for i, c in enumerate(choices):
        groups.setdefault((c.sample, c.fixed_effects), []).append(i)
    wins = list(dict.fromkeys(c.winsorize for c in choices))
    cluster_terms = ctx.all_cluster_terms
    done = 0
    for (sample, fe_text), ids in groups.items():
        try:
            _fit_group(ctx, sample, fe_text, ids, choices, rows, wins, cluster_terms, hook)
        except NotEstimable as err:
            for i in ids:
                rows[i]["reason"] = str(err)
        except Exception as err:  # noqa: BLE001 -- an nqp error becomes the reason of its rows
            from nqp.errors import NqpError
            if not isinstance(err, NqpError):
                raise
            for i in ids:
                rows[i]["reason"] = err.message
        done += len(ids)
        if progress is not None:
            progress("specification curve", done, len(choices))
    table = pd.DataFrame(rows)
    base = spec.baseline()
    baseline_id = next(i for i, c in enumerate(choices) if c == base)
    return SpecCurve(table, baseline_id, spec.alpha, ctx.outcome, ctx.treatment, time.perf_counter() - t0)


def _fit_group(ctx: Context, sample: str, fe_text: str, ids: list[int], choices: list[Choice],
               rows: list[dict], wins: list[float], cluster_terms: dict[str, list[str]],
               hook: FitHook | None) -> None:
    """All specifications of one sample rule and fixed-effect set: one row set, one
    absorption of every column, one cross-product matrix; then each data variant x control
    set is a small least-squares problem."""
    var = ctx.variants
    frame = var.frame(sample)
    if len(frame) == 0:
        raise NotEstimable(f"the sample rule {sample!r} leaves no firm-year")
    sets = list(dict.fromkeys(choices[i].controls for i in ids))
    union = list(dict.fromkeys(c for cs in sets for c in ctx.control_sets[cs] if c != ctx.treatment))
    want = {(choices[i].winsorize, choices[i].index, choices[i].shift) for i in ids}
    wins_here = [w for w in wins if any(k[0] == w for k in want)]
    xs = {w: np.column_stack([var.column(sample, w, c) for c in [ctx.treatment, *union]]) for w in wins_here}
    ys = {k: var.outcome(sample, k[0], ctx.outcome, k[1], k[2]) for k in sorted(want, key=str)}
    ok = finite_rows([*(var.column(sample, w, c) for w in wins_here for c in [ctx.treatment, *union]), *ys.values()])
    clusters_here = list(dict.fromkeys(choices[i].cluster for i in ids))
    rowset = make_rowset(frame, ok, ctx.fe_terms(fe_text), cluster_terms, codes=lambda c: var.codes(sample, c))
    r = rowset.rows
    raw = np.column_stack([*[xs[w][r] for w in wins_here], *[ys[k][r, None] for k in ys]])
    part = absorb(rowset, raw)
    gram = part.T @ part
    scale_all, floor_all = collinearity_scales(raw)
    k = 1 + len(union)
    pos_x = {w: j * k for j, w in enumerate(wins_here)}
    pos_y = {key: len(wins_here) * k + j for j, key in enumerate(ys)}
    by_data: dict[tuple, list[int]] = {}
    for i in ids:
        c = choices[i]
        by_data.setdefault((c.winsorize, c.index, c.shift, c.controls), []).append(i)
    for key, members in by_data.items():
        controls = [c for c in ctx.control_sets[key[3]] if c != ctx.treatment]
        cols = [pos_x[key[0]], *[pos_x[key[0]] + 1 + union.index(c) for c in controls]]
        jy = pos_y[key[:3]]
        scales = (scale_all[cols], floor_all[cols])
        try:
            fit = fit_partialled(rowset, part[:, jy], part[:, cols], gram[np.ix_([*cols, jy], [*cols, jy])],
                                 scales, [ctx.treatment, *controls], raw[:, jy], clusters_here)
        except NotEstimable as err:
            for i in members:
                rows[i]["reason"] = str(err)
            continue
        for i in members:
            _fill(rows[i], fit, rowset, choices[i].cluster, ctx.spec.alpha)
        if hook is not None:
            hook(rowset, fit, frame, [(i, choices[i].cluster) for i in members])


def _fill(row: dict, fit: Fit, rowset: RowSet, cluster: str, alpha: float) -> None:
    row["nobs"] = fit.nobs
    row["dropped"] = ", ".join(fit.dropped)
    row["estimate"] = fit.estimate
    row["note"] = fit.notes.get(cluster, "") if cluster in fit.se else ""
    codes = rowset.clusters[cluster]
    row["n_clusters"] = int(min(codes[:, j].max() + 1 for j in range(codes.shape[1])))
    if cluster not in fit.se:
        row["reason"] = fit.notes.get(cluster, "standard error not available")
        return
    se, df = fit.se[cluster]
    row["std_error"], row["df_resid"] = se, df
    if not se > 0:
        row["reason"] = "standard error is zero (outcome fitted exactly)"
        return
    t = fit.estimate / se
    crit = float(t_critical(df, alpha))
    row.update(statistic=t, p_value=float(t_pvalue(t, df)), conf_low=fit.estimate - crit * se,
               conf_high=fit.estimate + crit * se, estimable=True)


def specification_curve(panel: Any, spec: RobustnessSpec | Mapping[str, Any] | None = None, *,
                        outcome: str = "NQP", treatment: str = "lnAI", controls: Sequence[str] = PAPER_CONTROLS,
                        progress: Progress | None = None) -> SpecCurve:
    """The specification curve alone: every specification's estimate, SE, p, CI and N.

    ``panel``: an :class:`nqp.panel.Panel` or a :class:`~nqp.robustness.variants.PanelSource`;
    ``spec``: a :class:`RobustnessSpec` or its ``[robustness]`` dict. ``progress(stage, done,
    total)`` is called after each row set."""
    spec = spec if isinstance(spec, RobustnessSpec) else RobustnessSpec.from_dict(spec)
    ctx = make_context(panel, spec, outcome=outcome, treatment=treatment, controls=controls)
    return run_curve(ctx, progress=progress)


@dataclass
class Design:
    """One specification's partialled columns (for the placebo, Oster and leave-one-out)."""

    choice: Choice
    rowset: RowSet
    frame: pd.DataFrame
    names: list[str]  # treatment, controls
    raw: np.ndarray  # (n, 1 + k + 1): treatment, controls, outcome before partialling
    part: np.ndarray  # the same, partialled

    @property
    def k(self) -> int:
        return len(self.names)

    def fit(self, clusters: Sequence[str] | None = None) -> Fit:
        k = self.k
        cols = list(range(k))
        gram = self.part.T @ self.part
        return fit_partialled(self.rowset, self.part[:, k], self.part[:, :k], gram,
                              collinearity_scales(self.raw[:, cols]), self.names, self.raw[:, k],
                              list(clusters) if clusters is not None else [self.choice.cluster])


def finite_rows(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Rows where every one of ``columns`` (each (n,)) is finite; column by column, which is
    several times faster than ``np.isfinite(M).all(axis=1)`` on a narrow stacked matrix."""
    ok = np.isfinite(columns[0])
    for c in columns[1:]:
        ok &= np.isfinite(c)
    return ok


def build_design(ctx: Context, choice: Choice, *, exclude: np.ndarray | None = None) -> Design:
    """The partialled columns of one specification; ``exclude``, a mask of the sample frame's
    firm-years, leaves those out (leave-one-out). Same rows as the curve uses for it."""
    var = ctx.variants
    frame = var.frame(choice.sample)
    controls = [c for c in ctx.control_sets[choice.controls] if c != ctx.treatment]
    names = [ctx.treatment, *controls]
    union = list(dict.fromkeys(c for cs in dict.fromkeys(ctx.spec.controls) for c in ctx.control_sets[cs]
                               if c != ctx.treatment))
    columns = {c: var.column(choice.sample, choice.winsorize, c) for c in dict.fromkeys([*names, *union])}
    y = var.outcome(choice.sample, choice.winsorize, ctx.outcome, choice.index, choice.shift)
    # the curve's rows: every variable of every control set present (see the module docstring)
    ok = finite_rows([*columns.values(), y])
    if exclude is not None:
        ok &= ~exclude
    rowset = make_rowset(frame, ok, ctx.fe_terms(choice.fixed_effects), ctx.all_cluster_terms,
                         codes=lambda c: var.codes(choice.sample, c))
    raw = np.column_stack([*(columns[c][rowset.rows] for c in names), y[rowset.rows]])
    return Design(choice, rowset, frame, names, raw, absorb(rowset, raw))
