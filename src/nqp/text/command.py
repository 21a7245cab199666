"""``nqp text``: annual reports (PDF/TXT) → firm-year text measures (Parquet and warehouse)."""

from __future__ import annotations

import argparse
import os
import sys

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
    p.add_argument("--partition-size", type=int, default=None,
                   help="reports per checkpointed partition (default 512)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per report")
    p.add_argument("--memory-mb", type=float, default=4096.0, help="resident memory allowed per worker")
    p.add_argument("--max-pages", type=int, default=2000, help="reports with more pages are listed as too_large")
    p.add_argument("--keep-parts", action="store_true", help="keep the checkpoint folder <out>.parts after success")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from nqp.text.stage import text_stage

    if not args.reports and not args.index:
        print("nqp text: give --reports DIR (or --index CSV)", file=sys.stderr)
        return 2
    rep = text_stage(args.reports, args.out, db=args.db, index=args.index, dicts=args.dicts,
                     negation=args.negation, negation_scope=args.negation_scope, jieba=args.jieba,
                     workers=args.workers, scheduler=args.scheduler, partition_size=args.partition_size,
                     timeout=args.timeout, memory_mb=args.memory_mb, max_pages=args.max_pages,
                     keep_parts=args.keep_parts, quiet=args.quiet)
    res, rows = rep.run, rep.rows
    print(f"nqp text: {rep.reports} reports; done {res.done} in this run, failed {res.failed}, "
          f"skipped as already done {res.resumed}; {len(rep.skipped)} files not used; "
          f"{rep.ok} ok ({rep.without_section} without an MD&A heading: whole report used)"
          + (f"; {rep.unknown_firms} for firms not in the warehouse" if rep.unknown_firms is not None
             else "; firms not checked (no company_profile in the warehouse)" if args.db else "")
          + f"; {res.seconds:.1f} s")
    if res.discarded_checkpoints:
        print("nqp text: checkpoints of a run with other options were discarded")
    print(f"nqp text: wrote {args.out} ({len(rows)} rows)" + (f" and table text_measures in {args.db}" if args.db else ""))
    if not rep.problems.empty:
        print(f"nqp text: {len(rep.problems)} problems listed in {rep.problems_path}")
        for p in rep.problems.head(10).itertuples():
            print(f"  {p.file}: {p.reason} {str(p.message)[:100]}")
    return 0
