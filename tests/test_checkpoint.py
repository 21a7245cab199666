"""PartStore: the merged checkpoint rows are the same from memory (this run) and from the part
files (a resumed run), with column types promoted across parts."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from nqp.jobs.checkpoint import PartStore


def _parts() -> list[tuple[pa.Table, list[str]]]:
    ok = pa.table({"stkcd": ["000001", "000002"], "year": [2015, 2015], "aiword": [3, None],
                   "message": pa.array([None, None], pa.null())})
    failed = pa.table({"stkcd": ["000003"], "year": [2016], "aiword": pa.array([None], pa.int64()),
                       "message": ["unreadable PDF"]})
    return [(ok, ["a", "b"]), (failed, ["c"])]


def test_rows_from_memory_equal_rows_from_the_files(tmp_path):
    out = tmp_path / "text_measures.parquet"
    store = PartStore(out, "fp")
    for table, keys in _parts():
        store.write(table, keys)
    mine = store.read_all()
    resumed = PartStore(out, "fp")  # a new run: nothing in memory, the same part files
    assert resumed.done_keys() == {"a", "b", "c"}
    theirs = resumed.read_all()
    key = ["stkcd", "year"]
    mine, theirs = (f.sort_values(key).reset_index(drop=True) for f in (mine, theirs))
    pd.testing.assert_frame_equal(mine, theirs)
    assert mine["message"].isna().tolist() == [True, True, False]  # all-null part promoted to text
    assert mine["message"].iloc[2] == "unreadable PDF"
    assert mine["aiword"].tolist()[0] == 3 and mine["aiword"].isna().tolist() == [False, True, True]


def test_pandas_parts_keep_their_dtypes(tmp_path):
    store = PartStore(tmp_path / "counts.parquet", "fp")
    store.write(pd.DataFrame({"stkcd": ["000001"], "n": pd.array([1], dtype="Int64")}), ["p1"])
    store.write(pd.DataFrame({"stkcd": ["000002"], "n": pd.array([None], dtype="Int64")}), ["p2"])
    got = PartStore(tmp_path / "counts.parquet", "fp").read_all()
    assert str(got["n"].dtype) == "Int64" and len(got) == 2
