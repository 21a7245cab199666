"""``nqp synth``: write the synthetic raw exports (CSMAR-style tables, IncoPat patents,
annual reports, regional tables) to a folder."""

from __future__ import annotations

import argparse

from nqp.synth.generate import DEFAULT_SEED, write_synthetic

NAME = "synth"
HELP = "Write the synthetic raw data set (CSMAR-style exports, patents, annual reports) to a folder."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="output folder (created; must be empty or a previous synth output)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies the number of firms (1.0 = 4,600 firms, about 38,000 firm-years)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--pdf-reports", type=int, default=8, help="annual reports written as PDF (default 8)")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes writing tables and reports (default: one per CPU; same files for any number)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")


def run(args: argparse.Namespace) -> int:
    s = write_synthetic(args.out, scale=args.scale, seed=args.seed, pdf_reports=args.pdf_reports,
                        progress=not args.quiet, workers=args.workers)
    if not args.quiet:
        print(f"nqp synth: wrote {len(s.files)} files to {s.out_dir} in {s.seconds:.1f} s (SYNTHETIC data)")
        print(f"  firms {s.firms:,}; raw firm-years {s.firm_years:,}; after the paper's cleaning {s.firm_years_clean:,}")
        print(f"  patent records {s.patents:,}; annual reports {s.reports:,}; seed {s.seed}, scale {s.scale:g}")
    return 0
