"""Formula and document variables, evaluated in DuckDB on the base table, in definition order.

* ``[positive_fields]``: a non-positive value of such a field (employees, total assets, ...) is
  set missing first, with a :class:`DataWarning` naming the field, the count and the first
  firm-years -- it can only be a data error, and it would otherwise turn into ±inf or NaN.
* ``prev_<col>``: the column in the firm's previous fiscal year, by a self-join on year − 1
  (missing when that year is missing: no carry-over across gaps).
* A formula naming a field the base table does not have is a :class:`ConfigError` naming the
  variable and the field.
* ±inf or NaN produced by a formula (x/0, ln 0, ln of a negative) becomes missing with a
  :class:`DataWarning` naming the variable and the firm-years: never a silent NaN.
"""

from __future__ import annotations

import re
import warnings

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nqp.errors import ConfigError, DataWarning, InputError
from nqp.ingest.warehouse import quote_ident
from nqp.panel.base import Workspace
from nqp.panel.config import Variable

FIRST = 5
ROW = "_frame_row"  # the frame's row number: every added column is computed in this order
_PREV = re.compile(r"\bprev_(\w+)\b")
_IDENT = re.compile(r"\b([A-Za-z_]\w*)\b")
_NOT_FOUND = re.compile(r'Referenced column "?([^"\s]+)"? not found')


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"SELECT * FROM {quote_ident(table)} LIMIT 0").description]


def _first(rows: list[tuple]) -> str:
    return ", ".join(f"firm {s} year {y}" for s, y in rows[:FIRST])


def clean_positive(ws: Workspace, fields: tuple[str, ...], table: str = "base") -> None:
    """Set non-positive values of ``fields`` to NULL in ``table``, warning per field."""
    have = set(_columns(ws.con, table))
    for f in fields:
        if f not in have:
            continue
        bad = ws.con.execute(f"SELECT stkcd, year FROM {table} WHERE {quote_ident(f)} <= 0 ORDER BY stkcd, year").fetchall()
        if not bad:
            continue
        warnings.warn(DataWarning(
            f"{len(bad)} firm-year(s) with a non-positive {f} set to missing; first: {_first(bad)}",
            variable=f, firm=str(bad[0][0]), year=int(bad[0][1])), stacklevel=3)
        ws.con.execute(f"UPDATE {table} SET {quote_ident(f)} = NULL WHERE {quote_ident(f)} <= 0")


def referenced_prev(variables: list[Variable]) -> list[str]:
    """Base columns referenced as ``prev_<col>`` by formula variables, in first-use order."""
    out: list[str] = []
    for v in variables:
        if v.kind == "formula":
            for c in _PREV.findall(v.expr):
                if c not in out:
                    out.append(c)
    return out


def add_prev(ws: Workspace, prev: list[str], variables: list[Variable]) -> None:
    """Create table ``frame`` = base + ``prev_<col>`` columns (self-join on year − 1)."""
    have = set(_columns(ws.con, "base"))
    for c in prev:
        if c not in have:
            user = next(v for v in variables if v.kind == "formula" and f"prev_{c}" in v.expr)
            raise ConfigError(f"formula names field prev_{c}, but the base table has no field {c!r}",
                              variable=user.name, column=f"prev_{c}")
    sel = ", ".join(f"p.{quote_ident(c)} AS {quote_ident('prev_' + c)}" for c in prev)
    table = ws.con.sql("SELECT b.*" + (f", {sel}" if sel else "")
                       + " FROM base b LEFT JOIN base p ON p.stkcd = b.stkcd AND p.year = b.year - 1").to_arrow_table()
    ws.set_frame(table.append_column(ROW, pa.array(np.arange(table.num_rows, dtype=np.int64))))


def _add_columns(ws: Workspace, names: list[str], values: pa.Table) -> None:
    """Append the columns of ``values`` (a query's result, one row per frame row in ``ROW``
    order) to the frame as ``names``; then, name by name, ±inf and NaN of a float column become
    NULL with a DataWarning."""
    assert ws.frame is not None
    frame = ws.frame
    for i, name in enumerate(names):
        frame = frame.append_column(name, values.column(i))
    ws.set_frame(frame)
    for name in names:
        _bad_numbers(ws, name)


def _identifiers(expr: str) -> list[str]:
    """The identifiers ``expr`` mentions, in order (string literals ignored)."""
    return _IDENT.findall(re.sub(r"'(?:[^']|'')*'", "''", expr))


def fields_of(expr: str, columns: set[str]) -> list[str]:
    """The columns of ``columns`` that ``expr`` mentions (identifiers; string literals ignored)."""
    out: list[str] = []
    for name in _identifiers(expr):
        if name in columns and name not in out:
            out.append(name)
    return out


def names_any(expr: str, names: list[str]) -> bool:
    """Whether ``expr`` mentions one of ``names`` as DuckDB reads names (case-insensitively)."""
    lowered = {n.lower() for n in names}
    return any(i.lower() in lowered for i in _identifiers(expr))


def _bad_numbers(ws: Workspace, name: str) -> None:
    assert ws.frame is not None
    values = ws.frame.column(name)
    if not len(values) or not pa.types.is_floating(values.type) or not pc.any(pc.invert(pc.is_finite(values))).as_py():
        return
    bad = ws.con.execute(f"SELECT stkcd, year FROM frame WHERE isnan({quote_ident(name)}) OR isinf({quote_ident(name)}) "
                         "ORDER BY stkcd, year").fetchall()
    if bad:
        warnings.warn(DataWarning(
            f"{name}: the formula gave ±inf or NaN (e.g. a zero denominator, ln of a non-positive "
            f"number) for {len(bad)} firm-year(s), set to missing; first: {_first(bad)}",
            variable=name, firm=str(bad[0][0]), year=int(bad[0][1])), stacklevel=4)
        finite = pc.is_finite(values)  # NULL stays NULL; NaN and ±inf are not finite
        i = ws.frame.column_names.index(name)
        ws.set_frame(ws.frame.set_column(i, name, pc.if_else(finite, values, pa.scalar(None, values.type))))


def _check_name(ws: Workspace, v: Variable) -> None:
    assert ws.frame is not None
    clash = [c for c in ws.frame.column_names if c.lower() == v.name.lower()]
    if clash:
        raise ConfigError(f"variable {v.name} has the name of an existing column {clash[0]!r} (DuckDB names "
                          "are case-insensitive); rename the variable or the column in base.sql",
                          variable=v.name, column=clash[0])


def eval_formulas(ws: Workspace, run: list[tuple[Variable, str]]) -> None:
    """Add columns ``v.name`` = ``expr`` to table ``frame`` for a run of formulas none of which
    names another of the run (:func:`names_any`), in one SELECT: one query instead of one per
    variable. Each column is checked for ±inf/NaN in run order, as :func:`eval_formula` one by one
    does. A name clash or a formula DuckDB cannot evaluate sends the run through
    :func:`eval_formula` one by one, so the error is that of the first formula at fault."""
    assert ws.frame is not None
    if not run:
        return
    taken = {c.lower() for c in ws.frame.column_names}
    clash = False
    for v, _ in run:
        clash = clash or v.name.lower() in taken
        taken.add(v.name.lower())
    if not clash:
        sql = ", ".join(f"({expr}) AS {quote_ident(v.name)}" for v, expr in run)
        try:
            values = ws.con.sql(f"SELECT {sql} FROM frame ORDER BY {ROW}").to_arrow_table()
        except duckdb.Error:
            values = None
        if values is not None:
            _add_columns(ws, [v.name for v, _ in run], values)
            return
    for v, expr in run:
        eval_formula(ws, v, expr)


def eval_formula(ws: Workspace, v: Variable, expr: str) -> None:
    """Add column ``v.name`` = ``expr`` to table ``frame``."""
    _check_name(ws, v)
    try:
        _add_columns(ws, [v.name], ws.con.sql(f"SELECT ({expr}) AS {quote_ident(v.name)} FROM frame "
                                              f"ORDER BY {ROW}").to_arrow_table())
    except duckdb.BinderException as exc:
        m = _NOT_FOUND.search(str(exc))
        col = m.group(1) if m else None
        raise ConfigError(f"the formula of {v.name} names field {col!r}, which the base table "
                          f"(base.sql over the warehouse) does not have: {expr}"
                          if col else f"the formula of {v.name} cannot be evaluated: {exc}",
                          variable=v.name, column=col) from exc
    except duckdb.Error as exc:
        raise ConfigError(f"the formula of {v.name} cannot be evaluated: {exc}", variable=v.name) from exc


def eval_document(ws: Workspace, v: Variable, expr: str) -> str | None:
    """Add column ``v.name`` from document table ``v.table`` (joined on stkcd, year).

    Returns None when built, else the reason it could not be (table absent)."""
    if v.table not in ws.tables:
        return f"the warehouse has no table {v.table!r} (run the stage that writes it)"
    if v.table not in ws.checked_documents:  # once per table: the tables do not change in this step
        cols = set(_columns(ws.con, v.table))
        if not {"stkcd", "year"} <= cols:
            raise ConfigError(f"document table {v.table!r} needs columns stkcd and year", variable=v.name,
                              table=v.table)
        dup = ws.con.execute(f"SELECT stkcd, year FROM {quote_ident(v.table)} GROUP BY ALL "
                             "HAVING count(*) > 1 ORDER BY ALL LIMIT 1").fetchall()
        if dup:
            raise InputError(f"{v.table} has two rows for one firm-year", table=v.table, variable=v.name,
                             firm=str(dup[0][0]), year=int(dup[0][1]))
        ws.checked_documents.add(v.table)
    _check_name(ws, v)
    absent = "NULL" if v.absent is None else repr(float(v.absent))
    try:
        values = ws.con.sql(
            f"SELECT CASE WHEN d._in IS NULL THEN {absent} ELSE d._v END AS {quote_ident(v.name)} FROM frame f "
            f"LEFT JOIN (SELECT CAST(stkcd AS VARCHAR) AS _s, CAST(year AS BIGINT) AS _y, true AS _in, "
            f"({expr}) AS _v FROM {quote_ident(v.table)}) d ON d._s = f.stkcd AND d._y = f.year ORDER BY f.{ROW}")
        _add_columns(ws, [v.name], values.to_arrow_table())
    except duckdb.BinderException as exc:
        m = _NOT_FOUND.search(str(exc))
        col = m.group(1) if m else None
        raise ConfigError(f"the expression of {v.name} names field {col!r}, which table {v.table!r} "
                          f"does not have: {expr}" if col else f"{v.name}: {exc}",
                          variable=v.name, column=col, table=v.table) from exc
    return None
