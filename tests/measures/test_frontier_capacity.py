"""capacity_utilisation (产能利用率) on a simulated firm panel with planted utilisation.

DGP: ln REV = 0.5 + 0.7 ln ASSETS + 0.3 ln EMP + p_year + v − u, v ~ N(0, 0.15²),
u ~ |N(0, 0.4²)|, with a nominal price level p_year rising 5 % a year. The true utilisation
is exp(−u); the pooled frontier with year dummies must recover its level and ranking.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nqp.errors import (DataWarning, EstimationError, InputError, MissingValueWarning,
                        WrongSkewnessWarning)
from nqp.measures.frontier import capacity_utilisation

COLS = dict(revenue="main_rev", assets="total_assets", employees="staff", firm="stkcd", year="year")


def panel(n_firms: int = 500, years=range(2010, 2023), seed: int = 11):
    rng = np.random.default_rng(seed)
    years = np.array(list(years))
    firm = np.repeat([f"{600000 + i:06d}" for i in range(n_firms)], len(years))
    year = np.tile(years, n_firms)
    n = firm.size
    la, le = rng.normal(21, 1.2, n), rng.normal(7, 1.0, n)
    u = np.abs(rng.normal(0, 0.4, n))
    lrev = 0.5 + 0.7 * la + 0.3 * le + 0.05 * (year - 2010) + rng.normal(0, 0.15, n) - u
    df = pd.DataFrame({"stkcd": firm, "year": year, "main_rev": np.exp(lrev),
                       "total_assets": np.exp(la), "staff": np.round(np.exp(le)) + 1})
    return df, np.exp(-u)


def test_pooled_recovers_planted_utilisation():
    df, truth = panel()
    before = df.copy()
    cu = capacity_utilisation(df, **COLS)
    pd.testing.assert_frame_equal(df, before)
    assert cu.name == "capacity_utilisation" and cu.index.equals(df.index)
    assert cu.notna().all() and ((cu > 0) & (cu <= 1)).all()
    assert cu.mean() == pytest.approx(truth.mean(), abs=0.02)
    assert stats.spearmanr(cu, truth)[0] > 0.78  # λ = 2.7: E[exp(-u)|ε] at the true parameters gets 0.814
    # without year dummies the 5 %-a-year price drift would be read as rising utilisation
    yearly_gap = (cu - truth).groupby(df["year"]).mean()
    assert yearly_gap.abs().max() < 0.03


def test_by_year_and_too_few_firms_in_a_year():
    df, truth = panel(n_firms=300, years=range(2018, 2021))
    cu = capacity_utilisation(df, **COLS, by_year=True)
    assert cu.notna().all() and stats.spearmanr(cu, truth)[0] > 0.8
    small = pd.concat([df, panel(n_firms=5, years=[2021], seed=3)[0]], ignore_index=True)
    with pytest.raises(EstimationError, match="year 2021") as err:
        capacity_utilisation(small, **COLS, by_year=True)
    assert err.value.year == 2021


def test_nonpositive_inputs_raise_or_drop_with_names():
    df, _ = panel(n_firms=200, years=range(2015, 2020))
    df.loc[7, "staff"] = 0
    df.loc[12, "main_rev"] = -5.0
    with pytest.raises(InputError, match="2 firm-year") as err:
        capacity_utilisation(df, **COLS)
    assert (err.value.firm, err.value.year) == (df.loc[7, "stkcd"], int(df.loc[7, "year"]))
    assert err.value.variable == "main_rev" or err.value.variable == "staff"
    with pytest.warns(DataWarning, match=f"firm '{df.loc[7, 'stkcd']}' year {df.loc[7, 'year']}"):
        cu = capacity_utilisation(df, **COLS, nonpositive="drop")
    assert cu.isna().sum() == 2 and np.isnan(cu.loc[7]) and np.isnan(cu.loc[12])


def test_missing_inputs_get_nan_with_warning():
    df, _ = panel(n_firms=200, years=range(2015, 2020))
    df.loc[3, "total_assets"] = np.nan
    with pytest.warns(MissingValueWarning, match="1 firm-year"):
        cu = capacity_utilisation(df, **COLS)
    assert cu.isna().sum() == 1 and np.isnan(cu.loc[3])


def test_wrong_skew_year_is_named():
    df, _ = panel(n_firms=300, years=range(2018, 2020))
    rng = np.random.default_rng(5)
    m = df["year"] == 2019  # in 2019 revenue sits *above* the frontier: positive skew
    df.loc[m, "main_rev"] = np.exp(0.5 + 0.7 * np.log(df.loc[m, "total_assets"])
                                   + 0.3 * np.log(df.loc[m, "staff"])
                                   + rng.normal(0, 0.1, m.sum()) + np.abs(rng.normal(0, 0.5, m.sum())))
    with pytest.warns(WrongSkewnessWarning, match="year 2019"):
        capacity_utilisation(df, **COLS, by_year=True)
