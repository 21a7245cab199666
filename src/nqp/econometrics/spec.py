"""Fit options and model specifications as data (模型设定), for :func:`feols_multi` and the study runner.

* :class:`FitOptions` -- how a model is fitted: variance estimator (``vcov``/``cluster``),
  analytic ``weights``, small-sample convention ``ssc``, singleton dropping, absorption
  tolerance and iteration cap, and the ``panel`` (unit, time) of lags. The same options as
  keyword arguments of :func:`nqp.feols`; validated on construction.
* :class:`ModelSpec` -- one model: a stable ``id``, a fixest-style ``formula``, its
  ``options`` and an optional ``sample``, a pandas boolean expression evaluated on the data
  (``"SOE == 1"``, ``'region == "East"'``, ``"year >= 2015 and hightech == 0"``). The rows it
  selects play the role of Stata's ``if``: lags ``L.x`` are still looked up on the whole frame
  (as ``xtset`` then ``reghdfe ... if SOE == 1``).
* :class:`FailedFit` -- what ``feols_multi(..., errors="collect")`` returns for a model that
  could not be estimated: its id, formula, the error message and the error class name.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqp.econometrics.formula import parse_formula
from nqp.econometrics.vcov import VcovSpec, parse_vcov
from nqp.errors import EstimationError, FormulaError
from nqp.results import TIDY_COLUMNS, ResultDisplay, json_ready

SSC_CONVENTIONS = ("reghdfe", "fixest")


@dataclass(frozen=True)
class FitOptions:
    """Options of one fit (the keyword arguments of :func:`nqp.feols`).

    vcov: ``"iid"`` (default, as reghdfe), ``"hc1"``/``"hetero"``, or ``{"CRV1": "var"}``;
    cluster: a name, ``"a+b"`` or a sequence (CRV1, multi-way when several; stored as a tuple);
    give one of the two. weights: column of analytic weights. ssc: ``"reghdfe"`` or
    ``"fixest"``. drop_singletons: drop singleton groups of the FEs iteratively (reghdfe).
    tol, maxiter: absorption tolerance and iteration cap. panel: (unit, time) for lags.
    """

    vcov: str | None = None
    cluster: tuple[str, ...] | None = None
    weights: str | None = None
    ssc: str = "reghdfe"
    drop_singletons: bool = True
    tol: float = 1e-8
    maxiter: int = 10_000
    panel: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        vcov = self.vcov
        if isinstance(vcov, dict):  # {"CRV1": "industry"} is stored as cluster=("industry",)
            if self.cluster is not None:
                raise EstimationError("FitOptions: give either vcov= or cluster=, not both")
            object.__setattr__(self, "vcov", None)
            object.__setattr__(self, "cluster", parse_vcov(vcov, None).cluster)
        elif vcov is not None and not isinstance(vcov, str):
            raise EstimationError(f"FitOptions: vcov must be a string or {{'CRV1': var}}, got {vcov!r}")
        if self.cluster is not None:
            c = [self.cluster] if isinstance(self.cluster, str) else self.cluster
            if not isinstance(c, (list, tuple)) or not all(isinstance(x, str) for x in c):
                self._bad("cluster")
            object.__setattr__(self, "cluster", parse_vcov(None, list(c)).cluster)
        parse_vcov(self.vcov, self.cluster)  # vcov and cluster together, unknown vcov: clear errors
        if self.weights is not None and not isinstance(self.weights, str):
            self._bad("weights")
        if self.ssc not in SSC_CONVENTIONS:
            raise EstimationError(f"FitOptions: ssc must be one of {SSC_CONVENTIONS}, got {self.ssc!r}")
        if not isinstance(self.drop_singletons, (bool, np.bool_)):
            self._bad("drop_singletons")
        if not isinstance(self.tol, (int, float)) or not math.isfinite(self.tol) or not 0 < self.tol < 1:
            raise EstimationError(f"FitOptions: tol must be a number in (0, 1), got {self.tol!r}")
        if isinstance(self.maxiter, bool) or not isinstance(self.maxiter, (int, np.integer)) or self.maxiter < 1:
            raise EstimationError(f"FitOptions: maxiter must be a positive integer, got {self.maxiter!r}")
        if self.panel is not None:
            p = tuple(self.panel) if isinstance(self.panel, (list, tuple)) else ()
            if len(p) != 2 or not all(isinstance(c, str) for c in p):
                raise EstimationError(f"FitOptions: panel must be (unit, time) column names, got {self.panel!r}")
            object.__setattr__(self, "panel", p)

    def _bad(self, name: str) -> None:
        raise EstimationError(f"FitOptions: invalid {name}={getattr(self, name)!r}")

    @property
    def vcov_spec(self) -> VcovSpec:
        return parse_vcov(self.vcov, self.cluster)

    def feols_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`nqp.feols` these options stand for."""
        return {"vcov": self.vcov, "cluster": list(self.cluster) if self.cluster else None, "weights": self.weights,
                "ssc": self.ssc, "drop_singletons": self.drop_singletons, "tol": self.tol,
                "maxiter": self.maxiter, "panel": self.panel}

    def to_dict(self) -> dict[str, Any]:
        return json_ready(asdict(self))


@dataclass(frozen=True)
class ModelSpec:
    """One model to estimate: ``id`` (stable, unique in a run), ``formula`` (fixest syntax,
    parsed on construction), ``options`` and ``sample`` (a pandas boolean expression selecting
    the rows, or None for all rows)."""

    id: str
    formula: str
    options: FitOptions = field(default_factory=FitOptions)
    sample: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise EstimationError(f"ModelSpec: id must be a non-empty string, got {self.id!r}")
        if not isinstance(self.options, FitOptions):
            raise EstimationError(f"ModelSpec {self.id!r}: options must be FitOptions, got {type(self.options).__name__}")
        if self.sample is not None and (not isinstance(self.sample, str) or not self.sample.strip()):
            raise EstimationError(f"ModelSpec {self.id!r}: sample must be a non-empty expression or None, "
                                  f"got {self.sample!r}")
        try:
            parse_formula(self.formula)
        except FormulaError as err:
            raise FormulaError(f"model {self.id!r}: {err.message}", variable=err.variable) from None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "formula": self.formula, "sample": self.sample, "options": self.options.to_dict()}


def sample_mask(spec: ModelSpec, data: pd.DataFrame) -> np.ndarray:
    """Boolean row mask of ``spec.sample`` on ``data`` (``DataFrame.eval``, python engine).

    Raises EstimationError naming the model and the expression when the expression cannot be
    evaluated, is not a true/false condition of one value per row, or selects no row."""
    expr = spec.sample
    assert expr is not None
    where = f"sample {expr!r} of model {spec.id!r}"
    try:
        out = data.eval(expr, engine="python")
    except Exception as err:  # pandas raises many kinds (SyntaxError, UndefinedVariableError, TypeError...)
        raise EstimationError(f"cannot evaluate the {where}: {type(err).__name__}: {err}") from None
    if isinstance(out, pd.DataFrame) or not hasattr(out, "__len__") or len(out) != len(data):
        raise EstimationError(f"the {where} is not a condition on each row (e.g. 'SOE == 1')")
    arr = np.asarray(out)
    if arr.dtype != bool:
        if isinstance(out, pd.Series) and pd.api.types.is_bool_dtype(out.dtype):  # nullable boolean
            arr = out.fillna(False).to_numpy(dtype=bool)
        else:
            raise EstimationError(f"the {where} gives values of type {arr.dtype}, not true/false (e.g. 'SOE == 1')")
    if not arr.any():
        raise EstimationError(f"the {where} selects no rows (of {len(data):,})")
    return arr


@dataclass(frozen=True, repr=False)
class FailedFit(ResultDisplay):
    """A model that could not be estimated (``feols_multi(..., errors="collect")``)."""

    id: str
    formula: str
    error: str
    error_type: str
    sample: str | None = None

    status = "failed"
    _repr_keys = ("error_type", "error")

    @property
    def _repr_name(self) -> str:  # type: ignore[override]
        return f"FailedFit {self.id!r}"

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame(columns=list(TIDY_COLUMNS))

    def glance(self) -> dict[str, Any]:
        return {"status": self.status, "error_type": self.error_type, "error": self.error}

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "formula": self.formula, "sample": self.sample, "status": self.status,
                "error": self.error, "error_type": self.error_type}

    def summary(self) -> str:
        return f"model {self.id!r} ({self.formula}) was not estimated: {self.error_type}: {self.error}"
