"""Estimated variables (``kind = "measure"``), as declared in ``variables.toml``.

A measure variable names its estimator, its method and its inputs; each input is a DuckDB
expression over the firm-year columns (base fields and variables defined above it), evaluated
here on the firm-years handed in (the sample after the ST and financial-industry steps):

* ``estimator = "capacity_utilisation"`` (产能利用率): stochastic revenue frontier of ``revenue``
  on ``assets`` and ``employees`` (:func:`nqp.measures.frontier.capacity_utilisation`); the
  shipped declaration uses main-business revenue, total assets and employees;
* ``estimator = "tfp"`` (全要素生产率), ``method`` fe / lp / op / acf / ols
  (:func:`nqp.measures.tfp.tfp`): ``output``, ``free``, ``state`` and, for the proxy methods,
  ``proxy``, in levels (the estimator takes logs). Shipped: Y = operating revenue, L = employees,
  K = fixed assets and for LP the intermediate inputs (中间投入, measurement-reference §3.5)
  M = operating cost + selling + admin + finance expenses − depreciation and amortisation
  (固定资产折旧 + 无形资产摊销, missing → 0) − cash paid to and for employees. Firm-years with a
  missing or non-positive input get no TFP (a DataWarning gives the count and the first ones);
* ``estimator = "fc"`` (融资约束 FC, :func:`nqp.measures.finance.fc_index`): the yearly tercile
  sorts ``size``, ``age``, ``payout``; every other input is a logit regressor, in file order.
  The shipped logit leaves out Size and cash dividends/assets: they are (monotone in) the size
  and payout sort variables, so they separate the label perfectly and the logit has no finite
  estimate (a choice: secondary descriptions of 况学文 et al. 2010 list them too;
  measurement-reference §5.4 [U]).

±inf or NaN from an input expression is missing. A measure that cannot be estimated on the data
(an input field the base table lacks, too few firms, no inefficiency identified, ...) is
returned as a reason instead of a column, so the panel reports it as not built.
"""

from __future__ import annotations

import warnings

import duckdb
import numpy as np
import pandas as pd

from nqp.errors import DataWarning, NqpError, SchemaError
from nqp.ingest.warehouse import quote_ident
from nqp.panel.config import Variable
from nqp.panel.formulas import fields_of

FC_SORTS = ("size", "age", "payout")


def measure_inputs(frame: pd.DataFrame, v: Variable) -> pd.DataFrame:
    """The inputs of measure ``v`` on ``frame``'s rows: one float column per declared input role,
    each the value of its DuckDB expression (±inf/NaN -> missing), index = ``frame.index``."""
    columns = {str(c) for c in frame.columns}
    used: list[str] = []
    for _, expr in v.inputs:
        for c in fields_of(expr, columns):
            if c not in used:
                used.append(c)
    data = frame[used].reset_index(drop=True).assign(_row=np.arange(len(frame)))
    sel = ", ".join(f"CAST(({expr}) AS DOUBLE) AS {quote_ident(role)}" for role, expr in v.inputs)
    con = duckdb.connect()
    try:
        con.register("firm_years", data)
        out = con.execute(f"SELECT {sel} FROM firm_years ORDER BY _row").df()
    except duckdb.BinderException as exc:
        raise SchemaError(f"an input of measure {v.name} names a field the firm-year table does not have: "
                          f"{exc}".split("\n")[0], variable=v.name) from exc
    finally:
        con.close()
    out.index = frame.index
    out = out.astype(float)
    return out.where(np.isfinite(out))


def _capacity(frame: pd.DataFrame, x: pd.DataFrame, v: Variable) -> pd.Series:
    from nqp.measures.frontier.capacity import capacity_utilisation
    data = x.assign(stkcd=frame["stkcd"].to_numpy(), year=frame["year"].to_numpy())
    return capacity_utilisation(data, revenue="revenue", assets="assets", employees="employees",
                                firm="stkcd", year="year", nonpositive="drop")


def _tfp(frame: pd.DataFrame, x: pd.DataFrame, v: Variable) -> pd.Series:
    from nqp.measures.tfp import tfp
    roles = [r for r, _ in v.inputs]
    work = x.assign(stkcd=frame["stkcd"].to_numpy(), year=frame["year"].to_numpy())
    ok = (work[roles] > 0).all(axis=1)
    if (~ok).any():
        first = work.loc[~ok, ["stkcd", "year"]].head(5)
        warnings.warn(DataWarning(
            f"{v.name}: {int((~ok).sum())} firm-year(s) with a missing or non-positive input "
            f"({', '.join(roles)}) get no TFP; first: "
            + ", ".join(f"firm {s} year {y}" for s, y in zip(first["stkcd"], first["year"])),
            variable=v.name), stacklevel=4)
    res = tfp(work[ok], v.method, output="output", free="free", state="state",
              proxy="proxy" if "proxy" in roles else None, firm="stkcd", year="year")
    return res.tfp.reindex(frame.index)


def _fc(frame: pd.DataFrame, x: pd.DataFrame, v: Variable) -> pd.Series:
    from nqp.measures.finance import fc_index
    regressors = tuple(r for r, _ in v.inputs if r not in FC_SORTS)
    data = x.assign(year=frame["year"].to_numpy())
    return fc_index(data, year="year", regressors=regressors).index


_ESTIMATE = {"capacity_utilisation": _capacity, "tfp": _tfp, "fc": _fc}
# the module each estimator imports when first called (numpy/scipy estimation code)
_ESTIMATOR_MODULES = {"capacity_utilisation": "nqp.measures.frontier.capacity", "tfp": "nqp.measures.tfp",
                      "fc": "nqp.measures.finance"}


def load_estimators(variables: list[Variable] | None = None) -> None:
    """Import the estimators of ``variables`` (default: of every measure kind; scipy's optimisers
    among them): what a worker of the measures step does first
    (:func:`nqp.panel.steps.measure_workers`)."""
    from importlib import import_module

    kinds = _ESTIMATOR_MODULES if variables is None else {v.estimator for v in variables}
    for name in sorted({_ESTIMATOR_MODULES[k] for k in kinds if k in _ESTIMATOR_MODULES}):
        import_module(name)


def estimate(v: Variable | str, frame: pd.DataFrame) -> tuple[pd.Series | None, str | None]:
    """Estimate measure ``v`` on ``frame``: (values aligned to ``frame.index``, None) or
    (None, the reason it could not be estimated). ``v`` may also be a measure's short name
    (``Variable.measure``, e.g. ``"tfp_lp"``): the shipped declaration of that measure."""
    if isinstance(v, str):
        v = _shipped(v)
    try:
        out = _ESTIMATE[v.estimator](frame, measure_inputs(frame, v), v)
    except (NqpError, ImportError, ValueError, np.linalg.LinAlgError) as exc:
        return None, f"{v.measure} could not be estimated: {type(exc).__name__}: {exc}"
    out = pd.Series(np.asarray(out, dtype=float), index=frame.index)
    return out.where(np.isfinite(out)), None


def _shipped(measure: str) -> Variable:
    from nqp.panel.config import load_definitions
    for v in load_definitions().variables:
        if v.kind == "measure" and v.measure == measure:
            return v
    raise SchemaError(f"no shipped measure {measure!r}", variable=measure)
