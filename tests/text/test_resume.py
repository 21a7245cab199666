"""Kill `nqp text` half-way, run it again: nothing lost, nothing duplicated, finished parts kept."""

import subprocess
import sys
import time

import pandas as pd

N_DOCS, PART = 48, 4


def _corpus(d):
    d.mkdir()
    body = "\n".join(f"公司第{i}段积极推进人工智能与大数据应用,坚持创新驱动,研发投入持续增加。" for i in range(3000))
    for k in range(N_DOCS):
        extra = "深度学习。" * k  # a known, different count per report: ai_hits = 3000 + k
        (d / f"{k + 1:06d}_2020.txt").write_text(f"第四节 管理层讨论与分析\n{body}\n{extra}\n第五节 重要事项\n无。",
                                                  encoding="utf-8")


def _cmd(d, out):
    return [sys.executable, "-m", "nqp.cli", "text", "--reports", str(d), "--out", str(out), "--workers", "1",
            "--partition-size", str(PART), "--quiet", "--keep-parts"]


def test_kill_and_resume(tmp_path):
    d, out = tmp_path / "reports", tmp_path / "text.parquet"
    _corpus(d)
    parts = tmp_path / "text.parquet.parts"
    proc = subprocess.Popen(_cmd(d, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(parts.glob("part-*.parquet"))) < 3:
        time.sleep(0.01)
    assert proc.poll() is None, "the job finished before it could be killed"
    proc.kill()
    proc.wait()
    before = {p.name: p.stat().st_mtime_ns for p in parts.glob("part-*.parquet")}
    assert 3 <= len(before) < N_DOCS // PART and not out.exists()

    res = subprocess.run(_cmd(d, out), capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert f"skipped as already done {PART * len(before)}" in res.stdout
    assert f"done {N_DOCS - PART * len(before)} in this run" in res.stdout
    after = {p.name: p.stat().st_mtime_ns for p in parts.glob("part-*.parquet")}
    assert all(after[k] == v for k, v in before.items())  # finished parts were not redone
    rows = pd.read_parquet(out)
    assert len(rows) == N_DOCS and rows["stkcd"].is_unique
    assert rows["ai_hits"].tolist() == [3000 + k for k in range(N_DOCS)]
    assert (rows["status"] == "ok").all()
