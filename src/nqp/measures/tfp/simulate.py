"""Simulated production panels with known elasticities, for validating the TFP estimators.

``panel_sim`` follows the data-generating process of Ackerberg, Caves & Frazer (2015,
Econometrica 83(6), Appendix / Section 7.3), as packaged in R ``prodest::panelSim``
(Rovigatti). It was written from that description, not copied:

- productivity ω is AR(1), ω_t = ρ ω_{t-1} + ξ_t, split into two half-steps so that labour can
  be chosen at t−b (b = 0.5 in DGP 1 and 3, b = 0 in DGP 2); the variance of ω is constant;
- ln wage is AR(1) with persistence ``rho_lnw`` (variance 0.1² in DGP 1 and 3, none in DGP 2);
- investment solves the dynamic problem in closed form (sum over a 100-period horizon),
  scaled by a firm-specific adjustment cost exp(N(0, ``adj_cost_sd``²));
  K_t = (1 − δ) K_{t−1} + I_{t−1}, δ = 0.2, discount 0.95;
- labour is the static optimum given ω_{t−b}, the wage and k (Cobb–Douglas, α0 = 0, price 1);
  DGP 2 and 3 add an optimisation error N(0, 0.37²) to observed labour;
- materials are Leontief: m = α_L l* + α_K k + ω (l* = labour before optimisation error), so that
  value added y = α_L l + α_K k + ω + ε, ε ~ N(0, ``sig_eps``²);
- optional measurement error in m, a share of the within-firm variance of m.

Which estimators are consistent (ACF 2015, Table I): ACF in DGP 1–3; LP (value added) in DGP 2
only (in DGP 1 y = m + ε exactly, so β_l is not identified in stage 1); OLS is biased upward on
β_l everywhere because labour responds to ω. Olley–Pakes needs investment to be a function of
(k, ω) only: set ``adj_cost_sd=0`` together with DGP 2; as investment then depends on ω alone,
β_k is only weakly identified (sampling sd ≈ 0.03 at 2,000 firms) unless ``capital_shock_sd`` > 0 (not in ACF: a shock to the capital
installed from I_{t−1}, realised at t−1, K_t = (1 − δ) K_{t−1} + I_{t−1}·exp(u_{t−1})).

``fe_panel_sim`` is a separate DGP with time-invariant productivity (firm effect) correlated with
the inputs, where the within ("FE method") estimator is consistent and pooled OLS is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_DGP = {  # sd of ln wage, timing b of labour, sd of labour optimisation error
    1: (0.1, 0.5, 0.0),
    2: (0.0, 0.0, 0.37),
    3: (0.1, 0.5, 0.37),
}


def panel_sim(
    n_firms: int = 1000,
    n_years: int = 10,
    *,
    dgp: int = 1,
    alpha_l: float = 0.6,
    alpha_k: float = 0.4,
    rho: float = 0.7,
    sig_eps: float = 0.1,
    sig_omega: float = 0.3,
    rho_lnw: float = 0.3,
    adj_cost_sd: float = 0.6,
    m_error_share: float = 0.0,
    capital_shock_sd: float = 0.0,
    burn_in: int = 50,
    seed: int | None = None,
) -> pd.DataFrame:
    """Balanced panel from the ACF (2015) DGP; columns firm, year, y, l, k, m, inv, omega.

    All inputs are in logs (``inv`` = ln investment). ``omega`` is the true productivity.
    """
    if dgp not in _DGP:
        raise ValueError("dgp must be 1, 2 or 3")
    rng = np.random.default_rng(seed)
    sig_lnw, b, sig_optl = _DGP[dgp]
    n, t_all = n_firms, burn_in + n_years
    rho1, rho2 = rho ** (1 - b), rho**b
    sig_xi = np.sqrt((1 - rho**2) * sig_omega**2)
    sig_xi1 = np.sqrt((1 - rho1**2) * sig_omega**2)
    sig_xi2 = np.sqrt((1 - rho2**2) * sig_omega**2)
    sig_xilnw = np.sqrt((1 - rho_lnw**2) * sig_lnw**2)

    omega = np.empty((n, t_all))
    omega_b = np.empty((n, t_all))  # ω at t − b, when labour is chosen
    lnw = np.empty((n, t_all))
    om_prev = rng.normal(0, sig_omega, n)
    w_prev = rng.normal(0, sig_lnw, n)
    for t in range(t_all):
        omega_b[:, t] = rho1 * om_prev + rng.normal(0, sig_xi1, n)
        omega[:, t] = rho2 * omega_b[:, t] + rng.normal(0, sig_xi2, n)
        lnw[:, t] = rho_lnw * w_prev + rng.normal(0, sig_xilnw, n)
        om_prev, w_prev = omega[:, t], lnw[:, t]

    # optimal investment: closed form of the ACF appendix, horizon of 100 periods
    disc, delta, horizon = 0.95, 0.2, 100
    a = alpha_l
    bracket = a ** (a / (1 - a)) * np.exp(0.5 * a**2 * sig_optl**2) - a ** (1 / (1 - a)) * np.exp(
        0.5 * sig_optl**2
    )
    const = disc * alpha_k / (1 - a) * bracket * np.exp(sig_xi2**2 / (2 * (1 - a)))
    s = np.arange(1, horizon + 1)
    discount = (disc * (1 - delta)) ** (s - 1)
    var_w = np.cumsum(rho_lnw ** (2 * s))
    var_om = sig_xi**2 * np.concatenate(([0.0], np.cumsum(rho ** (2 * (np.arange(1, horizon) - 1)))))
    term_w = np.exp(0.5 * (a / (1 - a)) ** 2 * sig_xilnw**2 * var_w)
    term_om = np.exp(0.5 / (1 - a) ** 2 * rho2**2 * (sig_xi1**2 * rho ** (2 * s) + var_om))
    weights = discount * term_w * term_om  # (horizon,)
    adj = np.exp(rng.normal(0, adj_cost_sd, n)) if adj_cost_sd > 0 else np.ones(n)
    invest = np.empty((n, t_all))
    for t in range(t_all):
        expo = np.outer(omega[:, t], rho**s) / (1 - a) - np.outer(lnw[:, t], rho_lnw**s) * a / (1 - a)
        invest[:, t] = adj * const * (np.exp(expo) @ weights)

    cap = np.empty((n, t_all))
    cap[:, 0] = np.exp(-100.0)
    installed = invest * np.exp(rng.normal(0, capital_shock_sd, (n, t_all))) if capital_shock_sd > 0 else invest
    for t in range(1, t_all):
        cap[:, t] = (1 - delta) * cap[:, t - 1] + installed[:, t - 1]
    k = np.log(cap)
    l_true = (sig_xi2**2 / 2 + np.log(a) + rho2 * omega_b - lnw + alpha_k * k) / (1 - a)
    l_obs = l_true + rng.normal(0, sig_optl, (n, t_all)) if sig_optl > 0 else l_true
    eps = rng.normal(0, sig_eps, (n, t_all))
    y = alpha_l * l_obs + alpha_k * k + omega + eps
    m = alpha_l * l_true + alpha_k * k + omega

    keep = slice(burn_in, t_all)
    if m_error_share > 0:
        mk = m[:, keep]
        within_var = np.var(mk - mk.mean(axis=1, keepdims=True), ddof=1)
        m = m + np.sqrt(m_error_share * within_var) * rng.normal(0, 1, (n, t_all))
    out = {
        "firm": np.repeat(np.arange(1, n + 1), n_years),
        "year": np.tile(np.arange(1, n_years + 1), n),
    }
    for name, arr in (("y", y), ("l", l_obs), ("k", k), ("m", m), ("inv", np.log(invest)), ("omega", omega)):
        out[name] = arr[:, keep].ravel()
    return pd.DataFrame(out)


def fe_panel_sim(
    n_firms: int = 1000,
    n_years: int = 10,
    *,
    beta_l: float = 0.6,
    beta_k: float = 0.3,
    sig_firm: float = 0.5,
    sig_eps: float = 0.1,
    drop_share: float = 0.1,
    seed: int | None = None,
) -> pd.DataFrame:
    """Unbalanced panel, y = β_l l + β_k k + a_i + γ_t + ε, with a_i correlated with l and k.

    ``drop_share`` of firm-years is removed at random (gaps in the years). The truth column
    ``firm_effect`` holds a_i, ``year_effect`` holds γ_t.
    """
    rng = np.random.default_rng(seed)
    n, t = n_firms, n_years
    a_i = rng.normal(0, sig_firm, n)
    g_t = np.linspace(0, 0.3, t) + rng.normal(0, 0.05, t)
    k = 3 + 1.0 * a_i[:, None] + rng.normal(0, 0.5, (n, 1)) + np.cumsum(rng.normal(0.05, 0.2, (n, t)), axis=1)
    l = 2 + 0.8 * a_i[:, None] + 0.4 * k + rng.normal(0, 0.3, (n, t))
    y = beta_l * l + beta_k * k + a_i[:, None] + g_t[None, :] + rng.normal(0, sig_eps, (n, t))
    frame = pd.DataFrame(
        {
            "firm": np.repeat(np.arange(1, n + 1), t),
            "year": np.tile(np.arange(2010, 2010 + t), n),
            "y": y.ravel(),
            "l": l.ravel(),
            "k": k.ravel(),
            "firm_effect": np.repeat(a_i, t),
            "year_effect": np.tile(g_t, n),
        }
    )
    keep = rng.random(len(frame)) >= drop_share
    return frame.loc[keep].reset_index(drop=True)
