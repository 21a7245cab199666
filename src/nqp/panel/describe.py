"""Table 2: descriptive statistics (描述性统计) of the panel variables, in the paper's row order."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from nqp.errors import SchemaError

#: The rows of the paper's Table 2, in order.
TABLE2 = ("NQP", "lnAI", "lnaifm", "lnaixx", "Size", "Age", "Lev", "Mshare", "INST", "irobot", "aicitynew",
          "finratio", "overseacountry", "smartcity", "newenergy", "lnemploy", "laborprod", "FC", "over_rev",
          "in_rev")


def describe(frame: pd.DataFrame, variables: Sequence[str] = TABLE2) -> pd.DataFrame:
    """N, mean, sd (ddof 1, as Stata ``summarize``), min, p25, median, p75, max per variable.

    Quartiles use linear interpolation (numpy's default; Stata's ``summarize, detail`` uses a
    different rule, which moves p25/p75 by at most one order statistic). Missing values are
    left out per variable, so N differs by row as in the paper's Table 2.
    """
    absent = [v for v in variables if v not in frame.columns]
    if absent:
        raise SchemaError(f"describe: variable(s) not in the panel: {absent}", column=absent[0])
    rows = []
    for v in variables:
        x = pd.to_numeric(frame[v]).to_numpy(dtype=float, na_value=np.nan)
        x = x[~np.isnan(x)]
        if len(x) == 0:
            rows.append({"variable": v, "N": 0})
            continue
        q = np.percentile(x, [25, 50, 75])
        rows.append({"variable": v, "N": len(x), "mean": x.mean(), "sd": x.std(ddof=1) if len(x) > 1 else np.nan,
                     "min": x.min(), "p25": q[0], "median": q[1], "p75": q[2], "max": x.max()})
    cols = ["variable", "N", "mean", "sd", "min", "p25", "median", "p75", "max"]
    return pd.DataFrame(rows).reindex(columns=cols).set_index("variable")
