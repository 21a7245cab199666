"""feols (OLS and IV) against pyfixest 0.60 on randomized unbalanced panels.

pyfixest is set to reghdfe's conventions: ``ssc(k_adj=True, k_fixef="nonnested", G_adj=True,
G_df="min")`` (its ``get_ssc``: (N-1)/(N-df_k) with df_k = k + sum K_g - (n_fe - 1), nested
FEs removed, times G_min/(G_min-1)); pyfixest drops singletons iteratively by default
(``fixef_rm="singleton"``, ``core/detect_singletons.py``). The panels are connected firm-year
graphs, where reghdfe's mobility-group count equals pyfixest's sum(K_g - 1) + 1, so both must
agree exactly. Demeaning tolerance 1e-13 on pyfixest's side.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pf = pytest.importorskip("pyfixest")
from pyfixest.demeaners import MapDemeaner  # noqa: E402

from nqp.econometrics import feols  # noqa: E402
from nqp.econometrics.simulate import simulate_panel  # noqa: E402
from nqp.errors import SingletonWarning  # noqa: E402

SSC = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
DEMEANER = MapDemeaner(fixef_tol=1e-13, fixef_maxiter=100_000)
FE_SPECS = ["firm + year", "firm", "firm + year + grp", "industry + year"]
VCOVS = ["iid", "hetero", {"CRV1": "industry"}, {"CRV1": "firm+year"}, {"CRV1": "firm"}]
N_SCENARIOS = 20


def scenario(seed: int) -> tuple[pd.DataFrame, str, bool]:
    rng = np.random.default_rng(1000 + seed)
    n_ind = int(rng.choice([3, 6, 15, 40]))
    df, _ = simulate_panel(
        n_firms=int(rng.integers(60, 260)), n_years=int(rng.integers(5, 14)), seed=seed,
        n_industries=n_ind, n_singleton_firms=int(rng.integers(0, 6)), collinear=seed % 3 == 0,
        missing_share=float(rng.choice([0.0, 0.03])),
    )
    df["grp"] = rng.integers(0, 7, len(df))
    return df, FE_SPECS[seed % len(FE_SPECS)], seed % 3 == 0


def pyfixest_fit(fml, df, vcov):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(fml, df, vcov=vcov, ssc=SSC, demeaner=DEMEANER)
        return m


def ours(fml, df, vcov):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return feols(fml, df, vcov=vcov, tol=1e-13)


def psd_fixed(V: np.ndarray) -> np.ndarray:
    """Cameron-Gelbach-Miller fix (negative eigenvalues to zero), which reghdfe applies to a
    non-PSD multi-way VCE and pyfixest 0.60 does not."""
    ev, U = np.linalg.eigh((V + V.T) / 2)
    return (U * np.maximum(ev, 0)) @ U.T if ev.min() < 0 else V


def assert_close(r, m, what: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # pyfixest: sqrt of a negative variance
        _assert_close(r, m, what)


def _assert_close(r, m, what: str) -> None:
    names = list(m.coef().index)
    assert sorted(names) == sorted(r.coef.index), what
    b_pf = m.coef()[names].to_numpy()
    se_pf = np.sqrt(np.diag(psd_fixed(np.asarray(m._vcov))))
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyfixest's sqrt of a negative variance
        se_raw = m.se()[names].to_numpy()
    if not np.allclose(se_pf, se_raw):  # only where the fix changed V
        assert "+" in r.vcov_type, what
        np.testing.assert_allclose(r.se[names].to_numpy(), se_pf, rtol=1e-6, err_msg=what)
        return
    b, se = r.coef[names].to_numpy(), r.se[names].to_numpy()
    np.testing.assert_allclose(b, b_pf, rtol=1e-8, atol=1e-12, err_msg=what)
    np.testing.assert_allclose(se, se_pf, rtol=1e-6, err_msg=what)
    assert r.nobs == m._N, what
    np.testing.assert_allclose(r.pvalue[names].to_numpy(), m.pvalue()[names].to_numpy(), rtol=1e-5, atol=1e-12, err_msg=what)


@pytest.mark.parametrize("seed", range(N_SCENARIOS))
def test_ols_matches_pyfixest(seed: int) -> None:
    df, fe, collinear = scenario(seed)
    rhs = "x + c1 + c2 + c3" + (" + c_sum + firm_const" if collinear else "")
    fml = f"y ~ {rhs} | {fe}"
    for vcov in VCOVS:
        r, m = ours(fml, df, vcov), pyfixest_fit(fml, df, vcov)
        assert_close(r, m, f"{fml} {vcov}")
        if collinear:
            assert "c_sum" in r.dropped_collinear
    # fit statistics defined the same way (fixest's r2 / within r2 / adj r2 with nparams)
    np.testing.assert_allclose(r.r2, m._r2, rtol=1e-9)
    np.testing.assert_allclose(r.r2_within, m._r2_within, rtol=1e-8)
    np.testing.assert_allclose(r.adj_r2, m._adj_r2, rtol=1e-9)
    np.testing.assert_allclose(r.resid, m.resid(), atol=1e-8)


@pytest.mark.parametrize("seed", range(N_SCENARIOS))
def test_iv_matches_pyfixest(seed: int) -> None:
    df, fe, _ = scenario(seed)
    fml = f"y ~ x + c1 | {fe} | d ~ z1 + z2"
    for vcov in VCOVS:
        r, m = ours(fml, df, vcov), pyfixest_fit(fml, df, vcov)
        assert_close(r, m, f"{fml} {vcov}")


@pytest.mark.parametrize("seed", [1, 5])
def test_no_fe_and_weights_match_pyfixest(seed: int) -> None:
    df, _, _ = scenario(seed)
    # weights with mean one on the estimation sample, where reghdfe's aweight rescaling is moot
    df = df.dropna(subset=["y", "x", "c1"]).copy()
    df["w"] = df["w"] / df["w"].mean()
    for fml in ["y ~ x + c1", "y ~ x + c1 | firm + year", "y ~ c1 | firm + year | x ~ z1 + z2"]:
        for vcov in VCOVS[:3]:
            r = feols(fml, df, vcov=vcov, weights="w", tol=1e-13, drop_singletons=False)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = pf.feols(fml, df, vcov=vcov, ssc=SSC, demeaner=DEMEANER, weights="w", fixef_rm="none")
            assert_close(r, m, f"weighted {fml} {vcov}")


def test_fixest_ssc_on_three_way_fe_with_nested_industry() -> None:
    """FE firm + year + industry with firm nested in industry: reghdfe sees industry as fully
    redundant (mobility groups), fixest counts K_industry - 1 parameters; ssc="fixest" gives
    pyfixest's numbers, ssc="reghdfe" gives smaller SEs by exactly that count."""
    df, _ = simulate_panel(150, seed=3, n_industries=10)
    fml = "y ~ x + c1 | firm + year + industry"
    m = pyfixest_fit(fml, df, "iid")
    with pytest.warns(SingletonWarning):
        r_fx = feols(fml, df, vcov="iid", ssc="fixest", tol=1e-13)
    assert_close(r_fx, m, "fixest ssc")
    r_rh = ours(fml, df, "iid")
    k_ind = r_rh.fixef_sizes["industry"]
    assert r_rh.fixef_redundant["industry"] == k_ind
    # iid: se^2 ∝ 1/(N - K - absorbed); fixest counts k_ind - 1 more absorbed parameters
    ratio = (r_rh.nobs - 2 - r_rh.df_absorbed - (k_ind - 1)) / (r_rh.nobs - 2 - r_rh.df_absorbed)
    np.testing.assert_allclose((r_rh.se / r_fx.se) ** 2, ratio, rtol=1e-10)


def test_no_fe_equals_statsmodels() -> None:
    """Without FE the estimator is plain OLS: statsmodels' nonrobust, HC1 and cluster
    (use_correction: G/(G-1)·(N-1)/(N-K)) covariances, and its R²/adj. R²."""
    sm = pytest.importorskip("statsmodels.api")
    df, _ = simulate_panel(80, seed=9, missing_share=0.0)
    X = sm.add_constant(df[["x", "c1", "c2"]])
    for vcov, kw in [("iid", {}), ("hc1", {"cov_type": "HC1"}),
                     ({"CRV1": "industry"}, {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(df["industry"])[0]}})]:
        r = feols("y ~ x + c1 + c2", df, vcov=vcov)
        s = sm.OLS(df["y"], X).fit(**kw)
        np.testing.assert_allclose(r.coef.to_numpy(), s.params.to_numpy(), rtol=1e-10)
        np.testing.assert_allclose(r.se.to_numpy(), s.bse.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose([r.r2, r.adj_r2], [s.rsquared, s.rsquared_adj], rtol=1e-10)


def test_confint_scores_summary_to_dict() -> None:
    import json

    df, _, _ = scenario(2)
    fml = "y ~ x + c1 + c2 | firm + year"
    r, m = ours(fml, df, {"CRV1": "industry"}), pyfixest_fit(fml, df, {"CRV1": "industry"})
    np.testing.assert_allclose(r.confint().to_numpy(), m.confint().loc[r.coef.index].to_numpy(), rtol=1e-6)
    # scores: rows (X'X)^-1 x_i e_i; their outer product is the HC0 sandwich, i.e. pyfixest's
    # hetero VCE without its N/(N - K - df_a) factor
    h = pyfixest_fit(fml, df, "hetero")
    S = r.scores()
    factor = r.nobs / (r.nobs - len(r.coef) - ours(fml, df, "iid").df_absorbed)
    np.testing.assert_allclose(factor * S.T @ S, h._vcov, rtol=1e-6)
    text = r.summary()
    assert "Number of obs" in text and "x" in text and f"{r.nobs:,}" in text
    d = json.loads(json.dumps(r.to_dict()))
    assert d["nobs"] == r.nobs and d["coefficients"][0]["name"] == "x"
