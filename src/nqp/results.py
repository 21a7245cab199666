"""One result interface for everything nqp estimates (结果接口).

Every result nqp returns -- OLS/IV (:class:`nqp.econometrics.FeolsResult`), frontier, TFP,
index, financing-constraint indices, group-difference tests, the wild bootstrap -- answers the
same questions the same way (as broom/modelsummary in R, and linearmodels' results in Python):

* ``tidy()`` -> a :class:`pandas.DataFrame` with one row per term and the columns
  :data:`TIDY_COLUMNS` (``term, estimate, std_error, statistic, p_value, conf_low, conf_high``);
* ``glance()`` -> a ``dict`` of the model's scalars (nobs, r2, adj_r2, r2_within, n_clusters,
  fixed_effects, vcov_type, first-stage F, ...), JSON-ready;
* ``to_dict()`` -> JSON-ready ``dict`` (NaN becomes ``None``);
* ``summary()`` -> text;
* a one-line ``__repr__`` and ``_repr_html_`` for notebooks.

The report layer (:mod:`nqp.report`) reads only this interface; it never imports an estimator.
Tests of equality (F, Wald, LM, Chow, SUEST, permutation, wild bootstrap) return one small
:class:`TestResult`.

Implementations inherit :class:`ResultDisplay`, which derives ``__repr__`` and
``_repr_html_`` from ``tidy()`` and ``glance()``, so a result only states its own numbers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from scipy import stats

TIDY_COLUMNS = ("term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")


def json_number(v: Any) -> Any:
    """A JSON-ready scalar: numpy scalars to Python, NaN/inf to ``None``."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (list, tuple, dict, str)):
        try:
            v = v.item()
        except (ValueError, AttributeError):  # arrays of size != 1 stay as they are
            return v
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def json_ready(obj: Any) -> Any:
    """Recursively convert dicts/lists/tuples/numpy scalars into JSON-ready Python values."""
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if isinstance(obj, pd.Series):
        return {str(k): json_ready(v) for k, v in obj.items()}
    return json_number(obj)


def tidy_frame(terms: Sequence[Any], estimate: Sequence[float] | np.ndarray,
               std_error: Sequence[float] | np.ndarray | None = None, *, level: float = 0.95,
               df: float | None = None) -> pd.DataFrame:
    """A ``tidy()`` frame from estimates and standard errors: statistic = estimate / se,
    two-sided p-value and the interval estimate ± q·se with q the (1 + level)/2 quantile of the
    standard normal (``df=None``: Wald / maximum-likelihood inference) or of Student's t with
    ``df`` degrees of freedom. Without standard errors every column after ``estimate`` is NaN."""
    est = np.asarray(estimate, dtype=float)
    se = np.full(est.shape, np.nan) if std_error is None else np.asarray(std_error, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    dist = stats.norm if df is None else stats.t(df)
    q = dist.ppf(0.5 + level / 2)
    return pd.DataFrame({"term": [str(t) for t in terms], "estimate": est, "std_error": se, "statistic": z,
                         "p_value": 2 * dist.sf(np.abs(z)), "conf_low": est - q * se, "conf_high": est + q * se},
                        columns=list(TIDY_COLUMNS))


@runtime_checkable
class ModelResult(Protocol):
    """What the report and the study runner may rely on for any nqp result."""

    def tidy(self) -> pd.DataFrame: ...

    def glance(self) -> dict[str, Any]: ...

    def to_dict(self) -> dict[str, Any]: ...

    def summary(self) -> str: ...


class ResultDisplay:
    """Mixin: a one-line ``repr`` and a notebook HTML view from ``tidy()`` and ``glance()``.

    A class using it defines ``tidy()``, ``glance()`` and ``_repr_name`` (a short title)."""

    _repr_name = "Result"
    _repr_keys: tuple[str, ...] = ("nobs", "r2", "statistic", "p_value")

    def _headline(self) -> str:
        g = self.glance()  # type: ignore[attr-defined]
        parts = []
        for k in self._repr_keys:
            v = g.get(k)
            if v is None:
                continue
            parts.append(f"{k}={v:,}" if isinstance(v, int) else
                         f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}")
        return ", ".join(parts)

    def __repr__(self) -> str:
        head = self._headline()
        return f"<{self._repr_name}{': ' + head if head else ''}>"

    def _repr_html_(self) -> str:
        tidy = self.tidy()  # type: ignore[attr-defined]
        g = self.glance()  # type: ignore[attr-defined]
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in rec) + "</tr>"
            for rec in tidy.itertuples(index=False))
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in tidy.columns)
        stats = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_cell(v))}</td></tr>"
                        for k, v in g.items() if not isinstance(v, (dict, list)))
        return (f"<div class='nqp-result'><strong>{html.escape(self._repr_name)}</strong>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
                f"<table>{stats}</table></div>")


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return "" if v is None else str(v)


@dataclass(frozen=True, repr=False)
class TestResult(ResultDisplay):
    """A test of equality or of a null hypothesis (F, Wald, LM, Chow, SUEST, permutation, wild
    bootstrap): the statistic, its p-value, degrees of freedom where there are any, the null in
    words, the method, and the replications for resampling tests.

    ``extra`` holds what a particular test adds (the two group coefficients of a between-group
    test, the confidence interval of the wild bootstrap, a two-sided p beside bdiff's one-sided
    one, ...); it is merged into ``glance()`` and ``to_dict()``.
    """

    __test__ = False  # not a pytest test class

    statistic: float | None
    p_value: float
    method: str
    null: str = ""
    df: float | tuple[float, float] | None = None
    reps: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    _repr_name = "TestResult"
    _repr_keys = ("method", "statistic", "p_value", "reps")

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"term": self.null or self.method, "estimate": self.extra.get("estimate", math.nan),
                              "std_error": self.extra.get("std_error", math.nan),
                              "statistic": math.nan if self.statistic is None else self.statistic,
                              "p_value": self.p_value, "conf_low": self.extra.get("conf_low", math.nan),
                              "conf_high": self.extra.get("conf_high", math.nan)}], columns=list(TIDY_COLUMNS))

    def glance(self) -> dict[str, Any]:
        g = {"method": self.method, "null": self.null, "statistic": self.statistic, "p_value": self.p_value,
             "df": list(self.df) if isinstance(self.df, tuple) else self.df, "reps": self.reps}
        g.update(self.extra)
        return json_ready(g)

    def to_dict(self) -> dict[str, Any]:
        return self.glance()

    def summary(self) -> str:
        df = ""
        if self.df is not None:
            df = f"({', '.join(f'{d:g}' for d in self.df)})" if isinstance(self.df, tuple) else f"({self.df:g})"
        stat = "." if self.statistic is None else f"{self.statistic:.4f}"
        reps = f", {self.reps:,} replications" if self.reps else ""
        null = f"H0: {self.null}\n" if self.null else ""
        return f"{self.method}{reps}\n{null}statistic{df} = {stat}, p = {self.p_value:.4f}"
