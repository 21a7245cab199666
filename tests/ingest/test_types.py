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


def test_float_check_is_the_regex():
    """The plain-decimal shortcut of the float check accepts exactly what the _FLOAT regex does."""
    import random

    import pyarrow.compute as pc

    from nqp.ingest.validate import _FLOAT, _matches_float, _strip_plus

    rng = random.Random(7)
    chars = "0123456789.+-eE x٣²１"
    cells = ["", ".", "+", "-", "+.", "-.5", "5.", "..5", "1.2.3", "--5", "+-5", "1e", "1e+", "１２", "٣", "²"]
    cells += ["".join(rng.choice(chars) for _ in range(rng.randint(0, 7))) for _ in range(20_000)]
    text = pa.array(cells, pa.string())
    assert _matches_float(text).equals(pc.match_substring_regex(text, _FLOAT))
    assert _strip_plus(text).equals(pc.replace_substring_regex(text, r"^\+", ""))


@pytest.mark.parametrize("ftype", list(CASES))
def test_repeated_cells_parse_as_single_ones(ftype):
    """Each distinct cell is parsed once and spread back: a column of repeats, NULLs and bad cells
    gives row by row what the cells give one at a time (counts of padded and zero dates too)."""
    cells = [c for c, _ in CASES[ftype]]
    column = [cells[i % len(cells)] for i in range(5 * len(cells) + 3)] + [None]
    p = parse_column(pa.array(column, pa.string()), ftype)
    one = [parse_column(pa.array([c], pa.string()), ftype) for c in column]
    assert p.values.to_pylist() == [q.values[0].as_py() for q in one]
    assert p.bad.to_pylist() == [q.bad[0].as_py() for q in one]
    assert p.empty.to_pylist() == [q.empty[0].as_py() for q in one]
    assert p.padded == sum(q.padded for q in one)
    assert parse_column(pa.array(["0000-00-00", "2001-00-00"] * 3), "date").zero_dates == 3


def test_float_cast_path_is_the_regex():
    """A column Arrow's cast reads whole takes the cast path (``_cast_float``); its values and bad
    cells are those of the ``_FLOAT`` check and Python's ``float`` cell by cell ("inf", "nan" and
    overflowing exponents are bad, as the regex path has them)."""
    import math
    import random

    import pyarrow.compute as pc

    from nqp.ingest.validate import _FLOAT, _cast_float

    rng = random.Random(11)
    odd = ["inf", "-inf", "nan", "NaN", "Infinity", "1e999", "-1e400", "1e-400", "-0", "0", "5.", ".5", "-.5",
           "1E5", "1e+05", "00012", "1.7976931348623157e308", ""]
    for _ in range(300):
        cells = [rng.choice([f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 6)}f}", f"{rng.uniform(-1, 1):e}",
                             str(rng.randint(-10**6, 10**6)), rng.choice(odd)]) for _ in range(rng.randint(1, 12))]
        text = pa.array(cells, pa.string())
        assert _cast_float(text, pc.equal(text, "")) is not None  # the cast path is taken
        p = parse_column(text, "float")
        regex = pc.match_substring_regex(text, _FLOAT).to_pylist()
        good = [m and math.isfinite(float(c)) for c, m in zip(cells, regex)]
        assert p.bad.to_pylist() == [c != "" and not g for c, g in zip(cells, good)]
        assert p.values.to_pylist() == [float(c) if g else None for c, g in zip(cells, good)]
    assert _cast_float(pa.array(["+1.5", "2"]), pa.array([False, False])) is None  # "+": cell by cell
    assert _cast_float(pa.array(["1,5", "2"]), pa.array([False, False])) is None
