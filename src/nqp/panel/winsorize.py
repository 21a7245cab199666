"""Winsorizing (缩尾处理) at the 1st/99th percentiles, the Stata ``winsor2 ..., cut(1 99)`` convention.

winsor2 (Lian Yujun, SSC) computes the cut points with Stata's ``_pctile`` (default definition,
no ``altdef``) and replaces values below the lower point by it and values above the upper
point by it (``replace``, not ``trim``). ``_pctile``'s p-th percentile of the n sorted
non-missing values x(1) ≤ … ≤ x(n): with P = n·p/100,

    P an integer  →  (x(P) + x(P+1)) / 2          (x(n) when P = n)
    otherwise     →  x(⌊P⌋ + 1)

[Stata manual, [D] pctile, "Methods and formulas"; winsor2.ado calls ``_pctile`` with
``p(`low' `high')``.] Missing values stay missing. ``by=`` cuts within each group
(``winsor2 ..., by(year)``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nqp.errors import ConfigError, SchemaError


def stata_pctile(values: np.ndarray, pct: float) -> float:
    """Stata ``_pctile`` percentile (``pct`` in 0–100) of the non-missing ``values``."""
    x = np.sort(values[~np.isnan(values)])
    n = len(x)
    if n == 0:
        return float("nan")
    p = n * pct / 100.0
    k = int(np.floor(p + 1e-9))
    if abs(p - round(p)) < 1e-9 and 1 <= round(p) < n:
        k = int(round(p))
        return float((x[k - 1] + x[k]) / 2)
    return float(x[min(max(k, 0), n - 1)])


def cut_points(values: np.ndarray, limits: tuple[float, float]) -> tuple[float, float]:
    """The lower and upper winsorizing points (Stata ``_pctile``) of the non-missing ``values``."""
    v = np.asarray(values, dtype=float)
    return stata_pctile(v, limits[0] * 100), stata_pctile(v, limits[1] * 100)


def clip(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``values`` replaced by ``lo``/``hi`` beyond them; missing stays missing (and no cut points: as is)."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isnan(v), np.nan, np.clip(v, lo, hi)) if not np.isnan(lo) else v


def _cut(s: pd.Series, limits: tuple[float, float]) -> pd.Series:
    v = s.to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(clip(v, *cut_points(v, limits)), index=s.index, name=s.name)


def winsorize(frame: pd.DataFrame, columns: Sequence[str], *, limits: tuple[float, float] = (0.01, 0.99),
              by: str | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with ``columns`` winsorized at ``limits`` (fractions), pooled or ``by``
    a column (e.g. ``"year"``). The input is not modified."""
    lo, hi = limits
    if not 0 <= lo < hi <= 1:
        raise ConfigError(f"winsorize limits must satisfy 0 <= low < high <= 1, got {limits}", variable="limits")
    absent = [c for c in [*columns, *([by] if by else [])] if c not in frame.columns]
    if absent:
        raise SchemaError(f"winsorize: column(s) not in the frame: {absent}", column=absent[0])
    out = frame.copy()
    for c in columns:
        col = pd.to_numeric(frame[c]).astype(float)
        if by is None:
            out[c] = _cut(col, limits)
        else:
            out[c] = col.groupby(frame[by], group_keys=False, dropna=False).apply(lambda s: _cut(s, limits))
    return out
