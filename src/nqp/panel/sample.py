"""The estimation sample (样本筛选) and its construction table, as papers report it.

Steps (the paper, §3; measurement-reference §7.3), each a switch in :class:`SampleOptions`:

0. all consolidated (合并报表, Typrep = A) year-end firm-years in first_year–last_year;
1. drop ST, *ST and PT firm-years -- by the *year-specific* short name (当年被ST), so a firm's
   other years are kept;
2. drop the financial industry (CSRC 2012 section J; switch, default on);
3. drop firm-years missing a key variable (default: the NQP indicators, lnAI, Size, Age, Lev);
4. winsorize the ``winsorize = true`` continuous variables at 1%/99% (pooled or by year);
5. compute the NQP index on the sample (:mod:`nqp.index`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from nqp.errors import InputError

DEFAULT_KEYS_EXTRA = ("lnAI", "Size", "Age", "Lev")


@dataclass(frozen=True)
class SampleOptions:
    """Switches of the sample construction (defaults: the paper's)."""

    drop_st: bool = True
    drop_financial: bool = True
    key_variables: tuple[str, ...] | None = None        # None: NQP indicators + lnAI, Size, Age, Lev
    winsorize: bool = True
    winsorize_columns: tuple[str, ...] | None = None    # None: the variables marked winsorize = true
    winsorize_limits: tuple[float, float] = (0.01, 0.99)
    winsorize_by: str | None = None                     # None: pooled; "year": within each year
    index_method: str = "pooled"                        # nqp.entropy_index method=


@dataclass
class SampleReport:
    """Rows dropped and remaining at each step, plus notes (e.g. variables left out)."""

    steps: list[tuple[str, int, int]] = field(default_factory=list)   # (step, dropped, remaining)
    notes: list[str] = field(default_factory=list)
    key_variables: list[str] = field(default_factory=list)
    winsorized: list[str] = field(default_factory=list)

    def add(self, step: str, before: int, after: int) -> None:
        self.steps.append((step, before - after, after))

    def table(self) -> pd.DataFrame:
        """The sample-construction table: step, firm-years dropped, firm-years remaining."""
        return pd.DataFrame(self.steps, columns=["step", "dropped", "remaining"])

    @property
    def n(self) -> int:
        return self.steps[-1][2] if self.steps else 0

    def __str__(self) -> str:
        lines = [f"{s:<60} {d:>8} {r:>8}" for s, d, r in self.steps]
        return "\n".join([f"{'step':<60} {'dropped':>8} {'left':>8}", *lines, *self.notes])


def drop_st(frame: pd.DataFrame, report: SampleReport, flag: str = "st_pt") -> pd.DataFrame:
    """Drop the firm-years flagged ST/*ST/PT in that year (only those years)."""
    out = frame[~frame[flag].fillna(False).astype(bool)]
    report.add("drop ST, *ST, PT firm-years (year-end short name)", len(frame), len(out))
    return out


def drop_financial(frame: pd.DataFrame, report: SampleReport, flag: str = "financial") -> pd.DataFrame:
    out = frame[~frame[flag].fillna(False).astype(bool)]
    report.add("drop financial industry (CSRC 2012 section J)", len(frame), len(out))
    return out


def drop_missing(frame: pd.DataFrame, keys: list[str], report: SampleReport) -> pd.DataFrame:
    """Drop firm-years with a missing key variable. A key variable missing for *every* firm-year
    is an InputError naming it (a data or definition problem, not a sample rule)."""
    for k in keys:
        if len(frame) and frame[k].isna().all():
            raise InputError(f"key variable {k} is missing for every firm-year of the sample; check its "
                             "definition and source data (or leave it out of key_variables)", variable=k)
    miss = frame[keys].isna()
    out = frame[~miss.any(axis=1)]
    worst = miss.sum().sort_values(ascending=False)
    detail = ", ".join(f"{k} {int(n)}" for k, n in worst.items() if n)
    report.add("drop firm-years missing key variables" + (f" ({detail})" if detail else ""), len(frame), len(out))
    return out


def numeric_columns(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    return [c for c in columns if c in frame.columns and pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_bool_dtype(frame[c])]


def as_float(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = pd.to_numeric(out[c]).astype(float)
    return out
