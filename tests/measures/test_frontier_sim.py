"""Parameter recovery on simulated frontiers at the study's size, and behaviour on bad input.

Known truth is planted by a documented DGP: y = 1 + 0.3k + 0.6l + v − s·u, v ~ N(0, 0.2²),
u half-normal (σ_u = 0.5), exponential (mean 0.5) or N⁺(0.3, 0.5²); n = 36,000 (≈ the paper's
33,661 firm-years). Tolerances: slopes within 0.01 (≈ 5 SE), intercept within 0.02 (0.04 truncated normal, where it trades
off against μ),
σ_u, σ_v within 0.02 (truncated normal 0.03; μ within 0.1, it is weakly identified).
Efficiency: no estimator can rank firms better than E[exp(−u)|ε] at the *true* parameters
(the "oracle"), whose Spearman correlation with exp(−u) is about 0.80 / 0.85 / 0.85 for
λ = σ_u/σ_v = 2.5; we require ours within 0.005 of the oracle and above 0.78 / 0.83 / 0.83.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nqp.errors import (ConfigError, ConvergenceWarning, InputError, MissingValueWarning,
                        WrongSkewnessWarning)
from nqp.measures.frontier import frontier
from nqp.measures.frontier.efficiency import technical_efficiency

N, SU, SV, MU = 36_000, 0.5, 0.2, 0.3
BETA = np.array([1.0, 0.3, 0.6])


def simulate(dist: str, n: int = N, sign: float = 1.0, seed: int = 1):
    rng = np.random.default_rng(seed)
    k, l = rng.normal(2, 1, n), rng.normal(1, 1, n)
    v = rng.normal(0, SV, n)
    if dist == "half-normal":
        u = np.abs(rng.normal(0, SU, n))
    elif dist == "exponential":
        u = rng.exponential(SU, n)
    else:
        u = stats.truncnorm.rvs(-MU / SU, np.inf, loc=MU, scale=SU, size=n, random_state=rng)
    y = BETA[0] + BETA[1] * k + BETA[2] * l + v - sign * u
    return pd.DataFrame({"y": y, "k": k, "l": l}), u


def oracle_te(df: pd.DataFrame, dist: str, sign: float = 1.0) -> np.ndarray:
    e = sign * (df["y"].to_numpy() - BETA[0] - BETA[1] * df["k"].to_numpy() - BETA[2] * df["l"].to_numpy())
    if dist == "exponential":
        return technical_efficiency(-e - SV**2 / SU, np.full(len(e), SV))
    mu = 0.0 if dist == "half-normal" else MU
    s2 = SU**2 + SV**2
    return technical_efficiency((mu * SV**2 - e * SU**2) / s2, np.full(len(e), SU * SV / np.sqrt(s2)))


@pytest.mark.parametrize("dist,rho_min", [("half-normal", 0.78), ("exponential", 0.83),
                                          ("truncated-normal", 0.83)])
def test_recovery_at_study_size(dist, rho_min):
    df, u = simulate(dist)
    r = frontier("y ~ k + l", df, dist)
    assert r.converged and r.nobs == N
    # the truncated normal trades the intercept against μ: its intercept SE is ~0.011
    np.testing.assert_allclose(r.coef.iloc[0], BETA[0], atol=0.04 if dist == "truncated-normal" else 0.02)
    np.testing.assert_allclose(r.coef.iloc[1:].to_numpy(), BETA[1:], atol=0.01)
    tol = 0.03 if dist == "truncated-normal" else 0.02
    assert r.sigma_u == pytest.approx(SU, abs=tol)
    assert r.sigma_v == pytest.approx(SV, abs=tol)
    if dist == "truncated-normal":
        assert r.mu == pytest.approx(MU, abs=0.1)
    # standard errors are sane: the slope estimates lie within 4 SE of the truth
    assert np.all(np.abs(r.coef.iloc[1:] - BETA[1:]) < 4 * r.se.iloc[1:3])
    truth = np.exp(-u)
    rho = stats.spearmanr(r.efficiency("bc"), truth)[0]
    rho_oracle = stats.spearmanr(oracle_te(df, dist), truth)[0]
    assert rho > rho_min and rho > rho_oracle - 0.005
    # the three estimators rank firms (almost) alike, and mode ≥ bc-ish ordering holds
    assert stats.spearmanr(r.efficiency("jlms"), r.efficiency("bc"))[0] > 0.99
    assert np.all(r.efficiency("mode") >= r.efficiency("jlms") - 1e-12)


def test_cost_frontier_recovery():
    df, u = simulate("half-normal", n=8000, sign=-1.0, seed=4)
    with pytest.warns(WrongSkewnessWarning):  # fitted as a production frontier: wrong skew
        wrong = frontier("y ~ k + l", df)
    assert wrong.wrong_skewness
    r = frontier("y ~ k + l", df, cost=True)
    assert r.cost and not r.wrong_skewness
    np.testing.assert_allclose(r.coef.to_numpy(), BETA, atol=0.04)
    assert r.sigma_u == pytest.approx(SU, abs=0.04)
    assert stats.spearmanr(r.efficiency(), np.exp(-u))[0] > 0.75


def test_bc92_panel_recovery():
    rng = np.random.default_rng(3)
    nf, years = 1500, np.arange(2011, 2023)
    firm, year = np.repeat(np.arange(nf), len(years)), np.tile(years, nf)
    k, l = rng.normal(2, 1, firm.size), rng.normal(1, 1, firm.size)
    u = np.exp(-0.05 * (year - 2022)) * np.abs(rng.normal(0, SU, nf))[firm]
    y = 1 + 0.3 * k + 0.6 * l + rng.normal(0, SV, firm.size) - u
    df = pd.DataFrame({"y": y, "k": k, "l": l, "firm": firm, "year": year}).sample(frac=0.9, random_state=1)
    r = frontier("y ~ k + l", df, panel=("firm", "year"), time_varying=True)
    assert r.converged and r.n_firms == nf
    np.testing.assert_allclose(r.coef.to_numpy(), BETA, atol=0.03)
    assert r.eta == pytest.approx(0.05, abs=3 * r.se["eta"])
    assert r.sigma_v == pytest.approx(SV, abs=0.01)
    truth = np.exp(-u)[df.index.to_numpy()]
    assert stats.spearmanr(r.efficiency(), truth)[0] > 0.95


def test_wrong_skewness_warns_and_reports_gamma_zero():
    df, _ = simulate("half-normal", n=3000, sign=-1.0, seed=9)
    with pytest.warns(WrongSkewnessWarning, match="wrong sign"):
        r = frontier("y ~ k + l", df)
    assert r.wrong_skewness and r.gamma == 0.0 and r.sigma_u == 0.0 and r.skewness > 0
    assert r.loglik == r.loglik_ols and r.lr_stat == 0.0
    assert (r.efficiency() == 1.0).all()
    ols = np.linalg.lstsq(np.column_stack([np.ones(len(df)), df["k"], df["l"]]), df["y"], rcond=None)[0]
    np.testing.assert_allclose(r.coef.to_numpy(), ols, rtol=1e-10)


def test_nonpositive_input_names_firm_and_year():
    df = pd.DataFrame({"firm": ["000001", "000002", "600000", "600001"] * 3,
                       "year": np.repeat([2015, 2016, 2017], 4),
                       "y": [1.0, 2.0, 3.0, 4.0] * 3, "k": [2.0, 3.0, 0.0, 5.0] * 3})
    before = df.copy()
    with pytest.raises(InputError) as err:
        frontier("y ~ k", df, log=True, panel=("firm", "year"))
    assert err.value.firm == "600000" and err.value.year == 2015 and err.value.variable == "k"
    assert "3 non-positive" in str(err.value) and "year 2016" in str(err.value)
    with pytest.raises(InputError, match="row 2"):
        frontier("log(y) ~ log(k)", df)
    pd.testing.assert_frame_equal(df, before)


def test_missing_values_dropped_with_warning_and_index_kept():
    df, _ = simulate("half-normal", n=500, seed=2)
    df.loc[[3, 10], "k"] = np.nan
    with pytest.warns(MissingValueWarning, match="2 row"):
        r = frontier("y ~ k + l", df)
    assert r.nobs == 498 and 3 not in r.efficiency().index


def test_translog_terms_and_formula_errors():
    df, _ = simulate("half-normal", n=2000, seed=5)
    df["K"], df["L"], df["Y"] = np.exp(df["k"]), np.exp(df["l"]), np.exp(df["y"])
    r = frontier("Y ~ K + L", df, log=True, translog=True)
    assert list(r.coef.index) == ["Intercept", "log(K)", "log(L)", "0.5*log(K)^2",
                                  "log(K):log(L)", "0.5*log(L)^2"]
    # the true frontier is Cobb-Douglas: the second-order terms are near zero
    assert np.all(np.abs(r.coef.iloc[3:]) < 4 * r.se.iloc[3:6])
    with pytest.raises(ConfigError):
        frontier("y ~ k", df, time_varying=True)
    with pytest.raises(ConfigError):
        frontier("y ~ k", df, "gamma")
    with pytest.raises(Exception, match="not in the data"):
        frontier("y ~ nope", df)


def test_non_converging_fit_warns():
    df, _ = simulate("half-normal", n=2000, seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        frontier("y ~ k + l", df)  # a normal fit does not warn
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        r = frontier("y ~ k + l", df, start=[0.0, 0.0, 0.0, 5.0, 0.5], max_iter=1)
    assert not r.converged
