"""The shortcuts of validate against the plain computation: blank records judged column by column
on the records still blank, and parse_column's masks spread from the distinct texts (all False
without a take when no text is marked)."""

from __future__ import annotations

import math
import random
import re

import pyarrow as pa
import pytest

from nqp.ingest.validate import _FLOAT, _blank_records, _parse_cells, parse_column


def _plain_blank(table: pa.Table) -> list[bool]:
    rows = table.to_pylist()
    return [all(not (v or "").strip() for v in r.values()) for r in rows]


@pytest.mark.parametrize("seed", range(6))
def test_blank_records_match_a_row_loop(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 40)
    cells = ["", " ", "\t", "x", "1"]
    weights = [6, 2, 1, 1, 1] if seed % 2 else [1, 0, 0, 3, 3]  # many blanks, or almost none
    table = pa.table({f"c{i}": pa.array([rng.choices(cells, weights)[0] for _ in range(n)], pa.string())
                      for i in range(rng.randint(1, 5))})
    expected = _plain_blank(table)
    got = _blank_records(table)
    if any(expected):
        assert got is not None and got.to_pylist() == expected
    else:
        assert got is None


def test_blank_records_blank_first_column_only():
    table = pa.table({"c0": ["", "", "a"], "c1": ["b", " ", ""]})
    assert _blank_records(table).to_pylist() == [False, True, False]
    assert _blank_records(pa.table({"c0": ["", "a"], "c1": ["b", ""]})) is None


@pytest.mark.parametrize("ftype, texts", [
    ("date", ["2015-12-31", "2015-12-00", "0000-00-00", "", "2015-02-30", "20151231", " 2016/1/2 "]),
    ("stkcd", ["1", "000001", "1.0", "", "SZ1", "600000"]),
    ("int", ["1", "+2", "3.0", "", "x", "-4"]),
    ("bool", ["1", "0", "是", "否", "", "maybe", "Y"]),
    ("str", ["a", " b ", "", "c"]),
    ("date", ["2015-12-31", "2016-02-29", "1999-01-01"]),  # every cell as written: Arrow's cast
    ("date", ["2015-12-31", "0999-12-31", "2015-02-29", "2015-12-3 ", "2015-12-00"]),  # 10 bytes, refused
    ("date", ["2015-12-31", "2999-12-31", "3000-01-01"]),
    ("stkcd", ["000001", "600000", "300750"]),
    ("stkcd", ["000001", "１２３４５６", "60000a", " 00001"]),
    ("float", ["1.5", "-2", "1e3", "", "inf"]),
])
@pytest.mark.parametrize("seed", range(3))
def test_parse_column_masks_match_the_cells(ftype, texts, seed):
    rng = random.Random(seed)
    pool = texts if seed else [t for t in texts if t and t not in ("2015-12-00", "0000-00-00")]  # nothing marked
    column = pa.array([rng.choice(pool) for _ in range(50)], pa.string())
    parsed = parse_column(column, ftype)
    values, bad, empty, padded, zero = _parse_cells(column, ftype)
    assert parsed.values.to_pylist() == values.to_pylist()
    assert parsed.bad.to_pylist() == bad.to_pylist()
    assert parsed.empty.to_pylist() == empty.to_pylist()
    assert parsed.padded == sum(padded.to_pylist()) and parsed.zero_dates == sum(zero.to_pylist())


@pytest.mark.parametrize("pool", [
    ["1.5", "", "1e5", "-0.5", "12", "inf", "nan"],  # cast as written (no cell to trim)
    ["1.5", " 2", "3\t", " ", "", "+3", "x", "1e5", "-.5", "5."],  # trimmed, '+' and bad cells
])
def test_float_column_matches_the_rule(pool):
    """A float cell: trimmed, empty -> NULL, else a finite number matching _FLOAT (else bad)."""
    rng = random.Random(len(pool))
    texts = [rng.choice(pool) for _ in range(60)]
    parsed = parse_column(pa.array(texts, pa.string()), "float")
    expected, bad = [], []
    for t in texts:
        s = t.strip()
        ok = bool(re.fullmatch(_FLOAT, s)) and math.isfinite(float(s))
        expected.append(float(s) if ok else None)
        bad.append(bool(s) and not ok)
    assert parsed.values.to_pylist() == expected
    assert parsed.bad.to_pylist() == bad
    assert parsed.empty.to_pylist() == [not t.strip() for t in texts]


def test_collector_paused_restores_the_collector(data_dir, load):
    import gc

    from ingest_exports import write_csv

    from nqp.ingest.load import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()
    write_csv(data_dir / "FS_Test.csv")
    load(data_dir)
    assert gc.isenabled()
    (data_dir / "FS_Test.csv").write_bytes(b"Stkcd,Accper\n\x00")
    with pytest.raises(Exception):
        load(data_dir)
    assert gc.isenabled()  # also after an error
