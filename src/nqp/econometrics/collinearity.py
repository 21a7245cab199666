"""Collinearity: regressors to drop (多重共线性), and redundant fixed-effect parameters.

* :func:`collinear_columns` -- which partialled-out regressors are (near) linear combinations
  of the FEs and the regressors before them. The later one is dropped, as Stata and fixest do.
  Criterion: a column is dropped when the share of its (weighted, centred) sum of squares left
  after projecting on the FEs and the kept earlier columns is below ``tol`` (fixest's
  ``collin.tol`` is 1e-9 on a Cholesky pivot of the same quantity), judged on a scale-free
  basis (centred two-pass sums of squares, unit-diagonal Cholesky), so a column's mean and
  units never make it "collinear" (issue 13: ``x + 1e5`` without FE, ``x + 1e8`` with them).
* :func:`absorbed_dof` -- reghdfe's count of absorbed FE parameters ``df_a = sum_g (K_g - M_g)``
  (reghdfe ``src/reghdfe.mata`` DoF section, help "Degrees-of-Freedom Adjustments", defaults
  ``dof(pairwise clusters continuous)``): the first FE counts all its levels (it plays the role
  of the constant); FE #2 loses one level per connected component of the bipartite graph with
  FE #1 (Abowd, Creecy & Kramarz 2002 "mobility groups"; exact); FE #3+ lose the largest number
  of components over their pairs with earlier FEs (conservative); an FE nested in a cluster
  variable counts zero (``df_a_nested`` keeps its levels) and, when any FE is nested, every other
  FE loses at least one level and ``nested_adj = 1`` puts the constant back into the VCE factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


def collinear_columns(
    gram: np.ndarray,
    scale: np.ndarray,
    floor: np.ndarray,
    tol: float = 1e-9,
) -> tuple[list[int], dict[int, str]]:
    """Indices of columns to keep, and {dropped index: reason} with reason "absorbed" (no
    variation left after the FEs / the intercept) or "collinear" (with earlier kept columns).

    gram: (k, k) cross-products X~'WX~ of the partialled-out regressors (centred on the
    intercept when the model has one and no FE); scale: (k,) each column's variation before
    partialling (two-pass centred sum of squares; uncentred without FE and intercept); floor:
    (k,) the rounding floor of the partialled sums of squares, ``1e-20`` times the uncentred
    sum of squares (float64 keeps ~16 digits of x, so the variation of a column whose mean is
    1e10 times its spread is rounding).

    Column j with partialled sum of squares g_jj is dropped as absorbed when
    g_jj <= max(tol * scale_j, floor_j); else its residual share after projecting on the kept
    columns, r_j = 1 - g_Kj' G_KK^-1 g_Kj / g_jj, is computed on the unit-diagonal matrix
    D^-1/2 G D^-1/2 by a growing Cholesky factor (scale-free: a column's location and units do
    not matter), and it is dropped as collinear when r_j g_jj <= max(tol * scale_j, floor_j)
    or r_j <= 1e-12. fixest's ``collin.tol`` is 1e-9 on a Cholesky pivot of the same quantity.
    """
    k = gram.shape[0]
    d = np.diag(gram).copy()
    keep: list[int] = []
    dropped: dict[int, str] = {}
    L = np.zeros((k, k))  # Cholesky factor of the scaled gram of the kept columns
    for j in range(k):
        limit = max(tol * scale[j], floor[j])
        if not d[j] > limit:
            dropped[j] = "absorbed"
            continue
        m = len(keep)
        if m:
            g = gram[keep, j] / np.sqrt(d[keep] * d[j])
            lj = scipy.linalg.solve_triangular(L[:m, :m], g, lower=True)
            share = 1.0 - float(lj @ lj)
        else:
            lj, share = np.empty(0), 1.0
        if share * d[j] <= limit or share <= 1e-12:
            dropped[j] = "collinear"
            continue
        L[m, :m] = lj
        L[m, m] = np.sqrt(share)
        keep.append(j)
    return keep, dropped


def constant_within(x: np.ndarray, codes: np.ndarray, w: np.ndarray | None, limit: float) -> bool:
    """True when ``x`` has (weighted) within-level sum of squares <= ``limit`` for FE ``codes``."""
    size = int(codes.max()) + 1 if codes.size else 0
    cnt = np.bincount(codes, weights=w, minlength=size)
    mean = np.bincount(codes, weights=x if w is None else x * w, minlength=size) / np.where(cnt > 0, cnt, 1)
    r = x - mean[codes]
    return float(np.sum(r * r if w is None else w * r * r)) <= limit


def is_nested(fe: np.ndarray, cluster: np.ndarray) -> bool:
    """True when every level of ``fe`` lies inside a single cluster."""
    if fe.size == 0:
        return False
    rep = np.empty(int(fe.max()) + 1, dtype=cluster.dtype)
    rep[fe] = cluster
    return bool(np.array_equal(rep[fe], cluster))


def n_components(a: np.ndarray, na: int, b: np.ndarray, nb: int) -> int:
    """Connected components of the bipartite graph linking level a_i with level b_i."""
    if na > nb:
        a, na, b, nb = b, nb, a, na
    # components are found on the smaller side: link each of its levels to the smallest
    # small-side level seen in the same big-side group
    rep = np.full(nb, na, dtype=np.int64)
    np.minimum.at(rep, b, a)
    key = a.astype(np.int64) * na + rep[b]
    if na * na <= 10_000_000:
        key = np.flatnonzero(np.bincount(key, minlength=na * na))
    else:
        key = np.unique(key)
    g = sp.coo_matrix((np.ones(key.size), (key // na, key % na)), shape=(na, na))
    return int(connected_components(g, directed=False)[0])


@dataclass(frozen=True)
class AbsorbedDof:
    """Absorbed FE parameters, reghdfe's bookkeeping (``e(df_a)``, ``e(df_a_nested)``...)."""

    df_a: int  # levels counted in the VCE small-sample factor (nested FEs excluded)
    df_a_nested: int  # levels of FEs nested in a cluster variable
    nested_adj: int  # 1 when some FE is nested in a cluster variable
    redundant: tuple[int, ...]  # M_g per FE
    nested: tuple[bool, ...]  # per FE
    sizes: tuple[int, ...]  # K_g per FE
    df_a_full: int = 0  # df_a ignoring clusters: all absorbed parameters (for R²_adj, RMSE)


def absorbed_dof(fe: np.ndarray, sizes: list[int], clusters: np.ndarray | None) -> AbsorbedDof:
    """reghdfe's df_a for dense FE codes ``fe`` (n, g) and optional cluster codes (n, c)."""
    g = fe.shape[1]
    if g == 0:
        return AbsorbedDof(0, 0, 0, (), (), (), 0)
    nested = [False] * g
    if clusters is not None and clusters.shape[1] > 0:
        nested = [any(is_nested(fe[:, j], clusters[:, c]) for c in range(clusters.shape[1])) for j in range(g)]
    any_nested = any(nested)
    M: list[int] = []
    for j in range(g):
        if nested[j]:
            M.append(sizes[j])
            continue
        if j == 0:
            M.append(1 if any_nested else 0)
            continue
        # mobility groups only between FEs not nested in a cluster (reghdfe 6 DoF.mata zeroes
        # nested FEs out of intercept_index before dof_update_mobility_group)
        m = max((n_components(fe[:, h], sizes[h], fe[:, j], sizes[j]) for h in range(j) if not nested[h]), default=0)
        M.append(min(sizes[j], max(m, 1)))
    df_a = sum(k - m for k, m, nst in zip(sizes, M, nested) if not nst)
    df_a_nested = sum(k for k, nst in zip(sizes, nested) if nst)
    # reghdfe adds df_a_nested back for R²_adj / RMSE; counting without clusters gives the same
    # number except when *every* FE is nested, where it avoids counting the constant twice
    full = absorbed_dof(fe, sizes, None).df_a if any_nested else df_a
    return AbsorbedDof(df_a, df_a_nested, int(any_nested), tuple(M), tuple(nested), tuple(sizes), full)


def fixest_k_fe(sizes: list[int], nested: tuple[bool, ...]) -> int:
    """fixest/pyfixest FE parameter count with ``fixef.K = "nested"`` (``k_fixef="nonnested"``):
    sum over non-nested FEs of (K_g - 1), plus 1 for the constant (fixest ``R/VCOV.R``)."""
    if not sizes:
        return 0
    return sum(k - 1 for k, n in zip(sizes, nested) if not n) + 1
