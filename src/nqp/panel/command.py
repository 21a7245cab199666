"""``nqp panel --db WAREHOUSE --out DIR [--lags L.lnAI L2.lnAI] [--lag-convention C] [--quiet]``.

Builds the panel (:func:`nqp.panel.build_panel`) from an existing warehouse and writes the
panel files (:func:`nqp.panel.export.write_panel_files`) plus ``sample_construction.csv``,
``table2_descriptives.csv`` and ``data_dictionary.csv`` into DIR.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

NAME = "panel"
HELP = "Build the firm-year panel from a warehouse and write panel.parquet/.csv/.dta and its tables."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", required=True, type=Path, metavar="WAREHOUSE",
                        help="an existing warehouse (DuckDB file written by `nqp ingest`)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument("--lags", nargs="+", default=[], metavar="L.x",
                        help="Stata lags/leads kept as columns, e.g. L.lnAI L2.lnAI (F.x for leads)")
    parser.add_argument("--lag-convention", choices=("full_panel", "sample"), default="full_panel",
                        help="form lags on the full firm-year panel before the sample rules (default) "
                             "or on the estimation sample")
    parser.add_argument("--definitions", type=Path, metavar="DIR", help="your copy of the panel definitions")
    parser.add_argument("--note", help="a note stored in panel.parquet's metadata and panel.dta's data label")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args: argparse.Namespace) -> int:
    from nqp.errors import MissingFileError
    from nqp.panel.write import build_and_write

    if not args.db.is_file():
        raise MissingFileError(f"warehouse {args.db} does not exist; run `nqp ingest` first", file=str(args.db))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # printed once below, from the panel's records
        panel, paths = build_and_write(args.db, args.out, lags=args.lags, lag_convention=args.lag_convention,
                                       definitions=args.definitions, note=args.note)
    for w in panel.steps.warnings:
        print(f"warning: {w['where']}: {w['message']}", file=sys.stderr)
    if not args.quiet:
        for step, seconds in panel.steps.timings:
            print(f"  {step:<40} {seconds:6.2f} s")
        print(panel.sample_report)
        print(f"nqp panel: wrote {len(panel.frame)} firm-years to " + ", ".join(str(p) for p in paths.values()))
    return 0
