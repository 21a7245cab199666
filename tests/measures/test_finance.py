"""Financing-constraint indices: hand computations from the published coefficients, and recovery of
planted coefficients by the ordered-logit (KZ) and logit (FC) steps."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from nqp.errors import ConfigError, EstimationError, InputError, SchemaError
from nqp.measures.finance import (
    fc_index,
    kz_index,
    kz_score,
    logit_index,
    ordered_logit_index,
    qufc_label,
    sa_index,
    ww_index,
)


# --- SA (Hadlock & Pierce 2010) -----------------------------------------------------------
def test_sa_hand_computed():
    # 5e9 yuan = 5,000 million: Size = ln 5000 = 8.517193; age 10
    # SA = -0.737*8.517193 + 0.043*8.517193^2 - 0.040*10 = -3.557840
    # 2.5e6 wan = 25,000 million? no: 25,000 wan = 250 million: Size = ln 250 = 5.521461; age 3
    # SA = -0.737*5.521461 + 0.043*5.521461^2 - 0.120 = -2.878396
    assets = pd.Series([5e9, 2.5e8], index=["a", "b"])
    age = pd.Series([10, 3], index=["a", "b"])
    sa = sa_index(assets, age)
    np.testing.assert_allclose(sa, [-3.557840, -2.878396], atol=1e-6)
    assert list(sa.index) == ["a", "b"]
    np.testing.assert_allclose(sa_index(assets / 1e4, age, assets_unit="wan"), sa)
    np.testing.assert_allclose(sa_index(assets / 1e6, age, assets_unit="million", variant="abs"), [3.557840, 2.878396], atol=1e-6)
    np.testing.assert_allclose(sa_index(assets, age, variant="ln_abs"), np.log([3.557840, 2.878396]), atol=1e-6)


def test_sa_caps_hand_computed():
    # caps at 5e9 yuan and 37 years: a 5e10-yuan, 50-year-old firm is scored as (5e9, 37):
    # Size = ln 5000 = 8.517193; SA = -0.737*8.517193 + 0.043*8.517193^2 - 0.040*37 = -4.637840
    assets = pd.Series([5e10, 5e9])
    age = pd.Series([50, 10])
    capped = sa_index(assets, age, size_cap=5e9, age_cap=37)
    np.testing.assert_allclose(capped, [-4.637840, -3.557840], atol=1e-6)
    # uncapped, the larger firm gets a *higher* (more constrained) size part: the documented non-monotonicity
    # Size = ln 50000 = 10.819778: -0.737*10.819778 + 0.043*117.067603 = -7.974176 + 5.033907 = -2.940270 > -3.157840
    uncapped = sa_index(assets, pd.Series([0, 0]))
    np.testing.assert_allclose(uncapped, [-2.940270, -3.157840], atol=1e-6)


def test_sa_bad_input():
    with pytest.raises(InputError) as err:
        sa_index(pd.Series([1e9, 0.0], index=[("000001", 2015), ("000002", 2016)]), pd.Series([1, 2], index=[("000001", 2015), ("000002", 2016)]))
    assert err.value.row == ("000002", 2016)
    with pytest.raises(ConfigError):
        sa_index(pd.Series([1e9]), pd.Series([1]), variant="SA2")
    with pytest.raises(ConfigError):
        sa_index(pd.Series([1e9]), pd.Series([1]), assets_unit="usd")
    with pytest.warns(Warning, match="missing"):
        out = sa_index(pd.Series([1e9, np.nan]), pd.Series([1, 2]))
    assert np.isnan(out.iloc[1])


# --- WW (Whited & Wu 2006) ----------------------------------------------------------------
def test_ww_hand_computed():
    # -0.091*0.05 - 0.062*1 + 0.021*0.2 - 0.044*22.1 + 0.102*0.08 - 0.035*0.15 = -1.03184
    s = lambda v: pd.Series([v], index=[7])  # noqa: E731
    ww = ww_index(s(0.05), s(1), s(0.2), s(22.1), s(0.08), s(0.15))
    assert ww.loc[7] == pytest.approx(-1.03184, abs=1e-12)


# --- KZ ------------------------------------------------------------------------------------
def test_kz_lps_hand_computed():
    # -1.001909*0.3 + 0.2826389*1.8 + 3.139193*0.4 - 39.3678*0.01 - 1.314759*0.5 = 0.41279702
    # (with the 3.319 typo of some public code it would be 0.48480)
    d = pd.DataFrame({"CF": [0.3], "Q": [1.8], "LEV": [0.4], "DIV": [0.01], "C": [0.5]}, index=[3])
    r = kz_index(d, variant="lps")
    assert r.index.loc[3] == pytest.approx(0.41279702, abs=1e-10)
    assert r.coef["lev"] == 3.139193


def test_kz_score_hand_example():
    d = pd.DataFrame(
        {
            "year": [2015, 2015, 2015, 2016, 2016, 2016],
            "CF": [0.1, 0.2, 0.3, 0.5, 0.4, 0.6],  # medians 0.2, 0.5
            "DIV": [0.0, 0.1, 0.2, 0.1, 0.1, 0.1],  # medians 0.1, 0.1 (ties: nobody below in 2016)
            "C": [0.3, 0.2, 0.1, 0.1, 0.2, 0.3],  # medians 0.2, 0.2
            "LEV": [0.6, 0.5, 0.4, 0.2, 0.3, 0.4],  # medians 0.5, 0.3
            "Q": [3.0, 2.0, 1.0, 1.0, 2.0, 3.0],  # medians 2, 2
        }
    )
    # row 0: CF<.2 1, DIV<.1 1, C<.2 0, LEV>.5 1, Q>2 1 -> 4
    # row 1: 0,0,0,0,0 -> 0;  row 2: 0,0,1,0,0 -> 1
    # row 3: CF<.5 0, DIV 0, C<.2 1, LEV>.3 0, Q 0 -> 1; row 4: 1,0,0,0,0 -> 1; row 5: 0,0,0,1,1 -> 2
    assert kz_score(d).tolist() == [4, 0, 1, 1, 1, 2]


def _ordered_logit_data(n, beta, cuts, rng):
    X = pd.DataFrame(rng.normal(size=(n, len(beta))), columns=[f"x{i}" for i in range(len(beta))])
    latent = X.to_numpy() @ beta + rng.logistic(size=n)
    y = np.searchsorted(cuts, latent)
    return X, pd.Series(y.astype(float))


def test_ordered_logit_recovers_planted_coefficients():
    rng = np.random.default_rng(31)
    beta = np.array([-1.0, -0.5, -0.8, 1.2, 0.4])
    X, y = _ordered_logit_data(20000, beta, np.array([-3.0, -1.5, -0.5, 0.5, 1.5]), rng)
    r = ordered_logit_index(y, X)
    np.testing.assert_allclose(r.coef.to_numpy(), beta, atol=0.06)  # se ~ 0.015-0.02
    np.testing.assert_allclose(r.index, X.to_numpy() @ r.coef.to_numpy())  # xb, no intercept
    assert r.converged


def test_kz_reestimated_signs_and_index(tmp_path):
    rng = np.random.default_rng(32)
    n = 3000
    d = pd.DataFrame({"year": rng.integers(2010, 2016, n), "CF": rng.normal(0.05, 0.1, n),
                      "DIV": rng.gamma(1, 0.01, n), "C": rng.gamma(2, 0.05, n),
                      "LEV": rng.uniform(0.1, 0.8, n), "Q": rng.gamma(4, 0.5, n)})
    r = kz_index(d, variant="wzl2014")
    assert list(r.coef.index) == ["CF", "DIV", "C", "LEV", "Q"]
    # each dummy raises the score: below-median CF/DIV/C and above-median LEV/Q
    assert (r.coef[["CF", "DIV", "C"]] < 0).all() and (r.coef[["LEV", "Q"]] > 0).all()
    np.testing.assert_allclose(r.index, d[["CF", "DIV", "C", "LEV", "Q"]].to_numpy() @ r.coef.to_numpy())
    assert r.label.equals(kz_score(d))
    with pytest.raises(ConfigError):
        kz_index(d, variant="kz97")
    with pytest.raises(SchemaError):
        kz_index(d.drop(columns="Q"))


# --- FC ------------------------------------------------------------------------------------
def test_qufc_label_hand_example():
    d = pd.DataFrame({"year": [1] * 6, "size": [1, 2, 3, 4, 5, 6], "age": [1, 2, 3, 4, 5, 6],
                      "payout": [1, 6, 3, 4, 5, 2]})
    # 1/3 quantile = 2.667, 2/3 quantile = 4.333: low = {1, 2}, high = {5, 6}
    # row 0: low on all three -> 1; row 1: payout 6 high -> NaN; row 4: 5,5,5 high on all -> 0
    # row 5: payout 2 low -> NaN
    lab = qufc_label(d)
    assert lab.iloc[0] == 1 and lab.iloc[4] == 0
    assert lab.drop([0, 4]).isna().all()


def test_logit_recovers_planted_coefficients_and_matches_statsmodels():
    rng = np.random.default_rng(33)
    n = 20000
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    truth = np.array([0.3, -1.0, 0.5, 0.8])
    p = 1 / (1 + np.exp(-(truth[0] + X.to_numpy() @ truth[1:])))
    y = pd.Series((rng.random(n) < p).astype(float))
    y[:1000] = np.nan  # unlabelled rows still get a probability
    r = logit_index(y, X)
    np.testing.assert_allclose(r.coef.to_numpy(), truth, atol=0.08)
    direct = sm.Logit(y[1000:], sm.add_constant(X[1000:])).fit(disp=False)  # sanity check only
    np.testing.assert_allclose(r.coef.to_numpy(), direct.params.to_numpy(), rtol=1e-6)
    assert r.index.notna().all() and r.nobs == n - 1000


def _fc_panel(rng, n=4000):
    size = rng.normal(22, 1.2, n)
    year = rng.integers(2010, 2020, n)
    return pd.DataFrame({"year": year, "size": size,
                         "age": 10 + 2 * (size - 22) + rng.normal(0, 3, n),
                         "payout": 0.1 + 0.05 * (size - 22) + rng.normal(0, 0.05, n),
                         "Size": size, "Lev": rng.uniform(0.1, 0.8, n), "CashDiv_TA": rng.gamma(1, 0.01, n),
                         "MB": rng.gamma(4, 0.5, n), "NWC_TA": rng.normal(0.1, 0.1, n),
                         "EBIT_TA": rng.normal(0.05, 0.05, n)})


def test_fc_index_separation_is_a_clear_error():
    # sorting on size and using Size as a regressor: with stable size over years, Size separates QUFC
    d = _fc_panel(np.random.default_rng(34))
    with pytest.raises(EstimationError) as err:
        fc_index(d)
    assert err.value.variable == "Size"


def test_fc_index_on_simulated_panel():
    rng = np.random.default_rng(35)
    d = _fc_panel(rng)
    d["Lev"] = 0.5 - 0.1 * (d["size"] - 22) + rng.normal(0, 0.15, len(d))  # smaller firms: more leverage
    regs = ["Lev", "CashDiv_TA", "MB", "NWC_TA", "EBIT_TA"]
    r = fc_index(d, regressors=regs)
    assert r.index.between(0, 1).all() and r.index.notna().all()
    assert r.coef["Lev"] > 0
    assert r.label.isin([0, 1]).sum() == r.nobs
    assert r.index[r.label == 1].mean() > 0.5 > r.index[r.label == 0].mean()
