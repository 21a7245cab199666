"""A lean fixed-effects OLS for many specifications on shared rows (多设定回归引擎).

Many specifications share a *row set* (the sample rule, the non-missing rows of their
variables, the fixed-effect set, singletons dropped). :func:`make_rowset` builds it once; the
columns of all its specifications are absorbed in one call to
:func:`nqp.econometrics.demean.demean` (Frisch-Waugh-Lovell: partialling out is linear and
column by column); each specification is then a small least-squares problem on the partialled
columns (:func:`fit_partialled`), and each clustering choice only re-weights the same scores.

Conventions are ``nqp.feols``'s, i.e. reghdfe's, and the same functions compute them:
iterative singleton removal (:func:`nqp.econometrics.singletons.singleton_mask`), absorbed
degrees of freedom with mobility groups and nesting (:func:`nqp.econometrics.collinearity.
absorbed_dof`), collinear and absorbed regressors (:func:`~nqp.econometrics.collinearity.
collinear_columns`, the later of two collinear columns goes), CRV1 one- and two-way
variances with their small-sample factors (:mod:`nqp.econometrics.vcov`). A specification whose
treatment is absorbed or collinear, or whose sample is empty, is *not estimable* with the
reason -- never dropped.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import special

from nqp.econometrics.collinearity import AbsorbedDof, absorbed_dof, collinear_columns, fixest_k_fe
from nqp.econometrics.demean import demean
from nqp.econometrics.model_frame import category_codes
from nqp.econometrics.singletons import recode, singleton_mask
from nqp.econometrics.vcov import Dof, crv1_multiway_vcov, crv1_vcov
from nqp.errors import NqpError


class NotEstimable(Exception):
    """A specification that cannot be estimated; the message is the reason shown in the curve."""


def group_codes(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Dense int64 codes of the (interacted) columns, numbered as pandas'
    ``groupby(columns, sort=True).ngroup()``; -1 where any part is missing."""
    return category_codes(frame, tuple(columns), sort=True)


@dataclass
class RowSet:
    """Rows shared by specifications: positions in the sample frame, FE and cluster codes."""

    rows: np.ndarray
    fe: np.ndarray  # (n, g) dense codes
    fe_sizes: list[int]
    clusters: dict[str, np.ndarray]  # cluster choice -> (n, c) dense codes
    n_singletons: int
    _dof: dict[str, AbsorbedDof] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.rows.size)

    def absorbed(self, cluster: str) -> AbsorbedDof:
        if cluster not in self._dof:
            self._dof[cluster] = absorbed_dof(self.fe, self.fe_sizes, self.clusters[cluster])
        return self._dof[cluster]


def make_rowset(frame: pd.DataFrame, ok: np.ndarray, fe_terms: Sequence[Sequence[str]],
                cluster_terms: Mapping[str, Sequence[str]],
                codes: Callable[[Sequence[str]], np.ndarray] | None = None) -> RowSet:
    """Rows where ``ok`` and every FE / cluster column is present; singletons dropped
    iteratively (reghdfe); codes made dense. Raises NotEstimable for an empty sample.
    ``codes(columns)``: :func:`group_codes` of ``frame`` (pass a memoized one when many row
    sets are made from one frame, as the leave-one-out fits do)."""
    codes = codes or (lambda cols: group_codes(frame, cols))
    fe_raw = np.column_stack([codes(t) for t in fe_terms]) if fe_terms else np.empty((len(frame), 0), np.int64)
    cl_cols = sorted({c for cols in cluster_terms.values() for c in cols})
    cl_raw = {c: codes([c]) for c in cl_cols}
    keep = np.asarray(ok, dtype=bool).copy()
    if fe_raw.shape[1]:
        keep &= (fe_raw >= 0).all(axis=1)
    for c in cl_cols:
        keep &= cl_raw[c] >= 0
    rows = np.flatnonzero(keep)
    if rows.size == 0:
        raise NotEstimable("empty sample: no firm-year has every variable of the specification")
    fe = fe_raw[rows]
    n_single = 0
    if fe.shape[1]:
        drop = singleton_mask(np.column_stack([recode(fe[:, j])[0] for j in range(fe.shape[1])]))
        n_single = int(drop.sum())
        rows, fe = rows[~drop], fe[~drop]
    if rows.size < 2:
        raise NotEstimable(f"empty sample after dropping {n_single} singleton(s) of the fixed effects")
    dense = [recode(fe[:, j]) for j in range(fe.shape[1])]
    fe = np.column_stack([d[0] for d in dense]) if dense else np.empty((rows.size, 0), np.int64)
    clusters = {}
    for name, cols in cluster_terms.items():
        clusters[name] = np.column_stack([recode(recode(cl_raw[c][rows])[0])[0] for c in cols])
    return RowSet(rows, fe, [d[1] for d in dense], clusters, n_single)


def absorb(rowset: RowSet, columns: np.ndarray) -> np.ndarray:
    """Partial the row set's fixed effects out of ``columns`` (n, k) in one call."""
    if rowset.fe.shape[1] == 0:
        return columns - columns.mean(axis=0)
    out, ok = demean(columns, rowset.fe, tol=1e-10)
    if not ok:
        raise NotEstimable("absorbing the fixed effects did not converge")
    return out


def collinearity_scales(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(scale, floor) of :func:`~nqp.econometrics.collinearity.collinear_columns` for raw columns
    (before partialling), as ``feols`` with fixed effects: the two-pass centred sum of squares,
    and 1e-20 times the uncentred one."""
    c = columns - columns.mean(axis=0)
    c -= c.mean(axis=0)
    return np.einsum("ij,ij->j", c, c), 1e-20 * np.einsum("ij,ij->j", columns, columns)


@dataclass
class Fit:
    """One fitted specification on partialled columns (treatment = first regressor)."""

    estimate: float
    names: list[str]
    dropped: list[str]
    nobs: int
    bread: np.ndarray  # (X~'X~)^-1
    X: np.ndarray  # (n, K) partialled, kept regressors
    resid: np.ndarray
    r2: float
    r2_within: float
    se: dict[str, tuple[float, int]] = field(default_factory=dict)  # cluster -> (se, t df)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def a(self) -> np.ndarray:
        """Row of (X~'X~)^-1 X~' for the treatment: estimate = a'y~."""
        return self.X @ self.bread[:, 0]


def fit_partialled(rowset: RowSet, yt: np.ndarray, Xt: np.ndarray, gram: np.ndarray,
                   scales: tuple[np.ndarray, np.ndarray], names: list[str], y_raw: np.ndarray,
                   clusters: Sequence[str]) -> Fit:
    """OLS of yt on Xt (column 0 the treatment), CRV1 SE of the treatment for each cluster.

    ``gram``: [Xt, yt]'[Xt, yt] (k+1, k+1), usually a slice of one cross-product matrix of all
    the row set's columns; ``scales``: :func:`collinearity_scales` of the raw regressors.
    Small products use ``einsum`` (no BLAS call: OpenBLAS threading costs milliseconds per call
    on a busy machine, see ``nqp.econometrics.ols.vdot``).

    The treatment's variance is the (0, 0) element of the CRV1 matrix, q·Σ_g (Σ_{i∈g} a_i e_i)²
    with a' the treatment row of (X~'X~)⁻¹X~' -- computed by the same vcov functions with the
    one score column a∘e (bread 1). For two-way clustering the eigenvalue fix of a
    non-positive-semidefinite matrix is then applied to this variance alone (set to 0 when
    negative) rather than to the whole matrix.
    """
    k = Xt.shape[1]
    keep, dropped = collinear_columns(gram[:k, :k], *scales)
    if 0 not in keep:
        why = dropped.get(0, "collinear")
        raise NotEstimable(f"{names[0]} is " + ("constant within the fixed effects" if why == "absorbed"
                                                 else "collinear with the controls"))
    X = Xt[:, keep] if len(keep) < k else Xt
    G = gram[np.ix_(keep, keep)]
    try:
        c = scipy.linalg.cho_factor(G)
    except scipy.linalg.LinAlgError:
        raise NotEstimable("the regressors are numerically collinear") from None
    beta = scipy.linalg.cho_solve(c, gram[keep, k])
    bread = scipy.linalg.cho_solve(c, np.eye(len(keep)))
    e = yt - np.einsum("ij,j->i", X, beta)
    rss = float(np.einsum("i,i->", e, e))
    yc = y_raw - y_raw.mean()
    tss = float(np.einsum("i,i->", yc, yc))
    tss_w = float(gram[k, k])
    fit = Fit(float(beta[0]), [names[j] for j in keep], [names[j] for j in dropped], rowset.n, bread, X, e,
              1 - rss / tss if tss > 0 else float("nan"), 1 - rss / tss_w if tss_w > 0 else float("nan"))
    score = (np.einsum("ij,j->i", X, bread[:, 0]) * e)[:, None]
    one = np.ones((1, 1))
    for cl in clusters:
        codes = rowset.clusters[cl]
        ad = rowset.absorbed(cl)
        dof = Dof(N=rowset.n, K=len(keep), df_a=ad.df_a, nested_adj=ad.nested_adj,
                  k_fe_fixest=fixest_k_fe(rowset.fe_sizes, ad.nested), ssc="reghdfe")
        try:
            if codes.shape[1] == 1:
                V, df_t = crv1_vcov(one, score, codes[:, 0], dof, cl)
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    V, df_t = crv1_multiway_vcov(one, score, codes, dof, cl.split("+"))
                if not V[0, 0] > 0:
                    fit.notes[cl] = "two-way cluster variance not positive; set to 0 (as reghdfe's eigenvalue fix)"
            fit.se[cl] = (float(np.sqrt(max(V[0, 0], 0.0))), int(df_t))
        except NqpError as err:
            fit.notes[cl] = err.message
    return fit


def t_pvalue(t: float | np.ndarray, df: float | np.ndarray) -> np.ndarray:
    """Two-sided p-value of a t statistic with ``df`` degrees of freedom."""
    return 2 * special.stdtr(df, -np.abs(t))


def t_critical(df: float | np.ndarray, alpha: float) -> np.ndarray:
    return special.stdtrit(df, 1 - alpha / 2)
