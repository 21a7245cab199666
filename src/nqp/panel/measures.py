"""Estimated variables (``kind = "measure"``): capacity utilisation, TFP (FE, LP) and the FC index.

Each is computed by :mod:`nqp.measures` on the firm-years handed in (the sample after the ST
and financial-industry steps), from the base fields:

* 产能利用率 ``capacity_utilisation``: stochastic revenue frontier of main-business revenue on
  total assets and employees (:func:`nqp.measures.frontier.capacity_utilisation`);
* ``TFP_FE`` / ``TFP_LP`` (:func:`nqp.measures.tfp.tfp`): Y = operating revenue, L = employees,
  K = fixed assets, and for LP the intermediate inputs (中间投入, measurement-reference §3.5)
  M = operating cost + selling + admin + finance expenses − depreciation and amortisation
  (固定资产折旧 + 无形资产摊销, missing → 0) − cash paid to and for employees. Firm-years with
  a missing or non-positive input get no TFP (a DataWarning gives the count);
* ``FC`` (:func:`nqp.measures.finance.fc_index`): yearly terciles of total assets, age and the
  cash-dividend payout ratio define QUFC; logit on Size, liabilities/assets, cash dividends/assets,
  market-to-book (1 / book-to-market), net working capital/assets and EBIT/assets -- not on Size
  or cash dividends/assets: they are (monotone in) the size and payout sort variables, so they
  separate the label perfectly and the logit has no finite estimate (a choice: secondary
  descriptions of 况学文 et al. 2010 list them too; measurement-reference §5.4 [U]).

A measure that cannot be estimated on the data (too few firms, no inefficiency identified,
...) is returned as a reason instead of a column, so the panel reports it as not built.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from nqp.errors import DataWarning, NqpError, SchemaError

FC_REGRESSORS = ("Lev", "MB", "NWC_TA", "EBIT_TA")


def _need(df: pd.DataFrame, cols: list[str]) -> None:
    absent = [c for c in cols if c not in df.columns]
    if absent:
        raise SchemaError(f"measure inputs not in the base table: {absent}", column=absent[0])


def _num(df: pd.DataFrame, c: str) -> pd.Series:
    return pd.to_numeric(df[c]).astype(float)


def capacity(df: pd.DataFrame) -> pd.Series:
    from nqp.measures.frontier.capacity import capacity_utilisation
    _need(df, ["main_business_revenue", "total_assets", "employees"])
    return capacity_utilisation(df, revenue="main_business_revenue", assets="total_assets",
                                employees="employees", firm="stkcd", year="year",
                                nonpositive="drop")


def intermediate_inputs(df: pd.DataFrame) -> pd.Series:
    """M (中间投入) of measurement-reference §3.5."""
    _need(df, ["operating_cost", "selling_expenses", "admin_expenses", "finance_expenses",
               "depreciation_fixed_assets", "amortisation_intangibles", "cash_paid_employees"])
    dep = _num(df, "depreciation_fixed_assets").fillna(0) + _num(df, "amortisation_intangibles").fillna(0)
    return (_num(df, "operating_cost") + _num(df, "selling_expenses") + _num(df, "admin_expenses")
            + _num(df, "finance_expenses") - dep - _num(df, "cash_paid_employees"))


def _tfp(df: pd.DataFrame, method: str) -> pd.Series:
    from nqp.measures.tfp import tfp
    _need(df, ["operating_revenue", "employees", "fixed_assets"])
    work = pd.DataFrame({"stkcd": df["stkcd"].to_numpy(), "year": df["year"].to_numpy(),
                         "Y": _num(df, "operating_revenue").to_numpy(), "L": _num(df, "employees").to_numpy(),
                         "K": _num(df, "fixed_assets").to_numpy()}, index=df.index)
    if method == "lp":
        work["M"] = intermediate_inputs(df).to_numpy()
    ins = [c for c in ("Y", "L", "K", "M") if c in work]
    ok = (work[ins] > 0).all(axis=1) & np.isfinite(work[ins]).all(axis=1)
    if (~ok).any():
        first = work.loc[~ok, ["stkcd", "year"]].head(5)
        warnings.warn(DataWarning(
            f"TFP_{method.upper()}: {int((~ok).sum())} firm-year(s) with a missing or non-positive input "
            f"({', '.join(ins)}) get no TFP; first: "
            + ", ".join(f"firm {s} year {y}" for s, y in zip(first["stkcd"], first["year"])),
            variable=f"TFP_{method.upper()}"), stacklevel=3)
    res = tfp(work[ok], method, output="Y", free="L", state="K", proxy="M" if method == "lp" else None,
              firm="stkcd", year="year")
    return res.tfp.reindex(df.index)


def fc(df: pd.DataFrame) -> pd.Series:
    from nqp.measures.finance import fc_index
    _need(df, ["total_assets", "total_liabilities", "net_profit", "current_assets", "current_liabilities",
               "total_profit", "finance_expenses", "book_to_market", "Age", "Size"])
    ta = _num(df, "total_assets")
    div = _num(df, "cash_dividend_total").fillna(0) if "cash_dividend_total" in df else pd.Series(0.0, index=df.index)
    np_ = _num(df, "net_profit")
    payout = (div / np_).where(np_ > 0, np.where(div == 0, 0.0, np.nan))
    bm = _num(df, "book_to_market")
    data = pd.DataFrame({
        "year": df["year"].to_numpy(),
        "size": ta, "age": _num(df, "Age"), "payout": payout,
        "Size": _num(df, "Size"), "Lev": _num(df, "total_liabilities") / ta, "CashDiv_TA": div / ta,
        "MB": (1 / bm).where(bm > 0), "NWC_TA": (_num(df, "current_assets") - _num(df, "current_liabilities")) / ta,
        "EBIT_TA": (_num(df, "total_profit") + _num(df, "finance_expenses")) / ta,
    }, index=df.index).replace([np.inf, -np.inf], np.nan)
    # Size and CashDiv_TA are left out of the logit (module docstring)
    return fc_index(data, year="year", regressors=FC_REGRESSORS).index


ESTIMATORS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "capacity_utilisation": capacity,
    "tfp_fe": lambda df: _tfp(df, "fe"),
    "tfp_lp": lambda df: _tfp(df, "lp"),
    "fc": fc,
}


def estimate(measure: str, df: pd.DataFrame) -> tuple[pd.Series | None, str | None]:
    """(values aligned to ``df.index``, None) or (None, reason it could not be estimated)."""
    try:
        out = ESTIMATORS[measure](df)
    except (NqpError, ImportError, ValueError, np.linalg.LinAlgError) as exc:
        return None, f"{measure} could not be estimated: {type(exc).__name__}: {exc}"
    out = pd.Series(np.asarray(out, dtype=float), index=df.index)
    return out.where(np.isfinite(out)), None
