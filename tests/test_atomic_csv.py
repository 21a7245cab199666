"""atomic_write_csv writes the bytes pandas' ``to_csv(index=False, encoding="utf-8-sig")`` writes.

pandas is the oracle: DuckDB writes the frames whose column types it formats the same way, and
each case below is compared byte for byte with what pandas itself writes for the same frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nqp.atomic import _duckdb_csv_columns, atomic_write_csv


def _pandas_bytes(frame: pd.DataFrame, tmp_path) -> bytes:
    ref = tmp_path / "pandas.csv"
    frame.to_csv(ref, index=False, encoding="utf-8-sig")
    return ref.read_bytes()


def _mixed_frame(n: int = 2_000) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    floats = rng.normal(size=n) * 10.0 ** rng.integers(-30, 30, size=n)
    floats[::17] = np.nan
    floats[1] = np.inf
    floats[2] = -np.inf
    floats[3] = -0.0
    floats[4] = 0.1 + 0.2
    floats[5] = 5e-324
    floats[6] = 1e16
    text = np.array(["a,b", 'q"x', "", "line\nbreak", " lead", "中文", "it's", "plain", "semi;colon", "tab\tin"],
                    dtype=object)[rng.integers(0, 10, size=n)]
    text[::13] = None
    return pd.DataFrame({
        "stkcd": [f"{i:06d}" for i in rng.integers(1, 700_000, size=n)],
        "year": rng.integers(2010, 2023, size=n),
        "f64": floats,
        "u8": rng.integers(0, 255, size=n).astype(np.uint8),
        "i32": rng.integers(-9, 9, size=n).astype(np.int32),
        "flag": rng.random(n) < 0.5,
        "text": text,
        "str": pd.array(list(text), dtype="str"),
        'a "quoted", name': rng.random(n),
        "省份": ["江苏省"] * n,
    })


def test_same_bytes_as_pandas_on_numbers_flags_and_text(tmp_path):
    frame = _mixed_frame()
    assert _duckdb_csv_columns(frame) is not None  # this frame goes through DuckDB
    atomic_write_csv(frame, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == _pandas_bytes(frame, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "pandas.csv"]  # no temporary left


def test_same_bytes_as_pandas_on_the_panel_layout(tmp_path):
    """The columns of panel.csv: string codes, int year, 0/1 floats, bools, floats with NaN."""
    rng = np.random.default_rng(5)
    n = 5_000
    frame = pd.DataFrame({"stkcd": pd.array([f"{i:06d}" for i in rng.integers(1, 5000, n)], dtype="str"),
                          "year": rng.integers(2010, 2023, n), "industry": pd.array(["C26"] * n, dtype="str"),
                          "financial": np.zeros(n, bool), "SOE": rng.integers(0, 2, n).astype(float),
                          "NQP": np.where(rng.random(n) < 0.1, np.nan, rng.gamma(2.0, 10.0, n))})
    atomic_write_csv(frame, tmp_path / "panel.csv")
    assert (tmp_path / "panel.csv").read_bytes() == _pandas_bytes(frame, tmp_path)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"d": pd.to_datetime(["2020-01-01", "2021-06-30"]), "x": [1.0, 2.0]}),
    pd.DataFrame({"c": pd.Categorical(["a", "b"]), "x": [1, 2]}),
    pd.DataFrame({"m": [1, "a"], "x": [1, 2]}),
    pd.DataFrame({"n": pd.array([1, None], dtype="Int64")}),
    pd.DataFrame({"b": pd.array([True, None], dtype="boolean")}),
    pd.DataFrame({"x": pd.Series([], dtype=float)}),
    pd.DataFrame({0: [1.0], 1: [2.0]}),
    pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index([5, 3], name="k")),
    pd.DataFrame({"s": ["a\rb", "c"], "x": [1.0, 2.0]}),
    pd.DataFrame({"f32": (np.random.default_rng(1).normal(size=500) * 1e15).astype(np.float32)}),
], ids=["dates", "categories", "mixed", "nullable-int", "nullable-bool", "empty", "int-names", "index", "carriage-return", "float32"])
def test_other_frames_same_bytes_as_pandas(frame, tmp_path):
    atomic_write_csv(frame, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == _pandas_bytes(frame, tmp_path)


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_bytes(b"old")
    import duckdb

    def broken(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(duckdb, "connect", broken)
    with pytest.raises(OSError):
        atomic_write_csv(_mixed_frame(50), target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
