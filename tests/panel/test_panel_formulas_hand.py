"""Every formula variable of the shipped variables.toml against plain arithmetic on the
hand-made statements of handmade.py (3 firms x 2015-2017)."""

import math
import warnings

import numpy as np
import pytest

from nqp.panel import SampleOptions, build_panel, load_definitions
from handmade import FIRMS, YEARS

ENERGY = {"water": 0.0000857, "electricity": 1.229}
NAMES = {"000001": "平安银行", "000002": "万科A", "600003": "东北高速"}
FOUNDED = {"000001": 1987, "000002": 1984, "600003": 1999}
INDUSTRY = {"000001": "J66", "000002": "K70", "600003": "C39"}


def expected(i: int, t: int) -> dict[str, object]:
    """The variables of firm i in year YEARS[t], by hand from handmade.statements()."""
    s, y = FIRMS[i], YEARS[t]
    ta = 1000.0 * (i + 1) + 100 * t
    ta_prev = 1000.0 * (i + 1) + 100 * (t - 1) if t else None
    rev = 500.0 * (i + 1) + 50 * t
    rev_prev = 500.0 * (i + 1) + 50 * (t - 1) if t else None
    emp = 100 * (i + 1) + 10 * t
    pay = 80.0  # total_pay is 支付给职工以及为职工支付的现金 (cash_paid_employees; base.sql)
    tech = 40 + i
    outflow, dep, amort, imp = 400.0 + 10 * t, 30.0, 10.0 + t, 5.0
    out = {
        "industry": {"J66": "J", "K70": "K", "C39": "C39"}[INDUSTRY[s]],
        "financial": INDUSTRY[s] == "J66",
        "st_pt": s == "600003" and y == 2016,
        "SOE": 0 if s == "000001" else 1,
        "hightech": 1 if s == "600003" else 0,          # C39 is on the high-tech list
        "heavypollution": 0,
        "region": "Central" if s == "600003" else "East",  # 吉林 / 广东
        "Size": math.log(ta),
        "Age": math.log(y - FOUNDED[s] + 1),
        "Lev": ta / (ta / 2),
        "Mshare": 5.0 * (i + 1),
        "INST": 30.0 + t,
        "hightech_staff_share": (20 + i + t) / emp,
        "higher_edu_share": ((10 + i) + (2 + t)) / emp,
        "rd_pay_share": (200.0 + 10 * t) / pay,
        "fixed_asset_share": 0.3,
        "intangible_share": 0.1,
        "rd_direct_input_share": (25.0 + i) / rev,
        "energy_consumption": 1000.0 * (t + 1) * ENERGY["water"] + (2.0 + i) * ENERGY["electricity"],
        "overhead_share": (outflow + dep + amort + imp - (200.0 + i) - pay) / (outflow + dep + amort + imp),
        "main_revenue_growth": (0.9 * rev) / (0.9 * rev_prev) - 1 if t else None,
        "labour_productivity": math.log(rev / emp),
        "roa": 0.1 * rev / ta,
        "asset_turnover": rev / ((ta + ta_prev) / 2) if t else None,
        "irobot": 100.0 + t if s != "600003" else None,   # robot density only for 广东
        "aicitynew": None,                                 # no ai_new_firms table
        "finratio": (10.0 * (i + 1) + 5.0) / ta,
        "overseacountry": 2 if (s == "000002" and y == 2016) else 0,
        "smartcity": 1 if (s != "600003" and y >= 2016) else 0,  # 深圳 approved 2016; 长春 not a pilot
        "newenergy": None,
        "lnemploy": math.log(emp),
        "laborprod": math.log(rev / emp),
        "tech_share": tech / emp,
        "nontech_share": 1 - tech / emp,
        "income_pc": math.log(pay / emp),
        "over_rev": 0.1 * rev / (0.8 * rev + 0.1 * rev),
        "in_rev": 0.8 * rev / (0.8 * rev + 0.1 * rev),
        "usrobot": None,
        "lnAI": math.log(1 + {("000002", 2016): 3, ("600003", 2017): 7}.get((s, y), 0)),
        "lnaifm": math.log(1 + {("000002", 2016): 2, ("600003", 2017): 4}.get((s, y), 0)),
        "lnaixx": math.log(1 + {("000002", 2016): 1, ("600003", 2017): 3}.get((s, y), 0)),
        "AIinvest": {("000001", 2015): 200 / 1050, ("000001", 2016): 0.0, ("000002", 2016): 0.3,
                     ("600003", 2015): 1.0}.get((s, y)),   # handmade.asset_items()
    }
    return out


@pytest.fixture(scope="module")
def panel(hand_warehouse):
    opts = SampleOptions(drop_st=False, drop_financial=False, key_variables=(), winsorize=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_panel(hand_warehouse, first_year=2015, last_year=2017, measures=False, sample=opts)


def test_every_formula_variable_is_checked_here():
    defs = load_definitions()
    formula = {v.name for v in defs.variables if v.kind in ("formula", "document")}
    document_without_table = {"exec_innovation_awareness", "data_assets", "lnaiword"}
    assert formula - document_without_table == set(expected(0, 0))


def test_one_row_per_consolidated_year_end(panel):
    fy = panel.firm_years
    assert len(fy) == 9                                  # B rows and half-year rows ignored
    assert fy.groupby(["stkcd", "year"]).size().max() == 1
    assert set(fy["total_assets"]) == {1000.0 * (i + 1) + 100 * t for i in range(3) for t in range(3)}


@pytest.mark.parametrize("name", sorted(expected(0, 0)))
def test_formula_by_hand(panel, name):
    fy = panel.firm_years.set_index(["stkcd", "year"])
    for i, s in enumerate(FIRMS):
        for t, y in enumerate(YEARS):
            want = expected(i, t)[name]
            got = fy.loc[(s, y), name]
            if want is None:
                assert got is None or got is pd_na() or (isinstance(got, float) and np.isnan(got)), (name, s, y, got)
            elif isinstance(want, str):
                assert got == want, (name, s, y, got)
            else:
                assert float(got) == pytest.approx(float(want), rel=1e-12, abs=1e-15), (name, s, y)


def pd_na():
    import pandas as pd
    return pd.NA


def test_unbuilt_are_reported_with_reason(panel):
    assert "text_measures" in panel.unbuilt["exec_innovation_awareness"]
    assert "ai_new_firms" in panel.unbuilt["aicitynew"]
    assert "new_energy" in panel.unbuilt["newenergy"]
    assert panel.unbuilt["TFP_LP"] == "measures=False"
    for name in panel.unbuilt:
        assert name not in panel.frame.columns
    assert "lnAI" in panel.built and "Size" in panel.built


def test_dictionary(panel):
    d = panel.dictionary()
    assert list(d.columns[:6]) == ["name", "label_zh", "label_en", "unit", "role", "kind"]
    row = d.set_index("name").loc["Size"]
    assert row["definition"] == "ln(total_assets)" and row["label_zh"] == "企业规模" and row["built"]
    assert not d.set_index("name").loc["aicitynew", "built"]


def test_warehouse_is_not_modified(hand_warehouse):
    import hashlib
    before = hashlib.sha256(hand_warehouse.read_bytes()).hexdigest()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_panel(hand_warehouse, first_year=2015, last_year=2017, measures=False)
    assert hashlib.sha256(hand_warehouse.read_bytes()).hexdigest() == before


def _hand_panel(path, definitions=None):
    opts = SampleOptions(drop_st=False, drop_financial=False, key_variables=(), winsorize=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_panel(path, first_year=2015, last_year=2017, measures=False, sample=opts,
                           definitions=definitions)


def test_aiinvest_unbuilt_without_asset_items_table(tmp_path):
    import handmade
    tables = handmade.statements()
    del tables["asset_items"]
    p = _hand_panel(handmade.write_warehouse(tmp_path / "no_items.duckdb", tables))
    assert "asset_items" in p.unbuilt["AIinvest"], p.unbuilt.get("AIinvest")
    assert "AIinvest" not in p.frame.columns and "Size" in p.built


def test_aiinvest_zero_denominator_warns(hand_warehouse):
    from nqp.errors import DataWarning
    opts = SampleOptions(drop_st=False, drop_financial=False, key_variables=(), winsorize=False)
    with pytest.warns(DataWarning, match="AIinvest.*firm 600003 year 2016"):
        build_panel(hand_warehouse, first_year=2015, last_year=2017, measures=False, sample=opts)


def test_aiinvest_keywords_are_data(hand_warehouse, tmp_path):
    """A user's ai_asset_keywords.toml in a definitions directory replaces the shipped list."""
    (tmp_path / "ai_asset_keywords.toml").write_text(
        'keywords = ["软件"]\nasset_classes = ["固定资产", "无形资产"]\n', encoding="utf-8")
    fy = _hand_panel(hand_warehouse, definitions=tmp_path).firm_years.set_index(["stkcd", "year"])
    assert fy.loc[("000001", 2015), "AIinvest"] == pytest.approx(50 / 1050, rel=1e-12)
    assert fy.loc[("000002", 2016), "AIinvest"] == 0.0          # 智能算法软件 has amount 0
    assert fy.loc[("600003", 2015), "AIinvest"] == 0.0


def test_aiinvest_bad_keyword_file(tmp_path):
    from nqp.errors import ConfigError
    (tmp_path / "ai_asset_keywords.toml").write_text('keywords = []\nasset_classes = ["固定资产"]\n',
                                                     encoding="utf-8")
    with pytest.raises(ConfigError, match="keywords"):
        load_definitions(tmp_path)


def test_asset_item_sums_do_not_depend_on_the_row_order(tmp_path):
    """The firm-year sums of the asset notes are added in a fixed order, so the same items stored
    in another order (another export, another ingest, another thread schedule) give the same bits.
    Amounts of very different sizes make a plain sum order-dependent: 1e16 + 1 - 1e16 is 0 or 1."""
    import handmade
    import pandas as pd
    tables = handmade.statements()
    items = tables["asset_items"]
    extra = pd.DataFrame({"stkcd": "000001", "accper": pd.Timestamp("2015-12-31"), "asset_class": "固定资产",
                          "item": ["工业机器人", "人工智能平台", "机器人工作站"], "closing_amount": [1e16, 1.0, -1e16]})
    items = pd.concat([items, extra], ignore_index=True)
    values = []
    for name, order in (("forward", items), ("reversed", items.iloc[::-1])):
        tables["asset_items"] = order.reset_index(drop=True)
        fy = _hand_panel(handmade.write_warehouse(tmp_path / f"{name}.duckdb", tables)).firm_years
        values.append(fy.set_index(["stkcd", "year"]).loc[("000001", 2015), ["AIinvest"]].to_numpy())
    assert values[0].tobytes() == values[1].tobytes()
