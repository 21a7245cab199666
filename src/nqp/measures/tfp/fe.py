"""OLS and "FE method" (固定效应法) TFP, as used in Chinese firm-level papers.

Model: ln Y_it = β'x_it + a_i + γ_t + e_it, x = (free inputs, capital[, intermediate inputs]).

- ``ols``: pooled OLS of ln Y on a constant, x and year dummies. ln TFP = ln Y − β̂'x
  (it keeps the constant, the year effect and the residual).
- ``fe``: within regression with firm and year effects (firm demeaning, year dummies, by
  Frisch–Waugh–Lovell). ln TFP = ln Y − β̂'x, which *includes* the firm effect â_i, as Chinese
  papers compute it (e.g. the comparison of OLS/FE/OP/LP in 鲁晓东、连玉君 2012, 经济学(季刊));
  ``tfp_excl_firm_effect`` = ln Y − β̂'x − â_i is also returned.

Consistent only if productivity is time-invariant (FE) or uncorrelated with the inputs (OLS);
see measurement-reference §3.4.
"""

from __future__ import annotations

import numpy as np

from nqp.measures.tfp.fit import Fit, ols
from nqp.measures.tfp.panel import Panel


def _inputs(panel: Panel, gross_output: bool) -> np.ndarray:
    cols = [panel.free, panel.state[:, None]]
    if gross_output:
        cols.append(panel.proxy[:, None])
    return np.hstack(cols)


def _year_dummies(panel: Panel) -> np.ndarray:
    years, code = np.unique(panel.year, return_inverse=True)
    d = np.zeros((panel.n, len(years)))
    d[np.arange(panel.n), code] = 1.0
    return d[:, 1:]  # first year is the base


def fit_ols(panel: Panel, *, gross_output: bool = False) -> Fit:
    X = _inputs(panel, gross_output)
    design = np.hstack([np.ones((panel.n, 1)), X, _year_dummies(panel)])
    b = ols(design, panel.y)
    return Fit(coef=b[1 : 1 + X.shape[1]], converged=True, nobs_stage2=0)


def _demean(a: np.ndarray, firm: np.ndarray, n_firms: int) -> tuple[np.ndarray, np.ndarray]:
    counts = np.bincount(firm, minlength=n_firms).astype(float)
    a2 = a.reshape(len(a), -1)
    means = np.column_stack([np.bincount(firm, weights=a2[:, j], minlength=n_firms) for j in range(a2.shape[1])])
    means /= counts[:, None]
    return (a2 - means[firm]).reshape(a.shape), means


def fit_fe(panel: Panel, *, gross_output: bool = False) -> Fit:
    X = _inputs(panel, gross_output)
    D = _year_dummies(panel)
    Z = np.hstack([X, D])
    Zd, _ = _demean(Z, panel.firm, panel.n_firms)
    yd, _ = _demean(panel.y, panel.firm, panel.n_firms)
    b = ols(Zd, yd)
    resid_level = panel.y - Z @ b  # a_i + e_it (year effects are in Z)
    _, a_hat = _demean(resid_level, panel.firm, panel.n_firms)
    return Fit(coef=b[: X.shape[1]], converged=True, nobs_stage2=0, firm_effect=a_hat[:, 0][panel.firm])
