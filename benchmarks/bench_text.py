"""Text stage speed on the synthetic corpus (`nqp synth`) and on a 200-page Chinese PDF.

In-process figures are CPU seconds of this process (medians of 3), so that other users of the
shared machine do not distort them; multi-process figures are wall-clock.

1. Text measures per core, without PDF extraction (TXT reports: decode, clean, find the MD&A,
   count three dictionaries): MB/s and reports/s, side by side with the naive baseline (jieba
   tokens, then a per-keyword count over the tokens), on the same reports.
2. With PDF extraction: raw pypdfium2 extraction of a 200-page Chinese PDF (pages/s) against the
   whole nqp text stage on the same PDF. Target: nqp keeps at least 60% of the raw speed.
3. The stage over the corpus on 1 vs 2 local worker processes, and on 1 vs 2 Dask workers.
4. With ``--stage``: only ``text_stage`` as the demo calls it (default workers, partitions and
   limits) on a scale-1 synthetic corpus (38,538 reports, 8 of them PDFs), or on the reports
   folder given with ``--reports=DIR``; medians of ``--repeat=N`` runs (default 3) of wall
   seconds and CPU seconds (this process and its worker processes), with the load average.

Usage: python benchmarks/bench_text.py [SCALE]   (synthetic corpus scale, default 0.05)
       python benchmarks/bench_text.py --stage [--reports=DIR] [--repeat=N]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_seconds  # noqa: E402  (benchmarks/timing.py)


def _median_time(fn, repeat: int = 3) -> float:
    """Median CPU seconds of this process (the machine is shared: wall time would count others)."""
    return median_seconds(fn, repeat, clock="cpu")


def make_long_pdf(path: Path, pages: int = 200) -> None:
    """A 200-page report-like PDF: running header, page numbers, 40 lines of Chinese prose a page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    sents = ["公司坚持创新驱动发展战略，持续加大研发投入，推进人工智能与大数据技术在生产经营中的应用。",
             "报告期内，公司实现营业收入同比增长，经营活动现金流量保持充裕，资产负债结构合理。",
             "公司积极建设数据中心和数据平台，加强数据治理，提升数据资产的管理水平。",
             "公司尚未开展深度学习相关业务，未来将根据市场情况审慎决策。"]
    for p in range(pages):
        c.setFont("STSong-Light", 9)
        c.drawString(50, 810, "测试科技股份有限公司2021年年度报告全文")
        c.drawString(290, 30, str(p + 1))
        c.setFont("STSong-Light", 10)
        if p == 20:
            c.drawString(50, 780, "第四节 管理层讨论与分析")
        if p == 120:
            c.drawString(50, 780, "第五节 公司治理")
        for k in range(40):
            c.drawString(50, 760 - 17 * k, sents[(p + k) % len(sents)][: 40 + (k % 5)])
        c.showPage()
    c.save()


def raw_pdfium(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    n = 0
    for i in range(len(doc)):
        page = doc[i]
        tp = page.get_textpage()
        n += len(tp.get_text_bounded())
        tp.close()
        page.close()
    doc.close()
    return n


def naive_counts(path: str, words: list[str]) -> dict[str, int]:
    """The baseline: decode, jieba.lcut, then a str.count loop over the tokens per keyword."""
    import jieba

    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    tokens = jieba.lcut(text)
    return {w: sum(tok.count(w) for tok in tokens) for w in words}


def stage_figures(reports: Path, out: Path, repeat: int) -> None:
    """Median wall and CPU seconds of ``text_stage(reports, ...)`` (as ``nqp demo`` runs it)."""
    import os
    import statistics

    from nqp.text.stage import text_stage

    walls, cpus, loads = [], [], []
    for k in range(repeat):
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), os.times()
        rep = text_stage(reports, out / f"text{k}.parquet", quiet=True)
        t1, c1 = time.perf_counter(), os.times()
        walls.append(t1 - t0)
        cpus.append(c1.user - c0.user + c1.system - c0.system + c1.children_user - c0.children_user
                    + c1.children_system - c0.children_system)
        loads.append((load, os.getloadavg()[0]))
        print(f"  run {k + 1}: wall {walls[-1]:.1f} s, CPU {cpus[-1]:.1f} s, load average "
              f"{loads[-1][0]:.1f} -> {loads[-1][1]:.1f} (1 min), {os.cpu_count()} cores, {rep.reports:,} reports")
    print(f"text_stage: median wall {statistics.median(walls):.1f} s, median CPU {statistics.median(cpus):.1f} s "
          f"over {repeat} runs")


def main_stage(options: dict[str, str]) -> None:
    from nqp.synth.generate import write_synthetic

    tmp = Path(tempfile.mkdtemp(prefix="nqp-bench-stage-"))
    try:
        reports = Path(options["reports"]) if options.get("reports") else None
        if reports is None:
            write_synthetic(tmp / "raw", scale=1.0, progress=False)  # the demo's corpus (default seed)
            reports = tmp / "raw" / "reports"
        stage_figures(reports, tmp, int(options.get("repeat") or 3))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str]) -> None:
    from nqp.synth.generate import write_synthetic
    from nqp.text.dictionary import shipped_dictionaries
    from nqp.text.document import TextConfig, process_report
    from nqp.text.reports import ReportFile, scan_reports
    from nqp.text.stage import run_text

    scale = float(argv[0]) if argv else 0.05
    tmp = Path(tempfile.mkdtemp(prefix="nqp-bench-text-"))
    try:
        t = time.perf_counter()
        write_synthetic(tmp / "raw", scale=scale, seed=1, pdf_reports=0, progress=False)
        reports, _ = scan_reports(tmp / "raw" / "reports")
        mb = sum(Path(r.path).stat().st_size for r in reports) / 1e6
        print(f"synthetic corpus: {len(reports)} TXT reports, {mb:.1f} MB (generated in {time.perf_counter() - t:.0f} s)")
        cfg = TextConfig(tuple(shipped_dictionaries()))

        # 1. per core, no PDF
        s = _median_time(lambda: [process_report(r, cfg) for r in reports])
        print(f"nqp text measures, 1 core: {len(reports) / s:,.0f} reports/s, {mb / s:.1f} MB/s")
        words = [w for d in cfg.dictionaries for w in d.words]
        sub = reports[:100]
        sub_mb = sum(Path(r.path).stat().st_size for r in sub) / 1e6
        naive_counts(sub[0].path, words)  # load jieba's dictionary outside the timing
        sn = _median_time(lambda: [naive_counts(r.path, words) for r in sub], repeat=1)
        so = _median_time(lambda: [process_report(r, cfg) for r in sub])
        print(f"naive baseline (jieba + per-keyword str.count over tokens), 1 core: {len(sub) / sn:,.1f} reports/s, "
              f"{sub_mb / sn:.2f} MB/s; nqp / baseline on the same {len(sub)} reports: {sn / so:.0f}x")

        # 2. PDF extraction
        pdf = tmp / "long.pdf"
        make_long_pdf(pdf)
        raw_pdfium(pdf)
        sr = _median_time(lambda: raw_pdfium(pdf), repeat=5)
        rep = ReportFile("000001", 2021, str(pdf))
        row = process_report(rep, cfg)
        assert row["status"] == "ok" and row["pages"] == 200, row
        sp = _median_time(lambda: process_report(rep, cfg), repeat=5)
        from nqp.text.extract import read_pages

        big = tmp / "000002_2021.txt"
        big.write_text("\f".join(read_pages(pdf)), encoding="utf-8")
        big_mb = big.stat().st_size / 1e6
        brep = ReportFile("000002", 2021, str(big))
        sb = _median_time(lambda: process_report(brep, cfg))
        snb = _median_time(lambda: naive_counts(str(big), words), repeat=1)
        print(f"one large report (the PDF's text as TXT, {big_mb:.2f} MB): nqp {big_mb / sb:.1f} MB/s, "
              f"naive baseline {big_mb / snb:.2f} MB/s; nqp / baseline: {snb / sb:.0f}x")
        print(f"200-page PDF: raw pypdfium2 extraction {200 / sr:,.0f} pages/s; whole nqp text stage "
              f"{200 / sp:,.0f} pages/s = {sr / sp:.0%} of raw (target >= 60%); "
              f"section {row['section_heading']!r}, {row['section_chars']:,} characters")

        # 3. local workers and Dask workers over the corpus
        rates = {}
        for w in (1, 2):
            t = time.perf_counter()
            run_text(reports, cfg, tmp / f"local{w}.parquet", workers=w)
            rates[w] = len(reports) / (time.perf_counter() - t)
            print(f"stage on {w} local worker process(es): {rates[w]:,.0f} reports/s (incl. start-up)")
        print(f"  2 vs 1 local workers: {rates[2] / rates[1]:.2f}x")
        from distributed import LocalCluster

        drates = {}
        for w in (1, 2):
            with LocalCluster(n_workers=w, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cl:
                t = time.perf_counter()
                run_text(reports, cfg, tmp / f"dask{w}.parquet", scheduler=cl.scheduler_address, partition_size=64)
                drates[w] = len(reports) / (time.perf_counter() - t)
            print(f"stage on {w} Dask worker(s): {drates[w]:,.0f} reports/s")
        print(f"  2 vs 1 Dask workers: {drates[2] / drates[1]:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    opts = dict((a[2:].split("=", 1) + [""])[:2] for a in sys.argv[1:] if a.startswith("--"))
    if "stage" in opts:
        main_stage(opts)
    else:
        main([a for a in sys.argv[1:] if a.replace(".", "", 1).isdigit()])  # run_all passes names
