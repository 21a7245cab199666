"""Multiple estimation (多模型估计): many formulas on one data set, absorbing each variable once.

Partialling out is linear and column by column, so a variable demeaned on a given sample with
a given FE set can be reused by every model that has the same sample and FE set (fixest's
multiple estimation does the same, Berge 2018 / fixest ``R/estimation.R``). Models whose
missing values give a different sample get their own cache entry, so each result equals the
one ``feols`` gives for that formula alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from nqp.econometrics.formula import parse_formula
from nqp.econometrics.model_frame import DataColumns, build_model_frame
from nqp.econometrics.ols import Sample, absorb, fit_ols, make_sample, raw_sum_squares
from nqp.econometrics.results import FeolsResult
from nqp.econometrics.vcov import parse_vcov
from nqp.errors import SingletonWarning


def feols_multi(
    formulas: Sequence[str] | Mapping[str, str],
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
) -> list[FeolsResult] | dict[str, FeolsResult]:
    """Estimate every formula (same options as :func:`feols`); a list in, a list out; a dict
    {name: formula} in, {name: result} out. Results are identical to one-by-one ``feols``."""
    named = isinstance(formulas, Mapping)
    items = list(formulas.items()) if named else list(enumerate(formulas))
    spec = parse_vcov(vcov, cluster)
    cols = DataColumns(data, panel)
    # pass 1: samples, and the union of variables each sample needs
    frames = []
    needed: dict[tuple, dict[str, np.ndarray]] = {}
    first_mf: dict[tuple, object] = {}
    for key, text in items:
        f = parse_formula(text)
        mf = build_model_frame(f, data, cluster=spec.cluster, weights=weights, panel=panel,
                               drop_singletons=drop_singletons, columns=cols)
        frames.append((key, text, f, mf))
        want = needed.setdefault(mf.sample_key, {})
        first_mf.setdefault(mf.sample_key, mf)
        for lab, col in zip([mf.y_name, *mf.x_names, *mf.endog_names, *mf.z_names],
                            [mf.y, *mf.X.T, *mf.endog.T, *mf.Z.T]):
            want.setdefault(lab, col)
    # each sample: absorb every variable once, one cross-product matrix for all of them
    shared = {}
    for skey, want in needed.items():
        mf = first_mf[skey]
        labels = list(want)
        raw = np.column_stack(list(want.values()))
        ct, ok = absorb(mf, raw, tol, maxiter, items[0][1])
        w = mf.weights
        gram = ct.T @ (ct if w is None else ct * w[:, None])
        ss = raw_sum_squares(raw, w, centred=mf.fe.shape[1] > 0)
        if mf.n_singletons:
            warnings.warn(SingletonWarning(f"dropped {mf.n_singletons} singleton observation(s) of "
                                           f"{'+'.join(mf.fe_names)} (iteratively, as reghdfe)"), stacklevel=2)
        shared[skey] = ({lab: j for j, lab in enumerate(labels)}, ct, gram, ss, make_sample(mf, spec, ssc, "", ok))
    # pass 2: fit
    out: dict = {}
    for key, text, f, mf in frames:
        pos, ct, gram, ss, base = shared[mf.sample_key]
        s = Sample(mf, base.adof, spec, ssc, text, base.converged)

        def get(names: list[str]) -> np.ndarray:
            return ct[:, [pos[n] for n in names]] if names else np.empty((mf.nobs, 0))

        if f.is_iv:
            from nqp.econometrics.iv import fit_iv

            out[key] = fit_iv(s, yt=ct[:, pos[mf.y_name]], Xt=get(mf.x_names), Et=get(mf.endog_names),
                              Zt=get(mf.z_names))
        else:
            ix = [pos[mf.y_name], *[pos[n] for n in mf.x_names]]
            out[key] = fit_ols(s, mf.y_name, mf.y, ct[:, ix[0]], mf.X, ct[:, ix[1:]], mf.x_names,
                               gram=gram[np.ix_(ix, ix)], ss_raw=ss[ix[1:]])
    return out if named else [out[k] for k, _ in items]
