"""``nqp ingest --data DIR --db FILE [--mapping DIR] [--incremental] [--quiet]``."""

from __future__ import annotations

import argparse
import warnings

NAME = "ingest"
HELP = "Read raw exports (CSMAR-style CSV/TXT/XLSX/Parquet) from a folder into the DuckDB warehouse."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, metavar="DIR", help="folder with the export files")
    parser.add_argument("--db", required=True, metavar="FILE", help="warehouse DuckDB file to (re)build")
    parser.add_argument("--mapping", metavar="DIR",
                        help="folder of mapping TOMLs overriding the shipped ones by table name")
    parser.add_argument("--only-mapping", action="store_true",
                        help="use only the tables of --mapping DIR, not the shipped mappings")
    parser.add_argument("--incremental", action="store_true",
                        help="keep the warehouse's other tables; replace only those found in --data")
    parser.add_argument("--quiet", action="store_true", help="no progress bars and no load report")


def run(args: argparse.Namespace) -> int:
    from nqp.ingest.load import ingest

    with warnings.catch_warnings(record=True):  # they are printed with the report
        warnings.simplefilter("always")
        report = ingest(args.data, args.db, mapping_dir=args.mapping, progress=not args.quiet,
                        incremental=args.incremental, default_mappings=not args.only_mapping)
    if not args.quiet:
        report.print()
    return 0
