"""Leave-one-out (逐一剔除): the headline re-estimated without one year, industry or province.

For each grouping (``[robustness.leave_one_out] by``) and each of its levels present in the
headline sample, the firm-years of that level are left out and the headline specification is
re-estimated on the rest (singletons of the fixed effects dropped again, the index and the
winsorizing left as in the headline). The range of the estimates says whether one year, one
industry or one province carries the result. A level whose removal makes the model not
estimable (e.g. the treatment absorbed) is a row with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nqp.errors import NqpError
from nqp.results import ResultDisplay, TIDY_COLUMNS, json_ready
from nqp.robustness.fit import NotEstimable, t_critical, t_pvalue
from nqp.robustness.multiverse import Context, build_design
from nqp.robustness.spec import Choice


@dataclass(frozen=True, repr=False)
class LeaveOneOut(ResultDisplay):
    """One row per left-out level: by, level, estimate, std_error, p_value, CI, nobs, reason."""

    table: pd.DataFrame
    headline: float
    alpha: float

    _repr_name = "LeaveOneOut"
    _repr_keys = ("headline", "min_estimate", "max_estimate")

    def ranges(self) -> pd.DataFrame:
        ok = self.table[self.table["estimable"]]
        g = ok.groupby("by", sort=False)["estimate"]
        out = pd.DataFrame({"n": g.size(), "min": g.min(), "max": g.max()})
        out["level_min"] = ok.loc[g.idxmin(), "level"].to_numpy()
        out["level_max"] = ok.loc[g.idxmax(), "level"].to_numpy()
        return out.reset_index()

    def tidy(self) -> pd.DataFrame:
        t = self.table
        out = t[["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]].copy()
        out.insert(0, "term", "without " + t["by"] + " " + t["level"].astype(str))
        return out[list(TIDY_COLUMNS)]

    def glance(self) -> dict[str, Any]:
        ok = self.table[self.table["estimable"]]
        return json_ready({"headline": self.headline, "n_fits": int(len(self.table)),
                           "n_not_estimable": int((~self.table["estimable"]).sum()),
                           "min_estimate": float(ok["estimate"].min()) if len(ok) else None,
                           "max_estimate": float(ok["estimate"].max()) if len(ok) else None,
                           "share_significant": float((ok["p_value"] < self.alpha).mean()) if len(ok) else None})

    def to_dict(self) -> dict[str, Any]:
        return json_ready({**self.glance(), "ranges": self.ranges().to_dict(orient="records"),
                           "fits": self.table.to_dict(orient="records")})

    def summary(self) -> str:
        lines = [f"Leave-one-out: headline {self.headline:.4f}"]
        for r in self.ranges().itertuples():
            lines.append(f"  without one {r.by:<9} ({r.n:>3} fits): [{r.min:.4f} (without {r.level_min}), "
                         f"{r.max:.4f} (without {r.level_max})]")
        return "\n".join(lines)


def leave_one_out_fits(ctx: Context, choice: Choice, by: tuple[str, ...], alpha: float) -> LeaveOneOut:
    base = build_design(ctx, choice)
    headline = base.fit().estimate
    rows = []
    for logical in by:
        col = ctx.spec.columns[logical]
        levels = sorted(pd.unique(base.frame[col].to_numpy()[base.rowset.rows]), key=str)
        # one factorization per column; a level's rows are then a code comparison (a missing
        # level leaves nothing out, as ``frame[col] != NaN`` does)
        codes, uniques = pd.factorize(base.frame[col])
        code_of = pd.Index(uniques)
        for level in levels:
            row = {"by": logical, "level": level, "estimate": math.nan, "std_error": math.nan,
                   "statistic": math.nan, "p_value": math.nan, "conf_low": math.nan, "conf_high": math.nan,
                   "nobs": 0, "estimable": False, "reason": ""}
            try:
                left_out = np.zeros(codes.size, dtype=bool) if pd.isna(level) else codes == code_of.get_loc(level)
                fit = build_design(ctx, choice, exclude=left_out).fit()
                se, df = fit.se.get(choice.cluster, (math.nan, 0))
                row["nobs"], row["estimate"] = fit.nobs, fit.estimate
                if se > 0:
                    crit = float(t_critical(df, alpha))
                    row.update(std_error=se, statistic=fit.estimate / se, p_value=float(t_pvalue(fit.estimate / se, df)),
                               conf_low=fit.estimate - crit * se, conf_high=fit.estimate + crit * se, estimable=True)
                else:
                    row["reason"] = fit.notes.get(choice.cluster, "standard error not available")
            except NotEstimable as err:
                row["reason"] = str(err)
            except NqpError as err:
                row["reason"] = err.message
            rows.append(row)
    table = pd.DataFrame(rows)
    table["level"] = table["level"].astype(str)
    return LeaveOneOut(table, headline, alpha)


def leave_one_out(panel: Any, spec: Any = None, *, outcome: str = "NQP", treatment: str = "lnAI",
                  controls: Any = None) -> LeaveOneOut:
    """Leave-one-out of the headline specification of ``spec`` (groupings from it)."""
    from nqp.robustness.multiverse import PAPER_CONTROLS, make_context
    from nqp.robustness.spec import RobustnessSpec

    spec = spec if isinstance(spec, RobustnessSpec) else RobustnessSpec.from_dict(spec)
    ctx = make_context(panel, spec, outcome=outcome, treatment=treatment,
                       controls=PAPER_CONTROLS if controls is None else controls)
    return leave_one_out_fits(ctx, spec.baseline(), spec.loo_by, spec.alpha)
