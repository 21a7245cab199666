"""The same results.json gives byte-identical report files in two processes with different
hash seeds (DOCX/XLSX zip stamps and core dates fixed, SVG without dates and with fixed ids)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_two_processes_write_identical_bytes(results_path, tmp_path):
    """The second process draws the figures on two worker processes, the first in itself."""
    outs = []
    for seed, workers in (("1", "1"), ("987", "2")):
        out = tmp_path / f"out{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-c",
                        "import sys, nqp; nqp.write_report(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]))",
                        str(results_path), str(out), workers], check=True, env=env, timeout=300)
        outs.append(out)
    a = {p.relative_to(outs[0]): p.read_bytes() for p in outs[0].rglob("*") if p.is_file()}
    b = {p.relative_to(outs[1]): p.read_bytes() for p in outs[1].rglob("*") if p.is_file()}
    assert a.keys() == b.keys() and len(a) > 60
    differ = sorted(str(k) for k in a if a[k] != b[k])
    assert differ == []
