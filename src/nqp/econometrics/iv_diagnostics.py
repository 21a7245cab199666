"""IV under- and weak-identification diagnostics as ivreg2 / ivreghdfe report them
(识别不足检验, 弱工具变量检验: Anderson LM, Cragg-Donald Wald F, Kleibergen-Paap rk).

Interface (called by the IV fit in ``iv.py``; all arrays already within-transformed for the
absorbed fixed effects, or demeaned when the model has only a constant)::

    compute(y, x_endog, x_exog, z, *, vcov_type="iid", clusters=None, df_absorbed=0,
            nobs=None, dofminus=0, endog_names=None) -> IVDiagnostics

* ``y`` (n,), ``x_endog`` (n,K1), ``x_exog`` (n,K2; may have 0 columns), ``z`` (n,L1) the
  excluded instruments. Float64, no missing values.
* ``vcov_type``: ``"iid"`` | ``"hetero"`` | ``"cluster"`` (aliases: unadjusted, robust, HC1,
  CRV1); ``clusters``: one-way cluster codes (n,) for ``"cluster"``.
* ``df_absorbed``: degrees of freedom used up by what was partialled out before the call --
  ivreghdfe's ``sdofminus``. Pass reghdfe's ``df_a`` when FE were absorbed (ivreghdfe uses
  max(df_a, 1)), or 1 when only the constant was demeaned (plain ivreg2 with a constant).
* ``nobs`` defaults to ``len(y)``; ``dofminus`` is ivreg2's large-sample adjustment (default 0).

Conventions (ivreg2 4.1 / ivreghdfe, see docs/econometrics.md "Post-estimation"; R port
``restatr/ivreg2r:R/diagnostics-id.R``). N = nobs, L = K2 + L1 (instruments, not counting
what was partialled), s = df_absorbed. X1, Z1 are x_endog, z residualised on x_exog.

* Squared canonical correlations ρ² between X1 and Z1; Anderson LM = (N − dofminus)·ρ²_min,
  χ²(L1 − K1 + 1).
* Cragg-Donald Wald F = ρ²_min/(1 − ρ²_min) · (N − L − s − dofminus)/L1 (always reported).
* Kleibergen-Paap (2006) rk statistics (robust/cluster only): scores v_i ⊗ z_i with
  v = X1 (LM) or v = X1 − Z1Π̂ (Wald); Ŝ = Σ s s'/N or Σ_g S_g S_g'/N (no G/(G−1)).
  rk LM reported as rk·(N − dofminus)/N (robust) or rk (cluster), χ²(L1 − K1 + 1);
  rk Wald F = rk_W/N·(N − L − s − dofminus)/L1 (robust) or
  rk_W/(N − 1)·(N − L − s)·(G − 1)/G/L1 (cluster).
* First-stage F per endogenous regressor (Wald on the L1 excluded coefficients with the
  model's VCE type, HC0/CL0 meat): F = W/(N − dofminus)·(N − L − dofminus − s)/L1, df2 =
  N − L − dofminus − s; cluster: F = W/(N − 1)·(N − L − s)·(G − 1)/G/L1, df2 = G − 1.
  Partial R² = (W_iid/(N−dofminus))/(1 + W_iid/(N−dofminus)).
* Sanderson-Windmeijer (2016) conditional F: residual of x_j on the *actual* other endogenous
  regressors with coefficients from their first-stage fitted values, regressed on Z1, Wald test
  with df1 = L1 − K1 + 1, same scaling. Equals the first-stage F when K1 = 1.
* Anderson-Rubin F (H0: all endogenous coefficients 0): y on Z1, same scaling.
* Stock-Yogo critical values for (K1, L1) from :mod:`nqp.econometrics.stock_yogo`.
  ``weak_id_f`` is ivreg2's ``widstat``: Cragg-Donald F (iid) or KP rk Wald F (robust/cluster).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import linalg, stats

from nqp.econometrics.stock_yogo import StockYogo, critical_values
from nqp.errors import EstimationError, IdentificationError

_VCOV_ALIASES = {
    "iid": "iid", "unadjusted": "iid", "homoskedastic": "iid", "classical": "iid",
    "hetero": "hetero", "robust": "hetero", "hc1": "hetero", "hc0": "hetero",
    "cluster": "cluster", "crv1": "cluster", "cl": "cluster",
}


@dataclass(frozen=True)
class IVDiagnostics:
    """Identification diagnostics of one IV model (field names follow ivreg2's ``e()``)."""

    nobs: int
    n_endog: int  # K1
    n_excluded: int  # L1
    n_instruments: int  # L = K2 + L1 (not counting partialled FE/constant)
    df_absorbed: int  # sdofminus
    vcov_type: str
    n_clusters: int | None
    endog_names: tuple[str, ...]
    # first stage, one entry per endogenous regressor
    first_stage_f: tuple[float, ...]
    first_stage_df: tuple[int, int]
    first_stage_pvalue: tuple[float, ...]
    partial_r2: tuple[float, ...]
    sw_f: tuple[float, ...]
    sw_df: tuple[int, int]
    sw_pvalue: tuple[float, ...]
    # under-identification
    canonical_corr_sq: tuple[float, ...]
    anderson_lm: float
    anderson_lm_pvalue: float
    kp_rk_lm: float | None
    kp_rk_lm_pvalue: float | None
    underid_df: int
    # weak identification
    cragg_donald_f: float
    kp_rk_wald_f: float | None
    # Anderson-Rubin test of H0: endogenous coefficients = 0
    ar_f: float
    ar_df: tuple[int, int]
    ar_pvalue: float
    stock_yogo: StockYogo

    @property
    def underid_stat(self) -> float:
        """What ivreg2 prints as the underidentification test (``e(idstat)``)."""
        return self.anderson_lm if self.kp_rk_lm is None else self.kp_rk_lm

    @property
    def underid_pvalue(self) -> float:
        return self.anderson_lm_pvalue if self.kp_rk_lm_pvalue is None else self.kp_rk_lm_pvalue

    @property
    def weak_id_f(self) -> float:
        """ivreg2's ``e(widstat)``: Cragg-Donald F (iid) or Kleibergen-Paap rk Wald F."""
        return self.cragg_donald_f if self.kp_rk_wald_f is None else self.kp_rk_wald_f

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["stock_yogo"] = self.stock_yogo.to_dict()
        out["underid_stat"] = self.underid_stat
        out["underid_pvalue"] = self.underid_pvalue
        out["weak_id_f"] = self.weak_id_f
        return out


# --------------------------------------------------------------------------------------
def _as2d(a: np.ndarray | None, n: int, name: str) -> np.ndarray:
    if a is None:
        return np.empty((n, 0))
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] != n:
        raise EstimationError(f"{name} must have {n} rows, got shape {a.shape}", variable=name)
    if not np.all(np.isfinite(a)):
        bad = int(np.argwhere(~np.isfinite(a))[0, 0])
        raise EstimationError(f"{name} has a missing or infinite value", variable=name, row=bad)
    return a


def _resid(a: np.ndarray, on: np.ndarray) -> np.ndarray:
    if on.shape[1] == 0:
        return a
    coef, *_ = linalg.lstsq(on, a, lapack_driver="gelsy")
    return a - on @ coef


def _cluster_codes(clusters: Any, n: int) -> tuple[np.ndarray, int]:
    c = np.asarray(clusters)
    if c.ndim != 1 or c.shape[0] != n:
        raise EstimationError(
            f"clusters must be one column of {n} codes (one-way clustering), got shape {c.shape}",
            variable="clusters",
        )
    _, codes = np.unique(c, return_inverse=True)
    return codes, int(codes.max()) + 1


def _meat(scores: np.ndarray, codes: np.ndarray | None, n_groups: int) -> np.ndarray:
    """Σ s_i s_i' (robust) or Σ_g S_g S_g' (cluster), no small-sample factor."""
    if codes is not None:
        summed = np.zeros((n_groups, scores.shape[1]))
        np.add.at(summed, codes, scores)
        scores = summed
    return scores.T @ scores


def _wald_excluded(
    zz_inv: np.ndarray, z: np.ndarray, coef: np.ndarray, e: np.ndarray,
    kind: str, codes: np.ndarray | None, n_groups: int, n_dof: float,
) -> tuple[float, float]:
    """(Wald with the model's VCE, classical Wald) of coef = 0 in the regression of e's
    dependent variable on z. Classical V uses σ² = e'e/n_dof (n_dof = N − dofminus); robust V is
    the HC0 sandwich × N/n_dof (ivreg2's ``m_omega`` divides by N − dofminus); cluster V is the
    CL0 sandwich (dofminus does not enter)."""
    n = z.shape[0]
    w_iid = float(coef @ (z.T @ z) @ coef / (e @ e / n_dof))
    if kind == "iid":
        return w_iid, w_iid
    meat = _meat(z * e[:, None], codes, n_groups)
    v = zz_inv @ meat @ zz_inv
    if kind == "hetero":
        v *= n / n_dof
    return float(coef @ linalg.solve(v, coef, assume_a="pos")), w_iid


def _scaled_f(wald: float, df1: int, n: int, big_l: int, s: int, dofminus: int,
              kind: str, n_groups: int) -> tuple[float, int]:
    """ivreg2's small-sample F from a (HC0/CL0 or classical) Wald; returns (F, df2)."""
    if kind == "cluster":
        f = wald / (n - 1) * (n - big_l - s) * (n_groups - 1) / n_groups / df1
        return f, n_groups - 1
    df2 = n - big_l - dofminus - s
    return wald / (n - dofminus) * df2 / df1, df2


def _sqrtm_psd(a: np.ndarray) -> np.ndarray:
    w, v = linalg.eigh(a)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def kp_rk_statistic(
    x1: np.ndarray, z1: np.ndarray, *, kind: str, codes: np.ndarray | None = None,
    n_groups: int = 0, wald: bool, omega: str = "sandwich",
) -> float:
    """Kleibergen-Paap (2006) rk statistic for H0: rank(Π) = K1 − 1 (unscaled, ``r(chi2)`` of
    ranktest). ``x1`` (n,K1), ``z1`` (n,L1) already residualised on the exogenous regressors.
    ``wald``: scores use first-stage residuals (Wald form) instead of x1 itself (LM form).
    ``omega="iid"`` replaces Ŝ by its homoskedastic form Σ_vv ⊗ Qzz (then the LM form equals
    N·ρ²_min and the Wald form N·ρ²_min/(1 − ρ²_min)); otherwise HC0 (``kind="hetero"``) or
    cluster sums (``kind="cluster"``)."""
    n, k1 = x1.shape
    l1 = z1.shape[1]
    qzz, qyy, qzy = z1.T @ z1 / n, x1.T @ x1 / n, z1.T @ x1 / n
    pi = linalg.solve(qzz, qzy, assume_a="pos")
    rzz = linalg.cholesky(qzz)  # upper: rzz' rzz = qzz
    ryy = linalg.cholesky(qyy)
    theta = rzz @ pi @ linalg.inv(ryy)
    u, _, vt = linalg.svd(theta)
    v = vt.T
    resid = x1 - z1 @ pi if wald else x1
    if omega == "iid":
        shat = np.kron(resid.T @ resid / n, qzz)
    else:
        scores = (resid[:, :, None] * z1[:, None, :]).reshape(n, k1 * l1)  # v_i ⊗ z_i
        shat = _meat(scores, codes if kind == "cluster" else None, n_groups) / n
    t = np.kron(linalg.inv(ryy).T, linalg.inv(rzz).T)
    kpvar = t @ shat @ t.T
    kk = k1 - 1
    u12, u22 = u[:kk, kk:], u[kk:, kk:]
    v12, v22 = v[:kk, kk:], v[kk:, kk:]
    a_q = np.vstack([u12, u22]) @ linalg.inv(u22) @ _sqrtm_psd(u22 @ u22.T)
    b_q = _sqrtm_psd(v22 @ v22.T) @ linalg.inv(v22.T) @ np.vstack([v12, v22]).T
    m = np.kron(b_q, a_q.T)
    lam = m @ theta.reshape(-1, order="F")
    v_lam = m @ kpvar @ m.T
    return float(n * lam @ linalg.solve(v_lam, lam, assume_a="sym"))


def canonical_correlations_sq(x1: np.ndarray, z1: np.ndarray) -> np.ndarray:
    """Squared canonical correlations between the columns of x1 and z1 (descending)."""
    qx, _ = linalg.qr(x1, mode="economic")
    qz, _ = linalg.qr(z1, mode="economic")
    s = linalg.svdvals(qx.T @ qz)
    return np.clip(np.sort(s)[::-1], 0.0, 1.0) ** 2


# --------------------------------------------------------------------------------------
def compute(
    y: np.ndarray,
    x_endog: np.ndarray,
    x_exog: np.ndarray | None,
    z: np.ndarray,
    *,
    vcov_type: str = "iid",
    clusters: Any = None,
    df_absorbed: int = 0,
    nobs: int | None = None,
    dofminus: int = 0,
    endog_names: tuple[str, ...] | list[str] | None = None,
) -> IVDiagnostics:
    """Identification diagnostics of the IV model y ~ x_exog + [x_endog ~ z] (see module doc)."""
    kind = _VCOV_ALIASES.get(str(vcov_type).lower())
    if kind is None:
        raise EstimationError(f"unknown vcov_type {vcov_type!r}; use iid, hetero or cluster")
    y = np.asarray(y, dtype=np.float64).ravel()
    n_rows = y.shape[0]
    x1 = _as2d(x_endog, n_rows, "x_endog")
    x2 = _as2d(x_exog, n_rows, "x_exog")
    z1 = _as2d(z, n_rows, "z")
    _as2d(y, n_rows, "y")
    n = int(nobs) if nobs is not None else n_rows
    k1, l1, k2 = x1.shape[1], z1.shape[1], x2.shape[1]
    if k1 == 0 or l1 == 0:
        raise EstimationError("need at least one endogenous regressor and one instrument")
    if l1 < k1:
        raise IdentificationError(
            f"underidentified: {l1} excluded instrument(s) for {k1} endogenous regressor(s)"
        )
    codes, n_groups = (None, 0)
    if kind == "cluster":
        if clusters is None:
            raise EstimationError("vcov_type='cluster' needs clusters", variable="clusters")
        codes, n_groups = _cluster_codes(clusters, n_rows)
        if n_groups < 2:
            raise EstimationError("clustered diagnostics need at least two clusters")
    big_l = k2 + l1
    s = int(df_absorbed)
    names = tuple(endog_names) if endog_names is not None else tuple(f"x{j + 1}" for j in range(k1))

    # partial the exogenous regressors out of everything (FWL)
    x1 = _resid(x1, x2)
    z1 = _resid(z1, x2)
    yr = _resid(y[:, None], x2)[:, 0]
    if np.linalg.matrix_rank(z1) < l1:
        raise IdentificationError("excluded instruments are collinear with each other or the "
                                  "exogenous regressors / fixed effects")
    zz = z1.T @ z1
    zz_inv = linalg.inv(zz)
    pi = zz_inv @ (z1.T @ x1)  # (L1, K1) first-stage coefficients
    fitted = z1 @ pi
    resid = x1 - fitted

    # first stage F and partial R² per endogenous regressor
    fs_f, fs_p, pr2 = [], [], []
    for j in range(k1):
        w, w_iid = _wald_excluded(zz_inv, z1, pi[:, j], resid[:, j], kind, codes, n_groups,
                                  n - dofminus)
        f, df2 = _scaled_f(w, l1, n, big_l, s, dofminus, kind, n_groups)
        fs_f.append(f)
        fs_p.append(float(stats.f.sf(f, l1, df2)))
        r = w_iid / (n - dofminus)
        pr2.append(r / (1 + r))
    fs_df = (l1, int(df2))

    # Sanderson-Windmeijer conditional F
    sw_df1 = l1 - k1 + 1
    sw_f, sw_p = [], []
    for j in range(k1):
        if k1 == 1:
            e1 = x1[:, 0]
        else:
            others = [i for i in range(k1) if i != j]
            b1, *_ = linalg.lstsq(fitted[:, others], x1[:, j])
            e1 = x1[:, j] - x1[:, others] @ b1
        c = zz_inv @ (z1.T @ e1)
        w, _ = _wald_excluded(zz_inv, z1, c, e1 - z1 @ c, kind, codes, n_groups, n - dofminus)
        f, sw_df2 = _scaled_f(w, sw_df1, n, big_l, s, dofminus, kind, n_groups)
        sw_f.append(f)
        sw_p.append(float(stats.f.sf(f, sw_df1, sw_df2)))

    # Anderson canonical-correlation LM and Cragg-Donald F
    rho2 = canonical_correlations_sq(x1, z1)
    r2min = float(rho2[k1 - 1])
    id_df = l1 - k1 + 1
    anderson = (n - dofminus) * r2min
    cd_f = r2min / (1 - r2min) * (n - big_l - s - dofminus) / l1

    kp_lm = kp_lm_p = kp_f = None
    if kind != "iid":
        rk_lm = kp_rk_statistic(x1, z1, kind=kind, codes=codes, n_groups=n_groups, wald=False)
        rk_w = kp_rk_statistic(x1, z1, kind=kind, codes=codes, n_groups=n_groups, wald=True)
        if kind == "cluster":
            kp_lm = rk_lm
            kp_f = rk_w / (n - 1) * (n - big_l - s) * (n_groups - 1) / n_groups / l1
        else:
            kp_lm = rk_lm * (n - dofminus) / n
            kp_f = rk_w / n * (n - big_l - s - dofminus) / l1
        kp_lm_p = float(stats.chi2.sf(kp_lm, id_df))

    # Anderson-Rubin
    c = zz_inv @ (z1.T @ yr)
    w, _ = _wald_excluded(zz_inv, z1, c, yr - z1 @ c, kind, codes, n_groups, n - dofminus)
    ar_f, ar_df2 = _scaled_f(w, l1, n, big_l, s, dofminus, kind, n_groups)

    return IVDiagnostics(
        nobs=n, n_endog=k1, n_excluded=l1, n_instruments=big_l, df_absorbed=s,
        vcov_type=kind, n_clusters=n_groups if kind == "cluster" else None,
        endog_names=names,
        first_stage_f=tuple(fs_f), first_stage_df=fs_df, first_stage_pvalue=tuple(fs_p),
        partial_r2=tuple(pr2),
        sw_f=tuple(sw_f), sw_df=(sw_df1, int(sw_df2)), sw_pvalue=tuple(sw_p),
        canonical_corr_sq=tuple(float(r) for r in rho2[:k1]),
        anderson_lm=anderson, anderson_lm_pvalue=float(stats.chi2.sf(anderson, id_df)),
        kp_rk_lm=kp_lm, kp_rk_lm_pvalue=kp_lm_p, underid_df=id_df,
        cragg_donald_f=cd_f, kp_rk_wald_f=kp_f,
        ar_f=ar_f, ar_df=(l1, int(ar_df2)), ar_pvalue=float(stats.f.sf(ar_f, l1, ar_df2)),
        stock_yogo=critical_values(k1, l1),
    )
