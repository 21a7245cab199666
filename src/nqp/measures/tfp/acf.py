"""Ackerberg–Caves–Frazer (2015, Econometrica 83(6)) TFP -- the ACF correction of LP/OP.

Value added, y = β_l'l + β_k k + ω + ε, ω = h(l, k, m):

1. Stage 1: OLS of y on a constant and a full polynomial of degree ``poly_degree`` in (l, k, m);
   no coefficient is identified here; φ̂ = ŷ.
2. Stage 2 (GMM over θ = (β_l, β_k)): ω_t = φ̂_t − x_t'θ, ω_{t−1} = φ̂_{t−1} − x_{t−1}'θ;
   ξ = residual of ω_t on (1, ω_{t−1}, ω_{t−1}², ω_{t−1}³); moments E[Z'ξ] = 0 with
   Z = (l_{t−1}, k_t); weight W = (Z'Z/N)⁻¹; criterion g'Wg, g = Z'ξ/N.
   Minimised by Nelder–Mead from the OLS estimates (R ``prodest::prodestACF`` uses BFGS from OLS)
   and from the 3 best points, at least 0.3 apart, of a grid {0, 0.1, …, 1}^p. If several runs reach the minimum (the
   just-identified criterion can have more than one zero), the root with the most persistent ω
   (largest R² of ω_t on g(ω_{t−1})) is kept; all roots found are reported in ``details["roots"]``
   as (θ, R², criterion).

Stata ``acfest``, used in Chinese papers, prints only the β's; ln TFP = y − β̂_l l − β̂_k k
("需手动计算TFP"), which is what is returned here. Only value added: the gross-output proxy model
is not identified under flexible intermediate inputs (Gandhi, Navarro & Rivers 2020).
"""

from __future__ import annotations

from itertools import product

import numpy as np
from scipy.optimize import minimize

from nqp.errors import EstimationError
from nqp.measures.tfp.fit import Fit, cubic_residual, dot, matvec, ols, polynomial
from nqp.measures.tfp.panel import Panel

GRID = np.linspace(0.0, 1.0, 11)
N_GRID_STARTS = 3
ROOT_TOL = 1e-10


def fit_acf(panel: Panel, *, degree: int = 3) -> Fit:
    X = np.column_stack([panel.free, panel.state])
    P = polynomial([*panel.free.T, panel.state, panel.proxy], degree)
    design = np.hstack([np.ones((panel.n, 1)), P])
    if panel.n <= design.shape[1] + 1:
        raise EstimationError(f"{panel.n} firm-years are too few for a stage-1 polynomial with {P.shape[1]} terms")
    phi = matvec(design, ols(design, panel.y))
    cur = np.flatnonzero(panel.lag >= 0)
    if len(cur) < 10:
        raise EstimationError(
            f"only {len(cur)} firm-years have the previous year of the same firm; ACF needs lagged observations"
        )
    prev = panel.lag[cur]
    X_t, X_l, phi_t, phi_l = X[cur], X[prev], phi[cur], phi[prev]
    Z = np.column_stack([panel.free[prev], panel.state[cur]])
    n2 = len(cur)
    W = np.linalg.inv(np.einsum("ij,ik->jk", Z, Z) / n2)

    # columns as contiguous 1-D arrays: the products below are the hot loop (no BLAS, see fit.py)
    xt_cols = [np.ascontiguousarray(c) for c in X_t.T]
    xl_cols = [np.ascontiguousarray(c) for c in X_l.T]
    z_cols = [np.ascontiguousarray(c) for c in Z.T]

    def omegas(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w, wl = phi_t.copy(), phi_l.copy()
        for b, ct, cl in zip(theta, xt_cols, xl_cols):
            w -= b * ct
            wl -= b * cl
        return w, wl

    def objective(theta: np.ndarray) -> float:
        w, wl = omegas(theta)
        xi = cubic_residual(wl, w)
        g = np.array([dot(c, xi) for c in z_cols]) / n2
        return float(g @ W @ g)

    # With just-identified moments the criterion can have several exact zeros: besides the truth, one
    # near β_l = 1, β_k = 0 where ω = φ − l is (nearly) serially uncorrelated. OLS starting values
    # (prodest) often land there. Start also from the best points of a grid; among the runs that
    # reach the minimum, keep the one whose ω is most persistent (largest R² of ω_t on g(ω_{t−1})),
    # since persistence of ω is what the proxy approach assumes.
    ols_start = ols(np.column_stack([np.ones(panel.n), X]), panel.y)[1:]
    grid = np.array(list(product(GRID, repeat=X.shape[1])))
    best: list[np.ndarray] = []
    for g in grid[np.argsort([objective(g) for g in grid])]:  # best grid points in distinct valleys
        if all(np.abs(g - b).max() > 0.25 for b in best):
            best.append(g)
        if len(best) == N_GRID_STARTS:
            break
    opts = {"xatol": 1e-8, "fatol": 1e-14, "maxiter": 4000}
    runs = [minimize(objective, s0, method="Nelder-Mead", options=opts) for s0 in (ols_start, *best)]
    runs = [r for r in runs if np.isfinite(r.fun) and np.all(np.isfinite(r.x))]
    if not runs:
        return Fit(coef=np.full(X.shape[1], np.nan), converged=False, nobs_stage2=n2, message="GMM failed")
    low = min(r.fun for r in runs)
    roots = [r for r in runs if r.fun <= max(ROOT_TOL, 10 * low)]

    def persistence(theta: np.ndarray) -> float:
        w, wl = omegas(theta)
        xi = cubic_residual(wl, w)
        return 1.0 - dot(xi, xi) / dot(w - w.mean(), w - w.mean())

    scored = [(persistence(r.x), r) for r in roots]
    res = max(scored, key=lambda t: t[0])[1]
    converged = bool(res.success)
    distinct = []
    for r2, r in scored:
        if all(np.abs(r.x - d[0]).max() > 1e-3 for d in distinct):
            distinct.append((np.round(r.x, 6), round(r2, 4), float(r.fun)))
    return Fit(
        coef=np.asarray(res.x),
        converged=converged,
        nobs_stage2=n2,
        message="" if converged else f"GMM optimiser: {res.message}",
        extra={"criterion": float(res.fun), "roots": distinct},
    )
