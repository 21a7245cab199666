"""``feols``: OLS with any number of absorbed fixed effects (高维固定效应回归), as reghdfe.

Frisch-Waugh-Lovell: partial the FEs out of y and X (``demean``), then OLS on the residuals,
``b = (X~'WX~)^-1 X~'Wy~``; e = y~ - X~ b are the residuals of the full model. Standard errors
from ``vcov.py`` with reghdfe's degrees of freedom (default) or fixest's (``ssc="fixest"``).
IV formulas are passed on to ``iv.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import special

from nqp.econometrics.collinearity import AbsorbedDof, absorbed_dof, collinear_columns, constant_within, fixest_k_fe
from nqp.econometrics.demean import demean
from nqp.econometrics.formula import parse_formula
from nqp.econometrics.model_frame import INTERCEPT, ModelFrame, build_model_frame
from nqp.econometrics.fit_warnings import with_recorded_warnings
from nqp.econometrics.results import FeolsResult, inference_sample
from nqp.econometrics.vcov import Dof, VcovSpec, compute_vcov, parse_vcov
from nqp.errors import (
    CollinearityWarning,
    DataWarning,
    ConvergenceWarning,
    EstimationError,
    IdentificationError,
    SingletonWarning,
)


@dataclass(frozen=True)
class Sample:
    """Everything shared by the models estimated on one sample with one FE set."""

    mf: ModelFrame
    adof: AbsorbedDof
    spec: VcovSpec
    ssc: str
    formula: str
    converged: bool

    @property
    def w(self) -> np.ndarray | None:
        return self.mf.weights


def make_sample(mf: ModelFrame, spec: VcovSpec, ssc: str, formula: str, converged: bool = True) -> Sample:
    if ssc not in ("reghdfe", "fixest"):
        raise EstimationError(f"ssc must be 'reghdfe' or 'fixest', got {ssc!r}")
    adof = absorbed_dof(mf.fe, mf.fe_sizes, mf.clusters if spec.kind == "CRV1" else None)
    return Sample(mf, adof, spec, ssc, formula, converged)


def vdot(a: np.ndarray, b: np.ndarray) -> float:
    """Dot product of two vectors without BLAS ddot, which OpenBLAS threads badly on busy
    machines (12 ms instead of 5 us for n = 36,000 in our benchmark)."""
    return float(np.einsum("i,i->", a, b))


def raw_sum_squares(X: np.ndarray, w: np.ndarray | None, centred: bool) -> np.ndarray:
    """Per-column (weighted) sum of squares, about the (weighted) mean when ``centred``.

    Centred sums are computed in two passes, sum w (x - xbar)^2 with xbar corrected once more
    (the one-pass sum w x^2 - (sum w x)^2 / sum w cancels to rounding when |mean|/sd ~ 1e8)."""
    if not centred:
        ss = np.einsum("ij,ij->j", X, X) if w is None else np.einsum("i,ij,ij->j", w, X, X)
        return np.maximum(ss, 0.0)
    c, _ = centre_columns(X, w)
    return np.einsum("ij,ij->j", c, c) if w is None else np.einsum("i,ij,ij->j", w, c, c)


def centre_columns(X: np.ndarray, w: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(X - m, m) with m the (weighted) column means, computed in two passes (the mean of the
    first residuals is added back), so that the centred values are accurate to rounding of x."""
    m = np.average(X, axis=0, weights=w)
    c = X - m
    m2 = np.average(c, axis=0, weights=w)
    c -= m2
    return c, m + m2


def intercept_position(s: Sample, names: list[str]) -> int | None:
    """Column of the explicit intercept in a model without FE (then estimation works on
    columns centred on their means, see :func:`centred_basis`), else None."""
    if s.mf.fe.shape[1] or INTERCEPT not in names:
        return None
    return names.index(INTERCEPT)


def centred_basis(Xt: np.ndarray, w: np.ndarray | None, ic: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns centred on their means with the intercept column kept at 1, and the means m
    (0 for the intercept): X = Xc T with T = I + e_ic m'. OLS/2SLS in this basis is exact
    algebra, and it is numerically stable when a regressor's mean is large relative to its
    spread (a date code, ``x + 1e6``), where the normal equations of [1, x] are singular to
    rounding. Results are mapped back by :func:`to_raw_basis`."""
    c, m = centre_columns(Xt, w)
    c[:, ic] = 1.0
    m[ic] = 0.0
    return c, m


def to_raw_basis(ic: int, m: np.ndarray, beta_c: np.ndarray, ybar: float) -> np.ndarray:
    """Coefficients on the raw columns from the fit of (y - ybar) on the centred basis:
    b = b_c + e_ic (ybar - m'b_c)."""
    b = beta_c.copy()
    b[ic] += ybar - float(m @ beta_c)
    return b


def select_regressors(s: Sample, X: np.ndarray, Xt: np.ndarray, names: list[str], *,
                      gram: np.ndarray | None = None, ss_raw: np.ndarray | None = None) -> tuple[list[int], list[str]]:
    """Indices kept; warns (CollinearityWarning) naming every dropped regressor and why.

    X: the columns before partialling; Xt: after partialling out the FEs (with no FE and an
    intercept: the centred basis of :func:`centred_basis`); gram: Xt'WXt when known; ss_raw:
    the centred sums of squares of X when known (``multi.py`` shares them). Criterion in
    :func:`nqp.econometrics.collinearity.collinear_columns`."""
    has_fe = s.mf.fe.shape[1] > 0
    ic = intercept_position(s, names)
    w = s.w
    if gram is None:
        gram = Xt.T @ (Xt if w is None else Xt * w[:, None])
    uncentred = raw_sum_squares(X, w, centred=False)
    if has_fe:
        scale = ss_raw if ss_raw is not None else raw_sum_squares(X, w, centred=True)
    elif ic is not None:
        scale = np.diag(gram).copy()  # centred sums of squares (Σw for the intercept)
    else:
        scale = uncentred
    floor = 1e-20 * uncentred
    keep, dropped = collinear_columns(gram, scale, floor)
    if dropped:
        msgs = [f"{names[j]!r} ({_drop_reason(s, X[:, j], why, max(1e-9 * scale[j], floor[j]), ic)})"
                for j, why in dropped.items()]
        warnings.warn(CollinearityWarning(f"dropped {len(dropped)} regressor(s) in {s.formula!r}: " + "; ".join(msgs),
                                          variable=names[next(iter(dropped))]), stacklevel=4)
    return keep, [names[j] for j in dropped]


def _drop_reason(s: Sample, x: np.ndarray, why: str, limit: float, ic: int | None) -> str:
    """Why a column was dropped, in the words of what happened."""
    if why == "collinear":
        return "collinear with the other regressors"
    fe = s.mf.fe
    if fe.shape[1] == 0:
        return "constant: collinear with the intercept" if ic is not None else "zero in every row"
    for g, name in enumerate(s.mf.fe_names):
        if fe.shape[1] == 1 or constant_within(x, fe[:, g], s.w, limit):
            return f"constant within {name}"
    return f"collinear with the fixed effects {'+'.join(s.mf.fe_names)}"


def dof_for(s: Sample, K: int) -> Dof:
    return Dof(N=s.mf.nobs, K=K, df_a=s.adof.df_a, nested_adj=s.adof.nested_adj,
               k_fe_fixest=fixest_k_fe(s.mf.fe_sizes, s.adof.nested), ssc=s.ssc)  # type: ignore[arg-type]


def solve_spd(A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(A^-1 b, A^-1) for a symmetric positive-definite A."""
    try:
        c = scipy.linalg.cho_factor(A)
    except scipy.linalg.LinAlgError as err:
        raise EstimationError(f"the regressors are numerically collinear ({err}); drop one of them") from err
    return scipy.linalg.cho_solve(c, b), scipy.linalg.cho_solve(c, np.eye(A.shape[0]))


def build_result(
    s: Sample, *, cls=FeolsResult, depvar: str, y: np.ndarray, yt: np.ndarray, names: list[str],
    beta: np.ndarray, bread: np.ndarray, resid: np.ndarray, score_x: np.ndarray,
    dropped: list[str], formula: str | None = None, basis: tuple[int, np.ndarray] | None = None, **extra,
) -> FeolsResult:
    """Variance, tests and fit statistics from a solved (partialled-out) regression.

    basis: (intercept position, means m) when bread and score_x are in the centred basis of
    :func:`centred_basis` (``beta`` is always on the raw columns); V and the bread are mapped
    back by T^-1 = I - e_ic m' (V = T^-1 V_c T^-T) and the stored score regressors by T."""
    w = s.w
    K = len(names)
    dof = dof_for(s, K)
    ew = resid if w is None else resid * w
    rss = vdot(resid, ew)
    Tinv = None
    if basis is not None:
        Tinv = np.eye(K)
        Tinv[basis[0], :] -= basis[1]
    sx = None if s.spec.kind == "iid" else score_x * ew[:, None]  # rows w_i x_i e_i
    V, df_t = compute_vcov(s.spec, bread, sx, rss, dof, s.mf.clusters, Tinv)
    del sx
    if basis is not None:
        bread = Tinv @ bread @ Tinv.T
        score_x = score_x + score_x[:, [basis[0]]] * basis[1]
    if rss <= 1e-24 * max(vdot(yt, yt if w is None else yt * w), 1e-300):
        warnings.warn(DataWarning(f"{depvar!r} is fitted exactly in {formula or s.formula!r} (residual sum of squares "
                                  f"~0): standard errors are 0 and t statistics undefined", variable=depvar), stacklevel=4)
    se = np.sqrt(np.maximum(np.diag(V), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta / se
    p = 2 * special.stdtr(df_t, -np.abs(t))
    ww = 1.0 if w is None else w
    ybar = float(np.average(y, weights=w)) if s.mf.has_intercept else 0.0
    tss = float(np.einsum("i,i->", ww * (y - ybar), y - ybar)) if w is not None else vdot(y - ybar, y - ybar)
    has_fe = s.mf.fe.shape[1] > 0
    tss_w = float(raw_sum_squares(yt[:, None], w, centred=False)[0]) if has_fe else float("nan")
    N = s.mf.nobs
    df_full = N - K - s.adof.df_a_full
    r2 = 1 - rss / tss if tss > 0 else float("nan")
    adj = 1 - (rss / df_full) / (tss / (N - int(s.mf.has_intercept))) if tss > 0 and df_full > 0 else float("nan")
    r2w = 1 - rss / tss_w if has_fe and tss_w > 0 else float("nan")
    adjw = 1 - (rss / df_full) / (tss_w / (df_full + K)) if has_fe and tss_w > 0 and df_full > 0 else float("nan")
    test = [i for i, nm in enumerate(names) if nm != INTERCEPT]
    f_stat, f_p = float("nan"), float("nan")
    if test:
        b, Vt = beta[test], V[np.ix_(test, test)]
        try:
            f_stat = float(b @ np.linalg.solve(Vt, b)) / len(test)
            f_p = float(special.fdtrc(len(test), df_t, f_stat))
        except np.linalg.LinAlgError:
            pass
    idx = pd.Index(names)
    ncl = {}
    if s.spec.kind == "CRV1" and s.mf.clusters is not None:
        ncl = {nm: int(s.mf.clusters[:, j].max()) + 1 for j, nm in enumerate(s.mf.cluster_names)}
    return cls(
        formula=formula or s.formula, depvar=depvar,
        coef=pd.Series(beta, idx, name="coef"), se=pd.Series(se, idx, name="se"),
        tstat=pd.Series(t, idx, name="t"), pvalue=pd.Series(p, idx, name="p"),
        vcov=pd.DataFrame(V, idx, idx), vcov_type=s.spec.label, ssc=s.ssc,
        nobs=N, df_resid=int(df_t), df_absorbed=s.adof.df_a, df_absorbed_nested=s.adof.df_a_nested,
        rss=rss, tss=tss, tss_within=tss_w, r2=r2, adj_r2=adj, r2_within=r2w, adj_r2_within=adjw,
        rmse=float(np.sqrt(rss / df_full)) if df_full > 0 else float("nan"),
        f_stat=f_stat, f_pvalue=f_p,
        fixef_sizes=dict(zip(s.mf.fe_names, s.mf.fe_sizes)),
        fixef_redundant=dict(zip(s.mf.fe_names, s.adof.redundant)),
        fixef_nested=dict(zip(s.mf.fe_names, s.adof.nested)),
        n_clusters=ncl, n_singletons=s.mf.n_singletons, n_missing=s.mf.n_missing, n_dropped=dict(s.mf.n_dropped),
        dropped_collinear=list(dropped), obs_index=s.mf.obs_index, converged=s.converged,
        resid=resid, fitted=y - resid, _score_x=score_x, _bread=bread, _weights=w,
        _sample=inference_sample(s), **extra,
    )


def fit_ols(s: Sample, depvar: str, y: np.ndarray, yt: np.ndarray, X: np.ndarray, Xt: np.ndarray,
            names: list[str], formula: str | None = None, *, gram: np.ndarray | None = None,
            ss_raw: np.ndarray | None = None) -> FeolsResult:
    """OLS of partialled-out yt on Xt (columns of X before partialling, for collinearity checks).

    gram: optional cross-product [yt Xt]'W[yt Xt] (k+1, k+1), e.g. shared by many models."""
    ic = intercept_position(s, names)
    if ic is not None:  # no FE: work on the centred basis (a given gram is of the raw columns)
        Xt, means = centred_basis(Xt, s.w, ic)
        yc, ybar = centre_columns(yt[:, None], s.w)
        yt, gram = yc[:, 0], None
    if gram is None:
        A = np.empty((yt.shape[0], Xt.shape[1] + 1), order="F")
        A[:, 0] = yt
        A[:, 1:] = Xt
        gram = A.T @ (A if s.w is None else A * s.w[:, None])
        del A
    keep, dropped = select_regressors(s, X, Xt, names, gram=gram[1:, 1:], ss_raw=ss_raw)
    if not keep:
        raise IdentificationError(f"no regressor left in {formula or s.formula!r} after dropping {dropped}",
                                  variable=dropped[0] if dropped else None)
    Xk = Xt if len(keep) == Xt.shape[1] else Xt[:, keep]
    kk = [j + 1 for j in keep]
    beta, bread = solve_spd(gram[np.ix_(kk, kk)], gram[kk, 0])
    resid = yt - Xk @ beta
    basis = None
    if ic is not None and ic in keep:
        basis = (keep.index(ic), means[keep])
        beta = to_raw_basis(basis[0], basis[1], beta, float(ybar[0]))
    return build_result(s, depvar=depvar, y=y, yt=yt, names=[names[j] for j in keep], beta=beta,
                        bread=bread, resid=resid, score_x=Xk, dropped=dropped, formula=formula, basis=basis)


def absorb(mf: ModelFrame, cols: np.ndarray, tol: float, maxiter: int, formula: str) -> tuple[np.ndarray, bool]:
    """Partial the FEs of ``mf`` out of ``cols``; warn if the iterations did not converge."""
    if mf.fe.shape[1] == 0:
        return cols, True
    out, ok = demean(cols, mf.fe, mf.weights, tol=tol, maxiter=maxiter)
    if not ok:
        warnings.warn(ConvergenceWarning(f"absorbing {'+'.join(mf.fe_names)} did not reach tol={tol} in "
                                         f"{maxiter} iterations for {formula!r}; estimates may be inexact"), stacklevel=3)
    return out, ok


@with_recorded_warnings
def feols(
    formula: str,
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
) -> FeolsResult:
    """Estimate ``formula`` on ``data`` by OLS (or 2SLS when it has an IV part).

    formula: fixest syntax, e.g. ``"NQP ~ lnAI + Size | firm + year"`` or
    ``"y ~ x2 | firm + year | x1 ~ z1 + z2"`` (see ``formula.py``). cluster: one name, a list,
    or ``"firm+year"`` (CRV1, multi-way when several). vcov: "iid" (default, as reghdfe),
    "hc1"/"hetero", or {"CRV1": "industry"}. weights: column of analytic weights. ssc:
    "reghdfe" (default) or "fixest" small-sample conventions. panel: (unit, time) for lags.
    """
    f = parse_formula(formula)
    spec = parse_vcov(vcov, cluster)
    mf = build_model_frame(f, data, cluster=spec.cluster, weights=weights, panel=panel, drop_singletons=drop_singletons)
    if mf.n_singletons:
        warnings.warn(SingletonWarning(f"dropped {mf.n_singletons} singleton observation(s) of "
                                       f"{'+'.join(mf.fe_names)} (iteratively, as reghdfe)"), stacklevel=2)
    ct, ok = absorb(mf, mf.matrix, tol, maxiter, formula)
    s = make_sample(mf, spec, ssc, formula, ok)
    kx, ke = mf.X.shape[1], mf.endog.shape[1]
    yt, Xt = ct[:, 0], ct[:, 1:1 + kx]
    if f.is_iv:
        from nqp.econometrics.iv import fit_iv

        return fit_iv(s, yt=yt, Xt=Xt, Et=ct[:, 1 + kx:1 + kx + ke], Zt=ct[:, 1 + kx + ke:])
    A = ct[:, :1 + kx]  # [y~, X~], a view
    gram = A.T @ (A if mf.weights is None else A * mf.weights[:, None])
    return fit_ols(s, mf.y_name, mf.y, yt, mf.X, Xt, mf.x_names, gram=gram)
