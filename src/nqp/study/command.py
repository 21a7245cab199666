"""``nqp demo``: the main job, end to end, on the embedded synthetic data set.

Steps (each the same code a user runs on real exports, through the same commands):

1. ``nqp synth``    -> ``OUT/raw/``                  synthetic CSMAR/IncoPat-style exports
2. ``nqp ingest``   -> ``OUT/warehouse.duckdb``      typed warehouse with a data dictionary
3. ``nqp text``     -> ``OUT/text_measures.parquet`` annual-report measures (+ warehouse)
4. ``nqp patents``  -> ``OUT/patent_counts.parquet`` AI patent counts (+ warehouse)
5. panel + index    -> ``OUT/panel.parquet`` and ``OUT/tables/*.csv``: the sample-construction
   table, Table 1 weights, Table 2 and the data of Figure 2

The econometric tables (3-8) and the report are added by the study runner when it lands.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

NAME = "demo"
HELP = "Run the study end to end on the embedded synthetic data set (SYNTHETIC data)."

SYNTHETIC_BANNER = (
    "SYNTHETIC DATA: these results come from nqp's synthetic data set, generated to resemble "
    "CSMAR/IncoPat exports. They say nothing about real firms."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="output folder (default out/demo)")
    parser.add_argument("--scale", type=float, default=1.0, help="firms multiplier (1 = about 4,600 firms)")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the synthetic data")
    parser.add_argument("--workers", type=int, default=None, help="worker processes for the text stage")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _stage(argv: list[str]) -> None:
    """Run one ``nqp`` sub-command in-process; a non-zero exit stops the demo."""
    from nqp.cli import main
    from nqp.errors import NqpError

    code = main(argv)
    if code != 0:
        raise NqpError(f"stage `nqp {argv[0]}` failed with exit code {code}")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fmt(v: object) -> str:
    """A table cell: integers with separators, other numbers with 4 significant digits."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if float(v).is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        return f"{v:,.4f}" if abs(v) < 1000 else f"{v:,.1f}"
    return str(v)


def run(args: argparse.Namespace) -> int:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from nqp.index import figure2_data
    from nqp.atomic import atomic_write_csv, atomic_write_parquet, atomic_write_text
    from nqp.panel import describe
    from nqp.panel import build_panel

    console = Console()
    out: Path = args.out
    raw, db, tables = out / "raw", out / "warehouse.duckdb", out / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    quiet = ["--quiet"] if args.quiet else []
    console.print(f"[bold]nqp demo[/bold] -> {out}\n[yellow]{SYNTHETIC_BANNER}[/yellow]")

    console.rule("1. nqp synth: synthetic raw exports")
    synth = ["synth", "--out", str(raw), "--scale", str(args.scale)]
    if args.seed is not None:
        synth += ["--seed", str(args.seed)]
    _stage(synth + quiet)

    console.rule("2. nqp ingest: the warehouse")
    db.unlink(missing_ok=True)  # a demo rebuilds its warehouse from its own raw files
    _stage(["ingest", "--data", str(raw), "--db", str(db)] + quiet)

    console.rule("3. nqp text: annual reports")
    workers = ["--workers", str(args.workers)] if args.workers else []
    _stage(["text", "--reports", str(raw / "reports"), "--out", str(out / "text_measures.parquet"),
            "--db", str(db)] + workers + quiet)

    console.rule("4. nqp patents: AI patents")
    _stage(["patents", "--patents", str(raw / "patents"), "--firms", str(raw / "patents" / "firm_names.csv"),
            "--out", str(out / "patent_counts.parquet"), "--db", str(db)] + quiet)

    console.rule("5. panel, sample and the NQP index")
    panel = build_panel(db)
    atomic_write_parquet(panel.frame, out / "panel.parquet", {b"nqp_note": SYNTHETIC_BANNER.encode()})
    atomic_write_text(tables / "README_SYNTHETIC.txt", SYNTHETIC_BANNER + "\n")
    sample_table = panel.sample_report.table()
    table2 = describe(panel.frame)
    weights = panel.index_result.weights_table()
    fig2 = figure2_data(panel.index_result, panel.frame.loc[panel.index_result.index.index, "year"])
    for name, frame in {"sample_construction": sample_table, "table2_descriptives": table2,
                        "table1_weights": weights, "figure2_data": fig2,
                        "data_dictionary": panel.dictionary()}.items():
        atomic_write_csv(frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index(),
                         tables / f"{name}.csv")

    for title, frame in (("Sample construction", sample_table), ("Table 1: entropy weights", weights),
                         ("Table 2: descriptive statistics", table2[["N", "mean", "sd", "min", "max"]])):
        t = Table(title=f"{title} (SYNTHETIC data)")
        show = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
        for c in show.columns:
            t.add_column(str(c), justify="right")
        for row in show.itertuples(index=False):
            t.add_row(*[_fmt(v) for v in row])
        console.print(t)
    if panel.unbuilt:
        console.print("[bold]Variables not built[/bold]:")
        for name, why in panel.unbuilt.items():
            console.print(f"  {name}: {why}")

    files = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json" and raw not in p.parents)
    manifest = {"note": SYNTHETIC_BANNER, "scale": args.scale, "seed": args.seed,
                "files": {str(p.relative_to(out)): _sha256(p) for p in files}}
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    console.print(f"\nwrote {out}/panel.parquet, {tables}/*.csv, {out}/manifest.json")
    console.print(f"[yellow]{SYNTHETIC_BANNER}[/yellow]")
    return 0
