"""Bad input: clear, located errors and warnings; never a silent NaN; inputs not modified.
Lags checked against a hand-built (unit, t-1) lookup."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.econometrics import feols
from nqp.econometrics.simulate import simulate_panel
from nqp.errors import (
    CollinearityWarning,
    EstimationError,
    FormulaError,
    IdentificationError,
    SingletonWarning,
)


@pytest.fixture(scope="module")
def panel():
    df, _ = simulate_panel(60, seed=5, missing_share=0.0, collinear=True)
    return df


def test_unknown_variable_suggests_close_names(panel):
    with pytest.raises(FormulaError, match=r"unknown variable 'c11'.*did you mean 'c1'") as e:
        feols("y ~ c11 | firm", panel)
    assert e.value.variable == "c11"


def test_non_numeric_regressor(panel):
    with pytest.raises(FormulaError, match="not numeric") as e:
        feols("industry ~ x", panel)  # a string regressor is expanded into dummies (issue 13); an outcome must be a number
    assert e.value.variable == "industry"


def test_all_rows_missing(panel):
    df = panel.assign(x=np.nan)
    with pytest.raises(EstimationError, match="no rows left"):
        feols("y ~ x | firm", df)


def test_underidentified_iv(panel):
    with pytest.raises(IdentificationError, match="underidentified"):
        feols("y ~ c1 | firm | x + d ~ z1", panel)


def test_fewer_than_two_clusters(panel):
    with pytest.raises(EstimationError, match="at least two"):
        feols("y ~ x | firm", panel.assign(one="a"), cluster="one")


def test_regressor_constant_within_fe_is_dropped_and_named(panel):
    with pytest.warns(CollinearityWarning, match="firm_const.*constant within firm"):
        r = feols("y ~ x + firm_const + c1 + c2 + c_sum | firm + year", panel)
    assert set(r.dropped_collinear) == {"firm_const", "c_sum"}
    assert list(r.coef.index) == ["x", "c1", "c2"]
    assert np.isfinite(r.coef).all() and np.isfinite(r.se).all()


def test_only_absorbed_regressor_is_an_error(panel):
    with pytest.warns(CollinearityWarning), pytest.raises(IdentificationError, match="no regressor left"):
        feols("y ~ firm_const | firm", panel)


def test_singletons_warn_and_are_counted():
    df, _ = simulate_panel(40, seed=2, missing_share=0.0, n_singleton_firms=4)
    with pytest.warns(SingletonWarning, match="4 singleton"):
        r = feols("y ~ x | firm", df)
    assert r.n_singletons == 4 and r.nobs == len(df) - 4


def test_inputs_not_modified(panel):
    before = panel.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        feols("y ~ x + c1 | firm + year", panel, cluster="industry", weights="w")
    pd.testing.assert_frame_equal(panel, before)


def test_infinite_value_is_located(panel):
    df = panel.copy()
    df.loc[df.index[3], "c1"] = np.inf
    with pytest.raises(EstimationError, match="infinite") as e:
        feols("y ~ c1 | firm", df)
    assert e.value.variable == "c1" and e.value.row == df.index[3]


def test_lags_need_panel_and_follow_time_values(panel):
    with pytest.raises(FormulaError, match="panel"):
        feols("y ~ L.x | firm", panel)
    df = panel.copy()
    # hand-built Stata L.: the value at (firm, year - 1), missing across gaps
    prev = df[["firm", "year", "x"]].assign(year=df["year"] + 1).rename(columns={"x": "x_lag"})
    df = df.merge(prev, on=["firm", "year"], how="left")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = feols("y ~ L.x + c1 | firm + year", df, panel=("firm", "year"))
        b = feols("y ~ x_lag + c1 | firm + year", df)
        c = feols("y ~ l(x, 1) + c1 | firm + year", df, panel=("firm", "year"))
    np.testing.assert_allclose(a.coef.to_numpy(), b.coef.to_numpy(), rtol=1e-12)
    assert list(a.coef.index) == ["L.x", "c1"] and a.nobs == b.nobs
    pd.testing.assert_series_equal(a.coef, c.coef)


def test_duplicate_panel_rows_are_named(panel):
    df = pd.concat([panel, panel.iloc[[0]]], ignore_index=True)
    with pytest.raises(EstimationError, match="duplicate") as e:
        feols("y ~ L.x | firm", df, panel=("firm", "year"))
    assert e.value.firm is not None and e.value.year is not None


def test_bad_vcov_names(panel):
    with pytest.raises(EstimationError, match="unknown vcov"):
        feols("y ~ x | firm", panel, vcov="hc3")
    with pytest.raises(FormulaError, match="unknown variable 'industri'"):
        feols("y ~ x | firm", panel, cluster="industri")


def test_perfect_fit_warns(panel):
    from nqp.errors import DataWarning

    df = panel.assign(y_exact=2.0 * panel["x"] + 1.0)
    with pytest.warns(DataWarning, match="fitted exactly"):
        r = feols("y_exact ~ x", df)
    assert r.coef["x"] == pytest.approx(2.0)
