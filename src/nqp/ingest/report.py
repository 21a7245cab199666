"""The load report: what a ``nqp ingest`` run put into the warehouse, table by table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported when a report is shown (``nqp ingest --quiet`` never does)
    from rich.console import Console
    from rich.table import Table


_ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 BOM", "gb18030": "GBK/GB18030",
                    "utf-16": "UTF-16", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE"}


@dataclass(frozen=True)
class TableLoad:
    """One loaded table: rows, distinct firms (stkcd), year range of its date key, sources."""

    table: str
    source: str
    rows: int
    firms: int | None
    years: tuple[int, int] | None
    files: tuple[str, ...]
    encodings: tuple[str, ...]
    padded_dates: int = 0  # CSMAR 'YYYY-MM-00' dates read as day/month 01
    duplicates_dropped: int = 0  # identical rows loaded once
    absent_columns: tuple[str, ...] = ()  # optional fields not in the export (NULL)
    zero_dates: int = 0  # 0000-00-00 dates read as NULL
    filtered_rows: int = 0  # rows dropped by the mapping's [filter] (e.g. 母公司 statements)
    other_category_rows: int = 0  # long-table rows of categories no field takes
    rows_combined: int = 0  # rows added into another row of the same key (long tables, aggregate)
    notes: tuple[str, ...] = ()  # vintage fallbacks computed, filters not applied


@dataclass
class LoadReport:
    """Result of :func:`nqp.ingest.ingest`."""

    db_path: Path
    tables: list[TableLoad] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)  # optional tables with no file
    kept: list[str] = field(default_factory=list)  # incremental: tables left from the previous load
    unmatched_files: list[str] = field(default_factory=list)  # data files no mapping claimed
    warnings: list[str] = field(default_factory=list)

    def __getitem__(self, table: str) -> TableLoad:
        for t in self.tables:
            if t.table == table:
                return t
        raise KeyError(table)

    def notes(self) -> list[str]:
        """One line per table with something worth knowing (00 dates, duplicates, absent fields)."""
        out = []
        for r in self.tables:
            if r.padded_dates:
                out.append(f"{r.table}: {r.padded_dates} dates with 00 month/day read as 01")
            if r.duplicates_dropped:
                out.append(f"{r.table}: {r.duplicates_dropped} identical duplicate rows loaded once")
            if r.absent_columns:
                out.append(f"{r.table}: optional columns absent (NULL): {', '.join(r.absent_columns)}")
            if r.zero_dates:
                out.append(f"{r.table}: {r.zero_dates} dates 0000-00-00 read as no date (NULL)")
            if r.filtered_rows:
                out.append(f"{r.table}: {r.filtered_rows} rows outside the mapping's filter not loaded")
            if r.other_category_rows:
                out.append(f"{r.table}: {r.other_category_rows} rows of categories no column takes not loaded")
            if r.rows_combined:
                out.append(f"{r.table}: {r.rows_combined} rows added into the row of the same key")
            out += [f"{r.table}: {n}" for n in r.notes]
        return out

    def rich_table(self) -> Table:
        from rich import box
        from rich.table import Table

        t = Table(title=f"Loaded into {self.db_path.name}", title_justify="left", box=box.SIMPLE_HEAD)
        t.add_column("table", no_wrap=True)
        for col in ("rows", "firms"):
            t.add_column(col, justify="right", no_wrap=True)
        t.add_column("years", no_wrap=True)
        t.add_column("files (encoding)", overflow="fold")
        for r in self.tables:
            enc = ", ".join(_ENCODING_LABELS.get(e, e) for e in r.encodings)
            files = ", ".join(r.files) + ("" if enc in ("xlsx", "xls", "parquet") else f" ({enc})")
            t.add_row(r.table, f"{r.rows:,}", "" if r.firms is None else f"{r.firms:,}",
                      "" if r.years is None else f"{r.years[0]}–{r.years[1]}", files)
        for name in self.missing_optional:
            t.add_row(name, "", "", "", "[yellow]no file (optional)[/]")
        for name in self.kept:
            t.add_row(name, "", "", "", "[dim]kept from previous load[/]")
        return t

    def print(self, console: Console | None = None) -> None:
        if console is None:
            from rich.console import Console

            console = Console()
        console.print(self.rich_table())
        for line in self.notes():
            console.print(f"note: {line}")
        for f in self.unmatched_files:
            console.print(f"[dim]ignored (no mapping matches): {f}[/]")
        for w in self.warnings:
            console.print(f"[yellow]warning:[/] {w}")
