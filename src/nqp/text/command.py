"""``nqp text``: annual reports (PDF/TXT) → firm-year text measures (Parquet and warehouse)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from nqp.errors import MissingFileError

NAME = "text"
HELP = "Annual reports (PDF/TXT) -> firm-year text measures: innovation awareness, data assets, lnaiword."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reports", metavar="DIR", help="folder of reports named <stkcd>_<year>.pdf|.txt "
                   "(CNINFO download names accepted)")
    p.add_argument("--index", metavar="CSV", help="instead of scanning DIR: a CSV with columns stkcd, year, file "
                   "(file relative to --reports)")
    p.add_argument("--out", metavar="FILE.parquet", required=True, help="output: one row per firm-year")
    p.add_argument("--db", metavar="FILE", help="also write table text_measures into this warehouse")
    p.add_argument("--dict", metavar="FILE", action="append", default=[], dest="dicts",
                   help="keyword dictionary (.toml/.txt); replaces the shipped one of the same name (repeatable)")
    p.add_argument("--negation", action="store_true", help="do not count a keyword right after 不/未/没有/无")
    p.add_argument("--negation-scope", choices=("adjacent", "clause"), default="adjacent",
                   help="with --negation: the negator right before the keyword (default) or anywhere in its clause")
    p.add_argument("--jieba", action="store_true", help="count a keyword only on jieba word boundaries")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask distributed cluster at ADDRESS")
    p.add_argument("--partition-size", type=int, default=32, help="reports per checkpointed partition")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per report")
    p.add_argument("--memory-mb", type=float, default=4096.0, help="resident memory allowed per worker")
    p.add_argument("--max-pages", type=int, default=2000, help="reports with more pages are listed as too_large")
    p.add_argument("--keep-parts", action="store_true", help="keep the checkpoint folder <out>.parts after success")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from nqp.atomic import atomic_write_csv
    from nqp.text.dictionary import load_dictionaries
    from nqp.text.document import TextConfig
    from nqp.text.extract import Limits
    from nqp.text.measures import CountingOptions
    from nqp.text.reports import read_index, scan_reports
    from nqp.text.stage import run_text

    if not args.reports and not args.index:
        print("nqp text: give --reports DIR (or --index CSV)", file=sys.stderr)
        return 2
    folder = Path(args.reports or ".")
    if args.reports and not folder.is_dir():
        raise MissingFileError("reports folder does not exist", file=str(folder))
    if args.index:
        reports, skipped = read_index(args.index, folder), []
    else:
        reports, skipped = scan_reports(folder)
    cfg = TextConfig(
        dictionaries=tuple(load_dictionaries(args.dicts)),
        counting=CountingOptions(negation=args.negation, negation_scope=args.negation_scope, jieba=args.jieba),
        limits=Limits(seconds=args.timeout, max_pages=args.max_pages),
    )
    res = run_text(reports, cfg, args.out, workers=args.workers, scheduler=args.scheduler,
                   partition_size=args.partition_size, doc_timeout=args.timeout * 1.5 + 5,
                   memory_mb=args.memory_mb, quiet=args.quiet, keep_parts=args.keep_parts)
    rows = res.rows
    unknown = 0
    if args.db:
        from nqp.jobs.store import known_firms, upsert_table

        firms = known_firms(args.db) if Path(args.db).exists() else None
        if firms is not None and not rows.empty:
            rows["firm_in_warehouse"] = rows["stkcd"].isin(firms)
            unknown = int((~rows["firm_in_warehouse"]).sum())
        if not rows.empty:
            upsert_table(args.db, "text_measures", rows, ["stkcd", "year"])
    problems = [{"stkcd": r.stkcd, "year": r.year, "file": r.file, "reason": r.reason, "message": r.message}
                for r in res.failures.itertuples()]
    problems += [{"stkcd": "", "year": None, "file": s.path, "reason": "skipped: " + s.reason, "message": ""}
                 for s in skipped]
    if "firm_in_warehouse" in rows:
        problems += [{"stkcd": r.stkcd, "year": r.year, "file": r.file, "reason": "firm_not_in_warehouse",
                      "message": "report processed; no such firm in the warehouse"}
                     for r in rows.loc[~rows["firm_in_warehouse"]].itertuples()]
    fail_path = Path(args.out).with_suffix(".problems.csv")
    atomic_write_csv(pd.DataFrame(problems, columns=["stkcd", "year", "file", "reason", "message"]), fail_path)
    ok = int((rows["status"] == "ok").sum()) if not rows.empty else 0
    no_sec = int((~rows["section_found"].fillna(False).astype(bool)).sum() - res.failed) if "section_found" in rows else 0
    print(f"nqp text: {len(reports)} reports; done {res.done} in this run, failed {res.failed}, "
          f"skipped as already done {res.resumed}; {len(skipped)} files not used; "
          f"{ok} ok ({no_sec} without an MD&A heading: whole report used)"
          + (f"; {unknown} for firms not in the warehouse" if "firm_in_warehouse" in rows
             else "; firms not checked (no company_profile in the warehouse)" if args.db else "")
          + f"; {res.seconds:.1f} s")
    if res.discarded_checkpoints:
        print("nqp text: checkpoints of a run with other options were discarded")
    print(f"nqp text: wrote {args.out} ({len(rows)} rows)" + (f" and table text_measures in {args.db}" if args.db else ""))
    if problems:
        print(f"nqp text: {len(problems)} problems listed in {fail_path}")
        for p in problems[:10]:
            print(f"  {p['file']}: {p['reason']} {p['message'][:100]}")
    return 0
