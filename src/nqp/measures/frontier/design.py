"""Model frame of a frontier: a small formula language, logs, translog terms, dummies.

Formula: ``"y ~ x1 + x2 + C(year)"``. A term is a column name, ``log(col)`` / ``np.log(col)``
(natural log), or ``C(col)`` (dummies for each level but the first). With ``log=True`` every
plain column term (and the outcome) is logged. An intercept is always included, as in
FRONTIER 4.1 / R ``frontier``.

Translog (超越对数生产函数): for the continuous regressors x_1..x_m, adds ½x_j² and x_j·x_k
(j < k), R ``frontier``'s default ``quadHalf = TRUE`` form:
ln y = β0 + Σ β_j x_j + ½ Σ_j Σ_k β_jk x_j x_k with β_jk = β_kj.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nqp.errors import (FormulaError, IdentificationError, InputError, MissingValueWarning,
                        SchemaError)

_LOG = re.compile(r"^(?:np\.)?log\(\s*(.+?)\s*\)$")
_CAT = re.compile(r"^C\(\s*(.+?)\s*\)$")


@dataclass(frozen=True)
class Term:
    column: str
    kind: str  # "var", "log" or "cat"


@dataclass(frozen=True)
class Design:
    y: np.ndarray
    X: np.ndarray
    names: list[str]
    index: pd.Index
    rows: np.ndarray  # positions of the used rows in the input frame


def parse_formula(formula: str, log: bool = False) -> tuple[Term, list[Term]]:
    """Split ``"lhs ~ t1 + t2"`` into terms; ``log=True`` logs plain column terms."""
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise FormulaError(f"formula must look like 'y ~ x1 + x2', got {formula!r}")
    lhs, rhs = (s.strip() for s in formula.split("~"))
    rhs_terms = [t.strip() for t in rhs.split("+") if t.strip()]
    if not lhs or not rhs_terms:
        raise FormulaError(f"formula needs an outcome and at least one regressor: {formula!r}")

    def term(s: str) -> Term:
        if mt := _LOG.match(s):
            return Term(mt.group(1), "log")
        if mt := _CAT.match(s):
            return Term(mt.group(1), "cat")
        if s in ("1", "0", "-1") or "(" in s:
            raise FormulaError(f"unsupported term {s!r} in {formula!r}")
        return Term(s, "log" if log else "var")

    y = term(lhs)
    if y.kind == "cat":
        raise FormulaError(f"the outcome cannot be categorical: {formula!r}")
    return y, [term(t) for t in rhs_terms]


def py_scalar(x):
    """A numpy scalar as the plain Python value (so messages read 2015, not np.int64(2015))."""
    return x.item() if isinstance(x, np.generic) else x


def _where(data: pd.DataFrame, pos: np.ndarray, panel: tuple[str, str] | None, n: int = 5) -> str:
    if panel is None:
        return ", ".join(f"row {py_scalar(data.index[i])!r}" for i in pos[:n])
    f, t = panel
    return ", ".join(f"firm {py_scalar(data[f].iloc[i])!r} year {py_scalar(data[t].iloc[i])!r}"
                     for i in pos[:n])


def build_design(
    formula: str,
    data: pd.DataFrame,
    *,
    log: bool = False,
    translog: bool = False,
    panel: tuple[str, str] | None = None,
) -> Design:
    """Outcome vector and regressor matrix (intercept first) of the rows without missing values.

    Rows with a missing value in a used column are dropped with a ``MissingValueWarning``
    naming how many and the first few. A non-positive value in a logged column raises
    ``InputError`` naming the column, the count and the first firm-years (or row labels).
    """
    y_term, x_terms = parse_formula(formula, log)
    used = [y_term.column] + [t.column for t in x_terms] + (list(panel) if panel else [])
    missing_cols = [c for c in dict.fromkeys(used) if c not in data.columns]
    if missing_cols:
        raise SchemaError(f"formula/panel names column(s) not in the data: {missing_cols}",
                          column=missing_cols[0])
    numeric_cols = [t.column for t in [y_term, *x_terms] if t.kind != "cat"]
    for c in dict.fromkeys(numeric_cols):
        if not pd.api.types.is_numeric_dtype(data[c]):
            raise SchemaError(f"column {c!r} must be numeric, has dtype {data[c].dtype}", column=c)
    na = data[list(dict.fromkeys(used))].isna().any(axis=1).to_numpy()
    if na.any():
        pos = np.flatnonzero(na)
        warnings.warn(MissingValueWarning(
            f"{len(pos)} row(s) with a missing value in {sorted(set(used))} dropped from the "
            f"frontier; first: {_where(data, pos, panel)}"), stacklevel=3)
    rows = np.flatnonzero(~na)
    frame = data.iloc[rows]

    def values(t: Term) -> np.ndarray:
        v = frame[t.column].to_numpy(dtype=float)
        if t.kind == "log":
            bad = ~(v > 0)
            if bad.any():
                pos = rows[np.flatnonzero(bad)]
                first = pos[0]
                where = ({"firm": py_scalar(data[panel[0]].iloc[first]),
                          "year": py_scalar(data[panel[1]].iloc[first])}
                         if panel else {"row": py_scalar(data.index[first])})
                raise InputError(
                    f"{bad.sum()} non-positive value(s) of {t.column!r} cannot be logged: "
                    f"{_where(data, pos, panel)}", variable=t.column, **where)
            return np.log(v)
        return v

    y = values(y_term)
    cols, names = [np.ones(len(rows))], ["Intercept"]
    cont = [(t, values(t)) for t in x_terms if t.kind != "cat"]
    label = {t: (f"log({t.column})" if t.kind == "log" else t.column) for t, _ in cont}
    for t, v in cont:
        cols.append(v)
        names.append(label[t])
    if translog:
        for j, (tj, vj) in enumerate(cont):
            for tk, vk in cont[j:]:
                if tj is tk:
                    cols.append(0.5 * vj * vj)
                    names.append(f"0.5*{label[tj]}^2")
                else:
                    cols.append(vj * vk)
                    names.append(f"{label[tj]}:{label[tk]}")
    for t in x_terms:
        if t.kind == "cat":
            levels = sorted(frame[t.column].unique())
            for lev in levels[1:]:
                cols.append((frame[t.column] == lev).to_numpy(dtype=float))
                names.append(f"C({t.column})[{lev}]")
    X = np.column_stack(cols)
    if len(rows) <= X.shape[1] + 2:
        raise IdentificationError(
            f"{len(rows)} usable rows for {X.shape[1]} frontier coefficients and 2 variance "
            "parameters: too few observations")
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise IdentificationError(f"frontier regressors are collinear: {names}")
    return Design(y=y, X=X, names=names, index=frame.index, rows=rows)
