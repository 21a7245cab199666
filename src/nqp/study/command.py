"""``nqp run STUDY.toml (--data EXPORTS/ | --db WAREHOUSE) --out DIR [--force] [--quiet] [--strict]``."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "run"
HELP = "Run a study (a TOML file, or a shipped one such as ai_nqp) end to end: exports or warehouse -> tables."


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true",
                        help="replace an existing output folder (only once the new run has finished)")
    parser.add_argument("--quiet", action="store_true", help="no progress (warnings and errors are still shown)")
    parser.add_argument("--strict", action="store_true", help="treat every warning as an error")
    parser.add_argument("--workers", type=int, default=None, help="worker processes for the text stage and the group tests")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("study", help="study TOML file, or the name of a shipped study (ai_nqp)")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", type=Path, metavar="EXPORTS", help="folder of raw exports (reports/ and patents/ inside)")
    src.add_argument("--db", type=Path, metavar="WAREHOUSE", help="an existing warehouse (DuckDB file)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    from nqp.study.pipeline import run_pipeline
    from nqp.study.spec import load_study
    from nqp.study.stages import StageLog
    from nqp.study.summary import print_summary

    study = load_study(args.study)
    log = StageLog(quiet=args.quiet, strict=args.strict)
    res = run_pipeline(study, args.out, data=args.data, db=args.db, force=args.force, log=log, workers=args.workers)
    print_summary(res, log)
    return 0
