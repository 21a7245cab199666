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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True, eq=False)
class FeolsResult:
    """One estimated model. Series/DataFrames are indexed by regressor name."""

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

    @property
    def is_iv(self) -> bool:
        return False

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
            "dropped_collinear": list(self.dropped_collinear),
            "converged": self.converged,
        }


@dataclass(frozen=True, eq=False)
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

    def to_dict(self) -> dict[str, Any]:
        d = super().to_dict()
        d["endog"] = list(self.endog)
        d["instruments"] = list(self.instruments)
        d["first_stage"] = {k: v.to_dict() for k, v in self.first_stage.items()}
        diag = self.iv_diagnostics
        d["iv_diagnostics"] = diag.to_dict() if hasattr(diag, "to_dict") else diag
        return d
