"""Stage results into the warehouse: rows replaced by key, several tables in one commit."""

import duckdb
import pandas as pd
import pytest

from nqp.jobs.store import upsert_table, upsert_tables


def _read(db, table):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
    finally:
        con.close()


def test_upsert_replaces_rows_with_the_same_key_and_keeps_the_others(tmp_path):
    db = tmp_path / "w.duckdb"
    upsert_table(db, "t", pd.DataFrame({"k": [1, 2], "v": ["a", "b"]}), ["k"])
    upsert_table(db, "t", pd.DataFrame({"k": [2, 3], "v": ["B", "c"]}), ["k"])
    assert _read(db, "t").to_dict("list") == {"k": [1, 2, 3], "v": ["a", "B", "c"]}


def test_upsert_tables_writes_every_table_or_none(tmp_path):
    db = tmp_path / "w.duckdb"
    upsert_tables(db, [("a", pd.DataFrame({"k": [1]}), ["k"]), ("b", pd.DataFrame({"k": [2], "x": [0.5]}), ["k"])])
    assert _read(db, "a")["k"].tolist() == [1] and _read(db, "b")["x"].tolist() == [0.5]
    before = db.read_bytes()
    with pytest.raises(duckdb.Error):  # the second table's key names no column: nothing is written
        upsert_tables(db, [("a", pd.DataFrame({"k": [1, 5]}), ["k"]),
                           ("b", pd.DataFrame({"k": [2], "x": [0.7]}), ["missing"])])
    assert db.read_bytes() == before
    assert _read(db, "a")["k"].tolist() == [1]
