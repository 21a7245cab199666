"""``nqp patents``: IncoPat records → AI patents → listed firms → firm-year counts."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

NAME = "patents"
HELP = "Patent records -> AI patents (IPC + keywords) -> listed firms -> firm-year counts (lnAI, lnaifm, lnaixx)."


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--patents", metavar="FILE", required=True,
                   help="IncoPat export (.csv/.xlsx/.parquet) or a folder of incopat_* files")
    p.add_argument("--firms", metavar="FILE", required=True,
                   help="firm names CSV: stkcd, name, kind (current|former|subsidiary), valid_from, valid_to")
    p.add_argument("--out", metavar="FILE.parquet", required=True, help="output: firm-year counts")
    p.add_argument("--db", metavar="FILE", help="also write tables patent_counts and patent_match_report here")
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
    from nqp.atomic import atomic_write_csv
    from nqp.patents.classify import Classifier, load_keywords
    from nqp.patents.ipc import load_ipc_definitions
    from nqp.patents.match import FirmIndex
    from nqp.patents.names import read_firm_names
    from nqp.patents.stage import PatentContext, run_patents

    clf = Classifier(tuple(load_ipc_definitions(args.ipc)), load_keywords(args.keywords), args.rule, args.ipc_scope)
    ctx = PatentContext(clf, FirmIndex(read_firm_names(args.firms)))
    res = run_patents(args.patents, ctx, args.out, workers=args.workers, scheduler=args.scheduler,
                      partition_size=args.partition_size, quiet=args.quiet, keep_parts=args.keep_parts)
    out = Path(args.out)
    report_path = out.with_suffix(".match_report.csv")
    problems_path = out.with_suffix(".problems.csv")
    atomic_write_csv(res.report, report_path)
    atomic_write_csv(res.problems, problems_path)
    if args.db:
        from nqp.jobs.store import upsert_table

        upsert_table(args.db, "patent_counts", res.counts, ["stkcd", "year"])
        upsert_table(args.db, "patent_match_report", res.report, ["applicant"])
    st = res.report["status"].value_counts() if not res.report.empty else {}
    print(f"nqp patents: {res.records} records, {res.duplicates} duplicates dropped; partitions: done "
          f"{res.done}, failed {res.failed}, skipped as already done {res.resumed}; {res.seconds:.1f} s")
    print(f"nqp patents: applicants matched {st.get('matched', 0)}, ambiguous {st.get('ambiguous', 0)}, "
          f"outside valid years {st.get('out_of_period', 0)}, unmatched {st.get('unmatched', 0)} "
          f"(see {report_path})")
    if not res.problems.empty:
        by = res.problems["problem"].value_counts()
        print(f"nqp patents: {len(res.problems)} record problems (see {problems_path}): "
              + "; ".join(f"{k}: {v}" for k, v in by.items()))
    print(f"nqp patents: wrote {out} ({len(res.counts)} firm-years, {int(res.counts['ai_patents'].sum())} AI "
          f"patent-firm pairs)" + (f" and tables patent_counts, patent_match_report in {args.db}" if args.db else ""))
    return 0
