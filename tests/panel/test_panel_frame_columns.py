"""The formula step appends each variable to the firm-year frame as a column (Arrow): every value
must land on its own firm-year, whatever order DuckDB's join gives, and ±inf/NaN become NULL."""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pytest

from nqp.errors import ConfigError, DataWarning
from nqp.panel.base import Workspace
from nqp.panel.config import Variable
from nqp.panel.formulas import ROW, add_prev, eval_document, eval_formula, eval_formulas


@pytest.fixture()
def ws():
    con = duckdb.connect()
    con.execute("CREATE TABLE base AS SELECT printf('%06d', f) AS stkcd, y AS year, (f * 100 + y - 2000)::DOUBLE AS x "
                "FROM range(1, 40) t(f), range(2009, 2016) s(y)")
    # a document table in reverse order, without some firm-years
    con.execute("CREATE TABLE docs AS SELECT stkcd, year, x * 2 AS twice FROM base WHERE (year + x) % 3 <> 0 "
                "ORDER BY stkcd DESC, year DESC")
    w = Workspace(con=con, tables=["base", "docs"])
    yield w
    w.close()


def test_columns_land_on_their_firm_years(ws):
    add_prev(ws, ["x"], [Variable(name="g", expr="x / prev_x - 1")])
    eval_document(ws, Variable(name="doc", expr="twice", kind="document", table="docs", absent=-1.0), "twice")
    eval_formula(ws, Variable(name="g", expr="x / prev_x - 1"), "x / prev_x - 1")
    out = ws.con.execute(f"SELECT * EXCLUDE ({ROW}) FROM frame ORDER BY stkcd, year").df()
    stk, year, x = out["stkcd"].astype(int).to_numpy(), out["year"].to_numpy(), out["x"].to_numpy()
    assert np.array_equal(x, stk * 100 + year - 2000)
    want_doc = np.where((year + x) % 3 != 0, 2 * x, -1.0)
    assert np.array_equal(out["doc"].to_numpy(), want_doc)
    prev = np.where(year > 2009, x - 1, np.nan)
    assert np.allclose(out["g"].to_numpy(), x / prev - 1, equal_nan=True)


def test_inf_and_nan_become_null_with_a_warning(ws):
    add_prev(ws, [], [])
    with pytest.warns(DataWarning, match="±inf or NaN"):
        eval_formula(ws, Variable(name="r", expr="x / (year - 2012)"), "x / (year - 2012)")
    eval_formula(ws, Variable(name="r2", expr="r * 0 + 1"), "r * 0 + 1")  # a later variable sees NULL
    out = ws.con.execute("SELECT year, r, r2 FROM frame").df()
    assert out.loc[out["year"] == 2012, ["r", "r2"]].isna().all().all()
    assert out.loc[out["year"] != 2012, ["r", "r2"]].notna().all().all()


def _run(*pairs: tuple[str, str]) -> list[tuple[Variable, str]]:
    return [(Variable(name=n, expr=e), e) for n, e in pairs]


def test_a_run_in_one_query_is_the_formulas_one_by_one(ws):
    run = _run(("a", "x / (year - 2012)"), ("b", "ln(x - 500)"), ("c", "CAST(x AS BIGINT) % 7"))
    add_prev(ws, [], [])
    with warnings.catch_warnings(record=True) as one:
        warnings.simplefilter("always")
        for v, e in run:
            eval_formula(ws, v, e)
    alone = ws.frame
    add_prev(ws, [], [])
    with warnings.catch_warnings(record=True) as together:
        warnings.simplefilter("always")
        eval_formulas(ws, run)
    assert ws.frame.equals(alone)
    assert [str(w.message) for w in together] == [str(w.message) for w in one] and len(one) == 2


@pytest.mark.parametrize(("run", "match"), [
    (_run(("a", "x + 1"), ("b", "nope * 2"), ("c", "x")), "formula of b names field 'nope'"),
    (_run(("a", "x + 1"), ("A", "x * 2")), "variable A has the name of an existing column 'a'"),
    (_run(("a", "x + 1"), ("X", "x * 2")), "variable X has the name of an existing column 'x'"),
])
def test_a_run_fails_as_its_first_formula_at_fault(ws, run, match):
    add_prev(ws, [], [])
    with pytest.raises(ConfigError, match=match):
        eval_formulas(ws, run)
