"""Byte determinism across processes: the way it failed.

Two child processes with different ``PYTHONHASHSEED`` run ``nqp synth``, ``nqp ingest``,
``nqp text`` and ``nqp patents`` on the same seed; every file they write, and every warehouse
table's content, must be byte-identical. Python's per-process string hashing changes the
iteration order of sets of strings, which is what made two ``nqp synth --seed 11`` runs
differ; a test inside one process cannot see it (the order is the same within a process).
Both children run in the same folder path one after the other, so paths cannot differ.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHILD = Path(__file__).with_name("pipeline_child.py")


def _run(work: Path, keep: Path, hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    proc = subprocess.run([sys.executable, str(CHILD), str(work), "0.02", "11"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (work / "w.duckdb").unlink()
    shutil.move(str(work), str(keep))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_processes_with_different_hash_seeds_write_identical_bytes(tmp_path):
    work = tmp_path / "run"
    _run(work, tmp_path / "a", "1")
    _run(work, tmp_path / "b", "2")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert sorted(a) == sorted(b)
    assert len([k for k in a if k.startswith("raw/reports/")]) > 100
    assert {"tables/balance_sheet.csv", "tables/text_measures.csv", "tables/patent_counts.csv",
            "text_measures.parquet", "patent_counts.parquet"} <= set(a)
    differ = [k for k in a if a[k] != b[k]]
    assert not differ, f"{len(differ)} files differ, e.g. {differ[:10]}"
