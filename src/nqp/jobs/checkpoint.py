"""Checkpoints of a long job: part files next to the output, merged atomically at the end.

Layout: ``<out>.parts/`` holds ``job.json`` (the job's fingerprint: inputs and options) and
``part-*.parquet`` files. Each part file is written to a temporary name and renamed
(``os.replace``), so it is either complete or absent; the keys of the work it covers (document
ids, partition ids) are stored in its schema metadata, so the part files *are* the ledger: a
killed run, started again, skips every key found there and redoes nothing. If the fingerprint
differs (other dictionaries, options or inputs), the old parts are discarded.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nqp.atomic import atomic_write_parquet, atomic_write_text

_KEYS = b"nqp_keys"


class PartStore:
    """Part files of one output file (see the module docstring)."""

    def __init__(self, out: str | Path, fingerprint: str) -> None:
        self.out = Path(out)
        self.dir = self.out.with_name(self.out.name + ".parts")
        self.fingerprint = fingerprint
        self.discarded = False
        self._written: dict[Path, pa.Table] = {}  # parts this process wrote, kept to be merged from memory
        meta = self.dir / "job.json"
        if self.dir.exists():
            try:
                old = json.loads(meta.read_text())["fingerprint"]
            except (OSError, ValueError, KeyError):
                old = None
            if old != fingerprint:
                shutil.rmtree(self.dir)
                self.discarded = True
        self.dir.mkdir(parents=True, exist_ok=True)
        if not meta.exists():
            atomic_write_text(meta, json.dumps({"fingerprint": fingerprint}))

    def parts(self) -> list[Path]:
        return sorted(self.dir.glob("part-*.parquet"))

    def done_keys(self) -> set[str]:
        """Keys of all work already checkpointed."""
        keys: set[str] = set()
        for p in self.parts():
            md = pq.read_schema(p).metadata or {}
            keys.update(json.loads(md.get(_KEYS, b"[]")))
        return keys

    def write(self, frame: pd.DataFrame | pa.Table, keys: list[str], name: str | None = None) -> Path:
        """Checkpoint ``frame`` (a pandas or Arrow table) as the result of ``keys`` (atomically)."""
        name = name or uuid.uuid4().hex[:12]
        path = self.dir / f"part-{name}.parquet"
        atomic_write_parquet(frame, path, {_KEYS: json.dumps(sorted(keys)).encode()})
        if isinstance(frame, pa.Table):
            self._written[path] = frame
        return path

    def read_all(self) -> pd.DataFrame:
        """All checkpointed rows, one frame (empty frame if none). Parts this process wrote as
        Arrow tables come from memory, the others from their files. Parts written from Arrow
        (no pandas metadata) are merged as Arrow tables -- a column's type promoted across
        parts, e.g. all-null in one part to the others' type -- and converted once; parts
        written from pandas are converted one by one (their dtypes restored) and concatenated."""
        tables = [self._written[p] if p in self._written else pq.read_table(p) for p in self.parts()]
        tables = [t for t in tables if t.num_rows]
        if not tables:
            return pd.DataFrame()
        if any(b"pandas" in (t.schema.metadata or {}) for t in tables):
            return pd.concat([t.to_pandas() for t in tables], ignore_index=True)
        return pa.concat_tables([t.replace_schema_metadata(None) for t in tables],
                                promote_options="permissive").to_pandas()

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

