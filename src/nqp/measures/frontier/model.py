"""``frontier()``: estimate a stochastic frontier (随机前沿分析, SFA) from a formula and a frame."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from nqp.errors import ConfigError

from .design import build_design
from .fit import DISTS, fit_model
from .loglik import ECData
from .panel import panel_index
from .result import FrontierResult


def frontier(
    formula: str,
    data: pd.DataFrame,
    dist: str = "half-normal",
    *,
    cost: bool = False,
    panel: tuple[str, str] | None = None,
    time_varying: bool = False,
    translog: bool = False,
    log: bool = False,
    start: Sequence[float] | None = None,
    mu_bound: float | None = None,
    vcov: str = "hessian",
    max_iter: int = 1000,
) -> FrontierResult:
    """Maximum-likelihood stochastic frontier, cross-section or Battese–Coelli (1992) panel.

    Model: y = x'β + v − s·u, v ~ N(0, σ_v²), s = +1 (production) or −1 (``cost=True``), with
    u half-normal N⁺(0, σ_u²) (Aigner, Lovell & Schmidt 1977), truncated normal N⁺(μ, σ_u²)
    (Stevenson 1980) or exponential with mean σ_u (Meeusen & van den Broeck 1977). Reported in
    the Battese–Corra parameterisation of FRONTIER 4.1 / R ``frontier``: σ² = σ_u² + σ_v²,
    γ = σ_u²/σ².

    Parameters
    ----------
    formula : ``"y ~ x1 + x2"`` on columns; ``log(col)`` logs one column, ``C(col)`` adds dummies.
        ``log=True`` logs every plain column (Cobb–Douglas on levels). Non-positive values in a
        logged column raise ``InputError`` naming the firm-years (row labels without ``panel``).
    dist : ``"half-normal"``, ``"truncated-normal"`` or ``"exponential"``.
    panel : ``(firm_column, period_column)`` for the Battese–Coelli (1992) panel model
        (half/truncated normal only); efficiencies are then per firm-year with u_it = η_it u_i.
    time_varying : estimate η of η_it = exp(−η(t − T)) (T = last period of the whole panel);
        False gives the time-invariant model (η = 0).
    translog : add ½x_j² and x_j x_k of the continuous regressors (超越对数).
    start : natural starting values (β, σ², γ, [μ], [η]) or, exponential, (β, σ_u, σ_v);
        default: corrected OLS / method of moments (see ``fit``).
    mu_bound : bound |μ| ≤ mu_bound·σ_u of the truncated normal; R ``frontier`` uses 2. Default
        unbounded (then μ may drift far negative on data that barely identify it).
    vcov : ``"hessian"`` (inverse observed information; default) or ``"opg"``.

    Returns a ``FrontierResult`` (``coef``, ``se``, ``sigma2``, ``gamma``, ``loglik``,
    ``lr_stat``, ``efficiency(method)``, ...). Wrong skewness of the OLS residuals gives a
    ``WrongSkewnessWarning`` and the γ = 0 boundary solution, flagged ``wrong_skewness``.
    """
    if dist not in DISTS:
        raise ConfigError(f"unknown dist {dist!r}; use one of {DISTS}", variable="dist")
    if time_varying and panel is None:
        raise ConfigError("time_varying=True needs panel=(firm_column, period_column)")
    if panel is not None and dist == "exponential":
        raise ConfigError("the panel (Battese-Coelli 1992) model supports half-normal and "
                          "truncated-normal inefficiency only", variable="dist")
    des = build_design(formula, data, log=log, translog=translog, panel=panel)
    sign = -1.0 if cost else 1.0
    if panel is None:
        d = ECData(des.y, des.X, sign)
        firm_of_row, n_firms = None, None
    else:
        frame = data.iloc[des.rows]
        pi = panel_index(frame[panel[0]], frame[panel[1]])
        d = ECData(des.y, des.X, sign, pi.firm_codes, pi.n_firms,
                   pi.t_minus_T if time_varying else None)
        firm_of_row, n_firms = pi.firm_codes, pi.n_firms
    return fit_model(
        d, des.names, des.index, dist=dist, intercept=0, time_varying=time_varying,
        mu_bound=mu_bound, start=start, vcov=vcov, max_iter=max_iter,
        firm_of_row=firm_of_row, n_firms=n_firms,
    )
