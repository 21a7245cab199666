"""Ctrl-C during ``nqp demo``: exit code 130 and one line, no traceback (of the main process or of
a worker), no leaked semaphores, no worker left running, no half-written output folder.

The interrupt is sent once each stage has begun (the annual reports' workers run from the
exports' end to the text stage's end; the warehouse's queries turn Ctrl-C into DuckDB's own
exception). Earlier, an interrupt there left tracebacks of the report workers and DuckDB's,
and a ``.OUT.partial`` folder the text thread went on writing checkpoints into."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2:].split()[1]) == pid:
                out.append(int(entry))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("stage", ["▶ ingest", "▶ patents"])
def test_ctrl_c_in_a_stage_ends_the_demo_cleanly(tmp_path, stage):
    out, log = tmp_path / "demo", tmp_path / "demo.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "nqp.cli", "demo", "--scale", "0.05", "--out", str(out)],
                                stdout=fh, stderr=subprocess.STDOUT, env=env,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 240
        while stage not in log.read_text(errors="replace") and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the demo ended before the stage began"
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(120)
    time.sleep(1.0)  # the resource tracker reports leaks as it ends
    text = log.read_text(errors="replace")
    assert rc == 130, text[-2000:]
    assert "interrupted; outputs already in place are unchanged" in text
    assert "Traceback" not in text and "leaked" not in text, text[-3000:]
    assert not out.exists() and not (tmp_path / ".demo.partial").exists(), sorted(p.name for p in tmp_path.iterdir())
    alive = [p for p in workers if os.path.exists(f"/proc/{p}") and "Z" not in open(f"/proc/{p}/stat").read().split()[2]]
    assert not alive
