"""Atomic file writes: every output nqp writes appears whole or not at all.

Each writer writes to a temporary file in the target's folder and moves it over the target
with ``os.replace`` (atomic on POSIX and Windows within one file system); on any error the
temporary file is removed and an existing target is left as it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success move it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_parquet(table: pa.Table | pd.DataFrame, path: str | os.PathLike,
                         metadata: dict[bytes, bytes] | None = None) -> None:
    """Write Parquet atomically; ``metadata`` is added to the schema's key-value metadata."""
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


_BOM = "\ufeff".encode("utf-8")


def atomic_write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a CSV atomically, UTF-8 with BOM (so Excel shows Chinese), without the index:
    the bytes of ``frame.to_csv(path, index=False, encoding="utf-8-sig")``.

    A frame of numbers, booleans and text is written by DuckDB's CSV writer (about six times
    faster than pandas' on the 33,000 x 59 panel: 0.7 against 4.0 CPU s), with pandas'
    conventions: True/False, an empty field for a missing value and for an empty string.
    Any other column (dates, categories, mixed objects; text with a carriage return, which
    DuckDB quotes and pandas does not) and pandas writes the frame."""
    with atomic_path(path) as tmp:
        columns = _duckdb_csv_columns(frame)
        if columns is None:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
            return
        import duckdb

        body = tmp.with_name(tmp.name + ".body")
        try:
            with duckdb.connect() as con:
                con.register("frame", frame)
                con.execute(f"COPY (SELECT {', '.join(columns)} FROM frame) TO '{_sql_text(body)}' "
                            "(FORMAT csv, HEADER true)")
            with open(tmp, "wb") as out, open(body, "rb") as src:
                out.write(_BOM)
                shutil.copyfileobj(src, out, 1 << 20)
        finally:
            body.unlink(missing_ok=True)


def _sql_text(value: object) -> str:
    return str(value).replace("'", "''")


def _duckdb_csv_columns(frame: pd.DataFrame) -> list[str] | None:
    """The SELECT list that makes DuckDB write ``frame`` as pandas would, or None when a
    column's type is not one whose text the two writers agree on (tests/test_atomic_csv.py)."""
    if frame.empty or not frame.columns.is_unique or not all(isinstance(c, str) for c in frame.columns):
        return None
    out = []
    for name, dtype in frame.dtypes.items():
        q = '"' + str(name).replace('"', '""') + '"'
        kind = getattr(dtype, "kind", "O")
        if isinstance(dtype, np.dtype) and (kind in "iu" or dtype == np.float64):  # (float32: not the same text)
            out.append(q)
        elif isinstance(dtype, np.dtype) and kind == "b":
            out.append(f"CASE WHEN {q} THEN 'True' ELSE 'False' END AS {q}")
        elif isinstance(dtype, pd.StringDtype) or (
                dtype == object and pd.api.types.infer_dtype(frame[name], skipna=True) in ("string", "empty")):
            if frame[name].str.contains("\r", regex=False).any():  # DuckDB quotes it, pandas does not
                return None
            out.append(f"NULLIF({q}, '') AS {q}")
        else:
            return None
    return out
