"""``tfp()``: firm-level total factor productivity (全要素生产率, TFP_OLS / TFP_FE / TFP_OP / TFP_LP / TFP_ACF).

The methods and their formulas are documented in ``fe.py`` (ols, fe), ``proxy.py`` (op, lp) and
``acf.py`` (acf); measurement-reference §3. ln TFP is y − β̂'x for every firm-year with complete
inputs (levpet ``predict, omega`` returns its exponential), whether or not that firm-year had the
lag stage 2 needs.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from nqp.errors import ConfigError, ConvergenceError, ConvergenceWarning, EstimationError, MissingValueWarning
from nqp.measures.tfp.acf import fit_acf
from nqp.measures.tfp.bootstrap import crs_wald, firm_bootstrap
from nqp.measures.tfp.fe import fit_fe, fit_ols
from nqp.measures.tfp.fit import Fit
from nqp.measures.tfp.panel import Panel, build_panel
from nqp.measures.tfp.proxy import fit_lp_gross, fit_proxy
from nqp.results import TIDY_COLUMNS, ResultDisplay, json_ready, tidy_frame

METHODS = ("ols", "fe", "op", "lp", "acf")


@dataclass(frozen=True, repr=False)
class TFPResult(ResultDisplay):
    """Result of :func:`tfp`.

    ``coef``/``se``: elasticities by input name (with ``industry=``: DataFrames, one row per industry).
    ``tfp``: ln TFP aligned to the input index (NaN only for rows dropped for missing inputs or
    industry). ``tfp_excl_firm_effect``: FE method only, ln TFP minus the estimated firm effect.
    ``nobs``: firm-years used in stage 1 / the regression; ``nobs_stage2``: firm-years with the
    previous year of the same firm, used by stage 2 (0 for ols/fe). ``crs_wald``/``crs_pvalue``:
    Wald test of Σβ = 1 from the bootstrap covariance (None without bootstrap).
    """

    method: str
    value_added: bool
    coef: pd.Series | pd.DataFrame
    se: pd.Series | pd.DataFrame | None
    tfp: pd.Series
    nobs: int
    nobs_stage2: int
    converged: bool
    returns_to_scale: float | pd.Series
    tfp_excl_firm_effect: pd.Series | None = None
    vcov: pd.DataFrame | None = None
    crs_wald: float | pd.Series | None = None
    crs_pvalue: float | pd.Series | None = None
    bootstrap_reps: int = 0
    bootstrap_failed: int = 0
    by_industry: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)  # method-specific, e.g. ACF roots and GMM criterion

    _repr_keys = ("method", "nobs", "returns_to_scale", "converged")

    @property
    def _repr_name(self) -> str:  # type: ignore[override]
        return f"TFPResult {self.method}"

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per input elasticity (with ``industry=``: per industry, and an ``industry``
        column): estimate, firm-bootstrap standard error, z = estimate/se, two-sided normal p and
        the normal interval estimate ± z_{(1+level)/2}·se; NaN without ``bootstrap=``."""
        if isinstance(self.coef, pd.DataFrame):
            parts = []
            for ind, r in self.by_industry.items():
                t = r.tidy(level)
                t["industry"] = ind
                parts.append(t)
            return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*TIDY_COLUMNS, "industry"])
        se = None if self.se is None else self.se.reindex(self.coef.index).to_numpy(dtype=float)
        return tidy_frame(self.coef.index, self.coef.to_numpy(dtype=float), se, level=level)

    def glance(self) -> dict[str, Any]:
        """method, value added or gross output, firm-years of stage 1 and 2, convergence, returns
        to scale (per industry with ``industry=``), the bootstrap Wald test of constant returns,
        and the mean and sd of ln TFP."""
        v = self.tfp.to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        rts = self.returns_to_scale
        return json_ready({
            "method": self.method, "value_added": self.value_added, "nobs": self.nobs,
            "nobs_stage2": self.nobs_stage2, "converged": self.converged,
            "returns_to_scale": rts.to_dict() if isinstance(rts, pd.Series) else rts,
            "crs_wald": self.crs_wald.to_dict() if isinstance(self.crs_wald, pd.Series) else self.crs_wald,
            "crs_pvalue": self.crs_pvalue.to_dict() if isinstance(self.crs_pvalue, pd.Series) else self.crs_pvalue,
            "bootstrap_reps": self.bootstrap_reps, "bootstrap_failed": self.bootstrap_failed,
            "n_industries": len(self.by_industry) or None,
            "tfp_mean": float(v.mean()) if v.size else None, "tfp_sd": float(v.std(ddof=1)) if v.size > 1 else None})

    def to_dict(self) -> dict[str, Any]:
        """glance() plus ``coefficients`` (the rows of tidy()), JSON-ready (not the per-row TFP)."""
        return json_ready({**self.glance(), "coefficients": self.tidy().to_dict(orient="records")})

    def summary(self) -> str:
        g = self.glance()
        rts = g["returns_to_scale"]
        rts_s = f"{rts:.4f}" if isinstance(rts, float) else "by industry"
        head = (f"TFP ({self.method}, {'value added' if self.value_added else 'gross output'}): {self.nobs:,} firm-years, "
                f"returns to scale {rts_s}" + (f", {self.bootstrap_reps} bootstrap replications" if self.bootstrap_reps else ""))
        return head + "\n" + self.tidy().to_string(index=False, float_format=lambda x: f"{x:.4f}")


def _fitter(method: str, value_added: bool, degree: int, justid: bool) -> Callable[[Panel], Fit]:
    if method == "ols":
        return partial(fit_ols, gross_output=not value_added)
    if method == "fe":
        return partial(fit_fe, gross_output=not value_added)
    if method == "acf":
        if not value_added:
            raise ConfigError("ACF is implemented for value added only (gross output is not identified, GNR 2020)")
        return partial(fit_acf, degree=degree)
    if method == "op" and not value_added:
        raise ConfigError("Olley-Pakes is implemented for value added only")
    if method == "lp" and not value_added:
        return partial(fit_lp_gross, degree=degree, justid=justid)
    return partial(fit_proxy, degree=degree)


def tfp(
    data: pd.DataFrame,
    method: str = "lp",
    *,
    output: str,
    free: str | list[str],
    state: str,
    proxy: str | None = None,
    firm: str,
    year: str,
    value_added: bool = True,
    poly_degree: int = 3,
    bootstrap: int = 0,
    seed: int | None = None,
    industry: str | None = None,
    take_logs: bool = True,
    justid: bool = False,
) -> TFPResult:
    """Estimate production elasticities and ln TFP for a firm-year panel.

    ``method``: "ols", "fe" (固定效应法), "op" (Olley–Pakes, ``proxy`` = investment), "lp"
    (Levinsohn–Petrin, ``proxy`` = intermediate inputs; Stata ``levpet``), "acf"
    (Ackerberg–Caves–Frazer GMM, ``proxy`` = intermediate inputs).
    ``output``, ``free`` (labour; one or more), ``state`` (capital), ``proxy``: column names, in levels
    (logged here; a non-positive value is an error naming the firm and year) or, with
    ``take_logs=False``, already in logs (e.g. the ln(1+x) columns of Chinese do-files).
    ``value_added=False``: gross output; ols/fe add ``proxy`` as an input, lp is levpet's ``revenue``
    GMM over (β_k, β_m) (``justid`` as levpet's option).
    ``bootstrap``: firm-cluster bootstrap replications for ``se`` (seeded by ``seed``).
    ``industry``: estimate separately within each value of this column (分行业估计).
    ``take_logs``: see above. ``justid``: gross-output LP with instruments (k_t, m_{t−1}) only.
    Returns a :class:`TFPResult`; ``converged=False`` comes with a ``ConvergenceWarning``.
    """
    if method not in METHODS:
        raise ConfigError(f"unknown TFP method {method!r}; choose one of {METHODS}")
    free_list = [free] if isinstance(free, str) else list(free)
    if not free_list:
        raise ConfigError("at least one free input is needed")
    if proxy is None and (method in ("op", "lp", "acf") or not value_added):
        raise ConfigError(f"method {method!r} needs proxy= (intermediate inputs or investment)")
    if poly_degree < 1:
        raise ConfigError("poly_degree must be at least 1")
    if industry is not None:
        return _by_industry(data, method, industry, seed, **dict(
            output=output, free=free_list, state=state, proxy=proxy, firm=firm, year=year,
            value_added=value_added, poly_degree=poly_degree, bootstrap=bootstrap,
            take_logs=take_logs, justid=justid))

    uses_proxy = method in ("op", "lp", "acf") or not value_added
    panel = build_panel(
        data, output=output, free=free_list, state=state, proxy=proxy if uses_proxy else None,
        firm=firm, year=year, take_logs=take_logs,
    )
    fit_fn = _fitter(method, value_added, poly_degree, justid)
    fit = fit_fn(panel)
    if not np.all(np.isfinite(fit.coef)):
        raise ConvergenceError(f"{method} estimation returned non-finite elasticities: {fit.message}")
    if not fit.converged:
        warnings.warn(ConvergenceWarning(f"{method}: {fit.message}; the elasticities may be inexact"))
    names = [*free_list, state] + ([proxy] if not value_added else [])
    coef = pd.Series(fit.coef, index=names, name="coef")

    X = np.column_stack([panel.free, panel.state] + ([panel.proxy] if not value_added else []))
    ln_tfp = np.full(len(data), np.nan)
    ln_tfp[panel.rows] = panel.y - X @ fit.coef
    tfp_s = pd.Series(ln_tfp, index=data.index, name=f"lntfp_{method}")
    excl = None
    if fit.firm_effect is not None:
        e = np.full(len(data), np.nan)
        e[panel.rows] = panel.y - X @ fit.coef - fit.firm_effect
        excl = pd.Series(e, index=data.index, name=f"lntfp_{method}_excl_firm_effect")

    se = vcov = wald = pval = None
    failed = 0
    if bootstrap:
        if bootstrap < 2:
            raise ConfigError("bootstrap must be 0 or at least 2 replications")
        draws = firm_bootstrap(panel, fit_fn, bootstrap, seed)
        failed = draws.failed
        if failed:
            warnings.warn(ConvergenceWarning(f"{failed} of {bootstrap} bootstrap replications failed and were dropped"))
        se = pd.Series(draws.se, index=names, name="se")
        vcov = pd.DataFrame(draws.vcov, index=names, columns=names)
        wald, pval = crs_wald(fit.coef, draws.vcov)
    return TFPResult(
        method=method, value_added=value_added, coef=coef, se=se, tfp=tfp_s,
        nobs=panel.n, nobs_stage2=fit.nobs_stage2, converged=fit.converged,
        returns_to_scale=float(fit.coef.sum()), tfp_excl_firm_effect=excl, vcov=vcov,
        crs_wald=wald, crs_pvalue=pval, bootstrap_reps=bootstrap, bootstrap_failed=failed,
        details=dict(fit.extra),
    )


def _by_industry(data: pd.DataFrame, method: str, industry: str, seed: int | None, **kw) -> TFPResult:
    if industry not in data.columns:
        raise ConfigError(f"industry column {industry!r} not found", column=industry)
    ind = data[industry]
    if ind.isna().any():
        warnings.warn(MissingValueWarning(f"{int(ind.isna().sum())} firm-years without industry get no TFP",
                                          column=industry))
    groups = sorted(ind.dropna().unique(), key=str)
    seeds = np.random.default_rng(seed).integers(0, 2**63 - 1, len(groups))
    results: dict = {}
    ln_tfp = np.full(len(data), np.nan)
    excl_v = np.full(len(data), np.nan)
    for g, s in zip(groups, seeds):
        pos = np.flatnonzero((ind == g).to_numpy())
        try:
            r = tfp(data.iloc[pos], method, seed=int(s), **kw)
        except EstimationError as exc:
            raise EstimationError(f"industry {g!r}: {exc.message}", column=industry) from exc
        results[g] = r
        ln_tfp[pos] = r.tfp.to_numpy()
        if r.tfp_excl_firm_effect is not None:
            excl_v[pos] = r.tfp_excl_firm_effect.to_numpy()
    tfp_s = pd.Series(ln_tfp, index=data.index, name=f"lntfp_{method}")
    excl = pd.Series(excl_v, index=data.index, name=f"lntfp_{method}_excl_firm_effect") if method == "fe" else None

    def table(attr: str) -> pd.DataFrame | None:
        rows = {g: getattr(r, attr) for g, r in results.items()}
        return None if any(v is None for v in rows.values()) else pd.DataFrame(rows).T

    def series(attr: str) -> pd.Series | None:
        rows = {g: getattr(r, attr) for g, r in results.items()}
        return None if any(v is None for v in rows.values()) else pd.Series(rows, name=attr)

    return TFPResult(
        method=method, value_added=kw["value_added"], coef=table("coef"), se=table("se"), tfp=tfp_s,
        nobs=sum(r.nobs for r in results.values()), nobs_stage2=sum(r.nobs_stage2 for r in results.values()),
        converged=all(r.converged for r in results.values()), returns_to_scale=series("returns_to_scale"),
        tfp_excl_firm_effect=excl, crs_wald=series("crs_wald"), crs_pvalue=series("crs_pvalue"),
        bootstrap_reps=kw["bootstrap"], bootstrap_failed=sum(r.bootstrap_failed for r in results.values()),
        by_industry=results,
    )
