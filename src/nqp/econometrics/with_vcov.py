"""New standard errors for a fitted model without refitting (更换标准误的计算方式).

A fit keeps what every variance estimator needs: the bread ``D = (X~'WX~)^-1`` (``(X^'WX^)^-1``
for 2SLS), the score regressors and residuals (scores ``s_i = w_i x_i e_i``), the weights, the
FE codes (the absorbed degrees of freedom depend on which FEs are nested in the cluster
variable) and the cluster codes. :func:`with_vcov` recomputes V, t, p, the confidence
intervals, the F test, the number of clusters and, for 2SLS, the first stages and the
weak-identification diagnostics, through the same code a fit uses
(:func:`nqp.econometrics.ols.build_result`), so the numbers equal a refit with the new
options. The estimates and fit statistics (R², RMSE, ...) are the fit's.

The estimation sample never changes: rows dropped because the fit's cluster variable was
missing stay dropped, and a new cluster variable with a missing value on the sample rows is
an error (a refit would estimate on fewer rows).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nqp.econometrics.singletons import recode
from nqp.econometrics.vcov import VcovSpec, parse_vcov
from nqp.errors import EstimationError

if TYPE_CHECKING:
    from nqp.econometrics.ols import Sample
    from nqp.econometrics.results import FeolsResult

# fit statistics that do not depend on the variance estimator: kept from the fit
_FIT_FIELDS = ("rss", "tss", "tss_within", "r2", "adj_r2", "r2_within", "adj_r2_within", "rmse",
               "fitted", "converged", "n_singletons", "n_missing", "warnings", "dropped_collinear")


def with_vcov(res: FeolsResult, *, vcov: str | dict | None = None, cluster: str | list[str] | None = None,
              ssc: str | None = None, data: pd.DataFrame | None = None) -> FeolsResult:
    """``res`` with the variance estimator ``vcov``/``cluster`` (as :func:`nqp.feols`; neither:
    keep the fit's) and small-sample convention ``ssc`` (None: keep the fit's)."""
    s: Sample | None = res._sample
    if s is None:
        raise EstimationError("this result does not keep its scores (it was not made by nqp.feols); refit it")
    spec = s.spec if vcov is None and cluster is None else parse_vcov(vcov, cluster)
    codes = _cluster_codes(res, s, spec, data)
    return _recompute(res, s, spec, ssc or res.ssc, codes)


def _cluster_codes(res: FeolsResult, s: Sample, spec: VcovSpec, data: pd.DataFrame | None) -> np.ndarray | None:
    """Dense cluster codes (n, c) on the sample rows for ``spec`` (None unless CRV1)."""
    if spec.kind != "CRV1":
        return None
    have = {nm: j for j, nm in enumerate(s.mf.cluster_names)}
    cols = []
    for name in spec.cluster:
        if name in have and s.mf.clusters is not None:
            cols.append(s.mf.clusters[:, have[name]])
            continue
        if data is None:
            raise EstimationError(f"cluster variable {name!r} was not used in the fit of {res.formula!r}: "
                                  f"pass the data it was fitted on (data=...)", variable=name)
        cols.append(_codes_from_data(res, data, name))
    return np.column_stack(cols)


def _codes_from_data(res: FeolsResult, data: pd.DataFrame, name: str) -> np.ndarray:
    from nqp.econometrics.model_frame import DataColumns

    if name not in data.columns:
        raise EstimationError(f"cluster variable {name!r} is not a column of data", variable=name)
    if not data.index.is_unique:
        raise EstimationError("data has duplicate index labels; the sample rows cannot be found by obs_index")
    rows = data.index.get_indexer(res.obs_index)
    if (rows < 0).any():
        raise EstimationError(f"data lacks {int((rows < 0).sum())} row(s) of the estimation sample of "
                              f"{res.formula!r} (first: {res.obs_index[int(np.argmax(rows < 0))]!r}): pass the frame "
                              f"the model was fitted on", row=res.obs_index[int(np.argmax(rows < 0))])
    raw = DataColumns(data).codes((name,))[rows]
    bad = raw < 0
    if bad.any():
        raise EstimationError(f"cluster variable {name!r} is missing in {int(bad.sum())} row(s) of the estimation "
                              f"sample of {res.formula!r}; refit with cluster={name!r} to drop them",
                              variable=name, row=res.obs_index[int(np.argmax(bad))])
    return recode(raw)[0]


def _recompute(res: FeolsResult, s: Sample, spec: VcovSpec, ssc: str, codes: np.ndarray | None) -> FeolsResult:
    from nqp.econometrics.iv import _diagnostics
    from nqp.econometrics.ols import build_result, make_sample

    mf = replace(s.mf, clusters=codes, cluster_names=list(spec.cluster) if codes is not None else [])
    s2 = make_sample(mf, spec, ssc, s.formula, s.converged)
    beta = res.coef.to_numpy()
    extra: dict = {}
    if res.is_iv:
        xt = res._xt  # type: ignore[attr-defined]
        yt = xt @ beta + res.resid
        extra = {"endog": list(res.endog), "instruments": list(res.instruments),  # type: ignore[attr-defined]
                 "first_stage": {k: _recompute(v, v._sample, spec, ssc, codes)
                                 for k, v in res.first_stage.items()},  # type: ignore[attr-defined]
                 "_zt": res._zt, "_endog_t": res._endog_t, "_xt": xt}  # type: ignore[attr-defined]
    else:
        yt = res._score_x @ beta + res.resid
    new = build_result(s2, cls=type(res), depvar=res.depvar, y=s.mf.y, yt=yt, names=list(res.coef.index),
                       beta=beta, bread=res._bread, resid=res.resid, score_x=res._score_x,
                       dropped=list(res.dropped_collinear), formula=res.formula, **extra)
    new = replace(new, **{f: getattr(res, f) for f in _FIT_FIELDS})
    if res.is_iv:
        ke = len(res.endog)  # type: ignore[attr-defined]
        x_names = list(res.coef.index[ke:])
        Xt = xt[:, ke:]
        Zt = res._zt[:, Xt.shape[1]:]  # type: ignore[attr-defined]
        object.__setattr__(new, "iv_diagnostics",
                           _diagnostics(s2, yt, res._endog_t, Xt, x_names, Zt, list(res.endog), new))  # type: ignore[attr-defined]
    return new
