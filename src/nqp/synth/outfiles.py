"""The files a synth run writes, each with its size and sha256 for ``manifest.json``.

A :class:`Written` is used in the main process and in each worker process: a worker's
``hashes`` go back to the main process, which merges them into the manifest.
"""

from __future__ import annotations

import hashlib
import io
import json
from json.encoder import encode_basestring
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nqp.atomic import atomic_write_bytes
from nqp.synth.writers import FileFormat, table_files


def digest(data: bytes) -> tuple[int, str]:
    """(size, sha256 hex) of a file's bytes, as the manifest lists them."""
    return len(data), hashlib.sha256(data).hexdigest()


class Written:
    """Writes files under ``root`` and collects their digests (``hashes``, by relative path)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hashes: dict[str, tuple[int, str]] = {}

    def put(self, rel: str, data: bytes) -> None:
        """Write ``data`` to ``root/rel`` (atomically)."""
        atomic_write_bytes(self.root / rel, data)
        self.hashes[rel] = digest(data)

    def table(self, df: pd.DataFrame, name: str, fmt: FileFormat) -> None:
        """Write warehouse table ``name`` as its vendor export (and ``[DES]`` sidecar)."""
        for file, data in table_files(df, name, fmt):
            self.put(file, data)

    def parquet(self, rel: str, df: pd.DataFrame) -> None:
        """Write ``df`` as Parquet (no index)."""
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), buf)
        self.put(rel, buf.getvalue())


def table_job(root: Path, df: pd.DataFrame, name: str, fmt: FileFormat) -> dict[str, tuple[int, str]]:
    """Write one table (in a worker process) and return the digests of its files."""
    out = Written(root)
    out.table(df, name, fmt)
    return out.hashes


def manifest_bytes(fields: dict, hashes: dict[str, tuple[int, str]]) -> bytes:
    """``manifest.json``: ``fields`` and then ``files``, one ``{path, bytes, sha256}`` per file of
    ``hashes`` in path order, as ``json.dumps(..., ensure_ascii=False, indent=1)`` writes it.

    The file entries (~38,600 at scale 1) are formatted here rather than by json, whose indenting
    encoder is pure Python (~0.3 CPU s on the run's last, single-core stretch); same bytes."""
    head = json.dumps({**fields, "files": []}, ensure_ascii=False, indent=1)
    if not hashes:
        return head.encode("utf-8")
    assert head.endswith('"files": []\n}')
    entries = ",\n".join(f'  {{\n   "path": {encode_basestring(path)},\n   "bytes": {size},\n   "sha256": "{sha}"\n  }}'
                         for path, (size, sha) in sorted(hashes.items()))
    return (head[:-len("[]\n}")] + "[\n" + entries + "\n ]\n}").encode("utf-8")
