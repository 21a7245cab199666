"""The text stage sends reports to the workers in batches: no report is lost or changed, the
rows do not depend on batch, partition or worker counts, and a report that hangs or crashes
its worker fails alone (its batch-mates get their normal rows)."""

import pandas as pd

from nqp.text.dictionary import shipped_dictionaries
from nqp.text.document import TextConfig, process_report
from nqp.text.reports import ReportFile, scan_reports
from nqp.text.stage import run_text


def _corpus(d, n=40):
    d.mkdir()
    for k in range(n):
        extra = "深度学习。" * k  # ai_hits = 2 + k
        (d / f"{k + 1:06d}_2020.txt").write_text(
            f"目录\n第四节 管理层讨论与分析......{k}\n第四节 管理层讨论与分析\n公司推进人工智能与大数据。\n"
            f"研发投入 1,234.5 12.3%\n- {k} -\n{extra}\n第五节 重要事项\n公司使用人工智能。", encoding="utf-8")
    return scan_reports(d)[0]


def test_rows_equal_serial_rows_whatever_the_batching(tmp_path):
    reports = _corpus(tmp_path / "r")
    cfg = TextConfig(tuple(shipped_dictionaries()))
    serial = pd.DataFrame([process_report(r, cfg) for r in reports]).drop(columns="seconds")
    outs = []
    for k, (workers, part) in enumerate(((1, 40), (2, 7), (2, 512))):
        rows = run_text(reports, cfg, tmp_path / f"o{k}.parquet", workers=workers, partition_size=part).rows
        assert rows["stkcd"].tolist() == [r.stkcd for r in reports]  # none lost, none twice
        outs.append((tmp_path / f"o{k}.parquet").read_bytes())
        for c in serial.columns:
            assert rows[c].tolist() == serial[c].tolist(), c
    assert serial["ai_hits"].tolist() == [2 + k for k in range(40)]
    assert outs[0] == outs[1] == outs[2]  # same bytes


def _slow_or_crashing(rep: ReportFile, cfg: TextConfig) -> dict:
    import os
    import time

    if rep.stkcd == "000006":
        time.sleep(60)
    if rep.stkcd == "000013":
        os._exit(3)
    return process_report(rep, cfg)


def test_a_hanging_or_crashing_report_fails_alone(tmp_path, monkeypatch):
    import nqp.text.stage as stage

    reports = _corpus(tmp_path / "r", n=20)
    cfg = TextConfig(tuple(shipped_dictionaries()))
    monkeypatch.setattr(stage, "process_report", _slow_or_crashing)
    rows = run_text(reports, cfg, tmp_path / "o.parquet", workers=2, partition_size=8, doc_timeout=2).rows
    assert rows["stkcd"].tolist() == [r.stkcd for r in reports]
    bad = rows.set_index("stkcd")[["status", "reason"]]
    assert bad.loc["000006"].tolist() == ["failed", "timeout"]
    assert bad.loc["000013"].tolist() == ["failed", "crashed"]
    ok = rows[~rows["stkcd"].isin(["000006", "000013"])]
    assert (ok["status"] == "ok").all() and ok["ai_hits"].tolist() == [2 + int(s) - 1 for s in ok["stkcd"]]
