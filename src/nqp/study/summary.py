"""What ``nqp run``/``nqp demo`` print when they finish: the headline tables and where the files are.

Numbers are formatted by :mod:`nqp.report` (the one place that formats them): the headline table
is printed from the Markdown file the report wrote; this module only chooses what to show.
"""

from __future__ import annotations

from typing import Any

from nqp.study.stages import StageLog

HEADLINE_TABLES = ("3",)  # else the study's first table


def print_summary(res: Any, log: StageLog) -> None:
    console = log.console
    failed = [m for m in res.results["models"] if m["status"] != "ok"]
    tables = [t["id"] for t in res.results["tables"]]
    for tid in [t for t in HEADLINE_TABLES if t in tables] or tables[:1]:  # as the report rendered it
        md = res.out / "tables" / f"{f'table{tid}' if tid[:1].isdigit() else tid}.md"  # report.write.file_stem
        if md.is_file():
            console.print("\n" + md.read_text(encoding="utf-8"), markup=False, highlight=False)
    ok = len(res.results["models"]) - len(failed)
    console.print(f"\n{ok} of {len(res.results['models'])} columns estimated, "
                  f"{sum(t['status'] == 'ok' for t in res.results['tests'])} of {len(res.results['tests'])} tests; "
                  f"{len(log.warnings)} warnings; {log.total_seconds:.1f} s")
    for m in failed:
        console.print(f"[red]not estimated[/red]: model {m['id']} (table {m['table']}): {m['error']}", highlight=False)
    out = res.out
    console.print(f"wrote {out}/results.json, {out}/panel.parquet|csv|dta, {out}/manifest.json, {out}/run.log"
                  + (f", {out}/report.html, {out}/tables/, {out}/figures/" if (out / "report.html").exists() else ""),
                  highlight=False)
    if res.results.get("synthetic"):
        from nqp.study.pipeline import SYNTHETIC_BANNER

        console.print(f"[yellow]{SYNTHETIC_BANNER}[/yellow]")
