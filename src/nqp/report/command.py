"""``nqp report RESULTS.json --out DIR [--lang zh|en] [--labels FILE] [--formats md,docx,...]
[--decimals 3] [--tstat]``: the tables, figures and report.html of a run, again, from its
results.json alone (e.g. in English, or with your own labels)."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "report"
HELP = "Rebuild a run's tables (DOCX/XLSX/LaTeX/HTML/Markdown/CSV), figures and report.html from results.json."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=Path, help="the run's results.json")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder (tables/, figures/, report.html)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="table language (default zh)")
    parser.add_argument("--labels", type=Path, default=None, metavar="FILE", help="label file (TOML or CSV: name -> label)")
    parser.add_argument("--formats", default="md,tex,html,csv,docx,xlsx", help="comma-separated table formats")
    parser.add_argument("--decimals", type=int, default=3, help="decimals of coefficients and statistics (default 3)")
    parser.add_argument("--tstat", action="store_true", help="t statistics instead of standard errors in parentheses")
    parser.add_argument("--workers", type=int, default=2, help="processes drawing the figures (default 2; same files with any number)")


def run(args: argparse.Namespace) -> int:
    from nqp.report import write_report

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    summary = write_report(args.results, args.out, lang=args.lang, formats=formats, labels=args.labels,
                           decimals=args.decimals, se="t" if args.tstat else "se", workers=args.workers)
    for w in summary.warnings:
        print(f"warning: report: {w}")
    print(summary)
    return 0
