"""What every TFP estimator returns internally, and the small linear-algebra helpers they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations_with_replacement

import numpy as np


@dataclass(frozen=True)
class Fit:
    """Elasticities in the order (free..., state[, proxy]) and what the caller needs to report."""

    coef: np.ndarray
    converged: bool
    nobs_stage2: int
    firm_effect: np.ndarray | None = None  # per row, FE method only
    message: str = ""
    extra: dict = field(default_factory=dict)


# Products below use einsum, not BLAS: multithreaded OpenBLAS calls on long vectors stall by 10-20x
# when the cores are shared (measured on the 2-core development machine), and the bootstrap makes
# thousands of them.
def dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.einsum("i,i->", a, b))


def matvec(X: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,j->i", X, b)


def tmatvec(X: np.ndarray, a: np.ndarray) -> np.ndarray:
    """X'a."""
    return np.einsum("ij,i->j", X, a)


def ols(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares coefficients: normal equations when X'X is well conditioned, else the
    minimum-norm solution of ``lstsq`` (rank-deficient X)."""
    XtX = np.einsum("ij,ik->jk", X, X)
    if np.linalg.cond(XtX) < 1e10:
        return np.linalg.solve(XtX, tmatvec(X, y))
    return np.linalg.lstsq(X, y, rcond=None)[0]


def polynomial(columns: list[np.ndarray], degree: int) -> np.ndarray:
    """All monomials of the columns of total degree 1..degree (no constant), e.g. for (k, m), degree 3:
    k, m, k², km, m², k³, k²m, km², m³ -- the nine terms of Stata ``levpet``'s stage 1.

    Columns are standardised first; this changes no fitted value, only the conditioning.
    """
    z = [(c - c.mean()) / (c.std() or 1.0) for c in columns]
    terms = []
    for d in range(1, degree + 1):
        for combo in combinations_with_replacement(range(len(z)), d):
            t = z[combo[0]].copy()
            for j in combo[1:]:
                t = t * z[j]
            terms.append(t)
    return np.column_stack(terms)


def cubic_in(w: np.ndarray) -> np.ndarray:
    """[1, w, w², w³]: the law of motion g(ω_{t−1}) of LP, OP and ACF stage 2."""
    return np.column_stack([np.ones_like(w), w, w * w, w * w * w])


def residual_on(B: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Residual of a on the columns of B (normal equations; B has few columns)."""
    return a - matvec(B, ols(B, a))


def cubic_residual(w: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Residual of a on (1, w, w², w³), the same as ``residual_on(cubic_in(w), a)`` but computed from
    power sums of the standardised w (no n×4 matrix): the hot loop of LP/OP/ACF stage 2."""
    sd = w.std()
    z = (w - w.mean()) / (sd if sd > 0 else 1.0)
    z2 = z * z
    z3 = z2 * z
    p = [len(z), z.sum(), z2.sum(), z3.sum(), dot(z2, z2), dot(z3, z2), dot(z3, z3)]
    M = np.array([[p[i + j] for j in range(4)] for i in range(4)])
    v = np.array([a.sum(), dot(z, a), dot(z2, a), dot(z3, a)])
    try:
        c = np.linalg.solve(M, v)
    except np.linalg.LinAlgError:
        return residual_on(cubic_in(w), a)
    return a - (c[0] + c[1] * z + c[2] * z2 + c[3] * z3)
