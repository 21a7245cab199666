"""Atomic file writes: every output nqp writes appears whole or not at all.

Each writer writes to a temporary file in the target's folder and moves it over the target
with ``os.replace`` (atomic on POSIX and Windows within one file system); on any error the
temporary file is removed and an existing target is left as it was.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def atomic_write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a CSV atomically, UTF-8 with BOM (so Excel shows Chinese), without the index."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
