"""The warehouse: one DuckDB file holding every ingested table, written atomically.

A load builds the new database in a temporary file next to the target (starting from a copy
of the existing one for an incremental load) and moves it into place with ``os.replace``;
if anything fails, the temporary file is deleted and the existing warehouse is untouched.

Besides the data tables it holds three tables for reports and provenance:
``_sources`` (table, file, sha256, rows, encoding, ...), ``_dictionary`` (table, name, code,
label_zh, label_en, unit, type, ...) and ``_tables`` (table, source, labels, provenance, key).
Later stages read tables with :func:`read_table` (or SQL on :func:`open_warehouse`).
"""

from __future__ import annotations

import difflib
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from nqp.errors import InputError, MissingFileError, SchemaError
from nqp.ingest.mapping import TableMapping
from nqp.ingest.validate import SQL_TYPES, Locate, check_keys

if TYPE_CHECKING:  # pandas is imported by read_table's DuckDB .df() only: ingest itself never needs it
    import pandas as pd

META_DDL = {
    "_sources": """CREATE TABLE IF NOT EXISTS _sources ("table" VARCHAR, file VARCHAR, sha256 VARCHAR,
        rows BIGINT, encoding VARCHAR, format VARCHAR, separator VARCHAR, header_rows INTEGER,
        padded_dates BIGINT)""",
    "_dictionary": """CREATE TABLE IF NOT EXISTS _dictionary ("table" VARCHAR, name VARCHAR, code VARCHAR,
        label_zh VARCHAR, label_en VARCHAR, unit VARCHAR, type VARCHAR, required BOOLEAN, position INTEGER)""",
    "_tables": """CREATE TABLE IF NOT EXISTS _tables ("table" VARCHAR, source VARCHAR, label_zh VARCHAR,
        label_en VARCHAR, provenance VARCHAR, "key" VARCHAR, rows BIGINT, mapping VARCHAR)""",
}

Connection = duckdb.DuckDBPyConnection


def quote_ident(name: str) -> str:
    """A DuckDB identifier in double quotes (embedded quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _unlink(*paths: Path) -> None:
    for p in paths:
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def _is_duckdb(path: Path) -> bool:
    """DuckDB database files carry the magic ``DUCK`` at byte 8."""
    with path.open("rb") as fh:
        return fh.read(12)[8:12] == b"DUCK"


@contextmanager
def building(db_path: Path | str, *, incremental: bool = False) -> Iterator[Connection]:
    """Yield a connection to a temporary copy of the warehouse; on success move it into place.

    ``incremental=True`` starts from a copy of the existing ``db_path`` (tables not reloaded
    are kept); otherwise the new warehouse starts empty. On any exception the temporary
    files are removed and ``db_path`` is left exactly as it was.
    """
    target = Path(db_path)
    if target.is_dir() or (target.exists() and target.stat().st_size and not _is_duckdb(target)):
        raise InputError(f"{target.name} exists and is not a DuckDB warehouse: refusing to overwrite it "
                         "(check --db)", file=str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        if incremental and target.exists():
            shutil.copyfile(target, tmp)
            if _wal(target).exists():
                shutil.copyfile(_wal(target), _wal(tmp))
        con = duckdb.connect(str(tmp))
        try:
            con.execute("BEGIN TRANSACTION")  # one commit: every table written (and synced) once, not one by one
            for ddl in META_DDL.values():
                con.execute(ddl)
            yield con
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, target)
        _unlink(_wal(target))  # a WAL left by a crashed writer of the old file would not match
    finally:
        _unlink(tmp, _wal(tmp))


def load_table(con: Connection, mapping: TableMapping, data: pa.Table, locate: Locate) -> tuple[int, int]:
    """Create (or replace) table ``mapping.name`` from ``data`` (mapped columns + ``_src``,
    ``_rec``), after the duplicate-key check. Rows keep file then record order; exact
    duplicate rows are loaded once. A mapping that combines rows (a ``[long]`` table or
    ``aggregate = "sum"``) adds up the numbers of the rows sharing the key (NULL where every
    row is NULL; other columns: the first row's). Returns (duplicate copies dropped, rows combined)."""
    view = "_incoming"
    con.register(view, data)
    try:
        if mapping.combines_rows:
            return _combine_rows(con, mapping, view)
        dropped = check_keys(con, view, mapping, locate)
        cols = ", ".join(f"CAST({quote_ident(f.name)} AS {SQL_TYPES[f.type]}) AS {quote_ident(f.name)}" for f in mapping.fields)
        qualify = ""
        if mapping.key and dropped:
            keys = ", ".join(quote_ident(k) for k in mapping.key)
            qualify = f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _src, _rec) = 1"
        # ``data`` is in file then record order already, and DuckDB keeps the order of a plain scan
        # (preserve_insertion_order): only the QUALIFY (a window) needs the ORDER BY
        order = "ORDER BY _src, _rec" if qualify else ""
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(mapping.name)} AS "
                    f"SELECT {cols} FROM {view} {qualify} {order}")
    finally:
        con.unregister(view)
    return dropped, 0


def _combine_rows(con: Connection, mapping: TableMapping, view: str) -> tuple[int, int]:
    """Exact duplicate rows once, then one row per key: numbers summed, other columns first.

    Rules: a row's place is (``_src``, ``_rec``), packed into one number ``_pos`` (file index
    above bit 32, record below); of rows identical in every column but ``_src``/``_rec`` the
    first place stands for them all. Rows sharing the key are then one row: ``float``/``int``
    columns summed in file order (NULL where every row is NULL), other columns the value of the first row;
    the combined rows come in the order of their first file, then first record. Both steps are
    hash aggregates (no sort of the whole table)."""
    res = con.execute(f"SELECT * FROM {view} LIMIT 0")
    data_cols = [c for c in res.description if c[0] not in ("_src", "_rec")]
    res.fetchall()
    every = ", ".join(quote_ident(c[0]) for c in data_cols)
    keys = ", ".join(quote_ident(k) for k in mapping.key)
    parts = []
    for f in mapping.fields:
        q = quote_ident(f.name)
        if f.name in mapping.key:
            expr = q
        elif f.type in ("float", "int"):
            expr = f"sum({q} ORDER BY _pos)"  # in file order: the same bits whatever the hash order
        else:
            expr = f"first({q} ORDER BY _pos)"
        parts.append(f"CAST({expr} AS {SQL_TYPES[f.type]}) AS {q}")
    total = con.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0]
    distinct = "_distinct_rows"  # computed once, counted and grouped
    con.execute(f"CREATE TEMP TABLE {distinct} AS "
                f"SELECT {every}, min((CAST(_src AS BIGINT) << 32) + _rec) AS _pos FROM {view} GROUP BY {every}")
    try:
        n_distinct = con.execute(f"SELECT count(*) FROM {distinct}").fetchall()[0][0]
        con.execute(f"CREATE OR REPLACE TABLE {quote_ident(mapping.name)} AS "
                    f"SELECT {', '.join(parts)} FROM {distinct} GROUP BY {keys} "
                    f"ORDER BY min(_pos >> 32), min(_pos & {0xFFFFFFFF})")
    finally:
        con.execute(f"DROP TABLE {distinct}")
    rows = con.execute(f"SELECT count(*) FROM {quote_ident(mapping.name)}").fetchall()[0][0]
    return int(total - n_distinct), int(n_distinct - rows)


Loaded = tuple[TableMapping, Sequence[dict], int]  # a table's mapping, its files' sources, its rows


def write_metadata(con: Connection, loaded: Sequence[Loaded]) -> None:
    """Replace the rows of the ``loaded`` tables in ``_sources``, ``_dictionary`` and ``_tables``
    (one DELETE and one INSERT per metadata table for all of them)."""
    names = [m.name for m, _, _ in loaded]
    if not names:
        return
    for meta in META_DDL:
        con.execute(f'DELETE FROM {meta} WHERE list_contains(?, "table")', [names])
    src_cols = ["file", "sha256", "rows", "encoding", "format", "separator", "header_rows", "padded_dates"]
    _insert_rows(con, "_sources", [[m.name, *[s.get(c) for c in src_cols]] for m, sources, _ in loaded
                                   for s in sources])
    _insert_rows(con, "_dictionary", [
        [m.name, f.name, f.code or "category " + " | ".join(f.category), f.label_zh, f.label_en, f.unit,
         f.type, f.required, i] for m, _, _ in loaded for i, f in enumerate(m.fields, start=1)])
    _insert_rows(con, "_tables", [[m.name, m.source, m.label_zh, m.label_en, m.provenance, ", ".join(m.key), rows,
                                   m.path] for m, _, rows in loaded])


def _insert_rows(con: Connection, table: str, rows: list[list]) -> None:
    """``rows`` into ``table`` (its columns in order) by one INSERT from an Arrow table: binding
    thousands of parameters costs more than the insert itself. Each column's values are converted
    to the table's column type by the INSERT (a column of NULLs alone as well)."""
    if not rows:
        return
    view = "_metadata_rows"
    con.register(view, pa.table({f"c{i}": pa.array(list(col)) for i, col in enumerate(zip(*rows))}))
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM {view}")
    finally:
        con.unregister(view)


def open_warehouse(path: Path | str, read_only: bool = True) -> Connection:
    """Open the warehouse DuckDB file (read-only by default); close the connection when done."""
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"warehouse {path.name} does not exist; run `nqp ingest` first", file=str(path))
    return duckdb.connect(str(path), read_only=read_only)


def table_names(con: Connection, *, meta: bool = False) -> list[str]:
    """Data tables in the warehouse (with ``meta=True`` also ``_sources`` etc.), sorted."""
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary").fetchall()]
    return sorted(n for n in names if meta or not n.startswith("_"))


def read_table(path_or_con: Path | str | Connection, name: str,
               columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Table ``name`` (optionally only ``columns``) as a DataFrame, in load order.

    Dates come back as ``datetime64``, codes and text as strings, ints as ``int64`` (floats
    where NULLs exist). Unknown table or column -> :class:`SchemaError` with close matches.
    """
    if isinstance(path_or_con, duckdb.DuckDBPyConnection):
        return _read(path_or_con, name, columns)
    con = open_warehouse(path_or_con, read_only=True)
    try:
        return _read(con, name, columns)
    finally:
        con.close()


def _read(con: Connection, name: str, columns: Sequence[str] | None) -> pd.DataFrame:
    tables = table_names(con, meta=True)
    if name not in tables:
        close = difflib.get_close_matches(name, tables, n=3)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise SchemaError(f"the warehouse has no table {name!r}{hint} (tables: {', '.join(tables)})", table=name)
    have = [r[0] for r in con.execute(f"DESCRIBE {quote_ident(name)}").fetchall()]
    if columns is None:
        sel = "*"
    else:
        for c in columns:
            if c not in have:
                close = difflib.get_close_matches(c, have, n=3)
                hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
                raise SchemaError(f"table {name!r} has no column {c!r}{hint}", table=name, column=c)
        sel = ", ".join(quote_ident(c) for c in columns)
    return con.execute(f"SELECT {sel} FROM {quote_ident(name)}").df()
