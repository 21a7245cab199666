"""TFP: bootstrap reproducibility, lags with gaps, and bad input (clear errors, never a silent NaN)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.errors import ConfigError, ConvergenceWarning, DuplicateKeyError, EstimationError, InputError, SchemaError
from nqp.measures.tfp import panel_sim, tfp

KW = dict(output="y", free="l", state="k", firm="firm", year="year")


@pytest.fixture(scope="module")
def small():
    return panel_sim(300, 10, dgp=2, seed=21)


def test_bootstrap_same_seed_same_se_and_crs_test(small):
    a = tfp(small, "lp", proxy="m", bootstrap=10, seed=5, take_logs=False, **KW)
    b = tfp(small, "lp", proxy="m", bootstrap=10, seed=5, take_logs=False, **KW)
    c = tfp(small, "lp", proxy="m", bootstrap=10, seed=6, take_logs=False, **KW)
    pd.testing.assert_series_equal(a.se, b.se)
    assert not np.allclose(a.se, c.se)
    assert (a.se > 0).all()
    # Wald test of CRS by hand from the bootstrap covariance
    v = a.vcov.to_numpy()
    stat = (a.coef.sum() - 1) ** 2 / v.sum()
    assert a.crs_wald == pytest.approx(stat)
    assert 0 <= a.crs_pvalue <= 1
    assert a.returns_to_scale == pytest.approx(a.coef.sum())


def test_bootstrap_se_shrink_with_n():
    se = {}
    for n in (250, 2000):
        d = panel_sim(n, 10, dgp=2, seed=22)
        se[n] = tfp(d, "lp", proxy="m", bootstrap=12, seed=1, take_logs=False, **KW).se
    # sqrt(8) ~ 2.8 times smaller in expectation; require at least 1.8
    assert (se[250] / se[2000] > 1.8).all()


def test_levels_are_logged(small):
    levels = small.assign(**{c: np.exp(small[c]) for c in ("y", "l", "k", "m")})
    a = tfp(levels, "lp", proxy="m", **KW)
    b = tfp(small, "lp", proxy="m", take_logs=False, **KW)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-6)  # optimiser tolerance 1e-8


def test_non_positive_input_names_firm_and_year(small):
    levels = small.assign(**{c: np.exp(small[c]) for c in ("y", "l", "k", "m")})
    levels.loc[37, "k"] = 0.0
    with pytest.raises(InputError) as err:
        tfp(levels, "lp", proxy="m", **KW)
    assert err.value.firm == levels.loc[37, "firm"] and err.value.year == levels.loc[37, "year"]
    assert err.value.variable == "k" and "firm=" in str(err.value)


def test_gaps_give_missing_lags(small):
    d = small[small["year"] != 5]
    r = tfp(d, "lp", proxy="m", take_logs=False, **KW)
    # years with the previous year present: 2,3,4,7,8,9,10 -> 7 per firm
    assert r.nobs_stage2 == 300 * 7
    assert r.tfp.notna().all()  # every firm-year with inputs gets ln TFP, lag or not


def test_no_lagged_observations_is_a_clear_error(small):
    d = small[small["year"] % 2 == 0]  # every other year: no consecutive years
    for method in ("lp", "acf"):
        with pytest.raises(EstimationError, match="previous year"):
            tfp(d, method, proxy="m", take_logs=False, **KW)


def test_too_few_observations(small):
    with pytest.raises(EstimationError, match="too few"):
        tfp(small.head(8), "lp", proxy="m", take_logs=False, **KW)


def test_missing_values_warn_and_give_nan_only_there(small):
    d = small.copy()
    d.loc[5, "m"] = np.nan
    with pytest.warns(Warning, match="missing"):
        r = tfp(d, "lp", proxy="m", take_logs=False, **KW)
    assert np.isnan(r.tfp.loc[5]) and r.tfp.drop(5).notna().all()


def test_duplicate_firm_year_and_missing_column(small):
    d = pd.concat([small, small.head(1)], ignore_index=True)
    with pytest.raises(DuplicateKeyError):
        tfp(d, "lp", proxy="m", take_logs=False, **KW)
    with pytest.raises(SchemaError, match="nope"):
        tfp(small, "lp", proxy="nope", take_logs=False, **KW)
    with pytest.raises(ConfigError):
        tfp(small, "lp", take_logs=False, **KW)  # no proxy
    with pytest.raises(ConfigError):
        tfp(small, "xyz", proxy="m", take_logs=False, **KW)


def test_optimum_outside_search_range_warns_not_silent(small):
    d = small.assign(k=small["k"] / 10)  # beta_k becomes 4, beyond the stage-2 search range
    with pytest.warns(ConvergenceWarning):
        r = tfp(d, "lp", proxy="m", take_logs=False, **KW)
    assert not r.converged and np.isfinite(r.coef).all()


def test_input_frame_not_modified(small):
    before = small.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tfp(small, "acf", proxy="m", take_logs=False, **KW)
        tfp(small, "fe", take_logs=False, **KW)
    pd.testing.assert_frame_equal(small, before)


def test_gross_output_lp_runs_and_reports_three_elasticities(small):
    r = tfp(small, "lp", proxy="m", value_added=False, take_logs=False, **KW)
    assert list(r.coef.index) == ["l", "k", "m"]
    # stage 1 (beta_l) is the same as value added; k and m are not separately identified in this
    # Leontief DGP, so only their sum is checked (m carries omega: beta_k + beta_m = 0.4)
    assert abs(r.coef["l"] - 0.6) < 0.03
    assert abs(r.coef["k"] + r.coef["m"] - 0.4) < 0.05


def test_resampled_lags_point_to_same_firm_previous_year(small):
    from nqp.measures.tfp.panel import build_panel, resample_firms

    p = build_panel(small[small["year"] != 4], output="y", free=["l"], state="k", proxy="m", firm="firm",
                    year="year", take_logs=False)
    s = resample_firms(p, np.random.default_rng(3))
    has = np.flatnonzero(s.lag >= 0)
    assert (s.firm[s.lag[has]] == s.firm[has]).all() and (s.year[s.lag[has]] == s.year[has] - 1).all()
    # every row whose year-1 row exists in its copy has a lag
    key = set(zip(s.firm.tolist(), s.year.tolist()))
    expected = np.array([(f, y - 1) in key for f, y in zip(s.firm.tolist(), s.year.tolist())])
    assert (expected == (s.lag >= 0)).all()
    assert s.n_firms == p.n_firms


def test_bootstrap_se_matches_monte_carlo_sd():
    # known truth for the SE: the sd of the LP estimates over independent samples of the same DGP
    kw = dict(proxy="m", take_logs=False, **KW)
    mc = np.array([tfp(panel_sim(400, 10, dgp=2, seed=600 + s), "lp", **kw).coef.to_numpy() for s in range(12)])
    bs = tfp(panel_sim(400, 10, dgp=2, seed=700), "lp", bootstrap=40, seed=1, **kw).se.to_numpy()
    ratio = bs / mc.std(axis=0, ddof=1)
    assert ((ratio > 0.5) & (ratio < 2.0)).all(), ratio


def test_two_free_inputs():
    d = panel_sim(1500, 10, dgp=2, seed=23)
    z = np.random.default_rng(4).normal(size=len(d))
    d = d.assign(z=z, y=d["y"] + 0.2 * z)  # an extra, exogenous free input with elasticity 0.2
    r = tfp(d, "lp", output="y", free=["l", "z"], state="k", proxy="m", firm="firm", year="year", take_logs=False)
    assert list(r.coef.index) == ["l", "z", "k"]
    np.testing.assert_allclose(r.coef.to_numpy(), [0.6, 0.2, 0.4], atol=0.05)
