"""Immutable results of ``feols`` (OLS and 2SLS with absorbed fixed effects; 回归结果).

Fit statistics follow reghdfe (``src/reghdfe.mata``, "R² family"), with
``df_full = N - K - df_a - df_a_nested`` (absorbed FEs counted in full, also when nested;
we count them as without clustering, which differs from reghdfe's sum only when *every* FE
is nested in a cluster variable -- there reghdfe would count the constant twice):

* r2 = 1 - RSS/TSS (TSS about the mean when the model has an intercept or FE);
* adj_r2 = 1 - (RSS/df_full) / (TSS/(N - 1))  (reghdfe ``e(r2_a)``);
* r2_within = 1 - RSS/TSS_within, TSS_within = sum of squares of y after absorbing the FEs;
* adj_r2_within = 1 - (RSS/df_full) / (TSS_within/(df_full + K));
* rmse = sqrt(RSS/df_full).

Every result answers the common interface of :mod:`nqp.results` (``tidy``, ``glance``,
``to_dict``, ``summary``, a one-line repr, ``_repr_html_``) and ``with_vcov`` (new standard
errors from the stored scores, without refitting; :mod:`nqp.econometrics.with_vcov`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from nqp.results import TIDY_COLUMNS, ResultDisplay, json_ready

if TYPE_CHECKING:
    from nqp.econometrics.ols import Sample


def inference_sample(s: Sample) -> Sample:
    """The part of a fit's :class:`~nqp.econometrics.ols.Sample` that ``with_vcov`` needs (FE
    and cluster codes, weights, counts, the VCE asked for), without the model's data matrix:
    the regressor arrays are replaced by empty ones and y is copied (so the result does not
    keep the whole model frame alive)."""
    mf = s.mf
    n = mf.nobs
    empty = np.empty((n, 0))
    # weighted means of X and endog, for the absorbed constant (econometrics/constant.py); einsum,
    # not ``w @ col``: BLAS ddot threads badly on a busy machine (see ols.vdot; 90 ms per model here)
    R = np.column_stack([mf.X, mf.endog]) if mf.endog.shape[1] else mf.X
    if mf.weights is None:
        m = np.einsum("ij->j", R) / n
    else:
        m = np.einsum("i,ij->j", mf.weights, R) / float(np.einsum("i->", mf.weights))
    means = {name: float(v) for name, v in zip([*mf.x_names, *mf.endog_names], m)}
    slim = replace(mf, y=np.array(mf.y, copy=True), X=empty, endog=empty, Z=empty, matrix=None,
                   regressor_means=means)
    return replace(s, mf=slim)


@dataclass(frozen=True, eq=False, repr=False)
class FeolsResult(ResultDisplay):
    """One estimated model. Series/DataFrames are indexed by regressor name.

    ``warnings``: the messages of the warnings emitted while fitting this model (collinear
    regressors dropped, singletons, convergence, ...), in order; they are also emitted as
    Python warnings. ``n_clusters`` is per clustering dimension; ``glance()["n_clusters"]``
    is the smallest of them (the G of the t degrees of freedom).
    """

    formula: str
    depvar: str
    coef: pd.Series
    se: pd.Series
    tstat: pd.Series
    pvalue: pd.Series
    vcov: pd.DataFrame
    vcov_type: str
    ssc: str
    nobs: int
    df_resid: int  # degrees of freedom of the t and F tests
    df_absorbed: int  # reghdfe e(df_a)
    df_absorbed_nested: int  # reghdfe e(df_a_nested)
    rss: float
    tss: float
    tss_within: float
    r2: float
    adj_r2: float
    r2_within: float
    adj_r2_within: float
    rmse: float
    f_stat: float
    f_pvalue: float
    fixef_sizes: dict[str, int]
    fixef_redundant: dict[str, int]
    n_clusters: dict[str, int]
    n_singletons: int
    n_missing: int
    dropped_collinear: list[str]
    obs_index: pd.Index
    converged: bool
    resid: np.ndarray = field(repr=False)
    fitted: np.ndarray = field(repr=False)
    _score_x: np.ndarray = field(repr=False)  # regressors of the scores (X~, or X^ for 2SLS)
    _bread: np.ndarray = field(repr=False)
    _weights: np.ndarray | None = field(repr=False)
    warnings: tuple[str, ...] = ()
    _sample: Any = field(default=None, repr=False)  # inference_sample(...) of the fit, for with_vcov
    n_dropped: dict[str, int] = field(default_factory=dict)  # rows dropped for a missing cluster/weight, zero weight
    fixef_nested: dict[str, bool] = field(default_factory=dict)  # FE nested in a cluster variable (reghdfe's "*")

    @property
    def is_iv(self) -> bool:
        return False

    @property
    def estimator(self) -> str:
        return "2SLS" if self.is_iv else "OLS"

    @property
    def fixed_effects(self) -> list[str]:
        """Names of the absorbed fixed effects (``a^b`` for an interacted one)."""
        return list(self.fixef_sizes)

    @property
    def cluster(self) -> list[str] | None:
        """Cluster variables of the standard errors, or None when they are not clustered."""
        if self._sample is not None:
            c = list(self._sample.spec.cluster)
            return c or None
        return list(self.n_clusters) or None

    @property
    def _repr_name(self) -> str:  # type: ignore[override]
        return f"{type(self).__name__} {self.estimator} {self.formula!r}"

    _repr_keys = ("nobs", "r2", "r2_within", "vcov_type")

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """One row per coefficient: ``term, estimate, std_error, statistic, p_value, conf_low,
        conf_high`` (t statistic; interval coef ± t_{df_resid,(1+level)/2}·se, as ``confint``)."""
        ci = self.confint(level)
        return pd.DataFrame({
            "term": list(self.coef.index), "estimate": self.coef.to_numpy(), "std_error": self.se.to_numpy(),
            "statistic": self.tstat.to_numpy(), "p_value": self.pvalue.to_numpy(),
            "conf_low": ci.iloc[:, 0].to_numpy(), "conf_high": ci.iloc[:, 1].to_numpy()}, columns=list(TIDY_COLUMNS))

    def glance(self) -> dict[str, Any]:
        """The model's scalars (JSON-ready). ``n_clusters``: smallest number of clusters over
        the clustering dimensions (None when not clustered); ``n_clusters_by``: per dimension."""
        g: dict[str, Any] = {
            "estimator": self.estimator, "depvar": self.depvar, "formula": self.formula,
            "nobs": self.nobs, "r2": self.r2, "adj_r2": self.adj_r2, "r2_within": self.r2_within,
            "adj_r2_within": self.adj_r2_within, "rmse": self.rmse, "f_stat": self.f_stat, "f_pvalue": self.f_pvalue,
            "n_clusters": min(self.n_clusters.values()) if self.n_clusters else None,
            "n_clusters_by": dict(self.n_clusters),
            "fixed_effects": self.fixed_effects, "cluster": self.cluster,
            "vcov_type": self.vcov_type, "ssc": self.ssc, "df_resid": self.df_resid,
            "df_absorbed": self.df_absorbed, "n_singletons": self.n_singletons, "n_missing": self.n_missing,
            "n_dropped": dict(self.n_dropped),
            "converged": self.converged, "n_warnings": len(self.warnings),
        }
        return json_ready(g)

    def with_vcov(self, vcov: str | dict | None = None, cluster: str | list[str] | None = None,
                  ssc: str | None = None, data: pd.DataFrame | None = None) -> FeolsResult:
        """The same estimates with other standard errors, recomputed from the stored scores
        without refitting (t, p, confidence intervals, F, number of clusters follow).

        Equal to refitting with the new options whenever the estimation sample would be the
        same: a new cluster variable must have no missing value on the sample rows (else an
        EstimationError). A cluster variable the fit did not use is read from ``data`` (the
        frame the model was fitted on; rows are found by ``obs_index``)."""
        from nqp.econometrics.with_vcov import with_vcov

        return with_vcov(self, vcov=vcov, cluster=cluster, ssc=ssc, data=data)

    def confint(self, level: float = 0.95) -> pd.DataFrame:
        """t-based interval coef ± t_{df_resid, (1+level)/2} · se."""
        q = stats.t.ppf(0.5 + level / 2, self.df_resid)
        lo, hi = f"{100 * (1 - level) / 2:g}%", f"{100 * (1 + level) / 2:g}%"
        return pd.DataFrame({lo: self.coef - q * self.se, hi: self.coef + q * self.se})

    def scores(self) -> np.ndarray:
        """(nobs, k) influence contributions ``D x_i w_i e_i`` with D the bread, so that
        ``scores().sum(0)`` is ~0 and ``scores().T @ scores()`` is the HC0 sandwich (for SUEST)."""
        s = self._score_x * self.resid[:, None]
        if self._weights is not None:
            s = s * self._weights[:, None]
        return s @ self._bread

    def summary(self) -> str:
        """A reghdfe-style text table."""
        from nqp.econometrics.summary import format_summary

        return format_summary(self)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python view (JSON-ready: NaN becomes None)."""

        def num(v: float) -> float | None:
            return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)

        ci = self.confint()
        return {
            "formula": self.formula,
            "depvar": self.depvar,
            "estimator": "2SLS" if self.is_iv else "OLS",
            "vcov_type": self.vcov_type,
            "ssc": self.ssc,
            "coefficients": [
                {"name": k, "coef": num(self.coef[k]), "se": num(self.se[k]), "t": num(self.tstat[k]),
                 "p": num(self.pvalue[k]), "ci_low": num(ci.iloc[i, 0]), "ci_high": num(ci.iloc[i, 1])}
                for i, k in enumerate(self.coef.index)
            ],
            "nobs": self.nobs,
            "df_resid": self.df_resid,
            "df_absorbed": self.df_absorbed,
            "r2": num(self.r2), "adj_r2": num(self.adj_r2),
            "r2_within": num(self.r2_within), "adj_r2_within": num(self.adj_r2_within),
            "rmse": num(self.rmse), "f_stat": num(self.f_stat), "f_pvalue": num(self.f_pvalue),
            "fixef_sizes": dict(self.fixef_sizes),
            "n_clusters": dict(self.n_clusters),
            "n_singletons": self.n_singletons,
            "n_missing": self.n_missing,
            "n_dropped": dict(self.n_dropped),
            "dropped_collinear": list(self.dropped_collinear),
            "converged": self.converged,
            "status": "ok",
            "fixed_effects": self.fixed_effects,
            "cluster": self.cluster,
            "n_clusters_min": min(self.n_clusters.values()) if self.n_clusters else None,
            "df_absorbed_nested": self.df_absorbed_nested,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True, eq=False, repr=False)
class IVResult(FeolsResult):
    """2SLS result: adds the first stages and (when available) weak-IV diagnostics."""

    endog: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    first_stage: dict[str, FeolsResult] = field(default_factory=dict)
    iv_diagnostics: Any = None
    _zt: np.ndarray | None = field(default=None, repr=False)  # partialled-out [exog, excluded]
    _endog_t: np.ndarray | None = field(default=None, repr=False)  # partialled-out endogenous
    _xt: np.ndarray | None = field(default=None, repr=False)  # partialled-out [endog, exog]

    @property
    def is_iv(self) -> bool:
        return True

    def glance(self) -> dict[str, Any]:
        """OLS scalars plus ``endog``, ``instruments`` and, when the diagnostics were computed,
        the first-stage F per endogenous regressor (``first_stage_f``), the weak-identification
        F (``weak_id_f``: Cragg-Donald, or Kleibergen-Paap rk Wald F with robust/cluster VCE),
        Cragg-Donald F, KP rk Wald F, and the under-identification test (Anderson LM or KP rk LM)."""
        g = super().glance()
        g["endog"] = list(self.endog)
        g["instruments"] = list(self.instruments)
        d = self.iv_diagnostics
        if d is not None:
            g.update(json_ready({
                "first_stage_f": dict(zip(d.endog_names, d.first_stage_f)),
                "first_stage_pvalue": dict(zip(d.endog_names, d.first_stage_pvalue)),
                "weak_id_f": d.weak_id_f, "cragg_donald_f": d.cragg_donald_f, "kp_rk_wald_f": d.kp_rk_wald_f,
                "underid_stat": d.underid_stat, "underid_pvalue": d.underid_pvalue,
                "anderson_lm": d.anderson_lm, "anderson_lm_pvalue": d.anderson_lm_pvalue,
            }))
        return g

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["endog"] = list(self.endog)
        d["instruments"] = list(self.instruments)
        d["first_stage"] = {k: v.to_dict() for k, v in self.first_stage.items()}
        diag = self.iv_diagnostics
        d["iv_diagnostics"] = json_ready(diag.to_dict()) if hasattr(diag, "to_dict") else diag
        return d
