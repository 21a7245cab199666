"""Stata-style lags: L.x by year value on the full firm-year panel (before the sample rules),
the sample convention, winsorized lags, and feols using a lag column of the frame.

Oracles: a plain pandas groupby-shift on the unfiltered firm-years (a row shift made
gap-aware by the year difference), hand-computed Stata _pctile cut points, and pyfixest."""

import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.errors import ConfigError, InputError
from nqp.panel import SampleOptions, add_lags, build_panel
from nqp.panel.lags import parse_lags
from nqp.panel.steps import winsorize_panel

LOOSE = dict(drop_financial=False, key_variables=(), winsorize=False)


def _shift_oracle(df: pd.DataFrame, col: str, k: int) -> pd.Series:
    """x of year t - k by a row shift within firm, kept only where the year really is t - k."""
    g = df.sort_values(["stkcd", "year"]).groupby("stkcd")[["year", col]].shift(k)
    out = g[col].where(g["year"] == df.loc[g.index, "year"] - k)
    return out.reindex(df.index)


def test_add_lags_by_year_value_with_a_gap_year():
    df = pd.DataFrame({"stkcd": ["a"] * 4 + ["b"] * 3,
                       "year": [2010, 2011, 2013, 2014, 2011, 2012, 2013],   # firm a skips 2012
                       "x": [1.0, 2.0, 3.0, 4.0, 10.0, np.nan, 30.0]})
    shuffled = df.sample(frac=1.0, random_state=0)
    out = add_lags(shuffled, ["L.x", "L2.x", "F.x"])
    assert list(shuffled.columns) == ["stkcd", "year", "x"]            # input untouched
    for name, k in (("L.x", 1), ("F.x", -1)):
        pd.testing.assert_series_equal(out[name], _shift_oracle(shuffled, "x", k), check_names=False)
    # L2 by hand: a 2013 <- 2011 = 2.0 (over the gap), a 2014 <- 2012 (absent), b 2013 <- 2011 = 10
    by = out.set_index(["stkcd", "year"])
    assert by.loc[("a", 2013), "L2.x"] == 2.0 and np.isnan(by.loc[("a", 2014), "L2.x"])
    assert by.loc[("b", 2013), "L2.x"] == 10.0
    assert np.isnan(by.loc[("a", 2013), "L.x"])                        # gap: no carry-over
    assert np.isnan(by.loc[("b", 2013), "L.x"])                        # previous value missing


def test_lag_specs_checked():
    assert [g.name for g in parse_lags(["L1.x", "l.x", "L2.x", "f.y"])] == ["L.x", "L2.x", "F.y"]
    with pytest.raises(ConfigError, match=r"'L0.x'.*'lag x'"):
        parse_lags(["L.x", "L0.x", "lag x"])
    df = pd.DataFrame({"stkcd": ["a", "a"], "year": [1, 1], "lnAI": [1.0, 2.0]})
    with pytest.raises(ConfigError, match="did you mean lnAI"):
        add_lags(df, ["L.lnAl"])
    with pytest.raises(InputError, match="not unique"):
        add_lags(df, ["L.lnAI"])


@pytest.fixture(scope="module")
def both(hand_warehouse):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw = dict(first_year=2015, last_year=2017, measures=False, lags=("L.Size", "L.lnAI", "L2.Size"))
        full = build_panel(hand_warehouse, sample=SampleOptions(**LOOSE), **kw)
        sample = build_panel(hand_warehouse, sample=SampleOptions(**LOOSE), lag_convention="sample", **kw)
    return full, sample


def test_full_panel_lag_survives_a_dropped_year(both):
    full, sample = both
    # 600003 is *ST in 2016 only: the ST rule drops that year; its 2017 lag comes from 2016
    f = full.frame.set_index(["stkcd", "year"])
    s = sample.frame.set_index(["stkcd", "year"])
    assert ("600003", 2016) not in f.index
    assert f.loc[("600003", 2017), "L.Size"] == pytest.approx(np.log(3000.0 + 100))
    assert np.isnan(s.loc[("600003", 2017), "L.Size"])
    assert f.loc[("600003", 2017), "L2.Size"] == pytest.approx(np.log(3000.0))
    assert s.loc[("600003", 2017), "L2.Size"] == pytest.approx(np.log(3000.0))
    # the full-panel lags are a groupby-shift on the unfiltered firm-years
    fy = full.firm_years
    want = fy.assign(L=_shift_oracle(fy, "Size", 1)).set_index(["stkcd", "year"])["L"]
    got = f["L.Size"]
    pd.testing.assert_series_equal(got, want.reindex(got.index), check_names=False)
    # the conventions differ exactly where the previous year was dropped
    differ = f["L.Size"].notna() & s["L.Size"].reindex(f.index).isna()
    assert list(differ[differ].index) == [("600003", 2017)]
    assert list(full.frame.columns[-3:]) == ["L.Size", "L.lnAI", "L2.Size"]


def test_lags_in_the_dictionary(both):
    d = both[0].dictionary().set_index("name")
    assert d.loc["L.Size", "kind"] == "lag" and "企业规模" in d.loc["L.Size", "label_zh"]
    assert "before the sample rules" in d.loc["L.Size", "definition"]


def test_lag_of_unbuilt_or_unknown_variable(hand_warehouse):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = build_panel(hand_warehouse, first_year=2015, last_year=2017, measures=False,
                        sample=SampleOptions(**LOOSE), lags=("L.usrobot",))
        assert "L.usrobot" not in p.frame.columns and "us_robot" in p.unbuilt["L.usrobot"]
        with pytest.raises(ConfigError, match="L.Sise.*did you mean Size"):
            build_panel(hand_warehouse, measures=False, lags=("L.Sise",))
        with pytest.raises(ConfigError, match="lag_convention"):
            build_panel(hand_warehouse, measures=False, lag_convention="stata")


def test_lag_of_a_winsorized_variable_is_clipped_at_its_cut_points():
    # sample x = 1..10 (two firms x five years); the lags reach years outside the sample
    df = pd.DataFrame({"stkcd": ["a"] * 5 + ["b"] * 5, "year": list(range(2011, 2016)) * 2,
                       "x": [5.0, 1, 2, 3, 4, 10, 6, 7, 8, 9]})
    df["L.x"] = [0.0, 5, 1, 2, 3, 20.0, 10, 6, 7, 8]          # 2010 values 0 and 20 are outside
    out = winsorize_panel(df, ["x"], SampleOptions(winsorize_limits=(0.1, 0.9)), lags=parse_lags(["L.x"]))
    # Stata _pctile, n = 10: P = 1 and 9 are integers -> (x(1)+x(2))/2 = 1.5, (x(9)+x(10))/2 = 9.5
    assert out["x"].tolist() == [5, 1.5, 2, 3, 4, 9.5, 6, 7, 8, 9]
    assert out["L.x"].tolist() == [1.5, 5, 1.5, 2, 3, 9.5, 9.5, 6, 7, 8]
    # where the previous year is in the sample, the lag is the winsorized value of that year
    assert (out["L.x"].iloc[1:5].to_numpy() == out["x"].iloc[0:4].to_numpy()).all()


def test_feols_uses_the_lag_column_of_the_frame():
    """feols('... L.x ...', frame) uses a column named L.x when the frame has one (the full-panel
    lag), and computes the lag from panel= otherwise; pyfixest on explicit columns is the oracle."""
    import pyfixest as pf

    import nqp
    rng = np.random.default_rng(3)
    n_firm, years = 40, list(range(2010, 2018))
    df = pd.DataFrame([(f"f{i:02d}", y) for i in range(n_firm) for y in years], columns=["stkcd", "year"])
    df["x"] = rng.normal(size=len(df))
    full = add_lags(df, ["L.x"])
    full["y"] = 0.5 * full["L.x"].fillna(0) + rng.normal(size=len(df))
    sample = full[rng.random(len(full)) > 0.25].reset_index(drop=True)   # a filtered sample
    res = nqp.feols("y ~ L.x | stkcd", sample)                           # no panel= needed
    oracle = pf.feols("y ~ Lx | stkcd", data=sample.rename(columns={"L.x": "Lx"}), vcov="iid")
    assert res.coef["L.x"] == pytest.approx(oracle.coef()["Lx"], rel=1e-10)
    assert res.nobs == oracle._N
    recomputed = nqp.feols("y ~ L.x | stkcd", sample.drop(columns="L.x"), panel=("stkcd", "year"))
    shifted = sample.assign(Lx=_shift_oracle(sample, "x", 1))
    oracle2 = pf.feols("y ~ Lx | stkcd", data=shifted, vcov="iid")
    assert recomputed.coef["L.x"] == pytest.approx(oracle2.coef()["Lx"], rel=1e-10)
    assert recomputed.nobs < res.nobs
