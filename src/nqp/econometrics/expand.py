"""Expanded formula terms (公式项展开): transformed variables and categorical dummies.

``formula.py`` parses ``I(x**2)``, ``log(x)``, ``C(f)``, ``i(f)``, ``i(f, z)`` and string
columns; this module turns them into numeric columns on a data frame, named as pyfixest names
them (``I(x ** 2)``, ``C(f)[T.b]``, ``f[T.b]`` -- ``f[b]`` when every level is kept --,
``f::b``, ``f::b:z``):

* an expression is evaluated on float64 columns with numpy (``+ - * / **``, ``log``, ``exp``,
  ``sqrt``, ``log10``, ``abs``); a value that is not finite (``log(0)``) is an error naming
  the term and the row, as an infinite column is;
* a categorical gives one 0/1 column per level (sorted; a pandas Categorical keeps its category
  order), the reference level left out when ``drop_reference`` (the model has an intercept or
  FE), as treatment coding in formulaic/pyfixest; ``i(f, z)`` gives z times each level's dummy,
  all levels unless ``ref=`` is given (fixest ``i(var1, var2)``). A missing category makes
  every column of the row missing, so the row leaves the sample.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import numpy as np
import pandas as pd

from nqp.econometrics.formula import Categorical
from nqp.errors import EstimationError, FormulaError

_NUMPY = {"log": np.log, "exp": np.exp, "sqrt": np.sqrt, "log10": np.log10, "abs": np.abs}
_OPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide, ast.Pow: np.power}


def is_categorical(s: pd.Series) -> bool:
    """A column expanded into dummies when used as a plain regressor: strings, objects,
    pandas Categoricals (numbers and booleans are used as numbers)."""
    return not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s))


def evaluate(expr: str, reads: tuple[str, ...], column: Callable[[str], np.ndarray], label: str,
             index: pd.Index) -> np.ndarray:
    """Value of the arithmetic expression ``expr`` (checked by ``formula._check_expr``) of the
    columns ``reads``, ``column(name)`` giving each as float64; NaN stays missing, an infinite or undefined
    result where the inputs are finite is an EstimationError naming ``label`` and the row."""

    def ev(node: ast.expr) -> np.ndarray | float:
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return column(node.id)
        if isinstance(node, ast.BinOp):
            return _OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func).removeprefix("np.")
            return _NUMPY[name](ev(node.args[0]))
        raise FormulaError(f"cannot evaluate {ast.unparse(node)!r} in {label!r}", variable=label)

    tree = ast.parse(expr, mode="eval").body
    with np.errstate(all="ignore"):
        out = np.asarray(ev(tree), dtype=np.float64)
    if out.ndim == 0:
        raise FormulaError(f"the term {label!r} reads no column", variable=label)
    inputs_ok = np.ones(out.shape[0], dtype=bool)
    for n in reads:
        inputs_ok &= np.isfinite(column(n))
    bad = inputs_ok & ~np.isfinite(out)
    if bad.any():
        i = int(np.argmax(bad))
        raise EstimationError(f"{label!r} is not defined (infinite or NaN) in {int(bad.sum())} row(s) where its inputs "
                              f"are finite (e.g. log of a value <= 0)", variable=label, row=index[i])
    return out


def levels(s: pd.Series) -> list:
    """Levels in formulaic/pyfixest order: a Categorical's categories (those present), else the
    sorted distinct values."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.dropna().unique())
        return [c for c in s.cat.categories if c in present]
    vals = pd.unique(s.dropna())
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def _level_text(v: object) -> str:
    return str(v.item() if hasattr(v, "item") else v)


def dummies(cat: Categorical, s: pd.Series, drop_reference: bool, by: np.ndarray | None,
            label: str) -> list[tuple[str, np.ndarray]]:
    """(name, column) pairs of a categorical term (see module doc)."""
    lv = levels(s)
    if not lv:
        raise EstimationError(f"{cat.column!r} in {label!r} has no non-missing value", variable=cat.column)
    if cat.has_ref:
        match = [v for v in lv if v == cat.ref] or [v for v in lv if _level_text(v) == str(cat.ref)]
        if not match:
            shown = ", ".join(repr(_level_text(v)) for v in lv[:10])
            raise FormulaError(f"reference level {cat.ref!r} of {label!r} is not a value of {cat.column!r} "
                               f"(levels: {shown}{', ...' if len(lv) > 10 else ''})", variable=cat.column)
        ref = match[0]
    else:
        ref = lv[0]
    drop = cat.has_ref or (drop_reference and cat.by is None)
    missing = s.isna().to_numpy()
    vals = s.to_numpy()
    out = []
    for v in lv:
        if drop and v == ref:
            continue
        col = (vals == v).astype(np.float64)
        col[missing] = np.nan
        text = _level_text(v)
        if cat.style == "i":
            name = f"{cat.column}::{text}" + (f":{cat.by.label}" if cat.by is not None else "")
        else:  # treatment contrast "[T.b]"; the full set of levels (no reference) "[b]", as formulaic
            name = f"{cat.prefix}[T.{text}]" if drop else f"{cat.prefix}[{text}]"
        out.append((name, col if by is None else col * by))
    return out
