"""Writing stage results into the warehouse (DuckDB), atomically, and reading firm lists from it.

Rows of a stage replace the rows with the same key (e.g. ``stkcd, year``) already in the table;
other rows are kept, so a stage can be run on part of a corpus and then on the rest. The write
goes through ``nqp.ingest.warehouse.building`` (a temporary copy moved into place), so a
failure leaves the warehouse as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nqp.ingest.warehouse import building, open_warehouse, quote_ident, table_names

FIRM_TABLES = ("company_profile",)


def upsert_table(db: str | Path, table: str, frame: pd.DataFrame, key: list[str]) -> None:
    """Put ``frame`` into ``table``: rows whose ``key`` matches are replaced, others kept.
    If the table's columns differ from the frame's (e.g. other dictionaries), it is replaced."""
    upsert_tables(db, [(table, frame, key)])


def upsert_tables(db: str | Path, tables: Sequence[tuple[str, pd.DataFrame, list[str]]]) -> None:
    """:func:`upsert_table` for several ``(table, frame, key)`` at once: one copy of the warehouse,
    one commit (all of them are written or none)."""
    with building(db, incremental=True) as con:
        for table, frame, key in tables:
            _upsert(con, table, frame, key)


def _upsert(con, table: str, frame: pd.DataFrame, key: list[str]) -> None:
    con.register("_incoming", frame)
    try:
        exists = table in table_names(con)
        same = exists and [r[0] for r in con.execute(f"DESCRIBE {quote_ident(table)}").fetchall()] == list(frame.columns)
        if same:
            on = " AND ".join(f"t.{quote_ident(k)} = i.{quote_ident(k)}" for k in key)
            con.execute(f"DELETE FROM {quote_ident(table)} t USING _incoming i WHERE {on}")
            con.execute(f"INSERT INTO {quote_ident(table)} SELECT * FROM _incoming")
        else:
            con.execute(f"CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def known_firms(db: str | Path) -> set[str] | None:
    """Stock codes of the firms in the warehouse (``company_profile``), or None if it has none."""
    con = open_warehouse(db)
    try:
        for t in FIRM_TABLES:
            if t in table_names(con):
                return {r[0] for r in con.execute(f"SELECT DISTINCT stkcd FROM {quote_ident(t)}").fetchall()}
    finally:
        con.close()
    return None
