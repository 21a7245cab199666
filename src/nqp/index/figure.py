"""The data of the paper's Figure 2 (图 2 年均企业新质生产力指数时间趋势图)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nqp.errors import InputError
from nqp.index.result import IndexResult


def figure2_data(result: IndexResult, year: str | pd.Series | Sequence | np.ndarray) -> pd.DataFrame:
    """Yearly mean of the index and of each dimension's contribution.

    ``year`` is a Series aligned to the rows of the frame the index was built from (matched
    by label; extra labels are ignored), an array of the same length as ``result.index``, or
    the name of a level of ``result.index``.

    Returns a frame indexed by year with columns ``n``, ``index`` (mean index),
    one column per dimension (mean contribution; with additive dimensions they add up to
    ``index``) and ``<dimension>_share`` = contribution / index.
    """
    idx = result.index
    if isinstance(year, str):
        if year not in (idx.index.names or []):
            raise InputError(f"year={year!r} is not a level of the index's row labels {list(idx.index.names)}", column=year)
        yr = pd.Series(idx.index.get_level_values(year), index=idx.index)
    elif isinstance(year, pd.Series) and year.index.equals(idx.index):
        yr = year
    elif isinstance(year, pd.Series):
        if not year.index.is_unique:
            raise InputError("`year` has duplicate row labels and is not aligned to the index; pass an array")
        missing = idx.index.difference(year.index)
        if len(missing):
            raise InputError(f"`year` has no value for {len(missing)} row(s) of the index, e.g. {missing[0]!r}",
                             row=missing[0])
        yr = year.loc[idx.index]
    else:
        arr = np.asarray(year)
        if arr.shape != (len(idx),):
            raise InputError(f"`year` has {arr.shape[0] if arr.ndim else 0} values; the index has {len(idx)} rows")
        yr = pd.Series(arr, index=idx.index)
    if yr.isna().any():
        first = yr.index[np.flatnonzero(yr.isna().to_numpy())[0]]
        raise InputError("`year` is missing for some rows", row=first)
    data = pd.concat([idx.rename("index"), result.dimensions], axis=1)
    grouped = data.groupby(yr.to_numpy(), sort=True)
    out = grouped.mean()
    out.insert(0, "n", grouped.size())
    out.index.name = "year"
    for dim in result.dimensions.columns:
        out[f"{dim}_share"] = out[dim] / out["index"]
    return out
