"""Simulated unbalanced firm-year panels with known truth (模拟面板数据), for tests and benchmarks.

``simulate_panel`` draws firms that enter and leave at random years, with gaps, firm and year
effects, industry-correlated shocks (so clustering by industry matters), missing values,
optional singletons and collinear columns, and an endogenous regressor with two valid
instruments. The true coefficients are returned with the data (like pyfixest ``utils/dgps.py``).

Model:  y_it = a_i + g_t + b_x x_it + sum_j c_j ctrl_j,it + b_d d_it + e_it,
        d_it = 0.8 z1_it + 0.5 z2_it + a_i/2 + v_it,  v = rho u + noise (d is endogenous),
        e_it = s_industry(i),t + u_it + eps_it · (1 + |x_it|)/2   (clustered, heteroskedastic);
        x is correlated with a_i (so pooled OLS without the firm FE is biased).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Truth:
    """True parameters of a simulated panel."""

    beta_x: float
    beta_controls: tuple[float, ...]
    beta_endog: float
    first_stage: tuple[float, float]


def simulate_panel(
    n_firms: int = 400,
    n_years: int = 13,
    *,
    seed: int = 0,
    n_controls: int = 5,
    n_industries: int = 20,
    first_year: int = 2010,
    missing_share: float = 0.02,
    n_singleton_firms: int = 0,
    collinear: bool = False,
    balanced: bool = False,
    rho: float = 0.5,
) -> tuple[pd.DataFrame, Truth]:
    """Return (data, truth). Columns: firm (str), year, industry (str, constant per firm),
    province (int), x, c1..c{n_controls}, d (endogenous), z1, z2, y, w (positive weights).
    With ``collinear``: ``c_sum = c1 + c2`` and ``firm_const`` (constant within firm)."""
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, first_year + n_years)
    if balanced:
        start = np.zeros(n_firms, int)
        length = np.full(n_firms, n_years)
    else:
        start = rng.integers(0, n_years - 1, n_firms)
        length = np.minimum(rng.integers(2, n_years + 1, n_firms), n_years - start)
        length = np.maximum(length, 2)
        start = np.minimum(start, n_years - length)
    firm_idx = np.repeat(np.arange(n_firms), length)
    t_idx = np.concatenate([np.arange(s, s + L) for s, L in zip(start, length)])
    if not balanced:  # random gaps (keep at least two years per firm)
        keep = rng.random(firm_idx.size) > 0.08
        cnt = np.bincount(firm_idx[keep], minlength=n_firms)
        keep |= cnt[firm_idx] < 2
        firm_idx, t_idx = firm_idx[keep], t_idx[keep]
    if n_singleton_firms:
        extra = np.arange(n_firms, n_firms + n_singleton_firms)
        firm_idx = np.concatenate([firm_idx, extra])
        t_idx = np.concatenate([t_idx, rng.integers(0, n_years, n_singleton_firms)])
    nf = n_firms + n_singleton_firms
    n = firm_idx.size
    industry_of = rng.integers(0, n_industries, nf)
    industry_of[:n_industries] = np.arange(min(n_industries, nf))[: min(n_industries, nf)]
    ind = industry_of[firm_idx]
    province_of = rng.integers(0, 31, nf)
    a = rng.normal(0, 2, nf)
    g = rng.normal(0, 1, n_years)
    x = 0.5 * a[firm_idx] + rng.normal(0, 1, n) + 0.2 * t_idx
    C = rng.normal(0, 1, (n, n_controls)) + 0.3 * x[:, None]
    z = rng.normal(0, 1, (n, 2))
    shock = rng.normal(0, 1, (n_industries, n_years))
    u = rng.normal(0, 1, n)  # shared by e and v: makes d endogenous
    eps = rng.normal(0, 1, n) * (1 + np.abs(x)) / 2  # heteroskedastic
    v = rho * u + rng.normal(0, np.sqrt(1 - rho**2), n)
    d = 0.8 * z[:, 0] + 0.5 * z[:, 1] + a[firm_idx] / 2 + v
    bx, bd = 0.6, -0.4
    bc = tuple(np.round(rng.uniform(-1, 1, n_controls), 3))
    e = shock[ind, t_idx] + eps + u
    y = a[firm_idx] + g[t_idx] + bx * x + C @ np.array(bc) + bd * d + e
    df = pd.DataFrame({
        "firm": pd.Series([f"{i:06d}" for i in firm_idx], dtype="str"),
        "year": years[t_idx].astype(np.int64),
        "industry": pd.Series([f"I{k:02d}" for k in ind], dtype="str"),
        "province": province_of[firm_idx].astype(np.int64),
        "x": x, "d": d, "z1": z[:, 0], "z2": z[:, 1], "y": y,
        "w": rng.uniform(0.5, 2.0, n),
    })
    for j in range(n_controls):
        df[f"c{j + 1}"] = C[:, j]
    if collinear and n_controls >= 2:
        df["c_sum"] = df["c1"] + df["c2"]
        df["firm_const"] = rng.normal(0, 1, nf)[firm_idx]
    if missing_share > 0:
        for col in ["y", "x", *[f"c{j + 1}" for j in range(n_controls)]]:
            hole = rng.random(n) < missing_share
            df.loc[hole, col] = np.nan
    df = df.sample(frac=1.0, random_state=int(rng.integers(0, 2**31 - 1))).reset_index(drop=True)
    return df, Truth(bx, bc, bd, (0.8, 0.5))
