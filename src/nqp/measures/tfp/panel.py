"""The firm-year arrays every TFP estimator works on: validated, logged, sorted, with lag pointers.

Lags follow Stata's ``tsset`` ``L.``: the lag of (firm i, year t) is the row (i, t−1) if it exists,
else missing. A gap in the years therefore gives a missing lag, never the previous row.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from nqp.errors import DuplicateKeyError, EstimationError, InputError, MissingValueWarning, SchemaError


@dataclass(frozen=True)
class Panel:
    """Rows sorted by (firm, year). ``lag[i]`` is the row of (firm, year−1) or −1."""

    y: np.ndarray
    free: np.ndarray  # (n, n_free)
    state: np.ndarray
    proxy: np.ndarray | None
    firm: np.ndarray  # integer codes 0..n_firms−1
    year: np.ndarray  # the year values
    lag: np.ndarray
    rows: np.ndarray  # position of each row in the caller's frame
    firm_starts: np.ndarray  # first row of each firm (len n_firms + 1, last = n)

    @property
    def n(self) -> int:
        return len(self.y)

    @property
    def n_firms(self) -> int:
        return len(self.firm_starts) - 1

    def lagged(self, x: np.ndarray) -> np.ndarray:
        """x at (firm, year−1), NaN where that row does not exist."""
        out = np.full(x.shape, np.nan)
        ok = self.lag >= 0
        out[ok] = x[self.lag[ok]]
        return out


def _lag_pointers(firm: np.ndarray, year: np.ndarray) -> np.ndarray:
    n = len(firm)
    lag = np.full(n, -1, dtype=np.int64)
    if n > 1:
        prev_ok = (firm[1:] == firm[:-1]) & (year[1:] == year[:-1] + 1)
        lag[1:][prev_ok] = np.arange(n - 1)[prev_ok]
    return lag


def build_panel(
    data: pd.DataFrame,
    *,
    output: str,
    free: list[str],
    state: str,
    proxy: str | None,
    firm: str,
    year: str,
    take_logs: bool,
) -> Panel:
    """Check columns, drop incomplete rows (with a warning), take logs, sort and link lags."""
    cols = [output, *free, state] + ([proxy] if proxy else [])
    for c in [*cols, firm, year]:
        if c not in data.columns:
            raise SchemaError(f"column {c!r} not found in the TFP input frame", column=c)
    frame = data[[firm, year, *cols]]
    values = {}
    for c in cols:
        try:
            values[c] = pd.to_numeric(frame[c]).to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"column {c!r} is not numeric", column=c) from exc
    years = pd.to_numeric(frame[year]).to_numpy(dtype=float, na_value=np.nan)
    firms = frame[firm].to_numpy()
    complete = np.isfinite(years) & ~pd.isna(firms)
    for c in cols:
        complete &= np.isfinite(values[c])
    if not complete.all():
        warnings.warn(
            MissingValueWarning(f"{int((~complete).sum())} firm-year(s) with missing or infinite TFP inputs dropped")
        )
    if take_logs:
        for c in cols:
            bad = complete & (values[c] <= 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"non-positive value {float(values[c][i])!r} cannot be logged ({int(bad.sum())} such firm-years); "
                    "pass take_logs=False with ln(1+x) columns if that is the convention wanted",
                    variable=c,
                    firm=firms[i],
                    year=int(years[i]),
                )
    pos = np.flatnonzero(complete)
    if len(pos) == 0:
        raise EstimationError("no complete firm-year for the TFP inputs")
    codes, uniq = pd.factorize(firms[pos], sort=True)
    yr = years[pos].astype(np.int64)
    order = np.lexsort((yr, codes))
    codes, yr, pos = codes[order], yr[order], pos[order]
    dup = np.flatnonzero((codes[1:] == codes[:-1]) & (yr[1:] == yr[:-1]))
    if len(dup):
        i = dup[0]
        raise DuplicateKeyError("firm-year appears more than once", firm=uniq[codes[i]], year=int(yr[i]))

    def col(c: str) -> np.ndarray:
        v = values[c][pos]
        return np.log(v) if take_logs else v

    starts = np.concatenate(([0], np.flatnonzero(np.diff(codes)) + 1, [len(codes)]))
    return Panel(
        y=col(output),
        free=np.column_stack([col(c) for c in free]),
        state=col(state),
        proxy=col(proxy) if proxy else None,
        firm=codes.astype(np.int64),
        year=yr,
        lag=_lag_pointers(codes, yr),
        rows=pos,
        firm_starts=starts,
    )


def resample_firms(panel: Panel, rng: np.random.Generator) -> Panel:
    """Block bootstrap: draw firms with replacement; each draw is a new firm (Stata ``idcluster``)."""
    draw = rng.integers(0, panel.n_firms, panel.n_firms)
    starts, ends = panel.firm_starts[draw], panel.firm_starts[draw + 1]
    sizes = ends - starts
    new_starts = np.concatenate(([0], np.cumsum(sizes)))
    total = int(new_starts[-1])
    # source row of each new row, and the offset between old and new positions of its firm block
    block = np.repeat(np.arange(len(draw)), sizes)
    src = np.arange(total) - new_starts[block] + starts[block]
    shift = new_starts[block] - starts[block]
    old_lag = panel.lag[src]
    lag = np.where(old_lag >= 0, old_lag + shift, -1)
    return replace(
        panel,
        y=panel.y[src],
        free=panel.free[src],
        state=panel.state[src],
        proxy=None if panel.proxy is None else panel.proxy[src],
        firm=block.astype(np.int64),
        year=panel.year[src],
        lag=lag,
        rows=src,
        firm_starts=new_starts,
    )
