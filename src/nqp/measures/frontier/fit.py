"""Maximum-likelihood fitting of stochastic frontiers: starting values, optimiser, covariance.

1. OLS of y on X; residual moments m2, m3 of e = s·(y − Xb). A valid frontier has m3 < 0. If
   m3 ≥ 0 (wrong skew) the ML estimate is the OLS point with γ = 0 (Waldman 1982): a
   ``WrongSkewnessWarning`` is issued and that boundary solution is returned, marked.
2. Starting values by the method of moments / corrected OLS (Olson, Schmidt & Waldman 1980;
   Kumbhakar & Lovell 2000 §3.2): half-normal m3 = −√(2/π)(4/π − 1)σ_u³, exponential
   m3 = −2σ_u³; σ_v² = m2 − Var(u); the intercept is shifted by s·E[u]. Truncated-normal and
   time-varying models start from the half-normal ML estimate (μ = 0, η = 0).
3. BFGS (L-BFGS-B when μ is bounded) on −ln L/N with the analytic score, then Newton steps with
   the numerical Hessian of the analytic score until the step is below 1e-10.
4. Covariance: inverse observed information in θ (or OPG), mapped to the natural parameters
   by the delta method. At the maximum this equals the inverse Hessian in (β, σ², γ, μ, η),
   the parameterisation FRONTIER 4.1 reports.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit, logit

from nqp.errors import ConfigError, ConvergenceError, ConvergenceWarning, WrongSkewnessWarning

from .loglik import ECData, ec_score, ec_terms, exp_score
from .result import FrontierResult

DISTS = ("half-normal", "truncated-normal", "exponential")
_HN_M3 = np.sqrt(2 / np.pi) * (1 - 4 / np.pi)  # third central moment of −u per σ_u³ (< 0)


class _Model:
    """Binds data and specification to a score function of θ."""

    def __init__(self, d: ECData, dist: str, time_varying: bool):
        self.d, self.dist, self.tv = d, dist, time_varying
        self.trunc = dist == "truncated-normal"
        self.k = d.X.shape[1]

    def score(self, theta: np.ndarray, per_firm: bool = False) -> tuple[float, np.ndarray]:
        if self.dist == "exponential":
            return exp_score(theta, self.d, per_obs=per_firm)
        return ec_score(theta, self.d, self.trunc, self.tv, per_firm=per_firm)

    def natural(self, theta: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Names, values and Jacobian d(natural)/dθ of the variance parameters."""
        k = self.k
        if self.dist == "exponential":
            su, sv = np.exp(theta[k]), np.exp(theta[k + 1])
            return ["sigma_u", "sigma_v"], np.array([su, sv]), np.diag([su, sv])
        s2, g = np.exp(theta[k]), expit(theta[k + 1])
        names, vals = ["sigma2", "gamma"], [s2, g]
        J = np.zeros((len(theta) - k, len(theta) - k))
        J[0, 0], J[1, 1] = s2, g * (1 - g)
        j = 2
        if self.trunc:
            delta = theta[k + j]
            mu = delta * np.sqrt(g * s2)
            names.append("mu")
            vals.append(mu)
            J[j, 0], J[j, 1], J[j, j] = mu / 2, (1 - g) * mu / 2, np.sqrt(g * s2)
            j += 1
        if self.tv:
            names.append("eta")
            vals.append(theta[k + j])
            J[j, j] = 1.0
        return names, np.array(vals), J


def ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """OLS coefficients, residuals and the Gaussian log-likelihood at σ² = SSR/N."""
    b, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = y - X @ b
    n = len(y)
    ll = -0.5 * n * (np.log(2 * np.pi) + np.log(r @ r / n) + 1.0)
    return b, r, float(ll)


def moment_start(
    b_ols: np.ndarray, e: np.ndarray, sign: float, dist: str, intercept: int
) -> np.ndarray:
    """Corrected-OLS starting θ from the 2nd and 3rd central moments of e = s·residual."""
    ec = e - e.mean()
    m2, m3 = float(np.mean(ec**2)), float(np.mean(ec**3))
    b = b_ols.copy()
    if dist == "exponential":
        su = (max(-m3, 1e-12) / 2.0) ** (1 / 3)
        su = min(su, np.sqrt(0.95 * m2))
        sv2 = max(m2 - su**2, 0.05 * m2)
        b[intercept] += sign * su
        return np.concatenate([b, [np.log(su), 0.5 * np.log(sv2)]])
    su = (m3 / _HN_M3) ** (1 / 3) if m3 < 0 else 0.1 * np.sqrt(m2)
    su = min(su, np.sqrt(0.95 * m2 / (1 - 2 / np.pi)))
    sv2 = max(m2 - (1 - 2 / np.pi) * su**2, 0.05 * m2)
    s2 = su**2 + sv2
    g = float(np.clip(su**2 / s2, 0.05, 0.95))
    b[intercept] += sign * np.sqrt(2 / np.pi) * su
    return np.concatenate([b, [np.log(s2), logit(g)]])


def user_start(start: Sequence[float], m: _Model) -> np.ndarray:
    """θ from natural starting values (β, σ², γ, [μ], [η]) or, exponential, (β, σ_u, σ_v)."""
    s = np.asarray(start, dtype=float)
    n_var = {"exponential": 2}.get(m.dist, 2 + m.trunc + m.tv)
    if s.shape != (m.k + n_var,):
        raise ConfigError(f"start must have {m.k + n_var} values, got {s.size}", variable="start")
    b, v = s[: m.k], s[m.k :]
    if m.dist == "exponential":
        return np.concatenate([b, np.log(v)])
    th = [np.log(v[0]), logit(v[1])]
    if m.trunc:
        th.append(v[2] / np.sqrt(v[0] * v[1]))
    if m.tv:
        th.append(v[-1])
    return np.concatenate([b, th])


def numerical_hessian(m: _Model, theta: np.ndarray) -> np.ndarray:
    """Hessian of ln L by central differences of the analytic score (step ∝ |θ_j|)."""
    p = len(theta)
    H = np.empty((p, p))
    for j in range(p):
        h = 1e-5 * max(1.0, abs(theta[j]))
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        H[:, j] = (m.score(tp)[1] - m.score(tm)[1]) / (2 * h)
    return 0.5 * (H + H.T)


def maximise(
    m: _Model, theta0: np.ndarray, bounds: list | None, max_iter: int
) -> tuple[np.ndarray, np.ndarray, int, str, bool]:
    """BFGS / L-BFGS-B then Newton polishing. Returns θ̂, Hessian at θ̂, iterations, message, success."""
    n = len(m.d.y)

    def f(t: np.ndarray) -> tuple[float, np.ndarray]:
        ll, g = m.score(t)
        if not np.isfinite(ll):
            return np.inf, np.zeros_like(t)  # outside the region where ln L is computable
        return -ll / n, -g / n

    if bounds is None:
        res = optimize.minimize(f, theta0, jac=True, method="BFGS",
                                options={"gtol": 1e-6, "maxiter": max_iter})  # Newton polishes
    else:
        res = optimize.minimize(f, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                                options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": max_iter})
    theta, nit, msg = res.x, int(res.nit), str(res.message)
    # the BFGS "precision loss" stop is common near an optimum; judged below by the gradient
    free = np.ones(len(theta), bool)
    if bounds is not None:
        for j, (lo, hi) in enumerate(bounds):
            if (lo is not None and theta[j] <= lo + 1e-8) or (hi is not None and theta[j] >= hi - 1e-8):
                free[j] = False
    ll, grad = m.score(theta)
    # Newton polishing with the Hessian at the BFGS point (a chord iteration: the BFGS point is
    # already close, so one Hessian serves every step); recomputed at the end if θ moved.
    H_full = numerical_hessian(m, theta)
    H = H_full[np.ix_(free, free)]
    moved = 0.0
    if np.all(np.isfinite(H)) and np.all(np.linalg.eigvalsh(H) < 0):
        for _ in range(20):
            step = np.linalg.solve(H, grad[free])
            cand = theta.copy()
            cand[free] -= step
            ll_c, grad_c = m.score(cand)
            if not np.isfinite(ll_c) or ll_c < ll - 1e-10 * max(1.0, abs(ll)):
                break
            theta, ll, grad = cand, ll_c, grad_c
            moved += float(np.max(np.abs(step)))
            if np.max(np.abs(step)) < 1e-10:
                break
    if moved > 1e-4:  # smaller moves change the Hessian (and SEs) far below reporting precision
        H_full = numerical_hessian(m, theta)
    success = bool(np.isfinite(ll) and np.max(np.abs(grad[free])) / n < 1e-6)
    return theta, H_full, nit, msg, success


def fit_model(
    d: ECData,
    names: list[str],
    index: pd.Index,
    *,
    dist: str,
    intercept: int,
    time_varying: bool = False,
    mu_bound: float | None = None,
    start: Sequence[float] | None = None,
    vcov: str = "hessian",
    max_iter: int = 1000,
    firm_of_row: np.ndarray | None = None,
    n_firms: int | None = None,
) -> FrontierResult:
    """Fit one frontier on prepared arrays (see module docstring for the steps)."""
    if dist not in DISTS:
        raise ConfigError(f"unknown dist {dist!r}; use one of {DISTS}", variable="dist")
    if vcov not in ("hessian", "opg"):
        raise ConfigError(f"unknown vcov {vcov!r}; use 'hessian' or 'opg'", variable="vcov")
    m = _Model(d, dist, time_varying)
    n = len(d.y)
    b_ols, r, ll_ols = ols(d.y, d.X)
    e = d.sign * r
    ec = e - e.mean()
    m2, m3 = float(np.mean(ec**2)), float(np.mean(ec**3))
    skew = m3 / m2**1.5
    n_firms = n if n_firms is None else n_firms
    if m3 >= 0:
        which = "cost" if d.sign < 0 else "production"
        what = ("the ML estimate is the OLS boundary gamma -> 0, i.e. no inefficiency is "
                "identified; efficiencies are set to 1 and result.wrong_skewness is True"
                if start is None else "maximising from the given start values anyway")
        warnings.warn(WrongSkewnessWarning(
            f"OLS residuals have skewness {skew:+.4f}, of the wrong sign for a {which} frontier "
            f"(expected < 0 after signing): {what}"), stacklevel=3)
        if start is None:
            return _boundary_result(d, names, index, b_ols, r, ll_ols, skew, dist, firm_of_row,
                                    n_firms)

    if start is not None:
        theta0 = user_start(start, m)
    elif dist == "exponential" or (dist == "half-normal" and not time_varying):
        theta0 = moment_start(b_ols, e, d.sign, dist, intercept)
    else:  # truncated and/or time-varying: start from the half-normal ML estimate
        hn = _Model(d, "half-normal", False)
        th_hn, *_ = maximise(hn, moment_start(b_ols, e, d.sign, "half-normal", intercept),
                             None, max_iter)
        extra = [0.0] * (dist == "truncated-normal") + [0.0] * time_varying
        theta0 = np.concatenate([th_hn, extra])
    bounds = None
    if mu_bound is not None and m.trunc:
        bounds = [(None, None)] * len(theta0)
        bounds[m.k + 2] = (-float(mu_bound), float(mu_bound))
        theta0[m.k + 2] = np.clip(theta0[m.k + 2], -mu_bound, mu_bound)
    theta, H, nit, msg, success = maximise(m, theta0, bounds, max_iter)
    ll, _ = m.score(theta)
    if not np.isfinite(ll):
        raise ConvergenceError(f"{dist} frontier: log-likelihood is not finite at the optimiser's "
                               f"stopping point ({msg})")
    bound_active = bounds is not None and abs(abs(theta[m.k + 2]) - mu_bound) < 1e-6
    if not success:
        warnings.warn(ConvergenceWarning(
            f"{dist} frontier did not converge (optimiser: {msg}; max |score|/N above 1e-6): "
            "estimates may be inexact; try other start values or a simpler model"), stacklevel=3)

    # covariance in θ, then the delta method to natural parameters
    if vcov == "hessian":
        V_t = _safe_inv(-H)
    else:
        S = m.score(theta, per_firm=True)[1]
        V_t = _safe_inv(S.T @ S)
    v_names, v_vals, Jv = m.natural(theta)
    J = np.eye(len(theta))
    J[m.k :, m.k :] = Jv
    V = J @ V_t @ J.T
    all_names = list(names) + v_names
    vc = pd.DataFrame(V, index=all_names, columns=all_names)
    se = pd.Series(np.sqrt(np.where(np.diag(V) >= 0, np.diag(V), np.nan)), index=all_names)

    nat = dict(zip(v_names, v_vals))
    if dist == "exponential":
        su, sv = nat["sigma_u"], nat["sigma_v"]
        s2, g = su**2 + sv**2, su**2 / (su**2 + sv**2)
        k = d.X.shape[1]
        e_hat = d.sign * (d.y - d.X @ theta[:k])
        mu_star, sigma_star, h = -e_hat - sv**2 / su, np.full(n, sv), np.ones(n)
    else:
        s2, g = nat["sigma2"], nat["gamma"]
        su, sv = np.sqrt(g * s2), np.sqrt((1 - g) * s2)
        q = ec_terms(theta, d, m.trunc, m.tv)
        sigma_star = q["R"] / q["D"]
        mu_star = q["z"] * sigma_star
        h = np.broadcast_to(np.asarray(q["h"], dtype=float), (n,)).copy()
    return FrontierResult(
        coef=pd.Series(theta[: m.k], index=names, dtype=float),
        se=se, vcov=vc, vcov_type=vcov, dist=dist, cost=d.sign < 0,
        sigma2=float(s2), gamma=float(g), sigma_u=float(su), sigma_v=float(sv),
        lambda_=float(su / sv), mu=float(nat["mu"]) if "mu" in nat else None,
        eta=float(nat["eta"]) if "eta" in nat else None,
        loglik=float(ll), loglik_ols=ll_ols, lr_stat=float(2 * (ll - ll_ols)),
        lr_df=1 + m.trunc + m.tv, skewness=float(skew), wrong_skewness=False,
        converged=success, iterations=nit, nobs=n, n_firms=n_firms, index=index,
        mu_bound_active=bool(bound_active),
        message="converged (max |score|/N < 1e-6)" if success else f"not converged: {msg}",
        _mu_star=mu_star, _sigma_star=sigma_star, _h=h, _firm_of_row=firm_of_row,
    )


def _safe_inv(A: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(A)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(A)


def _boundary_result(d, names, index, b, r, ll_ols, skew, dist, firm_of_row, n_firms):
    """The γ = 0 solution under wrong skewness: OLS β, σ² = SSR/N, no inefficiency."""
    n = len(d.y)
    s2 = float(r @ r / n)
    Vb = s2 * np.linalg.inv(d.X.T @ d.X)
    all_names = list(names) + ["sigma2"]
    V = np.zeros((len(all_names), len(all_names)))
    V[:-1, :-1] = Vb
    V[-1, -1] = 2 * s2**2 / n
    vc = pd.DataFrame(V, index=all_names, columns=all_names)
    return FrontierResult(
        coef=pd.Series(b, index=names, dtype=float), se=pd.Series(np.sqrt(np.diag(V)), index=all_names),
        vcov=vc, vcov_type="ols", dist=dist, cost=d.sign < 0, sigma2=s2, gamma=0.0,
        sigma_u=0.0, sigma_v=float(np.sqrt(s2)), lambda_=0.0, mu=None, eta=None,
        loglik=ll_ols, loglik_ols=ll_ols, lr_stat=0.0, lr_df=1, skewness=float(skew),
        wrong_skewness=True, converged=True, iterations=0, nobs=n, n_firms=n_firms, index=index,
        message="wrong skewness: OLS boundary solution (gamma = 0)",
        _mu_star=None, _sigma_star=None, _h=np.ones(n), _firm_of_row=firm_of_row,
    )
