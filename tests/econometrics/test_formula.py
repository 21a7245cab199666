"""Formula parsing (fixest syntax plus Stata lags)."""

from __future__ import annotations

import pytest

from nqp.econometrics.formula import parse_formula
from nqp.errors import FormulaError


def labels(terms):
    return [t.label for t in terms]


def test_ols_with_fe():
    f = parse_formula("NQP ~ lnAI + Size | firm + year")
    assert f.depvar.label == "NQP" and labels(f.exog) == ["lnAI", "Size"]
    assert f.fixef == (("firm",), ("year",)) and f.intercept and not f.is_iv


def test_interactions_and_interacted_fe():
    f = parse_formula("y ~ x1*x2 + a:b | industry^year")
    assert labels(f.exog) == ["x1", "x2", "x1:x2", "a:b"]
    assert f.fe_labels == ["industry^year"]


def test_lags():
    f = parse_formula("y ~ L.x + L2.x + l(z, 1:2) + F.w")
    assert labels(f.exog) == ["L.x", "L2.x", "L.z", "L2.z", "F.w"]
    assert [v.lag for t in f.exog for v in t.factors] == [1, 2, 1, 2, -1]
    assert f.has_lags


@pytest.mark.parametrize("text", ["y ~ x2 | firm + year | x1 ~ z1 + z2", "y ~ x2 | 0 | x1 ~ z1 + z2", "y ~ x2 | x1 ~ z1 + z2"])
def test_iv(text):
    f = parse_formula(text)
    assert labels(f.endog) == ["x1"] and labels(f.instruments) == ["z1", "z2"] and labels(f.exog) == ["x2"]
    assert f.fixef == ((("firm",), ("year",)) if "firm" in text else ())


def test_no_intercept_and_unicode_names():
    assert not parse_formula("y ~ x - 1").intercept
    assert not parse_formula("y ~ 0 + x").intercept
    f = parse_formula("新质生产力 ~ 人工智能 | 企业 + 年份")
    assert f.columns() == ["新质生产力", "人工智能", "企业", "年份"]


@pytest.mark.parametrize("text", ["y", "y ~ x | a | b | c", "y ~ x | a ~ b | firm", "y ~ x + $bad", "y ~ x | firm | x ~ z"])
def test_bad_formulas(text):
    with pytest.raises(FormulaError):
        parse_formula(text)
