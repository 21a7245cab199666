"""The constant of a fixed-effects model (常数项) against Stata 13 ``xtreg, fe`` output: _cons, its
variance and its covariance with the slopes, for conventional, robust and clustered VCEs,
weighted and unweighted (published output shipped with linearmodels)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.econometrics import feols
from nqp.econometrics.constant import absorbed_constant
from stata_blocks import DATA, XTREG_CASES as CASES, parse_stata_blocks



@pytest.fixture(scope="module")
def stata():
    return pd.read_csv(DATA / "simulated_panel.csv"), parse_stata_blocks(DATA / "xtreg_fe_results.txt")


@pytest.mark.parametrize("key", list(CASES))
def test_constant_equals_xtreg_fe(stata, key):
    df, blocks = stata
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = feols("y ~ x1 + x2 + x3 + x4 + x5 | firm", df, tol=1e-14, **CASES[key])
    c = absorbed_constant(r)
    b, t, p = blocks[key]["params"]["_cons"]
    V = blocks[key]["V"]
    assert c.estimate == pytest.approx(b, rel=1e-9)
    assert c.std_error ** 2 == pytest.approx(V.loc["_cons", "_cons"], rel=1e-6)
    assert c.statistic == pytest.approx(t, rel=1e-7)
    assert c.p_value == pytest.approx(p, abs=1e-12)


def test_no_constant_without_fixed_effects_or_with_two_way_clusters(stata):
    df, _ = stata
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert absorbed_constant(feols("y ~ x1", df)) is None  # the intercept is a coefficient
        assert absorbed_constant(feols("y ~ x1 | firm", df, cluster=["firm", "year"])) is None
        r = feols("y ~ x1 | firm + year", df, vcov="hc1")
    c = absorbed_constant(r)
    # hand check: _cons = mean(y) - mean(x1) b
    assert c.estimate == pytest.approx(df.y.mean() - df.x1.mean() * r.coef["x1"], rel=1e-10)
    assert np.isfinite(c.std_error) and c.std_error > 0
