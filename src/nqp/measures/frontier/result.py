"""The result of a stochastic-frontier fit: estimates, inference, tests and efficiency scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from nqp.results import ResultDisplay, json_ready, tidy_frame

from .efficiency import technical_efficiency


@dataclass(frozen=True, repr=False)
class FrontierResult(ResultDisplay):
    """Estimates of ``y = x'β + v − s·u`` (s = 1 production, −1 cost) by maximum likelihood.

    ``coef``: frontier coefficients β. ``se``/``vcov``: for β and the natural variance
    parameters (σ², γ, [μ], [η]; for the exponential model σ_u, σ_v), obtained from the
    unconstrained-θ covariance by the delta method (``vcov_type`` says which matrix:
    ``"hessian"`` = inverse of the observed information, the Hessian of ln L by central
    differences of the analytic score; ``"opg"`` = inverse outer product of the per-firm scores).
    ``sigma2`` = σ_u² + σ_v², ``gamma`` = σ_u²/σ², ``lambda_`` = σ_u/σ_v.
    ``lr_stat`` = 2(ln L − ln L_OLS), the one-sided test of no inefficiency (γ = 0 and, when
    estimated, μ = η = 0); ``lr_pvalue`` uses the mixed χ² of one parameter on the boundary
    (Self & Liang 1987; Coelli 1995): ½·P(χ²_{q−1} > LR) + ½·P(χ²_q > LR), q = ``lr_df``.
    ``skewness``: skewness of OLS residuals, signed so that a valid frontier has it < 0.
    ``wrong_skewness``: if True, the ML estimate is the OLS boundary γ → 0 (Waldman 1982) and
    every efficiency score is 1: the data show no inefficiency, not "full efficiency".
    """

    coef: pd.Series
    se: pd.Series
    vcov: pd.DataFrame
    vcov_type: str
    dist: str
    cost: bool
    sigma2: float
    gamma: float
    sigma_u: float
    sigma_v: float
    lambda_: float
    mu: float | None
    eta: float | None
    loglik: float
    loglik_ols: float
    lr_stat: float
    lr_df: int
    skewness: float
    wrong_skewness: bool
    converged: bool
    iterations: int
    nobs: int
    n_firms: int
    index: pd.Index
    mu_bound_active: bool = False
    message: str = ""

    _repr_keys = ("dist", "nobs", "gamma", "loglik", "lr_pvalue")
    # conditional distribution of u: N⁺(mu_star, sigma_star²) per firm, scaled by h per row
    _mu_star: np.ndarray = field(default=None, repr=False)
    _sigma_star: np.ndarray = field(default=None, repr=False)
    _h: np.ndarray = field(default=None, repr=False)
    _firm_of_row: np.ndarray | None = field(default=None, repr=False)

    @property
    def lr_pvalue(self) -> float:
        q = self.lr_df
        lr = max(self.lr_stat, 0.0)
        low = (1.0 if lr <= 0 else 0.0) if q == 1 else stats.chi2.sf(lr, q - 1)
        return float(0.5 * low + 0.5 * stats.chi2.sf(lr, q))

    @property
    def tstat(self) -> pd.Series:
        params = self.params
        return params / self.se.reindex(params.index)

    @property
    def params(self) -> pd.Series:
        """All estimated parameters in the order of ``se`` (β then σ², γ, [μ], [η])."""
        extra = {"sigma2": self.sigma2, "gamma": self.gamma, "mu": self.mu, "eta": self.eta,
                 "sigma_u": self.sigma_u, "sigma_v": self.sigma_v}
        out = pd.concat([self.coef, pd.Series({k: extra[k] for k in self.se.index
                                               if k not in self.coef.index}, dtype=float)])
        return out

    def efficiency(self, method: str = "bc") -> pd.Series:
        """Technical efficiency per observation (row of the fitted data), in (0, 1].

        ``method``: ``"bc"`` Battese–Coelli (1988) E[exp(−u)|ε] (default, what FRONTIER 4.1 and
        R ``frontier`` report), ``"jlms"`` exp(−E[u|ε]), ``"mode"`` exp(−M[u|ε]). For a cost
        frontier the same E[exp(−u)|ε] is returned (cost efficiency ≤ 1).
        """
        if self.wrong_skewness:
            te = np.ones(self.nobs)
        else:
            rows = self._firm_of_row
            ms = self._mu_star if rows is None else self._mu_star[rows]
            ss = self._sigma_star if rows is None else self._sigma_star[rows]
            te = technical_efficiency(ms, ss, self._h, method)
        return pd.Series(te, index=self.index, name=f"te_{method}")

    @property
    def _repr_name(self) -> str:  # type: ignore[override]
        return f"FrontierResult {'cost' if self.cost else 'production'}"

    def coef_table(self) -> pd.DataFrame:
        """Coefficient table: estimate, standard error, z and two-sided normal p-value."""
        p = self.params
        se = self.se.reindex(p.index)
        z = p / se
        return pd.DataFrame({"estimate": p, "se": se, "z": z,
                             "pvalue": 2 * stats.norm.sf(np.abs(z))})

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """Every parameter (β, then σ², γ, [μ], [η]): estimate, standard error, z statistic,
        two-sided normal p-value and the Wald interval estimate ± z_{(1+level)/2}·se (maximum
        likelihood: asymptotic normal inference, as FRONTIER 4.1 and R ``frontier``)."""
        p = self.params
        return tidy_frame(p.index, p.to_numpy(dtype=float), self.se.reindex(p.index).to_numpy(dtype=float), level=level)

    def glance(self) -> dict[str, Any]:
        """Model scalars: distribution, cost/production, nobs, firms, log likelihoods, the LR test
        of no inefficiency, σ², γ, λ, σ_u, σ_v, μ, η, OLS residual skewness, mean efficiency (BC)."""
        return json_ready({
            "dist": self.dist, "cost": self.cost, "nobs": self.nobs, "n_firms": self.n_firms,
            "loglik": self.loglik, "loglik_ols": self.loglik_ols, "lr_stat": self.lr_stat, "lr_df": self.lr_df,
            "lr_pvalue": self.lr_pvalue, "sigma2": self.sigma2, "gamma": self.gamma, "lambda": self.lambda_,
            "sigma_u": self.sigma_u, "sigma_v": self.sigma_v, "mu": self.mu, "eta": self.eta,
            "skewness": self.skewness, "wrong_skewness": self.wrong_skewness,
            "mean_efficiency": float(self.efficiency().mean()) if self.nobs else None,
            "vcov_type": self.vcov_type, "converged": self.converged, "iterations": self.iterations,
            "mu_bound_active": self.mu_bound_active, "message": self.message})

    def to_dict(self) -> dict[str, Any]:
        """glance() plus ``coefficients`` (the rows of tidy()), JSON-ready."""
        rows = self.tidy().to_dict(orient="records")
        return json_ready({**self.glance(), "coefficients": rows})

    def summary(self) -> str:
        """Text: the headline statistics and the coefficient table."""
        g = self.glance()
        head = (f"Stochastic {'cost' if self.cost else 'production'} frontier ({self.dist}), {self.nobs:,} obs, "
                f"{self.n_firms:,} firms; log L = {self.loglik:.4f}; LR test of no inefficiency = "
                f"{self.lr_stat:.4f} (mixed chi2, df {self.lr_df}), p = {self.lr_pvalue:.4f}; "
                f"mean efficiency {g['mean_efficiency']:.4f}")
        if self.wrong_skewness:
            head += "\nOLS residuals have the wrong skewness: no inefficiency in the data (all efficiencies 1)"
        return head + "\n" + self.coef_table().to_string(float_format=lambda x: f"{x:.5f}")
