"""Stata-style lags and leads of panel variables (滞后项), as columns named like the operator.

``L.x`` is x of the same firm in year t − 1, ``L2.x`` in t − 2, ``F.x`` in t + 1 (``L1.x`` is
written ``L.x``, the label :mod:`nqp.econometrics.formula` gives the term, so a formula
``... | lnAI ~ L.lnAI`` finds the column). As Stata's operators after ``xtset stkcd year``, the
lag is found by the *time value*, not the previous row: when year t − 1 of a firm is not in the
frame (a gap), ``L.x`` is missing, never the value of an earlier year.

Which frame the lag is formed on is the lag convention (:func:`nqp.panel.build_panel`):
the full firm-year panel before the sample rules (``xtset`` then ``keep if``), or the sample.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nqp.errors import ConfigError, InputError

_LAG = re.compile(r"^([LlFf])(\d*)\.([A-Za-z_]\w*)$")
CONVENTIONS = ("full_panel", "sample")


@dataclass(frozen=True)
class Lag:
    """One lag (k > 0) or lead (k < 0) of ``variable``; ``name`` is its column (``L.x``, ``L2.x``, ``F.x``)."""

    variable: str
    k: int

    @property
    def name(self) -> str:
        op, n = ("L" if self.k > 0 else "F"), abs(self.k)
        return f"{op}{'' if n == 1 else n}.{self.variable}"


def parse_lags(specs: Iterable[str]) -> list[Lag]:
    """``["L.lnAI", "L2.lnAI", "F.x"]`` -> :class:`Lag` s (duplicates once, in order).
    Every unreadable spec is named in one ConfigError."""
    if isinstance(specs, str):
        specs = [specs]
    out: list[Lag] = []
    bad: list[str] = []
    for s in specs:
        m = _LAG.match(str(s).strip())
        k = int(m.group(2) or 1) if m else 0
        if not m or k == 0:
            bad.append(repr(s))
            continue
        lag = Lag(m.group(3), k if m.group(1) in "Ll" else -k)
        if lag not in out:
            out.append(lag)
    if bad:
        raise ConfigError(f"cannot read lag(s) {', '.join(bad)}: write L.x, L2.x (k years back) or F.x, F2.x "
                          "(k years ahead) of a panel variable", variable=bad[0].strip("'"))
    return out


def check_lag_variables(lags: list[Lag], known: Iterable[str]) -> None:
    """ConfigError naming every lag whose variable is not one of ``known``, with did-you-mean."""
    known = list(known)
    bad = [g for g in lags if g.variable not in known]
    if bad:
        parts = []
        for g in bad:
            close = difflib.get_close_matches(g.variable, known, n=2, cutoff=0.6)
            parts.append(f"{g.name} ({g.variable} is not a panel variable"
                         + (f"; did you mean {', '.join(close)}?" if close else "") + ")")
        raise ConfigError(f"lag(s) of unknown variables: {'; '.join(parts)}", variable=bad[0].variable)


def add_lags(frame: pd.DataFrame, lags: Iterable[str | Lag], *, unit: str = "stkcd",
             time: str = "year") -> pd.DataFrame:
    """A copy of ``frame`` with one column per lag, found by (unit, time − k): Stata's ``L.``
    after ``xtset unit time``. A (unit, time) pair twice is an InputError naming it; the time
    column must hold whole numbers. The input is not modified."""
    lags = [g if isinstance(g, Lag) else parse_lags([g])[0] for g in lags]
    check_lag_variables(lags, [str(c) for c in frame.columns])
    out = frame.copy()
    if not lags:
        return out
    t = pd.to_numeric(frame[time])
    if t.isna().any() or (t != np.round(t)).any():
        raise InputError(f"the panel time column {time!r} must hold whole numbers (years) for lags", column=time)
    t = t.astype("int64")
    dup = frame.duplicated([unit, time], keep=False)
    if dup.any():
        first = frame.loc[dup, [unit, time]].iloc[0]
        raise InputError(f"({unit}, {time}) is not unique ({int(dup.sum())} rows); lags are not defined",
                         firm=str(first[unit]), year=int(first[time]))
    here = pd.MultiIndex.from_arrays([frame[unit].to_numpy(), t.to_numpy()])
    for g in lags:
        source = pd.Series(frame[g.variable].to_numpy(), index=here)
        back = pd.MultiIndex.from_arrays([frame[unit].to_numpy(), (t - g.k).to_numpy()])
        out[g.name] = source.reindex(back).to_numpy()
    return out
