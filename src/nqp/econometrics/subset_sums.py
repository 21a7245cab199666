"""The inner loop of the permutation test: the sums of one row subset, compiled.

For the rows i of a subset, with w_i = [ỹ_i, X̃_i (q columns), dummies of the other FEs] and
f(i) the level of the largest FE, one pass gives

* ``t1`` = Σ_i w_i w_i' (p × p; dummy entries are counts) *except its leading q × q block*,
  which is linear in the subset's 0/1 mask and is taken for a batch of subsets at once as one
  matrix product with the rows' outer products (see ``group_tests._SubsetOLS``), and
* ``table`` (F × (p + 1)): row f holds S_f = Σ_{i: f(i) = f} w_i and, in its last column,
  n_f = #{i: f(i) = f} (a row's updates fall on one or two cache lines).

That is what ``group_tests._SubsetOLS`` needs for C = t1 − Σ_f S_f S_f'/n_f. Written as numpy
calls it takes a gather and a ``bincount`` per block (about 3 ms per replication on the study's
data); one compiled pass over the rows takes a tenth of that. Compiled with numba (the JIT
pyfixest uses for its own demeaning), cached on disk after the first call.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def subset_sums(rows: np.ndarray, yx: np.ndarray, big: np.ndarray, dummy: np.ndarray, p: int,
                n_big: int) -> tuple[np.ndarray, np.ndarray]:
    """(t1 without its q × q block, table) of the rows ``rows`` (see the module docstring).

    ``yx``: (n, q) float64; ``big``: (n,) level of the largest FE; ``dummy``: (n, K) column of
    each row's dummy per other FE, already offset into q … p − 1."""
    q = yx.shape[1]
    n_rest = dummy.shape[1]
    t1 = np.zeros((p, p))
    table = np.zeros((n_big, p + 1))
    for r in range(rows.shape[0]):
        i = rows[r]
        f = big[i]
        for a in range(q):
            table[f, a] += yx[i, a]
        table[f, p] += 1.0
        for kk in range(n_rest):
            c = dummy[i, kk]
            table[f, c] += 1.0
            for a in range(q):
                t1[c, a] += yx[i, a]
            for k2 in range(kk + 1):
                c2 = dummy[i, k2]
                if c2 <= c:
                    t1[c, c2] += 1.0
                else:
                    t1[c2, c] += 1.0
    for a in range(q, p):  # the dummy rows were accumulated below the diagonal; mirror them
        for b in range(a):
            t1[b, a] = t1[a, b]
    return t1, table


@numba.njit(cache=True, nogil=True)
def scaled_level_sums(table: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S_f/√n_f (F × p) of a subset and of its complement, from the subset's ``table`` of
    per-level sums (last column n_f) and the full sample's ``total``: the factors of
    Σ_f S_f S_f'/n_f = (S/√n)'(S/√n), the complement's sums being total − table. A level absent
    from a side has S_f = 0 and is scaled by 1 (its row stays 0). One pass instead of numpy's
    subtraction, slice, sqrt, divide and multiply temporaries."""
    n_big, p = table.shape[0], table.shape[1] - 1
    a_out = np.empty((n_big, p))
    b_out = np.empty((n_big, p))
    for f in range(n_big):
        n_a = table[f, p]
        n_b = total[f, p] - n_a
        sa = 1.0 / np.sqrt(n_a) if n_a > 0.0 else 1.0
        sb = 1.0 / np.sqrt(n_b) if n_b > 0.0 else 1.0
        for c in range(p):
            a_out[f, c] = table[f, c] * sa
            b_out[f, c] = (total[f, c] - table[f, c]) * sb
    return a_out, b_out
