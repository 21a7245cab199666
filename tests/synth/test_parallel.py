"""Worker processes change nothing: ``nqp synth`` with 1 and with 2 workers, in two processes
with different ``PYTHONHASHSEED``, writes the same bytes in every file.

With one worker the reports are cut into other chunks (and run in the calling process) than
with two, so this also checks that a report does not depend on its chunk.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _synth(out: Path, workers: int, hashseed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    proc = subprocess.run([sys.executable, "-m", "nqp.cli", "synth", "--out", str(out), "--scale", "0.02",
                           "--seed", "5", "--pdf-reports", "3", "--workers", str(workers), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_one_and_two_workers_write_identical_bytes(tmp_path):
    _synth(tmp_path / "serial", 1, "1")
    _synth(tmp_path / "parallel", 2, "2")
    a, b = _files(tmp_path / "serial"), _files(tmp_path / "parallel")
    assert sorted(a) == sorted(b)
    assert len([k for k in a if k.startswith("reports/")]) > 500  # more than one chunk of reports
    assert any(k.endswith(".xls") for k in a) and any(k.endswith(".xlsx") for k in a)
    differ = [k for k in a if a[k] != b[k]]
    assert not differ, f"{len(differ)} files differ, e.g. {differ[:10]}"
    assert not (tmp_path / "parallel" / ".reports.tmp").exists()
