"""Absorb fixed effects: partial many categorical effects out of columns (吸收高维固定效应).

One interface, ``demean(x, fe, weights)``; the algorithm is chosen behind it:

* **one FE** -- subtract (weighted) group means; exact, one pass.
* **two or more FE, the others small** (the firm + year case) -- absorb the largest FE by group
  means, then regress the result on the *remaining* FE dummies, themselves demeaned by the
  largest FE, by least squares (Frisch-Waugh-Lovell). The normal equations of that regression
  are built from cross-tabulations (``np.bincount``), so no n x p dummy matrix is formed; they
  are solved exactly (eigen-decomposition, which handles the redundant level each FE shares
  with the largest one), then iterative refinement (rarely needed). No tolerance to set.
* **otherwise** -- the same reduced problem (coefficients of the smaller FEs, the largest FE
  projected out exactly inside the operator) solved by preconditioned conjugate gradients,
  as reghdfe's CG-accelerated MAP and LSMR do (Correia 2017; reghdfe ``src/reghdfe.mata``
  ``accelerate_cg``); fixest works in the same coefficient space (Berge 2018).

The stopping rule of the CG path is ``||B a - b|| <= tol * ||b||`` per column, with B the
normal-equation matrix of the reduced problem (reghdfe's default tolerance is 1e-8).

References: Guimaraes & Portugal (2010); Gaure (2013) "OLS with multiple high dimensional
category variables"; Correia (2017) "Linear models with high-dimensional fixed effects";
Berge (2018) "Efficient estimation of maximum likelihood models with multiple fixed-effects".
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

# Largest total number of levels of the non-largest FEs solved directly (dense p x p eigh).
EXACT_MAX_LEVELS = 600
# Iterative refinement of the exact path stops when ||D_r' W x~|| <= REFINE_TOL ||D_r' W M_1 x||.
REFINE_TOL = 1e-12
# Above this many cells, cross-tabulations are built sparse rather than dense.
_DENSE_CELLS_MAX = 20_000_000


def demean(
    x: np.ndarray,
    fe: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    tol: float = 1e-8,
    maxiter: int = 10_000,
) -> tuple[np.ndarray, bool]:
    """Return ``x`` with the fixed effects ``fe`` partialled out, and whether it converged.

    x: float (n, k) or (n,); fe: int (n, g) codes 0..G_j-1 per column (g may be 0);
    weights: positive (n,) analytic weights or None. The result is the residual of the
    (weighted) least-squares projection of every column of x on all FE dummies jointly.
    ``x`` and ``fe`` are never modified.
    """
    x = np.asarray(x, dtype=np.float64)
    one_d = x.ndim == 1
    x2 = x.reshape(-1, 1) if one_d else x
    fe = np.asarray(fe)
    if fe.ndim == 1:
        fe = fe.reshape(-1, 1)
    n = x2.shape[0]
    if fe.shape[0] != n:
        raise ValueError(f"x has {n} rows but fe has {fe.shape[0]}")
    if not np.issubdtype(fe.dtype, np.integer):
        raise TypeError("fe must hold integer codes 0..G-1")
    if fe.size and fe.min() < 0:
        raise ValueError("fe codes must be non-negative")
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if fe.shape[1] == 0 or n == 0:
        out = x2.copy()
        return (out.ravel() if one_d else out), True
    sizes = fe.max(axis=0).astype(np.int64) + 1
    order = np.argsort(-sizes, kind="stable")
    big = np.ascontiguousarray(fe[:, order[0]])
    big_w = _group_weight(big, int(sizes[order[0]]), w)
    rest = [np.ascontiguousarray(fe[:, j]) for j in order[1:]]
    rest_sizes = [int(sizes[j]) for j in order[1:]]
    converged = True
    # results are in Fortran order: every column contiguous
    if rest and sum(rest_sizes) <= EXACT_MAX_LEVELS:
        xt = _exact_rest(x2, big, big_w, rest, rest_sizes, w)
    else:
        xt = _demean_one(x2, big, big_w, w)
        if rest:
            xt, converged = _cg_rest(xt, big, big_w, rest, rest_sizes, w, tol, maxiter)
    return (xt.ravel() if one_d else xt), converged


# --- one FE -------------------------------------------------------------------------------
def _group_weight(codes: np.ndarray, size: int, w: np.ndarray | None) -> np.ndarray:
    cnt = np.bincount(codes, weights=w, minlength=size).astype(np.float64)
    cnt[cnt == 0] = 1.0  # empty levels never gather anything
    return cnt


def _group_sums(x: np.ndarray, codes: np.ndarray, size: int, w: np.ndarray | None) -> np.ndarray:
    """(size, k) weighted column sums by group."""
    out = np.empty((size, x.shape[1]))
    for j in range(x.shape[1]):
        col = np.ascontiguousarray(x[:, j]) if w is None else x[:, j] * w
        out[:, j] = np.bincount(codes, weights=col, minlength=size)
    return out


def _demean_one(x: np.ndarray, codes: np.ndarray, gw: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """x minus its (weighted) group means: the exact projection for a single FE."""
    means = _group_sums(x, codes, gw.shape[0], w) / gw[:, None]
    out = np.empty(x.shape, order="F")
    for j in range(x.shape[1]):
        np.subtract(x[:, j], means[:, j].take(codes), out=out[:, j])
    return out


# --- the reduced problem: coefficients of the smaller FEs ---------------------------------
def _offsets(sizes: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def _rest_gather(alpha: np.ndarray, rest: list[np.ndarray], offs: np.ndarray) -> np.ndarray:
    """D_r alpha: (n, k) sum over smaller FEs of their coefficients."""
    out = np.empty((rest[0].shape[0], alpha.shape[1]), order="F")
    for j in range(alpha.shape[1]):
        col = np.ascontiguousarray(alpha[:, j])
        out[:, j] = col[offs[0]:offs[1]].take(rest[0])
        for h in range(1, len(rest)):
            out[:, j] += col[offs[h]:offs[h + 1]].take(rest[h])
    return out


def _rest_sums(x: np.ndarray, rest: list[np.ndarray], sizes: list[int], w: np.ndarray | None) -> np.ndarray:
    """D_r' W x: (p, k)."""
    return np.vstack([_group_sums(x, c, s, w) for c, s in zip(rest, sizes)])


def _crosstab(a: np.ndarray, na: int, b: np.ndarray, nb: int, w: np.ndarray | None):
    """(na, nb) table of summed weights of rows with (a, b); dense when small, else sparse CSR."""
    if na * nb <= _DENSE_CELLS_MAX:
        key = a.astype(np.int64, copy=False) * nb + b
        return np.bincount(key, weights=w, minlength=na * nb).reshape(na, nb)
    data = np.ones(a.shape[0]) if w is None else w
    return sp.csr_matrix((data, (a, b)), shape=(na, nb))


def _normal_matrix(big, big_w, rest, sizes, w):
    """B = D_r' W M_1 D_r = D_r'WD_r - C' diag(1/W_1) C, with C = D_1' W D_r; returns the dense
    (p, p) B and C = [C_1 ... C_h] (G_1, p), dense or sparse."""
    offs = _offsets(sizes)
    p = int(offs[-1])
    B = np.zeros((p, p))
    cross = []
    for h, (ch, sh) in enumerate(zip(rest, sizes)):
        C = _crosstab(big, big_w.shape[0], ch, sh, w)
        cross.append(C)
        for l in range(h, len(rest)):
            if l == h:
                blk = np.diag(np.bincount(ch, weights=w, minlength=sh).astype(np.float64))
            else:
                blk = np.asarray(_dense(_crosstab(ch, sh, rest[l], sizes[l], w)))
            B[offs[h]:offs[h + 1], offs[l]:offs[l + 1]] = blk
    for h in range(len(rest)):
        Ch = cross[h]
        scaled = (sp.diags(1.0 / big_w) @ Ch) if sp.issparse(Ch) else Ch / big_w[:, None]
        for l in range(h, len(rest)):
            prod = _dense(cross[l].T @ scaled).T  # (p_h, p_l)
            B[offs[h]:offs[h + 1], offs[l]:offs[l + 1]] -= prod
            if l != h:
                B[offs[l]:offs[l + 1], offs[h]:offs[h + 1]] = B[offs[h]:offs[h + 1], offs[l]:offs[l + 1]].T
    C = sp.hstack(cross, format="csr") if any(sp.issparse(c) for c in cross) else np.hstack(cross)
    return B, C


def _dense(m) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m)


def _exact_rest(x, big, big_w, rest, sizes, w) -> np.ndarray:
    """Exact residual of x on all FEs: largest FE by group means, the others through their
    (p, p) normal equations, fused so that each column is read a few times only:

        m1 = group means of x by the largest FE,  b = D_r'W x - C' m1  (= D_r' W M_1 x),
        a = B^+ b,  x~ = x - (m1 - C a / W_1)[big] - D_r a.
    """
    offs = _offsets(sizes)
    B, C = _normal_matrix(big, big_w, rest, sizes, w)
    evals, evecs = scipy.linalg.eigh(B)
    keep = evals > evals.max() * 1e-11 if evals.size else evals > 0
    V = evecs[:, keep]
    inv_l = 1.0 / evals[keep]

    def solve(rhs: np.ndarray) -> np.ndarray:
        return V @ (inv_l[:, None] * (V.T @ rhs))

    m1 = _group_sums(x, big, big_w.shape[0], w) / big_w[:, None]
    b = _rest_sums(x, rest, sizes, w) - np.asarray(C.T @ m1)
    b0 = np.sqrt((b * b).sum(axis=0)) + 1e-300
    out = np.empty(x.shape, order="F")
    for it in range(3):  # the solve, then iterative refinement while it still matters
        alpha = solve(b)
        corr = np.asarray(C @ alpha) / big_w[:, None]  # big-FE means of D_r a
        for j in range(x.shape[1]):
            col = out[:, j]
            if it == 0:
                np.subtract(x[:, j], (m1[:, j] - corr[:, j]).take(big), out=col)
            else:
                col += corr[:, j].take(big)
            for h in range(len(rest)):
                col -= alpha[offs[h]:offs[h + 1], j].take(rest[h])
        b = _rest_sums(out, rest, sizes, w)
        if np.all(np.sqrt((b * b).sum(axis=0)) <= REFINE_TOL * b0):
            break
    return out


def _cg_rest(xt, big, big_w, rest, sizes, w, tol, maxiter) -> tuple[np.ndarray, bool]:
    """Preconditioned CG on B a = D_r' W xt, all columns at once; returns xt - M_1 D_r a."""
    offs = _offsets(sizes)
    # Jacobi preconditioner with the level counts (the diagonal of B itself gave the same
    # iteration count on a low-mobility graph, at extra cost)
    precond = 1.0 / np.concatenate(
        [np.maximum(np.bincount(c, weights=w, minlength=s), 1e-300) for c, s in zip(rest, sizes)]
    )[:, None]

    def apply_B(v: np.ndarray) -> np.ndarray:
        return _rest_sums(_demean_one(_rest_gather(v, rest, offs), big, big_w, w), rest, sizes, w)

    b = _rest_sums(xt, rest, sizes, w)
    bnorm = np.sqrt((b * b).sum(axis=0))
    bnorm[bnorm == 0] = 1.0
    alpha = np.zeros_like(b)
    r = b.copy()
    z = precond * r
    d = z.copy()
    rz = (r * z).sum(axis=0)
    done = np.sqrt((r * r).sum(axis=0)) <= tol * bnorm
    it = 0
    while not done.all() and it < maxiter:
        Bd = apply_B(d)
        dBd = (d * Bd).sum(axis=0)
        step = np.where(done | (dBd <= 0), 0.0, rz / np.where(dBd > 0, dBd, 1.0))
        alpha += step * d
        r -= step * Bd
        z = precond * r
        rz_new = (r * z).sum(axis=0)
        beta = np.where(rz > 0, rz_new / np.where(rz > 0, rz, 1.0), 0.0)
        d = z + beta * d
        rz = rz_new
        done = done | (np.sqrt((r * r).sum(axis=0)) <= tol * bnorm)
        it += 1
    fit = _demean_one(_rest_gather(alpha, rest, offs), big, big_w, w)
    return xt - fit, bool(done.all())
