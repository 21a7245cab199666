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
        return path

    def read_all(self) -> pd.DataFrame:
        """All checkpointed rows, one frame (empty frame if none)."""
        frames = [pq.read_table(p).to_pandas() for p in self.parts()]
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

