"""Two-stage least squares with absorbed fixed effects (工具变量法 / 两阶段最小二乘), as ivreghdfe.

On partialled-out data (FE dummies are included instruments, so FWL applies; ivreghdfe
``src/ivreghdfe.ado`` partials y, X, Z out with reghdfe's MAP):

    Z = [X_exog, Z_excl],  X = [X_endog, X_exog],  X^ = P_Z X,
    b = (X^'W X^)^-1 X^'W y,   e = y - X b  (structural residuals, with actual X).

Variance: the estimators of ``vcov.py`` with bread (X^'WX^)^-1 and scores w_i x^_i e_i, the
same small-sample factors as OLS with K = #endog + #exog (ivreghdfe with ``small``;
Wooldridge 2010 ch. 5). One known difference: when some but not all FEs are nested in the
cluster variable, ivreghdfe's denominator is N - K - df_a, one more than reghdfe's
N - 1 - K - df_a that we use for OLS and IV alike (and that fixest/pyfixest also give).
"""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np

from nqp.econometrics.model_frame import INTERCEPT
from nqp.econometrics.ols import (
    Sample,
    build_result,
    centre_columns,
    centred_basis,
    fit_ols,
    intercept_position,
    select_regressors,
    solve_spd,
    to_raw_basis,
)
from nqp.econometrics.results import FeolsResult, IVResult
from nqp.errors import IdentificationError, InferenceUnavailableWarning, NqpError


def fit_iv(s: Sample, *, yt: np.ndarray, Xt: np.ndarray, Et: np.ndarray, Zt: np.ndarray) -> IVResult:
    """2SLS of yt on [Et, Xt] instrumented by [Xt, Zt] (all partialled out)."""
    mf = s.mf
    ke, kz = Et.shape[1], Zt.shape[1]
    if kz < ke:
        raise IdentificationError(
            f"underidentified: {kz} excluded instrument(s) {mf.z_names} for {ke} endogenous regressor(s) {mf.endog_names}",
            variable=mf.endog_names[0])
    w = s.w
    # without FE, estimation works on columns centred on their means (ols.centred_basis)
    ic = intercept_position(s, mf.x_names)
    yc, Ec, Xc, Zc = yt, Et, Xt, Zt
    ybar, me, mx = 0.0, np.zeros(ke), np.zeros(Xt.shape[1])
    if ic is not None:
        Xc, mx = centred_basis(Xt, w, ic)
        Ec, me = centre_columns(Et, w)
        Zc, _ = centre_columns(Zt, w)
        ycol, yb = centre_columns(yt[:, None], w)
        yc, ybar = ycol[:, 0], float(yb[0])
    # regressors: endogenous first (as ivreg2 prints them), then exogenous; later ones dropped
    R, Rc = np.column_stack([mf.endog, mf.X]), np.column_stack([Ec, Xc])
    r_names = mf.endog_names + mf.x_names
    keep, dropped = select_regressors(s, R, Rc, r_names)
    en_keep = [j for j in keep if j < ke]
    ex_keep = [j - ke for j in keep if j >= ke]
    if not en_keep:
        raise IdentificationError(f"every endogenous regressor {mf.endog_names} was dropped as collinear",
                                  variable=mf.endog_names[0])
    # instruments: kept exogenous first, then excluded ones (a collinear excluded one is dropped)
    X_k, Xt_k, Xc_k = mf.X[:, ex_keep], Xt[:, ex_keep], Xc[:, ex_keep]
    x_names = [mf.x_names[j] for j in ex_keep]
    I, Ic = np.column_stack([X_k, mf.Z]), np.column_stack([Xc_k, Zc])
    i_keep, i_dropped = select_regressors(s, I, Ic, x_names + mf.z_names)
    z_keep = [j - len(ex_keep) for j in i_keep if j >= len(ex_keep)]
    z_names = [mf.z_names[j] for j in z_keep]
    if len(z_keep) < len(en_keep):
        raise IdentificationError(
            f"underidentified: {len(z_keep)} usable excluded instrument(s) {z_names} for "
            f"{len(en_keep)} endogenous regressor(s) (dropped as collinear: {i_dropped})",
            variable=mf.endog_names[en_keep[0]])
    Zk, Ztk, Zck = mf.Z[:, z_keep], Zt[:, z_keep], Zc[:, z_keep]
    Ek, Etk, Eck = mf.endog[:, en_keep], Et[:, en_keep], Ec[:, en_keep]
    e_names = [mf.endog_names[j] for j in en_keep]

    inst_raw, inst_t = np.column_stack([X_k, Zk]), np.column_stack([Xt_k, Ztk])
    inst_names = x_names + z_names
    first: dict[str, FeolsResult] = {}
    for j, nm in enumerate(e_names):
        first[nm] = fit_ols(s, nm, Ek[:, j], Etk[:, j], inst_raw, inst_t, inst_names,
                            formula=f"{nm} ~ {' + '.join(inst_names)} (first stage of {s.formula})")

    inst_c = np.column_stack([Xc_k, Zck])
    ZW = inst_c if w is None else inst_c * w[:, None]
    pi, _ = solve_spd(ZW.T @ inst_c, ZW.T @ Eck)
    Xhat = np.column_stack([inst_c @ pi, Xc_k])
    Xfull = np.column_stack([Eck, Xc_k])
    XhW = Xhat if w is None else Xhat * w[:, None]
    beta, bread = solve_spd(XhW.T @ Xhat, XhW.T @ yc)
    resid = yc - Xfull @ beta
    basis = None
    if ic is not None:
        basis = (len(e_names) + x_names.index(INTERCEPT), np.concatenate([me[en_keep], mx[ex_keep]]))
        beta = to_raw_basis(basis[0], basis[1], beta, ybar)
    res = build_result(
        s, cls=IVResult, depvar=mf.y_name, y=mf.y, yt=yc, names=e_names + x_names, beta=beta, bread=bread,
        resid=resid, score_x=Xhat, dropped=dropped + list(i_dropped), basis=basis,
        endog=e_names, instruments=z_names, first_stage=first,
        _zt=inst_t, _endog_t=Etk, _xt=np.column_stack([Etk, Xt_k]),
    )
    diag = _diagnostics(s, yt, Etk, Xt_k, x_names, Ztk, e_names, res)
    if diag is not None:
        object.__setattr__(res, "iv_diagnostics", diag)
    return res


def _diagnostics(s: Sample, yt, Et, Xt, x_names, Zt, e_names, res: IVResult):
    """Call ``iv_diagnostics.compute`` (another module) when it exists and the VCE is one-way."""
    if importlib.util.find_spec("nqp.econometrics.iv_diagnostics") is None:
        return None
    from nqp.econometrics import iv_diagnostics

    kind = {"iid": "iid", "hc1": "hetero", "CRV1": "cluster"}[s.spec.kind]
    clusters = None
    if kind == "cluster":
        if s.mf.clusters is None or s.mf.clusters.shape[1] != 1:
            return None  # multi-way clustering: not defined by ivreg2
        clusters = s.mf.clusters[:, 0]
    has_fe = s.mf.fe.shape[1] > 0
    exog = [j for j, nm in enumerate(x_names) if nm != INTERCEPT]
    y, E, X, Z = yt, Et, Xt[:, exog], Zt
    if not has_fe and len(exog) < len(x_names):
        # only a constant: demean, and count it as ivreg2 does (sdofminus 1)
        ww = np.ones(yt.shape[0]) if s.w is None else s.w

        def dm(a):
            return a - np.einsum("i,i...->...", ww, a) / ww.sum()
        y, E, X, Z = dm(y), dm(E), dm(X), dm(Z)
        absorbed = 1
    else:
        absorbed = max(s.adof.df_a, 1) if has_fe else 0
    if s.w is not None:
        sw = np.sqrt(s.w)[:, None]
        y, E, X, Z = y * sw[:, 0], E * sw, X * sw, Z * sw
    try:
        return iv_diagnostics.compute(y, E, X, Z, vcov_type=kind, clusters=clusters, df_absorbed=absorbed,
                                      nobs=s.mf.nobs, endog_names=e_names)
    except NqpError as err:
        warnings.warn(InferenceUnavailableWarning(f"IV diagnostics not computed for {s.formula!r}: {err}"), stacklevel=4)
        return None
