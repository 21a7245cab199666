"""Multiple estimation returns exactly what one-by-one feols returns (and pyfixest agrees)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.econometrics import feols, feols_multi
from nqp.econometrics.simulate import simulate_panel


@pytest.fixture(scope="module")
def panel():
    df, _ = simulate_panel(150, seed=11, missing_share=0.03, n_singleton_firms=3)
    return df


FORMULAS = [
    "y ~ x | firm + year",
    "y ~ x + c1 + c2 | firm + year",
    "y ~ x + c1 + c2 + c3 + c4 + c5 | firm + year",
    "c1 ~ x + c2 | firm + year",  # a regressor as outcome
    "y ~ x + c1 | firm",  # another FE set
    "y ~ x + c1",  # no FE
    "y ~ c1 | firm + year | x ~ z1 + z2",  # IV
]


def test_multi_equals_one_by_one(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        many = feols_multi(FORMULAS, panel, cluster="industry")
        for fml, r in zip(FORMULAS, many):
            one = feols(fml, panel, cluster="industry")
            pd.testing.assert_series_equal(r.coef, one.coef, rtol=1e-10)
            pd.testing.assert_series_equal(r.se, one.se, rtol=1e-10)
            assert r.nobs == one.nobs and r.formula == fml
            assert r.obs_index.equals(one.obs_index)
            np.testing.assert_allclose(r.adj_r2, one.adj_r2, rtol=1e-10)


def test_multi_with_names_and_against_pyfixest(panel):
    pf = pytest.importorskip("pyfixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = feols_multi({"base": FORMULAS[0], "ctrl": FORMULAS[1]}, panel, vcov="hc1")
        m = pf.feols(FORMULAS[1], panel, vcov="hetero")
    assert set(out) == {"base", "ctrl"}
    np.testing.assert_allclose(out["ctrl"].coef[m.coef().index], m.coef(), rtol=1e-6)
    np.testing.assert_allclose(out["ctrl"].se[m.se().index], m.se(), rtol=1e-5)
