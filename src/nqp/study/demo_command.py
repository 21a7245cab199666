"""``nqp demo [--out DIR] [--scale F] [--seed N] [--force] [--quiet] [--strict]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from nqp.study.command import add_common

NAME = "demo"
HELP = "Run the paper's study end to end on the embedded synthetic data set (SYNTHETIC data)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="output folder (default out/demo)")
    parser.add_argument("--scale", type=float, default=1.0, help="firms multiplier (1 = about 4,600 firms)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the synthetic data (default 20240501)")
    add_common(parser)


def run(args: argparse.Namespace) -> int:
    from nqp.study.demo import run_demo
    from nqp.study.stages import StageLog
    from nqp.study.summary import print_summary

    log = StageLog(quiet=args.quiet, strict=args.strict)
    res = run_demo(args.out, scale=args.scale, seed=args.seed, force=args.force, log=log, workers=args.workers)
    print_summary(res, log)
    return 0
