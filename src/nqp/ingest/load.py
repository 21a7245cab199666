"""``nqp ingest``: raw exports in a data folder -> warehouse (DuckDB), with a load report.

For every mapped table, the files in the data folder whose name (without extension) matches
the mapping's ``pattern`` are read (:mod:`readers`), converted and checked (:mod:`validate`),
stacked in file-name order and loaded (:mod:`warehouse`) -- all into a temporary database
that replaces the warehouse only when everything succeeded. Inputs are only ever read.
Tables are loaded one at a time, in table order (:func:`_load_tables`).
"""

from __future__ import annotations

import fnmatch
import gc
import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from nqp.errors import ConfigError, DataWarning, MissingFileError, NqpWarning
from nqp.ingest.mapping import TableMapping, load_mappings
from nqp.ingest.readers import SUFFIXES, RawExport, read_export
from nqp.ingest.report import LoadReport, TableLoad
from nqp.ingest.validate import convert_export
from nqp.ingest.warehouse import (Connection, Loaded, building, load_table, quote_ident, table_names,
                                  write_metadata)


DUCKDB_THREADS = 1
"""DuckDB threads of the warehouse build. Ingest's statements are small (a table of at most a few
hundred thousand rows each) and the demo's 2-core machine is busy with the text stage's workers
while ingest runs: a second DuckDB thread adds CPU time (about 0.5 s of 8 at scale 1) and no
wall time."""


def _specificity(pattern: str) -> int:
    """Length of the literal prefix of a glob (``FI_T10*`` beats ``FI_T1*``)."""
    return len(re.split(r"[*?\[]", pattern, maxsplit=1)[0])


def discover_files(data_dir: Path, mappings: dict[str, TableMapping]) -> tuple[dict[str, list[Path]], list[str]]:
    """Files of each table in ``data_dir`` (top level), and the data files no mapping claims.

    Matching is case-insensitive on the name without extension; CSMAR's sidecar description
    files (``*[DES]*``), hidden files and Excel lock files (``~$*``) are skipped. A file matched
    by several patterns goes to the most specific one; a tie is a :class:`ConfigError`.
    """
    found: dict[str, list[Path]] = {name: [] for name in mappings}
    unmatched: list[str] = []
    for p in sorted(data_dir.iterdir()):
        if not p.is_file() or p.suffix.lower() not in SUFFIXES:
            continue
        if "[DES]" in p.name.upper() or p.name.startswith((".", "~$")):
            continue
        hits = [m for m in mappings.values() if fnmatch.fnmatchcase(p.stem.lower(), m.pattern.lower())]
        if not hits:
            unmatched.append(p.name)
            continue
        hits.sort(key=lambda m: -_specificity(m.pattern))
        if len(hits) > 1 and _specificity(hits[0].pattern) == _specificity(hits[1].pattern):
            raise ConfigError(
                f"{p.name} matches the patterns of tables {hits[0].name!r} ({hits[0].pattern}) and "
                f"{hits[1].name!r} ({hits[1].pattern}); rename the file or make a pattern more specific",
                file=p.name)
        found[hits[0].name].append(p)
    return found, unmatched


@contextmanager
def _progress_bar(enabled: bool) -> Iterator:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        yield bar


@dataclass
class _ReadTable:
    """One table's files read and converted, ready for the warehouse: the stacked rows (with
    ``_src``, the file index), each file's locator for messages and the counts of the report."""

    mapping: TableMapping
    data: pa.Table
    raws: list[RawExport]
    sources: list[dict]
    padded: int = 0
    absent: set[str] = field(default_factory=set)
    zero: int = 0
    filtered: int = 0
    other: int = 0
    notes: list[str] = field(default_factory=list)
    warnings: list[NqpWarning] = field(default_factory=list)  # to be issued by the caller, in order


def _read_table(mapping: TableMapping, paths: list[Path], bar) -> _ReadTable:
    """Read and convert the files of one table (no database work: see :func:`_store_table`).
    Its warnings are collected in ``warnings``, for the caller to issue."""
    parts: list[pa.Table] = []
    out = _ReadTable(mapping=mapping, data=pa.table({}), raws=[], sources=[])
    for i, path in enumerate(paths):
        task = bar.add_task(f"{mapping.name}: {path.name}", total=path.stat().st_size) if bar else None
        raw = read_export(path, progress=(lambda n, t=task: bar.advance(t, n)) if bar else None)
        conv = convert_export(raw, mapping, warn=out.warnings.append)
        raw.records = raw.records.schema.empty_table()  # keep the locator, free the text cells
        out.raws.append(raw)
        n = conv.table.num_rows
        parts.append(conv.table.append_column("_src", pa.array(np.full(n, i, dtype=np.int32))))
        out.padded += conv.padded_dates
        out.absent.update(conv.absent_optional)
        out.zero += conv.zero_dates
        out.filtered += conv.filtered_rows
        out.other += conv.other_rows
        out.notes += conv.notes
        out.sources.append({"file": path.name, "sha256": raw.sha256, "rows": n, "encoding": raw.encoding,
                            "format": raw.format, "separator": raw.separator,
                            "header_rows": 1 + conv.descriptive_rows if raw.format != "parquet" else 0,
                            "padded_dates": conv.padded_dates})
        if bar:
            bar.remove_task(task)
    out.data = pa.concat_tables(parts)
    return out


def _store_table(con: Connection, read: _ReadTable, loaded: list[Loaded]) -> TableLoad:
    """Load one read table into the warehouse; its metadata is appended to ``loaded`` (written by
    :func:`write_metadata` once all tables are stored); its line in the load report."""
    mapping, raws, sources = read.mapping, read.raws, read.sources

    def locate(src: int, rec: int) -> tuple[str, str, int]:
        raw = raws[src]
        return raw.name, raw.unit, raw.line_of(rec)

    dropped, combined = load_table(con, mapping, read.data, locate)
    read.data = pa.table({})
    firm, when = mapping.firm_field, mapping.year_field
    firms_expr = f"count(DISTINCT {quote_ident(firm.name)})" if firm else "NULL"
    year_expr = "NULL"
    if when is not None:
        year_expr = f"year({quote_ident(when.name)})" if when.type == "date" else quote_ident(when.name)
    rows, firms, lo, hi = con.execute(f"SELECT count(*), {firms_expr}, min({year_expr}), max({year_expr}) "
                                      f"FROM {quote_ident(mapping.name)}").fetchall()[0]
    years = (int(lo), int(hi)) if lo is not None else None
    loaded.append((mapping, sources, rows))
    return TableLoad(
        table=mapping.name, source=mapping.source, rows=int(rows), firms=firms, years=years,
        files=tuple(s["file"] for s in sources),
        encodings=tuple(dict.fromkeys(s["encoding"] or s["format"] for s in sources)),
        padded_dates=read.padded, duplicates_dropped=dropped,
        absent_columns=tuple(f.name for f in mapping.fields if f.name in read.absent),
        zero_dates=read.zero, filtered_rows=read.filtered, other_category_rows=read.other, rows_combined=combined,
        notes=tuple(dict.fromkeys(read.notes)))


def _load_tables(con: Connection, jobs: list[tuple[TableMapping, list[Path]]], bar) -> list[TableLoad]:
    """Read, convert and store the tables one at a time, in table order: the warnings of a
    table are issued before it is stored, an error of table i is raised before any later table
    is read, and the metadata of all tables is written at the end (:func:`write_metadata`).

    No read-ahead threads: in the demo ingest runs while the text stage's two worker processes
    keep both cores busy, and with both cores busy reader threads (two tables read ahead of a
    loader thread) gained no wall time and cost about 0.5 s of CPU (scale 1, medians of 7
    paired runs on the 2-core machine at load 4-5)."""
    out: list[TableLoad] = []
    loaded: list[Loaded] = []
    for mapping, paths in jobs:
        read = _read_table(mapping, paths, bar)
        for w in read.warnings:
            warnings.warn(w, stacklevel=2)
        out.append(_store_table(con, read, loaded))
        del read
    write_metadata(con, loaded)
    return out


def ingest(data_dir: Path | str, db_path: Path | str, *, mapping_dir: Path | str | None = None,
           progress: bool = True, incremental: bool = False, default_mappings: bool = True,
           required: Iterable[str] | None = None) -> LoadReport:
    """Load every mapped table found in ``data_dir`` into the DuckDB warehouse ``db_path``.

    A required table (``[table] required = true``, the default) with no file is a
    :class:`MissingFileError` -- unless ``incremental`` and the warehouse already holds it;
    an optional one is a warning. ``incremental=True`` keeps the warehouse's other tables and
    replaces only those found in ``data_dir``; otherwise the warehouse is rebuilt from scratch.
    ``mapping_dir`` overrides the shipped mappings by table name and adds tables;
    ``default_mappings=False`` uses the tables of ``mapping_dir`` alone. ``required`` names the
    tables that must have a file (default: those whose mapping says ``required = true``; a study
    passes the tables it needs, ``nqp.ingest.requirements.required_tables``).
    Atomic: on any error the existing warehouse is unchanged.
    """
    data_dir, db_path = Path(data_dir), Path(db_path)
    if not data_dir.is_dir():
        raise MissingFileError(f"data folder {data_dir} does not exist", file=str(data_dir))
    with collector_paused():
        return _ingest(data_dir, db_path, mapping_dir, progress, incremental, default_mappings, required)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, then restored as it was.

    Rule: ingest makes no reference cycles to speak of (its garbage is freed by reference
    counting), yet its many small containers -- a workbook's rows, the parsed mappings -- trigger
    collections that traverse every object of the process (pyarrow's, DuckDB's, pandas's): about
    0.25 s of CPU at scale 1. Cycles made meanwhile (by any thread) are collected afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ingest(data_dir: Path, db_path: Path, mapping_dir: Path | str | None, progress: bool, incremental: bool,
            default_mappings: bool, required: Iterable[str] | None) -> LoadReport:
    """:func:`ingest` of an existing data folder."""
    mappings = load_mappings(mapping_dir, defaults=default_mappings)
    files, unmatched = discover_files(data_dir, mappings)
    report = LoadReport(db_path=db_path, unmatched_files=unmatched)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NqpWarning)
        with building(db_path, incremental=incremental) as con, _progress_bar(progress) as bar:
            con.execute(f"SET threads = {DUCKDB_THREADS}")
            existing = set(table_names(con))
            missing = [m for name, m in mappings.items() if not files[name]]
            must = {n for n, m in mappings.items() if m.required} if required is None else set(required)
            fatal = [m for m in missing if m.name in must and m.name not in existing]
            if fatal:
                listed = "; ".join(f"{m.name} ({m.source}, files named {m.pattern}.csv/.txt/.xlsx/.xls/.parquet)"
                                   for m in fatal)
                raise MissingFileError(
                    f"no file for required table(s) in {data_dir.name}: {listed}", file=fatal[0].pattern,
                    table=fatal[0].name)
            for m in missing:
                if m.name in existing:
                    report.kept.append(m.name)
                else:
                    report.missing_optional.append(m.name)
                    warnings.warn(DataWarning(
                        f"no file for optional table {m.name} ({m.source}, pattern {m.pattern}); it is not loaded",
                        table=m.name), stacklevel=2)
            report.tables += _load_tables(con, [(m, files[n]) for n, m in mappings.items() if files[n]], bar)
    report.warnings = [str(w.message) for w in caught if isinstance(w.message, NqpWarning)]
    for w in caught:  # hand the warnings on to the caller's filters
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return report


ingest_exports = ingest  # the stage function's name in the study runner (nqp.study)
