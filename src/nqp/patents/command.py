"""``nqp patents``: IncoPat records → AI patents → listed firms → firm-year counts."""

from __future__ import annotations

import argparse
import os
import sys

NAME = "patents"
HELP = "Patent records -> AI patents (IPC + keywords) -> listed firms -> firm-year counts (lnAI, lnaifm, lnaixx)."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--patents", metavar="FILE", required=True,
                   help="IncoPat export (.csv/.xlsx/.parquet) or a folder of incopat_* files")
    p.add_argument("--firms", metavar="FILE",
                   help="firm names CSV: stkcd, name, kind (current|former|subsidiary), valid_from, valid_to; "
                        "added to the names the warehouse (--db) holds")
    p.add_argument("--out", metavar="FILE.parquet", required=True, help="output: firm-year counts")
    p.add_argument("--db", metavar="FILE", help="the warehouse: firm names (full names, name changes, subsidiaries) "
                   "come from it, and tables patent_counts and patent_match_report are written into it")
    p.add_argument("--ipc", metavar="TOML", help="IPC definitions (default: the shipped data/ai_ipc.toml)")
    p.add_argument("--keywords", metavar="TOML", help="AI keywords (default: the shipped data/ai_keywords.toml)")
    p.add_argument("--rule", choices=("either", "both", "ipc", "keyword"), default="either",
                   help="AI if IPC or keyword (either, default), both, IPC only, keyword only")
    p.add_argument("--ipc-scope", choices=("any", "main"), default="any", help="match any IPC code or the main one only")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask distributed cluster at ADDRESS")
    p.add_argument("--partition-size", type=int, default=1_000_000, help="records per checkpointed partition")
    p.add_argument("--keep-parts", action="store_true", help="keep the checkpoint folders after success")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from nqp.patents.stage import patents_stage

    if not args.db and not args.firms:
        print("nqp patents: give --db WAREHOUSE (firm names from it) or --firms FILE", file=sys.stderr)
        return 2
    rep = patents_stage(args.patents, args.out, db=args.db, firms=args.firms, ipc=args.ipc, keywords=args.keywords,
                        rule=args.rule, ipc_scope=args.ipc_scope, workers=args.workers, scheduler=args.scheduler,
                        partition_size=args.partition_size, keep_parts=args.keep_parts, quiet=args.quiet)
    res, st = rep.run, rep.status_counts
    print(f"nqp patents: {res.records} records, {res.duplicates} duplicates dropped; partitions: done "
          f"{res.done}, failed {res.failed}, skipped as already done {res.resumed}; {res.seconds:.1f} s")
    print("nqp patents: firm names from " + ", ".join(f"{k} ({v:,})" for k, v in rep.name_sources.items()))
    print(f"nqp patents: applicants matched {st.get('matched', 0)}, ambiguous {st.get('ambiguous', 0)}, "
          f"outside valid years {st.get('out_of_period', 0)}, unmatched {st.get('unmatched', 0)} "
          f"(see {rep.report_path})")
    for w in rep.warnings:
        print(f"nqp patents: warning: {w}")
    print(f"nqp patents: wrote {rep.out} ({len(res.counts)} firm-years, {int(res.counts['ai_patents'].sum())} AI "
          f"patent-firm pairs)" + (f" and tables patent_counts, patent_match_report in {args.db}" if args.db else ""))
    return 0
