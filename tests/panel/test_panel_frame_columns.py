"""The formula step appends each variable to the firm-year frame as a column (Arrow): every value
must land on its own firm-year, whatever order DuckDB's join gives, and ±inf/NaN become NULL."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from nqp.errors import DataWarning
from nqp.panel.base import Workspace
from nqp.panel.config import Variable
from nqp.panel.formulas import ROW, add_prev, eval_document, eval_formula


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
