"""Sample steps: ST filter by year, the financial switch, missing keys, winsorizing, Table 2."""

import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.errors import ConfigError
from nqp.panel import SampleOptions, build_panel, describe, stata_pctile, winsorize


def _build(path, **opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_panel(path, first_year=2015, last_year=2017, measures=False,
                           sample=SampleOptions(key_variables=(), winsorize=False, **opts))


def test_st_drops_only_the_st_year(hand_warehouse):
    p = _build(hand_warehouse, drop_financial=False)
    years = p.frame.groupby("stkcd")["year"].apply(list).to_dict()
    assert years["600003"] == [2015, 2017]           # *ST东北 in 2016 only; current name ST东北 ignored
    assert years["000001"] == [2015, 2016, 2017]
    t = p.sample_report.table()
    assert t.loc[1, "step"].startswith("drop ST") and t.loc[1, "dropped"] == 1 and t.loc[1, "remaining"] == 8


def test_financial_switch(hand_warehouse):
    on = _build(hand_warehouse)
    off = _build(hand_warehouse, drop_financial=False)
    assert "000001" not in set(on.frame["stkcd"]) and "000001" in set(off.frame["stkcd"])
    assert len(on.frame) == 5 and len(off.frame) == 8
    steps = on.sample_report.table()
    assert list(steps["remaining"][:3]) == [9, 8, 5]
    assert steps["dropped"].iloc[2] == 3


def test_missing_key_variables_dropped_and_counted(hand_warehouse):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = build_panel(hand_warehouse, first_year=2015, last_year=2017, measures=False,
                        sample=SampleOptions(key_variables=("Size", "asset_turnover", "irobot"), winsorize=False))
    # after ST and J: 000002 x3, 600003 {2015, 2017}; asset_turnover needs the previous year
    # (missing in 2015), irobot is missing for 吉林 -> only 000002 2016-2017 remain
    assert sorted(zip(p.frame.stkcd, p.frame.year)) == [("000002", 2016), ("000002", 2017)]
    assert p.sample_report.table().iloc[3]["dropped"] == 3


def test_winsorize_hand_example():
    x = pd.DataFrame({"v": [10.0, 1, 2, 3, 4, 5, 6, 7, 8, 9, np.nan]})
    out = winsorize(x, ["v"], limits=(0.1, 0.9))
    # n = 10: P = 1 and 9 are integers -> (x(1)+x(2))/2 = 1.5 and (x(9)+x(10))/2 = 9.5
    assert out["v"].tolist()[:10] == [9.5, 1.5, 2, 3, 4, 5, 6, 7, 8, 9]
    assert np.isnan(out["v"].iloc[10])
    assert x["v"].iloc[0] == 10.0                      # input untouched


def test_stata_pctile_rule():
    v = np.arange(1.0, 151.0)                           # n = 150
    assert stata_pctile(v, 1) == 2.0                    # P = 1.5 -> x(2)
    assert stata_pctile(v, 99) == 149.0                 # P = 148.5 -> x(149)
    assert stata_pctile(np.arange(1.0, 101.0), 1) == 1.5  # P = 1 -> (x(1) + x(2)) / 2
    assert stata_pctile(np.arange(1.0, 8.0), 10) == 1.0   # P = 0.7 -> x(1)


def test_winsorize_by_year():
    f = pd.DataFrame({"year": [1] * 10 + [2] * 10, "v": list(range(1, 11)) + list(range(101, 111))})
    out = winsorize(f, ["v"], limits=(0.1, 0.9), by="year")
    assert out["v"].tolist() == [1.5, 2, 3, 4, 5, 6, 7, 8, 9, 9.5] + [101.5] + list(range(102, 110)) + [109.5]
    pooled = winsorize(f, ["v"], limits=(0.1, 0.9))
    # n = 20: P = 2 -> (x(2)+x(3))/2 = 2.5; P = 18 -> (x(18)+x(19))/2 = (108+109)/2
    assert pooled["v"].min() == 2.5 and pooled["v"].max() == 108.5
    with pytest.raises(ConfigError):
        winsorize(f, ["v"], limits=(0.9, 0.1))


def test_describe_by_hand():
    f = pd.DataFrame({"a": [1.0, 2, 3, 4, np.nan], "b": [0, 0, 1, 1, 1]})
    d = describe(f, ["b", "a"])
    assert list(d.index) == ["b", "a"]
    assert d.loc["a", "N"] == 4 and d.loc["a", "mean"] == 2.5
    assert d.loc["a", "sd"] == pytest.approx(np.sqrt(5 / 3))
    assert (d.loc["a", "min"], d.loc["a", "median"], d.loc["a", "max"]) == (1, 2.5, 4)
    assert d.loc["b", "p25"] == 0 and d.loc["b", "p75"] == 1


def test_listing_year_and_previous_year(tmp_path):
    import handmade
    tables = handmade.statements()
    co = tables["company_profile"]
    co["list_date"] = pd.Timestamp("2000-01-01")
    co.loc[co.stkcd == "000002", "list_date"] = pd.Timestamp("2016-06-01")
    path = handmade.write_warehouse(tmp_path / "w.duckdb", tables)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = build_panel(path, first_year=2016, last_year=2017, measures=False,
                        sample=SampleOptions(drop_st=False, drop_financial=False, key_variables=(),
                                             winsorize=False))
    fy = p.firm_years.set_index(["stkcd", "year"])
    # 2015 is read for the prev_ columns only; 000002 is listed from 2016
    assert sorted(fy.index) == [(s, y) for s in handmade.FIRMS for y in (2016, 2017)]
    assert fy.loc[("000002", 2016), "asset_turnover"] == pytest.approx(1050 / ((2100 + 2000) / 2))
    assert fy.loc[("000001", 2016), "main_revenue_growth"] == pytest.approx(550 / 500 - 1)
    assert p.sample_report.table().loc[0, "remaining"] == 6


def test_sample_report_text_and_index_on_default_keys(hand_warehouse):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = build_panel(hand_warehouse, first_year=2015, last_year=2017, measures=False,
                        sample=SampleOptions(drop_financial=False))
    # default keys: indicators (unbuilt ones noted and skipped) + lnAI, Size, Age, Lev.
    # 2015 has no growth / average assets (no 2014 rows) -> dropped; 600003 2016 is *ST
    assert sorted(zip(p.frame.stkcd, p.frame.year)) == [
        ("000001", 2016), ("000001", 2017), ("000002", 2016), ("000002", 2017), ("600003", 2017)]
    assert p.frame["NQP"].notna().all()
    text = str(p.sample_report)
    assert "drop ST" in text and "capacity_utilisation" in text
