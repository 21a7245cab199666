"""Issue 13, the formula language users expect from fixest/pyfixest: I(x**2), log(x), exp(x),
C(f) / i(f) with a reference level, string regressors expanded into dummies, i(f, z). Each
formula gives pyfixest's coefficients, standard errors and column names (pyfixest 0.60 on the
same data and formula; reghdfe/fixest conventions coincide for these models)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from pyfixest.demeaners import MapDemeaner

from nqp.econometrics import feols
from nqp.econometrics.formula import parse_formula
from nqp.errors import EstimationError, FormulaError

SSC = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 600
    d = pd.DataFrame({"x": rng.uniform(1, 3, n), "z": rng.normal(size=n),
                      "f": rng.choice(["north", "south", "west"], n), "k": rng.integers(0, 4, n),
                      "firm": rng.integers(0, 40, n), "ind": rng.integers(0, 12, n)})
    d.loc[7, "f"] = None  # a missing category: the row leaves the sample (pyfixest: the same N)
    d["cat"] = pd.Categorical(rng.choice(["lo", "mid", "hi"], n), categories=["lo", "mid", "hi"])
    eff = d.f.map({"north": 0.0, "south": 0.5, "west": -0.4}).fillna(0.0)
    d["y"] = (1 + 0.3 * np.log(d.x) + 0.2 * d.x ** 2 + eff + (0.5 + 0.3 * (d.f == "west")) * d.z
              + 0.1 * d.k + rng.normal(size=40)[d.firm] + rng.normal(size=n))
    return d


FORMULAS = [
    "y ~ I(x**2) + z",
    "y ~ log(x) + exp(z)",
    "y ~ np.log(x) + I(x * z)",
    "y ~ x + C(f)",
    "y ~ x + f",
    "y ~ x + cat",
    "y ~ x + C(f, Treatment(reference='south'))",
    "y ~ x + i(f)",
    "y ~ x + i(f, ref='west')",
    "y ~ x + i(k, ref=2)",
    "y ~ x + i(f, z)",
    "y ~ x + i(f, z, ref='north')",
    "y ~ I(x**2) + f | firm",
    "y ~ x + i(f, z) | firm",
    "y ~ log(x) + C(k) + i(f) | firm + ind",
    "y ~ f - 1",
    "y ~ C(f) + C(k) - 1",
    "y ~ 0 + i(f) + x",
    "y ~ i(f, z) + f",
    "y ~ x:f",
    "y ~ x + x:f",
    "y ~ f:z + x",
    "y ~ x*f | firm",
    "y ~ x:z:f",
]


@pytest.mark.parametrize("fml", FORMULAS)
@pytest.mark.parametrize("vcov", ["hetero", "CRV1"])
def test_formula_equals_pyfixest(df: pd.DataFrame, fml: str, vcov: str) -> None:
    pv = "hetero" if vcov == "hetero" else {"CRV1": "ind"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(fml, data=df, vcov=pv, ssc=SSC, demeaner=MapDemeaner(fixef_tol=1e-13))
        r = feols(fml, df, ssc="fixest", tol=1e-13, **({"vcov": "hc1"} if vcov == "hetero" else {"cluster": "ind"}))
    # same names; nqp keeps the terms in the order written, formulaic sorts them by degree
    assert sorted(r.coef.index) == sorted(m.coef().index)
    if ":" not in fml:
        assert list(r.coef.index) == list(m.coef().index)
    names = m.coef().index
    np.testing.assert_allclose(r.coef[names].to_numpy(), m.coef().to_numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(r.se[names].to_numpy(), m.se().to_numpy(), rtol=1e-6)
    assert r.nobs == m._N


def test_parsed_labels() -> None:
    f = parse_formula("y ~ I(x**2) + log(x) + C(f) + i(f, z, ref='a') + i(f, ref='b') - 1")
    assert [t.label for t in f.exog] == ["I(x ** 2)", "log(x)", "C(f)", "i(f, z, ref='a')", "i(f, ref='b')"]
    assert f.columns() == ["y", "x", "f", "z"] and not f.intercept


def test_iv_with_a_categorical_instrument_equals_pyfixest(df: pd.DataFrame) -> None:
    d = df.assign(e=df.z + 0.4 * df.k + np.random.default_rng(1).normal(size=len(df)))
    fml = "y ~ x | firm | e ~ C(k)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(fml, data=d, vcov="hetero", ssc=SSC, demeaner=MapDemeaner(fixef_tol=1e-13))
        r = feols(fml, d, vcov="hc1", ssc="fixest", tol=1e-13)
    np.testing.assert_allclose(r.coef[m.coef().index].to_numpy(), m.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(r.se[m.coef().index].to_numpy(), m.se().to_numpy(), rtol=1e-6)
    assert r.instruments == ["C(k)[T.1]", "C(k)[T.2]", "C(k)[T.3]"]


def test_bad_terms_are_clear_errors(df: pd.DataFrame) -> None:
    with pytest.raises(FormulaError, match=r"reference level 'east' of \"i\(f, ref='east'\)\" is not a value of 'f'"):
        feols("y ~ x + i(f, ref='east')", df)
    with pytest.raises(EstimationError, match=r"'log\(z\)' is not defined .* row"):
        feols("y ~ log(z)", df)
    with pytest.raises(FormulaError, match="may hold one string column"):
        feols("y ~ x:f:cat", df)
    with pytest.raises(FormulaError, match="an expression may use"):
        parse_formula("y ~ I(__import__('os'))")
    with pytest.raises(FormulaError, match="unknown variable 'w'"):
        feols("y ~ I(w**2)", df)
