"""Proxy-variable TFP: Levinsohn–Petrin (LP, 2003) and Olley–Pakes (OP, 1996) -- 代理变量法.

Model y = β_f'l + β_k k + ω + η, with ω = h(k, proxy) (LP: intermediate inputs m; OP: investment).
Value added, as Stata ``levpet`` (Petrin, Poi & Levinsohn 2004, SJ 4(2) st0060):

1. Stage 1: OLS of y on a constant, the free inputs and a full polynomial of degree ``poly_degree``
   (default 3, as levpet) in (k, proxy). Keep β̂_f; φ̂ = ŷ − β̂_f'l; rssterm = y − β̂_f'l.
2. Stage 2: for a candidate β_k, ω_t = φ̂_t − β_k k_t; regress ω_t on (1, ω_{t−1}, ω_{t−1}², ω_{t−1}³);
   SSR(β_k) = Σ (rssterm_t − β_k k_t − ω̂_t)² over firm-years with a lag (consecutive years).
   β̂_k minimises SSR: a grid over [−0.5, 1.5] then Brent's bounded search (levpet: ``_linemax``
   from 0.5). A minimum on the edge of the grid is reported as not converged.

OP uses the same two stages with investment as the proxy; the survival (attrition) correction of
OP is not implemented.

Gross output (levpet ``revenue``): after the same stage 1, GMM over (β_k, β_m): A = rssterm − β_k k −
β_m m, B = φ̂_{t−1} − β_k k_{t−1} − β_m m_{t−1}, e = residual of A on (1, B) (linear, as levpet's
``lp_bs_gmm``); moments E[e·z] with z = (k_t, k_{t−1}, m_{t−1}, m_{t−2}, l_{t−1}) or, with
``justid``, (k_t, m_{t−1}). Unlike levpet (identity weighting of the summed moments, via ``nl``),
the weight is (Z'Z/N)⁻¹; with ``justid`` the choice does not matter.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize, minimize_scalar

from nqp.errors import EstimationError
from nqp.measures.tfp.fit import Fit, cubic_residual, dot, matvec, ols, polynomial, residual_on, tmatvec
from nqp.measures.tfp.panel import Panel

GRID = np.linspace(-0.5, 1.5, 21)


def stage1(panel: Panel, degree: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """β̂_free, φ̂ and rssterm of the first stage."""
    P = polynomial([panel.state, panel.proxy], degree)
    design = np.hstack([np.ones((panel.n, 1)), panel.free, P])
    if panel.n <= design.shape[1] + 1:
        raise EstimationError(
            f"{panel.n} firm-years are too few for a stage-1 regression with {design.shape[1]} terms"
        )
    b = ols(design, panel.y)
    b_free = b[1 : 1 + panel.free.shape[1]]
    fl = matvec(panel.free, b_free)
    return b_free, matvec(design, b) - fl, panel.y - fl


def _with_lag(panel: Panel, min_rows: int = 10) -> tuple[np.ndarray, np.ndarray]:
    cur = np.flatnonzero(panel.lag >= 0)
    if len(cur) < min_rows:
        raise EstimationError(
            f"only {len(cur)} firm-years have the previous year of the same firm; stage 2 needs lagged "
            "observations (consecutive years)"
        )
    return cur, panel.lag[cur]


def fit_proxy(panel: Panel, *, degree: int = 3) -> Fit:
    """Value-added LP (proxy = intermediate inputs) or OP (proxy = investment)."""
    b_free, phi, rss = stage1(panel, degree)
    cur, prev = _with_lag(panel)
    phi_t, phi_l, k_t, k_l, rss_t = phi[cur], phi[prev], panel.state[cur], panel.state[prev], rss[cur]

    def ssr(bk: float) -> float:
        xi = cubic_residual(phi_l - bk * k_l, phi_t - bk * k_t)  # ω_t − ω̂_t
        r = rss_t - phi_t + xi  # = rssterm − β_k k − ω̂
        return dot(r, r)

    values = np.array([ssr(b) for b in GRID])
    j = int(np.nanargmin(values))
    lo, hi = GRID[max(j - 1, 0)], GRID[min(j + 1, len(GRID) - 1)]
    res = minimize_scalar(ssr, bounds=(lo, hi), method="bounded", options={"xatol": 1e-8})
    bk = float(res.x)
    on_edge = j in (0, len(GRID) - 1)
    converged = bool(res.success) and np.isfinite(bk) and not on_edge
    msg = "" if converged else f"stage-2 minimum at the edge of the search range [{GRID[0]}, {GRID[-1]}]"
    return Fit(coef=np.append(b_free, bk), converged=converged, nobs_stage2=len(cur), message=msg)


def fit_lp_gross(panel: Panel, *, degree: int = 3, justid: bool = False) -> Fit:
    """Gross-output LP (levpet ``revenue``): GMM over (β_k, β_m)."""
    b_free, phi, rss = stage1(panel, degree)
    k, m = panel.state, panel.proxy
    lag1 = panel.lag
    ok = lag1 >= 0
    if not justid:
        lag2 = np.full(panel.n, -1)
        lag2[ok] = lag1[lag1[ok]]
        ok &= lag2 >= 0
    cur = np.flatnonzero(ok)
    if len(cur) < 10:
        raise EstimationError(f"only {len(cur)} firm-years have the lags the gross-output GMM needs")
    prev = lag1[cur]
    if justid:
        Z = np.column_stack([k[cur], m[prev]])
    else:
        Z = np.column_stack([k[cur], k[prev], m[prev], m[lag2[cur]], panel.free[prev]])
    W = np.linalg.inv(np.einsum("ij,ik->jk", Z, Z) / len(cur))
    ones = np.ones(len(cur))

    def objective(theta: np.ndarray) -> float:
        bk, bm = theta
        A = rss[cur] - bk * k[cur] - bm * m[cur]
        B = phi[prev] - bk * k[prev] - bm * m[prev]
        e = residual_on(np.column_stack([ones, B]), A)
        g = tmatvec(Z, e) / len(cur)
        return float(g @ W @ g)

    start = ols(np.column_stack([np.ones(panel.n), panel.free, k, m]), panel.y)[-2:]
    res = minimize(objective, start, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-14, "maxiter": 4000})
    converged = bool(res.success) and bool(np.all(np.isfinite(res.x)))
    return Fit(
        coef=np.concatenate([b_free, res.x]),
        converged=converged,
        nobs_stage2=len(cur),
        message="" if converged else f"GMM optimiser: {res.message}",
        extra={"criterion": float(res.fun)},
    )
