"""Patent stage speed: 10 million synthetic IncoPat records classified (IPC + keywords), matched
to firms and aggregated to firm-years, as `nqp patents` does (read Parquet, de-duplicate,
partitions, worker processes); 1 vs 2 local workers; 1 vs 2 Dask workers on 2 million records;
peer: a plain pandas row loop (per record: split IPC, normalise, test rules; `in` per keyword)
timed on 100,000 records and extrapolated. Target: 10 M records in under 60 s on 2 cores.

Usage: python benchmarks/bench_patents.py [N_MILLIONS]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nqp.patents.classify import Classifier, load_keywords
from nqp.patents.ipc import load_ipc_definitions, normalize_ipc
from nqp.patents.match import FirmIndex
from nqp.patents.names import normalize_name
from nqp.patents.stage import PatentContext, run_patents

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import median_seconds  # noqa: E402  (benchmarks/timing.py)

IPC_POOL = ["G06N3/08", "G06N3/04", "G06N20/00", "G06F40/30", "G10L15/16", "G06T7/00", "G06K9/62", "H01M10/0525",
            "H02J3/38", "F16K1/22", "B65D5/42", "C04B28/04", "A61K31/4439", "G01N33/00", "H05K7/20", "G06F16/35",
            "G06F9/50", "H04L67/10", "B25J9/16", "G06Q10/06", "G06N 5/02 (2006.01)", "G06N0007040000", "X99"]
TITLES = ["一种基于深度学习的{}方法", "一种{}装置", "{}的制备方法", "基于神经网络的{}系统", "一种{}结构", "{}检测装置"]
OBJECTS = ["锂电池", "光伏组件", "电机", "阀门", "缺陷检测", "负荷预测", "故障诊断", "包装盒", "传感器", "轴承"]
ABSTRACTS = ["本发明公开了一种{}，结构简单，使用方便。", "本发明采用机器学习模型对{}数据进行处理，提高了效率。",
             "本实用新型涉及{}技术领域，降低了生产成本。", "A {} using a neural network is disclosed."]


def make_partition(n: int, seed: int, firm_names: list[str]) -> pa.Table:
    """n synthetic records (IncoPat columns); about 30% of applicants are listed firms' names."""
    rng = np.random.default_rng(seed)
    titles = [t.format(o) for t in TITLES for o in OBJECTS]
    abstracts = [a.format(o) for a in ABSTRACTS for o in OBJECTS]
    others = [f"某某{i}有限公司" for i in range(20000)] + [f"张{i}" for i in range(5000)]

    def pick(pool, size):
        return pa.array(np.asarray(pool, dtype=object)[rng.integers(0, len(pool), size)], pa.string())

    listed = pick(firm_names, n)
    other = pick(others, n)
    r = rng.random(n)
    applicants = pc.if_else(pa.array(r < 0.3), listed,
                            pc.if_else(pa.array(r < 0.4), pc.binary_join_element_wise(listed, other, "; "), other))
    ipc2 = pc.binary_join_element_wise(pick(IPC_POOL, n), pick(IPC_POOL, n), "; ")
    years = rng.integers(2010, 2023, n)
    date = pa.array([f"{y}-06-30" for y in range(2010, 2023)])
    app = pc.binary_join_element_wise(pa.array(np.full(n, "CN")), pc.cast(pa.array(
        seed * 10**9 + np.arange(n, dtype=np.int64)), pa.string()), "")
    return pa.table({
        "申请号": app, "申请日": date.take(pa.array(years - 2010)), "标题": pick(titles, n), "摘要": pick(abstracts, n),
        "IPC主分类": pick(IPC_POOL, n), "IPC": ipc2, "专利类型": pick(["发明", "发明", "实用新型", "外观设计"], n),
        "申请人": applicants, "公开（公告）号": app,
    })


def peer_loop(t: pa.Table, clf: Classifier, firms: dict[str, str]) -> dict:
    """The plain way: one Python iteration per record."""
    counts: dict = {}
    kws = clf.keywords.zh
    for title, abstract, main, ipc, apps, date in zip(*(t[c].to_pylist() for c in
                                                          ("标题", "摘要", "IPC主分类", "IPC", "申请人", "申请日"))):
        ai = False
        for code in [main] + ipc.split(";"):
            c = normalize_ipc(code)
            if c is not None and any(d.matches(c) for d in clf.definitions):
                ai = True
        text = title + abstract
        ai = ai or any(k in text for k in kws)
        for a in apps.split(";"):
            s = firms.get(normalize_name(a))
            if s:
                key = (s, date[:4])
                counts[key] = counts.get(key, 0) + ai
    return counts


def main(argv: list[str]) -> None:
    millions = float(argv[0]) if argv else 10.0
    tmp = Path(tempfile.mkdtemp(prefix="nqp-bench-patents-"))
    try:
        firm_names = [f"上市公司{i}股份有限公司" for i in range(4000)]
        (tmp / "firms.csv").write_text("stkcd,name,kind,valid_from,valid_to\n" + "".join(
            f"{i:06d},{n},current,,\n" for i, n in enumerate(firm_names, start=1)), encoding="utf-8")
        from nqp.patents.names import read_firm_names

        firms = read_firm_names(tmp / "firms.csv")
        ctx = PatentContext(Classifier(tuple(load_ipc_definitions()), load_keywords()), FirmIndex(firms))
        data = tmp / "big"
        data.mkdir()
        per = 1_000_000
        n_total = int(millions * 1_000_000)
        t0 = time.perf_counter()
        for i, start in enumerate(range(0, n_total, per)):
            pq.write_table(make_partition(min(per, n_total - start), i + 1, firm_names), data / f"incopat_{i:03d}.parquet")
        print(f"generated {n_total:,} records in {time.perf_counter() - t0:.1f} s (not timed below)")

        res = {}
        for workers in (1, 2):
            t = time.perf_counter()
            run = run_patents(data, ctx, tmp / f"out{workers}.parquet", workers=workers, partition_size=per)
            res[workers] = time.perf_counter() - t
            print(f"nqp patents, {workers} worker(s): {res[workers]:.1f} s for {run.records:,} records "
                  f"({run.records / res[workers] / 1e6:.2f} M records/s), {len(run.counts):,} firm-years, "
                  f"{int(run.counts['ai_patents'].sum()):,} AI patent-firm pairs")
        print(f"  2 vs 1 worker: {res[1] / res[2]:.2f}x; target 10 M in < 60 s: "
              f"{'met' if res[2] * 10e6 / n_total < 60 else 'NOT met'}")

        sample = make_partition(100_000, 99, firm_names)
        fmap = dict(zip(firms["key"], firms["stkcd"]))
        peer = median_seconds(lambda: peer_loop(sample, ctx.classifier, fmap), 3) * n_total / 100_000
        print(f"peer (pandas/Python row loop), extrapolated from 100,000 records: {peer:.0f} s; "
              f"peer / nqp (2 workers): {peer / res[2]:.0f}x")

        dask_n = min(n_total, 2_000_000)
        small = tmp / "small"
        small.mkdir()
        for f in sorted(data.glob("*.parquet"))[: max(1, dask_n // per)]:
            shutil.copy(f, small / f.name)
        from distributed import LocalCluster

        for nw in (1, 2):
            with LocalCluster(n_workers=nw, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cl:
                t = time.perf_counter()
                run = run_patents(small, ctx, tmp / f"dask{nw}.parquet", scheduler=cl.scheduler_address,
                                  partition_size=250_000)
                s = time.perf_counter() - t
            print(f"Dask, {nw} worker(s): {s:.1f} s for {run.records:,} records ({run.records / s / 1e6:.2f} M/s)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main([a for a in sys.argv[1:] if a.replace(".", "", 1).isdigit()])  # run_all passes names
