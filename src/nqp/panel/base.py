"""The firm-year base table: ``definitions/base.sql`` run in DuckDB over the warehouse.

The warehouse is attached read-only to an in-memory DuckDB database. Every warehouse table is
exposed there as a view of the same name; a table the shipped mappings know but the warehouse
lacks (e.g. no energy data) is exposed as an *empty* table with the mapping's columns, so the
base query still runs and the variables that need it come out missing -- and are reported as
not built, with the reason. Each firm-year source (a CTE of base.sql with ``stkcd`` and
``year``) is checked for one row per firm and year first: two fiscal-year rows of one firm
would otherwise multiply rows silently in the joins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from nqp.errors import ConfigError, InputError, MissingFileError
from nqp.ingest.mapping import TableMapping, load_mappings
from nqp.ingest.validate import SQL_TYPES
from nqp.ingest.warehouse import quote_ident

_CTE = re.compile(r"^(\w+)\s+AS\s+\(", re.MULTILINE)


@dataclass
class Workspace:
    """An in-memory DuckDB connection with the warehouse attached read-only as ``wh``."""

    con: duckdb.DuckDBPyConnection
    tables: list[str]                       # tables present in the warehouse
    absent_tables: list[str] = field(default_factory=list)   # known tables stood in by empty ones
    column_table: dict[str, str] = field(default_factory=dict)  # field -> its warehouse table
    frame: pa.Table | None = None           # the firm-year frame of the formula step (see set_frame)
    checked_documents: set[str] = field(default_factory=set)  # document tables found keyed by firm-year

    def set_frame(self, table: pa.Table) -> None:
        """Make ``table`` the relation ``frame`` of the connection (Arrow, registered: adding a
        column appends it to the Arrow table instead of copying the whole frame in DuckDB)."""
        self.frame = table
        self.con.register("frame", table)

    def close(self) -> None:
        self.con.close()


def open_workspace(warehouse: str | Path, mappings: dict[str, TableMapping] | None = None) -> Workspace:
    """Attach ``warehouse`` read-only and expose its tables (and empty stand-ins) as views."""
    path = Path(warehouse)
    if not path.is_file():
        raise MissingFileError(f"warehouse {path.name} does not exist; run `nqp ingest` first", file=str(path))
    con = duckdb.connect()
    con.execute(f"ATTACH {_sql_path(path)} AS wh (READ_ONLY)")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'wh' AND schema_name = 'main'").fetchall()]
    ws = Workspace(con=con, tables=sorted(tables))
    for t in ws.tables:
        con.execute(f"CREATE VIEW {quote_ident(t)} AS SELECT * FROM wh.main.{quote_ident(t)}")
        for (col,) in con.execute(f"SELECT column_name FROM duckdb_columns() WHERE database_name = 'wh' "
                                  f"AND table_name = ?", [t]).fetchall():
            ws.column_table.setdefault(col, t)
    for name, m in (mappings if mappings is not None else load_mappings()).items():
        if name in tables:
            continue
        cols = ", ".join(f"{quote_ident(f.name)} {SQL_TYPES[f.type]}" for f in m.fields)
        con.execute(f"CREATE TABLE {quote_ident(name)} ({cols})")
        ws.absent_tables.append(name)
        for f in m.fields:
            ws.column_table.setdefault(f.name, name)
    return ws


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def split_with(sql: str) -> tuple[str, list[str]]:
    """The ``WITH ...`` block of base.sql (up to the top-level SELECT) and its CTE names."""
    m = re.search(r"^SELECT\b", sql, re.MULTILINE)
    if not m or not re.search(r"^\s*WITH\b", re.sub(r"--[^\n]*", "", sql), re.MULTILINE):
        return "", []
    head = sql[: m.start()].rstrip().rstrip(",")
    return head, _CTE.findall(head)


def check_firm_years(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, list[str]]:
    """Every CTE of ``sql`` with columns stkcd and year must have one row per (stkcd, year);
    else InputError naming the source table, the firm and the year. Returns each CTE's columns.

    The CTEs are checked in one query; the first with a duplicate (or every one, if that query
    fails) is then checked alone, so the error is that of checking them one by one in order."""
    head, names = split_with(sql)
    columns: dict[str, list[str]] = {}
    try:
        for cte in names:
            columns[cte] = [r[0] for r in con.execute(f"{head} SELECT * FROM {cte} LIMIT 0").description]
    finally:  # a CTE DuckDB cannot bind raises once the CTEs before it are checked
        _check_keyed(con, head, [cte for cte, cols in columns.items() if "stkcd" in cols and "year" in cols])
    return columns


def _check_keyed(con: duckdb.DuckDBPyConnection, head: str, ctes: list[str]) -> None:
    """The duplicate check of :func:`check_firm_years` over ``ctes`` (each has stkcd and year)."""
    if not ctes:
        return
    union = " UNION ALL ".join(f"SELECT {i} AS i FROM (SELECT 1 FROM {cte} GROUP BY stkcd, year "
                               "HAVING count(*) > 1 LIMIT 1)" for i, cte in enumerate(ctes))
    try:
        hits: list[str] | None = [ctes[i] for (i,) in con.execute(f"{head} {union}").fetchall()]
    except duckdb.Error:
        hits = None
    for cte in ctes if hits is None else [c for c in ctes if c in hits][:1]:
        dup = con.execute(f"{head} SELECT stkcd, year, count(*) AS n FROM {cte} GROUP BY stkcd, year "
                          f"HAVING count(*) > 1 ORDER BY stkcd, year").fetchall()
        if dup:
            table = _source_table(head, cte)
            firm, year, n = dup[0]
            raise InputError(
                f"a firm with two fiscal-year rows: {table} has {n} rows for firm {firm} in {year} "
                f"({len(dup)} duplicated firm-year(s) in all); keep one row per firm and fiscal year",
                table=table, firm=str(firm), year=int(year))


def _source_table(head: str, cte: str) -> str:
    m = re.search(rf"^{cte}\s+AS\s+\((.*?)\bFROM\s+(\w+)", head, re.MULTILINE | re.DOTALL)
    return m.group(2) if m else cte


def map_cte_columns(ws: Workspace, sql: str, columns: dict[str, list[str]]) -> None:
    """Record the source table of columns that a CTE of ``sql`` derives (e.g. a sum over
    ``asset_items``), so a variable built on them is reported unbuilt when that table is absent.
    ``columns``: each CTE's columns (:func:`check_firm_years`)."""
    head, names = split_with(sql)
    for cte in names:
        table = _source_table(head, cte)
        if table not in ws.tables and table not in ws.absent_tables:
            continue
        for col in columns[cte]:
            ws.column_table.setdefault(col, table)


def run_base(ws: Workspace, sql: str) -> list[str]:
    """Check the firm-year sources, then create table ``base`` from ``sql``; return its columns."""
    map_cte_columns(ws, sql, check_firm_years(ws.con, sql))
    try:
        ws.con.execute(f"CREATE OR REPLACE TABLE base AS {sql}")
    except duckdb.Error as exc:
        raise ConfigError(f"base.sql failed in DuckDB: {exc}", file="base.sql") from exc
    dup = ws.con.execute("SELECT stkcd, year FROM base GROUP BY ALL HAVING count(*) > 1 LIMIT 1").fetchall()
    if dup:
        raise InputError("the base table has two rows for one firm-year (a one-to-many join in base.sql)",
                         table="base", firm=str(dup[0][0]), year=int(dup[0][1]))
    return [r[0] for r in ws.con.execute("SELECT * FROM base LIMIT 0").description]
