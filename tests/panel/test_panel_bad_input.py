"""Bad input: duplicated fiscal years, negative employees, a formula naming a missing field,
all-missing and zero-variance indicators."""

import warnings

import numpy as np
import pandas as pd
import pytest

import handmade
from nqp.errors import ConfigError, ConstantIndicatorWarning, DataWarning, InputError
from nqp.panel import SampleOptions, build_panel
from nqp.panel.sample import SampleReport, drop_missing

LOOSE = SampleOptions(drop_st=False, drop_financial=False, key_variables=(), winsorize=False)


def _warehouse(tmp_path, edit):
    tables = handmade.statements()
    tables["patent_counts"] = handmade.patent_counts()
    edit(tables)
    return handmade.write_warehouse(tmp_path / "w.duckdb", tables)


def _build(path, **kw):
    kw.setdefault("sample", LOOSE)
    return build_panel(path, first_year=2015, last_year=2017, measures=False, **kw)


def test_two_fiscal_year_rows_name_table_firm_year(tmp_path):
    def edit(t):
        emp = t["employee_structure"]
        t["employee_structure"] = pd.concat([emp, emp[(emp.stkcd == "000002") & (emp.end_date.dt.year == 2016)]])
    path = _warehouse(tmp_path, edit)
    with pytest.raises(InputError, match="two fiscal-year rows") as exc:
        _build(path)
    assert (exc.value.table, exc.value.firm, exc.value.year) == ("employee_structure", "000002", 2016)


def test_negative_employees_warn_and_become_missing(tmp_path):
    def edit(t):
        emp = t["employee_structure"]
        emp.loc[(emp.stkcd == "600003") & (emp.end_date.dt.year == 2017), "employees"] = -5
    path = _warehouse(tmp_path, edit)
    with pytest.warns(DataWarning, match="non-positive employees") as rec:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConstantIndicatorWarning)
            p = _build(path)
    w = next(r.message for r in rec if "employees" in str(r.message))
    assert (w.variable, w.firm, w.year) == ("employees", "600003", 2017)
    fy = p.firm_years.set_index(["stkcd", "year"])
    assert pd.isna(fy.loc[("600003", 2017), "lnemploy"])
    assert pd.isna(fy.loc[("600003", 2017), "employees"])
    assert fy.loc[("600003", 2016), "lnemploy"] == pytest.approx(np.log(310))


def test_zero_denominator_warns_naming_variable_and_firm_year(tmp_path):
    def edit(t):
        reg = t["revenue_by_region"]
        m = (reg.stkcd == "000001") & (reg.accper.dt.year == 2016)
        reg.loc[m, ["domestic_revenue", "overseas_revenue"]] = 0.0
    path = _warehouse(tmp_path, edit)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        p = _build(path)
    msgs = [r.message for r in rec if isinstance(r.message, DataWarning) and r.message.variable == "over_rev"]
    assert msgs and msgs[0].firm == "000001" and msgs[0].year == 2016
    assert pd.isna(p.firm_years.set_index(["stkcd", "year"]).loc[("000001", 2016), "over_rev"])


def test_formula_naming_missing_field(tmp_path, hand_warehouse):
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "variables.toml").write_text(
        '[[variable]]\nname = "Size"\nexpr = "ln(total_assets)"\n\n'
        '[[variable]]\nname = "cashratio"\nexpr = "cash_and_equivalents / total_assets"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        _build(hand_warehouse, definitions=defs)
    assert exc.value.variable == "cashratio" and exc.value.column == "cash_and_equivalents"
    assert "cash_and_equivalents" in str(exc.value)


def test_prev_of_missing_field(tmp_path, hand_warehouse):
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "variables.toml").write_text(
        '[[variable]]\nname = "g"\nexpr = "sales / prev_sales - 1"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        _build(hand_warehouse, definitions=defs)
    assert exc.value.variable == "g" and exc.value.column == "prev_sales"


def test_zero_variance_indicator_named_by_index(hand_warehouse):
    # fixed assets are 30% of total assets for every hand-made firm-year
    with pytest.warns(ConstantIndicatorWarning) as rec:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            _build(hand_warehouse, sample=SampleOptions(drop_st=False, drop_financial=False, winsorize=False,
                                                         key_variables=("Size",)))
    assert "fixed_asset_share" in {r.message.column for r in rec}


def test_all_missing_indicator_is_named(tmp_path):
    def edit(t):
        t["rd_expense_items"]["rd_direct_input"] = np.nan
    path = _warehouse(tmp_path, edit)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        p = _build(path, sample=SampleOptions(drop_st=False, drop_financial=False, winsorize=False,
                                              key_variables=("Size",)))
    named = [r.message for r in rec if isinstance(r.message, DataWarning)
             and r.message.variable == "rd_direct_input_share"]
    assert named and "not in the NQP index" in str(named[0])
    assert "every firm-year" in p.unbuilt["rd_direct_input_share"]
    assert any("rd_direct_input_share" in n for n in p.sample_report.notes)
    assert "rd_direct_input_share" not in p.index_result.weights.index


def test_key_variable_missing_everywhere_is_an_error():
    f = pd.DataFrame({"stkcd": ["1", "2"], "year": [2015, 2015], "Size": [1.0, 2.0], "Lev": [np.nan, np.nan]})
    with pytest.raises(InputError) as exc:
        drop_missing(f, ["Size", "Lev"], SampleReport())
    assert exc.value.variable == "Lev"


@pytest.mark.parametrize(("tail", "error", "match"), [
    ("", InputError, "b has 2 rows for firm 000002 in 2016"),
    (", bad AS (SELECT nope FROM a)", InputError, "b has 2 rows for firm 000002 in 2016"),  # the check before it first
])
def test_firm_year_check_names_the_first_duplicated_source(tail, error, match):
    import duckdb

    from nqp.panel.base import check_firm_years
    con = duckdb.connect()
    con.execute("CREATE TABLE a AS SELECT * FROM (VALUES ('000001', 2016), ('000002', 2016)) t(stkcd, year)")
    con.execute("CREATE TABLE b AS SELECT * FROM (VALUES ('000002', 2016), ('000002', 2016), ('000003', 2017), "
                "('000003', 2017)) t(stkcd, year)")
    sql = f"WITH\nka AS (SELECT * FROM a),\nkb AS (SELECT * FROM b),\nkb2 AS (SELECT * FROM b){tail}\nSELECT * FROM ka"
    with pytest.raises(error, match=match) as exc:
        check_firm_years(con, sql)
    assert "(2 duplicated firm-year(s) in all)" in str(exc.value)


def test_firm_year_check_passes_a_source_duckdb_cannot_bind_on():
    import duckdb

    from nqp.panel.base import check_firm_years
    con = duckdb.connect()
    con.execute("CREATE TABLE a AS SELECT * FROM (VALUES ('000001', 2016)) t(stkcd, year)")
    with pytest.raises(duckdb.BinderException):
        check_firm_years(con, "WITH\nka AS (SELECT * FROM a),\nbad AS (SELECT nope FROM a)\nSELECT * FROM ka")
    assert check_firm_years(con, "WITH\nka AS (SELECT * FROM a)\nSELECT * FROM ka") == {"ka": ["stkcd", "year"]}
