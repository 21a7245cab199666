"""Issue 13, defect 1: a regressor or instrument with a large mean relative to its spread is
not collinear. Oracles: statsmodels OLS, linearmodels IV2SLS, pyfixest (numbers nobody here
computed); the warning wording is checked on cases whose cause is known by construction."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm
from linearmodels.iv import IV2SLS
from pyfixest.demeaners import MapDemeaner

from nqp.econometrics import feols
from nqp.errors import CollinearityWarning

DATA = Path(__file__).resolve().parents[1] / "data"


def no_warning_fit(formula: str, data: pd.DataFrame, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CollinearityWarning)
        return feols(formula, data, **kw)


@pytest.mark.parametrize("shift", [1e5, 1e7, 1e8])
def test_large_mean_regressor_without_fe_matches_statsmodels(shift: float) -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=500)})
    df["y"] = 2 * df.x + rng.normal(size=500)
    df["x_big"] = df.x + shift
    r = no_warning_fit("y ~ x_big", df, vcov="hc1")
    if shift < 1e8:  # beyond, statsmodels' own pinv calls the design rank-deficient
        sm_fit = sm.OLS(df.y, sm.add_constant(df[["x_big"]])).fit(cov_type="HC1")
        assert r.coef["x_big"] == pytest.approx(sm_fit.params["x_big"], rel=1e-7)
        assert r.se["x_big"] == pytest.approx(sm_fit.bse["x_big"], rel=1e-7)
    # slope and its SE are location-free: the same as statsmodels on x itself, up to the
    # rounding of x + shift (shift * 1e-16)
    ref = sm.OLS(df.y, sm.add_constant(df[["x"]])).fit(cov_type="HC1")
    assert r.coef["x_big"] == pytest.approx(ref.params["x"], rel=1e-7)
    assert r.se["x_big"] == pytest.approx(ref.bse["x"], rel=1e-7)
    assert r.coef["Intercept"] == pytest.approx(ref.params["const"] - shift * ref.params["x"], rel=1e-9)


def test_date_code_regressor_matches_statsmodels() -> None:
    rng = np.random.default_rng(1)
    days = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 6 * 365, size=2000), unit="D")
    code = (days.year * 10000 + days.month * 100 + days.day).to_numpy(dtype=float)
    df = pd.DataFrame({"date": code})
    df["y"] = 1e-3 * (code - code.mean()) + rng.normal(size=code.size) * 10
    r = no_warning_fit("y ~ date", df)
    sm_fit = sm.OLS(df.y, sm.add_constant(df[["date"]])).fit()
    assert r.coef["date"] == pytest.approx(sm_fit.params["date"], rel=1e-8)
    assert r.se["date"] == pytest.approx(sm_fit.bse["date"], rel=1e-7)
    assert r.tstat["date"] > 10


def test_mroz_instrument_with_large_mean_matches_linearmodels() -> None:
    d = pd.read_csv(DATA / "mroz_ivreg2.csv")
    d["age_big"] = d["age"] + 1e6
    r = no_warning_fit("lwage ~ exper + expersq | 0 | educ ~ age_big + kidslt6 + kidsge6", d)
    lm = IV2SLS(d.lwage, sm.add_constant(d[["exper", "expersq"]]), d[["educ"]],
                d[["age_big", "kidslt6", "kidsge6"]]).fit(cov_type="unadjusted", debiased=True)
    assert r.coef["educ"] == pytest.approx(lm.params["educ"], rel=1e-8)
    assert r.coef["educ"] == pytest.approx(0.0964, abs=5e-5)  # ivreg2 help-file model
    assert r.se["educ"] == pytest.approx(lm.std_errors["educ"], rel=1e-7)
    assert r.instruments == ["age_big", "kidslt6", "kidsge6"]


@pytest.mark.parametrize("shift", [1e8, 3e8, 5e8])
def test_large_mean_regressor_with_firm_fe_matches_pyfixest(shift: float) -> None:
    rng = np.random.default_rng(2)
    firm = np.repeat(np.arange(100), 5)
    df = pd.DataFrame({"firm": firm, "x": rng.normal(size=500)})
    df["y"] = 2 * df.x + rng.normal(size=100)[firm] + rng.normal(size=500)
    df["x_big"] = df.x + shift
    r = no_warning_fit("y ~ x_big | firm", df, cluster="firm")
    p = pf.feols("y ~ x_big | firm", data=df, vcov={"CRV1": "firm"}, demeaner=MapDemeaner(fixef_tol=1e-13))
    assert r.coef["x_big"] == pytest.approx(float(p.coef()["x_big"]), rel=1e-8)
    assert r.se["x_big"] == pytest.approx(float(p.se()["x_big"]), rel=1e-6)


def test_warning_says_constant_within_fe_or_collinear_with_them() -> None:
    rng = np.random.default_rng(3)
    firm = np.repeat(np.arange(40), 6)
    year = np.tile(np.arange(6), 40)
    df = pd.DataFrame({"firm": firm, "year": year, "x": rng.normal(size=240)})
    df["size_f"] = rng.normal(size=40)[firm]  # constant within firm
    df["fy"] = rng.normal(size=40)[firm] + rng.normal(size=6)[year]  # sum of a firm and a year effect
    df["y"] = df.x + rng.normal(size=240)
    with pytest.warns(CollinearityWarning) as rec:
        r = feols("y ~ x + size_f + fy | firm + year", df)
    msg = str(rec[0].message)
    assert "'size_f' (constant within firm)" in msg
    assert "'fy' (collinear with the fixed effects firm+year)" in msg
    assert list(r.coef.index) == ["x"]


def test_warning_without_fe_names_constant_and_collinear_columns() -> None:
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"x": rng.normal(size=100) + 1e6, "z": rng.normal(size=100)})
    df["k"] = 7.0
    df["x2"] = 2 * df.x - 3 * df.z
    df["y"] = df.z + rng.normal(size=100)
    with pytest.warns(CollinearityWarning) as rec:
        r = feols("y ~ x + z + k + x2", df)
    msg = str(rec[0].message)
    assert "'k' (constant: collinear with the intercept)" in msg
    assert "'x2' (collinear with the other regressors)" in msg
    sm_fit = sm.OLS(df.y, sm.add_constant(df[["x", "z"]])).fit()
    assert r.coef["z"] == pytest.approx(sm_fit.params["z"], rel=1e-9)


def test_feols_multi_keeps_large_mean_regressors_as_feols_does() -> None:
    from nqp.econometrics import feols_multi

    rng = np.random.default_rng(5)
    firm = np.repeat(np.arange(60), 5)
    df = pd.DataFrame({"firm": firm, "x": rng.normal(size=300)})
    df["y"] = 2 * df.x + rng.normal(size=300)
    df["x_big"] = df.x + 5e8
    forms = ["y ~ x_big", "y ~ x_big | firm"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CollinearityWarning)
        many = feols_multi(forms, df)
    for f, m in zip(forms, many):
        one = no_warning_fit(f, df)
        np.testing.assert_allclose(m.coef.to_numpy(), one.coef.to_numpy(), rtol=1e-10)
        np.testing.assert_allclose(m.se.to_numpy(), one.se.to_numpy(), rtol=1e-8)
    ref = sm.OLS(df.y, sm.add_constant(df[["x"]])).fit()
    assert many[0].coef["x_big"] == pytest.approx(ref.params["x"], rel=1e-7)


def test_weighted_large_mean_regressor_matches_statsmodels_wls() -> None:
    rng = np.random.default_rng(6)
    df = pd.DataFrame({"x": rng.normal(size=400), "c": rng.normal(size=400), "w": rng.uniform(0.2, 3, 400)})
    df["y"] = 1.5 * df.x - 0.5 * df.c + rng.normal(size=400)
    df["x_big"] = df.x + 1e6
    r = no_warning_fit("y ~ x_big + c", df, weights="w", vcov="hc1")
    ref = sm.WLS(df.y, sm.add_constant(df[["x", "c"]]), weights=df.w).fit(cov_type="HC1")
    assert r.coef["x_big"] == pytest.approx(ref.params["x"], rel=1e-8)
    assert r.se["x_big"] == pytest.approx(ref.bse["x"], rel=1e-7)
    assert r.se["c"] == pytest.approx(ref.bse["c"], rel=1e-7)
    assert r.coef["Intercept"] == pytest.approx(ref.params["const"] - 1e6 * ref.params["x"], rel=1e-8)
