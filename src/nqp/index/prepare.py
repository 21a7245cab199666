"""Checking an indicator frame and scaling its columns (指标标准化 / 无量纲化).

Every index builder in :mod:`nqp.index` starts here: the frame is checked (missing columns,
non-numeric columns, infinite values, missing values) with errors that name the column, the
row and -- when identifiers are known -- the firm and the year; then the indicators are made
to point the same way and put on a common scale.

Scalings (measurement-reference §1.1 step 1, §1.2):

* min–max (极差标准化): positive z = (x − min)/(max − min), negative z = (max − x)/(max − min);
  z ∈ [0, 1]. A constant column (max = min) gets z = 0 everywhere (and weight 0 later).
* ratio (比值标准化, as in the time-augmented method attributed to 杨丽、孙之淳 2015):
  positive x' = x / max, negative x' = min / x; needs x ≥ 0 (positive) or x > 0 (negative).

The input frame is never modified.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from nqp.errors import ConfigError, InputError, MissingValueWarning, SchemaError

MissingPolicy = Literal["error", "drop"]

_SHOW_ROWS = 5  # how many offending rows an error message lists


@dataclass(frozen=True)
class Prepared:
    """The checked numeric matrix behind an index.

    ``x`` is n × m (rows kept × indicators, float64, finite); ``row_index`` holds the labels of
    the kept rows of the input frame; ``years`` the year of each kept row (or None).
    """

    x: np.ndarray
    columns: list[str]
    signs: np.ndarray
    row_index: pd.Index
    years: np.ndarray | None
    n_dropped: int


def check_indicators(indicators: Mapping[str, int]) -> tuple[list[str], np.ndarray]:
    """Validate the column → sign mapping (+1 positive 正向, −1 negative 负向)."""
    if not indicators:
        raise ConfigError("no indicators given: `indicators` must map at least one column to +1 or -1")
    columns = list(indicators)
    signs = []
    for col, s in indicators.items():
        if isinstance(s, bool) or s not in (1, -1):
            raise ConfigError(f"indicator {col!r} has sign {s!r}; a sign must be +1 or -1", column=col)
        signs.append(int(s))
    return columns, np.asarray(signs, dtype=float)


def check_dimensions(columns: Sequence[str], dimensions: Mapping[str, str] | None) -> dict[str, list[str]]:
    """Group indicator columns by dimension, in order of first appearance.

    ``dimensions=None`` puts every indicator in one dimension named ``"all"``.
    """
    if dimensions is None:
        return {"all": list(columns)}
    missing = [c for c in columns if c not in dimensions]
    if missing:
        raise ConfigError(f"indicator(s) {missing} have no dimension in `dimensions`", column=missing[0])
    extra = [c for c in dimensions if c not in columns]
    if extra:
        raise ConfigError(f"`dimensions` names column(s) {extra} that are not indicators", column=extra[0])
    groups: dict[str, list[str]] = {}
    for c in columns:
        groups.setdefault(str(dimensions[c]), []).append(c)
    return groups


def _id_values(frame: pd.DataFrame, name: str) -> pd.Series | None:
    if name in frame.columns:
        return frame[name]
    if name in (frame.index.names or []):
        return pd.Series(frame.index.get_level_values(name), index=frame.index)
    return None


def _where(frame: pd.DataFrame, pos: int, ids: Sequence[str], year: str | None) -> dict[str, Any]:
    """Location fields (row, firm, year) of row number ``pos`` for an error."""
    out: dict[str, Any] = {"row": frame.index[pos]}
    for name in ids:
        values = _id_values(frame, name)
        if values is None:
            continue
        v = values.iloc[pos]
        v = v.item() if hasattr(v, "item") else v
        if name == year or name.lower() in ("year", "fyear", "accper", "年度", "年份"):
            out["year"] = v
        elif "firm" not in out:
            out["firm"] = v
    return out


def _describe(frame: pd.DataFrame, positions: np.ndarray, ids: Sequence[str]) -> str:
    parts = []
    for pos in positions[:_SHOW_ROWS]:
        label = f"row {frame.index[pos]!r}"
        for name in ids:
            values = _id_values(frame, name)
            if values is not None:
                label += f" {name}={values.iloc[pos]!r}"
        parts.append(label)
    more = f" and {len(positions) - _SHOW_ROWS} more" if len(positions) > _SHOW_ROWS else ""
    return "; ".join(parts) + more


def _default_ids(frame: pd.DataFrame, ids: Sequence[str] | None, year: str | None) -> list[str]:
    if ids is not None:
        return list(ids)
    names = [n for n in (frame.index.names or []) if n is not None]
    if year is not None and year not in names:
        names.append(year)
    return names


def prepare(
    frame: pd.DataFrame,
    indicators: Mapping[str, int],
    *,
    missing: MissingPolicy = "error",
    ids: Sequence[str] | None = None,
    year: str | None = None,
) -> Prepared:
    """Check ``frame`` and return the indicator matrix of the rows that are used.

    ``ids`` names columns or index levels that identify a row (e.g. ``("stkcd", "year")``);
    they are quoted in error messages. By default the index level names are used.
    ``missing="error"`` rejects rows with a missing indicator; ``"drop"`` drops them with a
    :class:`MissingValueWarning` that says how many rows and which columns.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if missing not in ("error", "drop"):
        raise ConfigError(f"missing={missing!r}; use 'error' or 'drop'", variable="missing")
    columns, signs = check_indicators(indicators)
    ids = _default_ids(frame, ids, year)

    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise SchemaError(
            f"indicator column(s) {absent} not in the frame (it has {len(frame.columns)} columns)",
            column=absent[0],
        )
    for c in columns:
        if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])):
            raise SchemaError(f"indicator column {c!r} is not numeric (dtype {frame[c].dtype})", column=c)
    x = np.column_stack([frame[c].to_numpy(dtype=float, na_value=np.nan) for c in columns]) if len(frame) else np.empty((0, len(columns)))

    for j, c in enumerate(columns):
        bad = np.flatnonzero(np.isinf(x[:, j]))
        if bad.size:
            raise InputError(
                f"indicator column {c!r} has {bad.size} infinite value(s): {_describe(frame, bad, ids)}",
                column=c,
                **_where(frame, bad[0], ids, year),
            )

    years = None
    if year is not None:
        yv = _id_values(frame, year)
        if yv is None:
            raise SchemaError(f"year={year!r} is neither a column nor an index level of the frame", column=year)
        if yv.isna().any():
            bad = np.flatnonzero(yv.isna().to_numpy())
            raise InputError(f"year column {year!r} is missing in {bad.size} row(s): {_describe(frame, bad, ids)}",
                             column=year, **_where(frame, bad[0], ids, year))
        years = yv.to_numpy()

    nan_rows = np.isnan(x).any(axis=1)
    n_dropped = int(nan_rows.sum())
    if n_dropped:
        per_col = {c: int(np.isnan(x[:, j]).sum()) for j, c in enumerate(columns) if np.isnan(x[:, j]).any()}
        bad = np.flatnonzero(nan_rows)
        what = f"{n_dropped} of {len(frame)} row(s) have a missing indicator (missing per column: {per_col})"
        if missing == "error":
            first_col = next(iter(per_col))
            raise InputError(
                f"{what}; first rows: {_describe(frame, bad, ids)}. Pass missing='drop' to drop them",
                column=first_col,
                **_where(frame, bad[0], ids, year),
            )
        warnings.warn(MissingValueWarning(f"dropped {what}", column=next(iter(per_col))), stacklevel=3)
    keep = ~nan_rows
    x = x[keep]
    if x.shape[0] < 2:
        raise InputError(f"an index needs at least 2 complete rows; {x.shape[0]} left after dropping missing values")
    return Prepared(
        x=x,
        columns=columns,
        signs=signs,
        row_index=frame.index[keep],
        years=None if years is None else years[keep],
        n_dropped=n_dropped,
    )


def minmax_standardize(x: np.ndarray, signs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min–max scaling by sign (极差标准化). Returns ``(z, constant)``.

    z_ij = (x_ij − min_j)/(max_j − min_j) if sign_j = +1, (max_j − x_ij)/(max_j − min_j) if −1.
    Columns with max = min are flagged in ``constant`` and get z = 0.
    """
    lo, hi = x.min(axis=0), x.max(axis=0)
    rng = hi - lo
    constant = rng == 0
    safe = np.where(constant, 1.0, rng)
    z = np.where(signs > 0, (x - lo) / safe, (hi - x) / safe)
    z[:, constant] = 0.0
    # exact bounds: guard against 1 + 1e-16 from rounding
    return np.clip(z, 0.0, 1.0), constant


def ratio_standardize(x: np.ndarray, signs: np.ndarray, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Ratio-to-extreme scaling (杨丽、孙之淳 2015): positive x/max, negative min/x.

    Returns ``(z, constant)``; z ∈ (0, 1] except that positive indicators may reach 0.
    Requires x ≥ 0 with max > 0 for a positive indicator and x > 0 for a negative one.
    """
    z = np.empty_like(x)
    for j, c in enumerate(columns):
        col = x[:, j]
        if signs[j] > 0:
            if col.min() < 0 or col.max() <= 0:
                raise InputError(
                    f"ratio scaling x/max (method='time_augmented') needs a non-negative positive indicator "
                    f"with max > 0; {c!r} has min {col.min():g}, max {col.max():g}. Use method='pooled' (min–max)",
                    column=c,
                )
            z[:, j] = col / col.max()
        else:
            if col.min() <= 0:
                raise InputError(
                    f"ratio scaling min/x (method='time_augmented') needs a strictly positive negative "
                    f"indicator; {c!r} has min {col.min():g}. Use method='pooled' (min–max)",
                    column=c,
                )
            z[:, j] = col.min() / col
    constant = x.min(axis=0) == x.max(axis=0)
    return z, constant
