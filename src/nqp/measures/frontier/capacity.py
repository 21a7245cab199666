"""Capacity utilisation (产能利用率) as the efficiency score of a stochastic revenue frontier.

The paper (Table 1, 优化组合效率): "产能利用率 利用公司主营业务收入、总资产和企业人数来构建随机前沿
生产面计算" — capacity utilisation is computed from a stochastic production frontier built from
main-business revenue, total assets and the number of employees. Here:

    ln REV_it = β0 + β_K ln ASSETS_it + β_L ln EMP_it + Σ_y δ_y·1[year = y] + v_it − u_it
    CU_it = E[exp(−u_it) | ε_it]      (Battese & Coelli 1988; actual / frontier revenue)

Cobb–Douglas, because the paper names only the three variables and no functional form; u
half-normal by default (``dist``), the usual choice in this literature (see the measurement
reference §2.6).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from nqp.errors import (ConfigError, DataWarning, EstimationError, InputError,
                        MissingValueWarning, SchemaError, WrongSkewnessWarning)

from .design import _where, py_scalar
from .model import frontier


def _firm_years(frame: pd.DataFrame, firm: str, year: str, mask: np.ndarray) -> str:
    return _where(frame, np.flatnonzero(np.asarray(mask)), (firm, year))


def capacity_utilisation(
    data: pd.DataFrame,
    *,
    revenue: str,
    assets: str,
    employees: str,
    firm: str,
    year: str,
    by_year: bool = False,
    dist: str = "half-normal",
    nonpositive: str = "raise",
    min_obs_per_year: int = 30,
) -> pd.Series:
    """产能利用率: technical efficiency of a Cobb–Douglas revenue frontier, per firm-year.

    Frontier: ln(main-business revenue 主营业务收入) on ln(total assets 总资产) and
    ln(employees 员工人数), u half-normal (``dist``), efficiency E[exp(−u)|ε] (Battese–Coelli
    1988), so CU ∈ (0, 1] is actual over frontier revenue.

    Pooled with year dummies (default) or year by year (``by_year=True``). The paper's wording
    builds *a* (one) stochastic production frontier (构建随机前沿生产面) from the three variables,
    which reads as one frontier for the whole sample, so pooling is the default; the year
    dummies let that frontier shift with the nominal price level and common shocks (revenue is
    in current yuan), so a firm is not counted under-utilised merely for being observed in a
    low-price year. ``by_year=True`` estimates one frontier per year (scores then compare firms
    only within a year); a year with fewer than ``min_obs_per_year`` usable firms raises
    ``EstimationError`` naming the year, and a year with wrong skewness warns naming it.

    Missing values: rows with a missing revenue, assets or employees get NaN, with one
    ``MissingValueWarning`` giving the count and the first firm-years. Non-positive values
    cannot be logged: ``nonpositive="raise"`` (default) raises ``InputError`` naming the count
    and the first firm-years; ``"drop"`` sets those rows to NaN with a ``DataWarning`` that
    names them the same way. The input frame is never modified.

    Returns a float Series aligned to ``data.index``, named ``"capacity_utilisation"``.
    """
    cols = [revenue, assets, employees, firm, year]
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise SchemaError(f"capacity_utilisation: column(s) not in the data: {absent}",
                          column=absent[0])
    if nonpositive not in ("raise", "drop"):
        raise ConfigError(f"nonpositive must be 'raise' or 'drop', got {nonpositive!r}",
                          variable="nonpositive")
    frame = data[cols]
    values = frame[[revenue, assets, employees]]
    if not all(pd.api.types.is_numeric_dtype(values[c]) for c in values):
        raise SchemaError("revenue, assets and employees must be numeric", column=revenue)
    missing = values.isna().any(axis=1).to_numpy() | frame[[firm, year]].isna().any(axis=1).to_numpy()
    if missing.any():
        warnings.warn(MissingValueWarning(
            f"capacity_utilisation: {missing.sum()} firm-year(s) with a missing {revenue}, "
            f"{assets}, {employees}, firm or year get NaN; first: "
            f"{_firm_years(frame, firm, year, missing)}"), stacklevel=2)
    nonpos = (~missing) & (values <= 0).any(axis=1).to_numpy()
    if nonpos.any():
        bad_var = next(c for c in (revenue, assets, employees) if (values.loc[nonpos, c] <= 0).any())
        first = np.flatnonzero(nonpos)[0]
        msg = (f"capacity_utilisation: {nonpos.sum()} firm-year(s) have non-positive {revenue}, "
               f"{assets} or {employees}, which cannot be logged; first: "
               f"{_firm_years(frame, firm, year, nonpos)}")
        if nonpositive == "raise":
            raise InputError(msg + " (nonpositive='drop' sets them to NaN)", variable=bad_var,
                             firm=py_scalar(frame[firm].iloc[first]), year=py_scalar(frame[year].iloc[first]))
        warnings.warn(DataWarning(msg + "; set to NaN"), stacklevel=2)
    keep = ~(missing | nonpos)
    work = pd.DataFrame({
        "lrev": np.log(values[revenue].to_numpy(dtype=float)[keep]),
        "lassets": np.log(values[assets].to_numpy(dtype=float)[keep]),
        "lemp": np.log(values[employees].to_numpy(dtype=float)[keep]),
        "year": frame[year].to_numpy()[keep],
    }, index=np.flatnonzero(keep))  # positions in data, so duplicate labels cannot misalign
    out = np.full(len(data), np.nan)
    formula = "lrev ~ lassets + lemp"
    if not by_year:
        has_years = work["year"].nunique() > 1
        res = frontier(formula + (" + C(year)" if has_years else ""), work, dist)
        te = res.efficiency("bc")
        out[te.index.to_numpy()] = te.to_numpy()
        return pd.Series(out, index=data.index, name="capacity_utilisation")
    for y, part in work.groupby("year", sort=True):
        if len(part) < min_obs_per_year:
            raise EstimationError(
                f"capacity_utilisation(by_year=True): {len(part)} usable firm(s) in year {y}, "
                f"fewer than min_obs_per_year={min_obs_per_year}", year=py_scalar(y))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = frontier(formula, part, dist)
        for w in caught:
            if issubclass(w.category, WrongSkewnessWarning):
                warnings.warn(WrongSkewnessWarning(f"year {py_scalar(y)}: {w.message.message}", year=py_scalar(y)),
                              stacklevel=2)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        te = res.efficiency("bc")
        out[te.index.to_numpy()] = te.to_numpy()
    return pd.Series(out, index=data.index, name="capacity_utilisation")
