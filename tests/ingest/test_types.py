"""Cell conversion per mapping type, against hand-written expectations (mapping README)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from nqp.ingest.validate import parse_column

D = dt.date
CASES = {
    "stkcd": [("1", "000001"), ("1.0", "000001"), (" 600000 ", "600000"), ("", None),
              ("1234567", "bad"), ("SZ000001", "bad"), ("1.5", "bad")],
    "int": [("12", 12), ("-3", -3), ("+4", 4), ("7.0", 7), ("", None), ("3.5", "bad"), ("1e3", "bad"),
            ("9" * 19, "bad")],
    "float": [("1.5", 1.5), ("+1.5", 1.5), ("-0.25", -0.25), (".5", 0.5), ("3.", 3.0), ("1e3", 1000.0), ("1.2E-2", 0.012),
              ("", None), ("1,5", "bad"), ("nan", "bad"), ("inf", "bad"), ("1e999", "bad"), ("--", "bad")],
    "bool": [("1", True), ("0", False), ("Y", True), ("n", False), ("是", True), ("否", False),
             ("true", True), ("", None), ("2", "bad")],
    "date": [("2015-12-31", D(2015, 12, 31)), ("2015/6/3", D(2015, 6, 3)), ("20151231", D(2015, 12, 31)),
             ("1993-12-00", D(1993, 12, 1)), ("2001-00-00", D(2001, 1, 1)),
             ("2015-12-31 00:00:00", D(2015, 12, 31)), ("2016-02-29", D(2016, 2, 29)), ("", None),
             ("2015-02-29", "bad"), ("2015-13-01", "bad"), ("201512", "bad"), ("31/12/2015", "bad")],
    "str": [(" 平安银行 ", "平安银行"), ("", None), ("A", "A")],
}


@pytest.mark.parametrize("ftype", list(CASES))
def test_parse_column(ftype):
    cells, want = zip(*CASES[ftype])
    p = parse_column(pa.array(cells, pa.string()), ftype)
    assert p.bad.to_pylist() == [w == "bad" for w in want]
    assert p.values.to_pylist() == [None if w == "bad" else w for w in want]


def test_padded_dates_are_counted():
    assert parse_column(pa.array(["1993-12-00", "2001-00-00", "2001-01-01"]), "date").padded == 2


def test_excel_serial_dates_only_in_xlsx():
    assert parse_column(pa.array(["42916"]), "date", excel=True).values.to_pylist() == [D(2017, 6, 30)]
    assert parse_column(pa.array(["42916"]), "date").bad.to_pylist() == [True]
