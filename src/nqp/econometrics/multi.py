"""Multiple estimation (多模型估计): many models on one data set, absorbing each variable once
per estimation sample.

Partialling out is linear and column by column, so a variable demeaned on a given sample with
a given FE set can be reused by every model that has the same sample and FE set (fixest's
multiple estimation does the same, Berge 2018 / fixest ``R/estimation.R``). Models are grouped
by their estimation sample -- subsample expression, rows with missing values, FE set,
cluster variables and weights (they decide which rows are dropped), singleton rule, panel,
tolerance -- and each group absorbs the union of its variables in one call, so each result
equals the one ``feols`` gives for that model alone (a model with ``sample=`` equals ``feols``
on the rows the expression selects; lags come from the whole frame, as Stata's ``if``).

The data frame is read once: numeric columns, lags, products and FE/cluster codes (string firm
codes are factorized once) are shared by all models (``DataColumns``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from nqp.econometrics.fit_warnings import attach, recorded
from nqp.econometrics.formula import Formula, parse_formula
from nqp.econometrics.model_frame import DataColumns, ModelFrame, build_model_frame
from nqp.econometrics.ols import Sample, absorb, fit_ols, make_sample, raw_sum_squares
from nqp.econometrics.results import FeolsResult
from nqp.econometrics.spec import FailedFit, FitOptions, ModelSpec, sample_mask
from nqp.errors import _PLACE_FIELDS, EstimationError, NqpError, SingletonWarning

# what errors="collect" turns into a FailedFit: the named nqp errors and numerical failures
_COLLECTED = (NqpError, np.linalg.LinAlgError, FloatingPointError)


@dataclass
class _Model:
    spec: ModelSpec
    formula: Formula
    mf: ModelFrame
    group: tuple


@dataclass
class _Group:
    """Models sharing one estimation sample: the union of their variables, absorbed once."""

    mf: ModelFrame  # the first model's frame (sample, FE and cluster codes, weights)
    options: FitOptions
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # label -> raw column on the sample
    pos: dict[str, int] = field(default_factory=dict)
    ct: np.ndarray | None = None  # absorbed columns
    gram: np.ndarray | None = None
    ss: np.ndarray | None = None
    base: Sample | None = None
    warnings: tuple[str, ...] = ()
    error: BaseException | None = None


def feols_multi(
    models: Sequence[str] | Mapping[str, str] | Sequence[ModelSpec],
    data: pd.DataFrame,
    *,
    cluster: str | Sequence[str] | None = None,
    vcov: str | dict | None = None,
    weights: str | None = None,
    ssc: str = "reghdfe",
    drop_singletons: bool = True,
    tol: float = 1e-8,
    maxiter: int = 10_000,
    panel: tuple[str, str] | None = None,
    errors: Literal["raise", "collect"] = "raise",
) -> list[FeolsResult] | dict[str, FeolsResult] | dict[str, FeolsResult | FailedFit]:
    """Estimate many models; results identical to one-by-one :func:`nqp.feols`.

    models: a list of formulas (-> list of results), a dict {name: formula} (-> dict), both
    fitted with the keyword options (as ``feols``); or a sequence of :class:`ModelSpec`, each
    with its own options and subsample (-> dict {spec.id: result}; the keyword options must
    then be left at their defaults).
    errors: ``"raise"`` stops at the first model that cannot be estimated; ``"collect"`` puts
    a :class:`FailedFit` (id, formula, error, error_type) in its place and fits the others.
    Each result's ``warnings`` holds the warnings of its own fit and of its sample's absorption.
    """
    if errors not in ("raise", "collect"):
        raise EstimationError(f"errors must be 'raise' or 'collect', got {errors!r}")
    specs, shape = _as_specs(models, dict(cluster=cluster, vcov=vcov, weights=weights, ssc=ssc,
                                          drop_singletons=drop_singletons, tol=tol, maxiter=maxiter, panel=panel))
    columns: dict[tuple | None, DataColumns] = {}
    masks: dict[str, np.ndarray] = {}
    out: dict[str, FeolsResult | FailedFit] = {}
    planned: list[_Model] = []
    groups: dict[tuple, _Group] = {}
    # pass 1: each model's sample; the union of the variables each sample needs
    named = shape == "specs"  # errors name the model id
    for spec in specs:
        try:
            planned.append(_plan(spec, data, columns, masks, groups))
        except _COLLECTED as err:
            if errors == "raise":
                raise _naming(err, spec, named) from None
            out[spec.id] = _failed(spec, err)
    # each sample: absorb every variable once, one cross-product matrix for all of them
    for key, g in groups.items():
        try:
            with recorded(stacklevel=2) as msgs:
                _absorb_group(g, next(m.spec.formula for m in planned if m.group == key))
        except _COLLECTED as err:
            if errors == "raise":
                raise
            g.error = err
        g.warnings = tuple(msgs)
    # pass 2: fit every model from its group's absorbed columns
    for m in planned:
        g = groups[m.group]
        if g.error is not None:
            out[m.spec.id] = _failed(m.spec, g.error)
            continue
        try:
            with recorded(stacklevel=2) as msgs:
                res = _fit(m, g)
        except _COLLECTED as err:
            if errors == "raise":
                raise _naming(err, m.spec, named) from None
            out[m.spec.id] = _failed(m.spec, err)
            continue
        out[m.spec.id] = attach(res, [*g.warnings, *msgs])
    ordered = {s.id: out[s.id] for s in specs}
    if shape == "list":
        return list(ordered.values())  # type: ignore[return-value]
    if shape == "dict":
        return {k: ordered[str(k)] for k in models}  # type: ignore[union-attr]
    return ordered


def _as_specs(models, kwargs: dict) -> tuple[list[ModelSpec], str]:
    """ModelSpecs for any accepted input, and the shape of the return value."""
    if isinstance(models, (str, ModelSpec)):
        models = [models]
    if isinstance(models, Mapping):
        opts = FitOptions(**kwargs)
        specs = [ModelSpec(str(k), v, opts) for k, v in models.items()]
        shape = "dict"
    else:
        items = list(models)
        if items and all(isinstance(m, ModelSpec) for m in items):
            defaults = FitOptions()
            changed = [k for k, v in kwargs.items() if FitOptions(**{k: v}) != defaults]
            if changed:
                raise EstimationError(f"feols_multi over ModelSpecs takes the options from each spec; "
                                      f"do not pass {', '.join(changed)}=")
            specs, shape = items, "specs"
        elif all(isinstance(m, str) for m in items):
            opts = FitOptions(**kwargs)
            specs = [ModelSpec(str(i), f, opts) for i, f in enumerate(items)]
            shape = "list"
        else:
            raise EstimationError("feols_multi takes a list of formulas, a dict {name: formula} or a list of ModelSpec")
    seen: set[str] = set()
    for s in specs:
        if s.id in seen:
            raise EstimationError(f"model id {s.id!r} is used twice")
        seen.add(s.id)
    return specs, shape


def _plan(spec: ModelSpec, data: pd.DataFrame, columns: dict, masks: dict, groups: dict) -> _Model:
    o = spec.options
    if o.panel not in columns:
        columns[o.panel] = DataColumns(data, o.panel)
    subset = None
    if spec.sample is not None:
        if spec.sample not in masks:
            masks[spec.sample] = sample_mask(spec, data)
        subset = masks[spec.sample]
    f = parse_formula(spec.formula)
    mf = build_model_frame(f, data, cluster=o.vcov_spec.cluster, weights=o.weights, panel=o.panel,
                           drop_singletons=o.drop_singletons, columns=columns[o.panel], subset=subset)
    key = (mf.sample_key, o.panel, o.tol, o.maxiter)
    g = groups.get(key)
    if g is None:
        g = groups[key] = _Group(mf=mf, options=o)
    for lab, col in zip([mf.y_name, *mf.x_names, *mf.endog_names, *mf.z_names],
                        [mf.y, *mf.X.T, *mf.endog.T, *mf.Z.T]):
        g.columns.setdefault(lab, col)
    return _Model(spec, f, mf, key)


def _absorb_group(g: _Group, formula: str) -> None:
    mf, o = g.mf, g.options
    labels = list(g.columns)
    raw = np.empty((mf.nobs, len(labels)), order="F")
    for j, lab in enumerate(labels):
        raw[:, j] = g.columns[lab]
    g.columns = {}  # the raw columns are in ``raw`` now
    if mf.n_singletons:
        warnings.warn(SingletonWarning(f"dropped {mf.n_singletons} singleton observation(s) of "
                                       f"{'+'.join(mf.fe_names)} (iteratively, as reghdfe)"), stacklevel=2)
    ct, ok = absorb(mf, raw, o.tol, o.maxiter, formula)
    w = mf.weights
    g.ct = ct
    g.gram = ct.T @ (ct if w is None else ct * w[:, None])
    g.ss = raw_sum_squares(raw, w, centred=mf.fe.shape[1] > 0)
    g.pos = {lab: j for j, lab in enumerate(labels)}
    g.base = make_sample(mf, o.vcov_spec, o.ssc, "", ok)


def _fit(m: _Model, g: _Group) -> FeolsResult:
    mf, o, f = m.mf, m.spec.options, m.formula
    assert g.ct is not None and g.base is not None and g.gram is not None and g.ss is not None
    s = Sample(mf, g.base.adof, o.vcov_spec, o.ssc, m.spec.formula, g.base.converged)
    pos, ct = g.pos, g.ct

    def get(names: list[str]) -> np.ndarray:
        return ct[:, [pos[n] for n in names]] if names else np.empty((mf.nobs, 0))

    if f.is_iv:
        from nqp.econometrics.iv import fit_iv

        return fit_iv(s, yt=ct[:, pos[mf.y_name]], Xt=get(mf.x_names), Et=get(mf.endog_names), Zt=get(mf.z_names))
    ix = [pos[mf.y_name], *[pos[n] for n in mf.x_names]]
    return fit_ols(s, mf.y_name, mf.y, ct[:, ix[0]], mf.X, ct[:, ix[1:]], mf.x_names,
                   gram=g.gram[np.ix_(ix, ix)], ss_raw=g.ss[ix[1:]])


def _naming(err: BaseException, spec: ModelSpec, named: bool) -> BaseException:
    """The error with the model id (and its subsample) in front of its message, same class and
    place fields; for formula lists (ids are positions) the error as ``feols`` raises it."""
    if not named or not isinstance(err, NqpError) or f"model {spec.id!r}" in err.message:
        return err
    where = {k: getattr(err, k) for k in _PLACE_FIELDS if getattr(err, k, None) is not None}
    head = f"model {spec.id!r}" + (f" (sample {spec.sample!r})" if spec.sample else "")
    try:
        return type(err)(f"{head}: {err.message}", **where)
    except TypeError:  # a subclass with another signature: keep it as it is
        return err


def _failed(spec: ModelSpec, err: BaseException) -> FailedFit:
    return FailedFit(id=spec.id, formula=spec.formula, error=str(err) or type(err).__name__,
                     error_type=type(err).__name__, sample=spec.sample)
