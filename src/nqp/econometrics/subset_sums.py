"""The inner loop of the permutation test: within cross-products of a split, compiled.

Rows i have w_i = [ỹ_i, X̃_i (q columns in all, ``yx``), u_i] with u_i the dummies of the
other FEs (one column per FE, K in all: u_i = Σ_k e_{d_k(i)}), and f(i) the level of the
largest FE. A replication splits the rows into A (its 0/1 mask) and the complement B; for each
side the regression needs

    C = Σ_{i∈side} w_i w_i' − Σ_f S_f S_f'/n_f,   S_f = Σ_{i∈side, f(i)=f} w_i, n_f = #(side ∩ f).

:func:`within_cross_products` builds C for both sides of a batch of splits in one pass over the
rows sorted by level (:func:`level_order`), a level's rows visited together, block by block:

* q × q: Σ_{i∈side} yx_i yx_i' − Σ_f s_f s_f'/n_f (s_f = Σ_{i∈side∩f} yx_i). The first term is
  linear in the mask and comes in, for a batch, from one matrix product with the rows' outer
  products (``group_tests._SubsetOLS``); B's is the total minus A's. The second is a q(q+1)/2
  update per level and side.
* dummy × q: Σ_f c_f s_f'/n_f (c_f = Σ_{i∈side∩f} u_i) is a sum over the side's rows of u_i
  m_f' (m_f = s_f/n_f), so that block is Σ_{i∈side} u_i (yx_i − m_{f(i)})': q additions per
  row and FE.
* dummy × dummy: Σ_{i∈side} u_i u_i' (K(K+1)/2 additions per row) − Σ_f c_f c_f'/n_f, the
  latter an outer product over the dummy columns a level's rows fall in, from their counts
  c_f on each side (B's: the level's count minus A's): O(d_f²) for a level with d_f distinct
  dummy columns (d_f ≤ n_f·K: a firm's years, or the 13 years of an industry of 500 rows).

A level's sums of B are its full-sample sums minus A's (those are ~0: yx is demeaned by level
on the full sample), its count n_f − n_A; everything else is summed directly for each side. The
replications of a batch are the innermost loop (vectorised), so a batch costs one pass over the
n rows with O(K·q) work per row and replication, and O(q² + d_f²) per level and side. Before (to 2026-12-01) the per-level sums S_f of the smaller side went to an F × (p + 1)
table and the correction was two F × p products per replication, ~F·p² flops each. Compiled with
numba (the JIT pyfixest uses for its own demeaning), cached on disk after the first call; one
thread, so the result does not depend on the machine's thread count.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def level_order(big: np.ndarray, n_big: int) -> tuple[np.ndarray, np.ndarray]:
    """(order, starts) of a stable counting sort of the rows by their level ``big`` (0 … n_big − 1):
    ``order[starts[f]:starts[f + 1]]`` are the rows of level f, in their original order."""
    n = big.shape[0]
    starts = np.zeros(n_big + 1, dtype=np.int64)
    for i in range(n):
        starts[big[i] + 1] += 1
    for f in range(n_big):
        starts[f + 1] += starts[f]
    fill = starts[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        f = big[i]
        order[fill[f]] = i
        fill[f] += 1
    return order, starts


@numba.njit(cache=True, nogil=True)
def within_cross_products(in_a: np.ndarray, xx: np.ndarray, xx_total: np.ndarray, order: np.ndarray,
                          starts: np.ndarray, yx: np.ndarray, dummy: np.ndarray, p: int,
                          absorb: bool) -> np.ndarray:
    """(2R, p, p): C of A_r = {i: in_a[r, i]} (first R) and of its complement B_r (last R) for
    the R masks ``in_a`` (R, n, original row order), see the module docstring.

    ``xx`` (R, q(q+1)/2): Σ_{i∈A_r} yx_i yx_i' as the lower triangle in ``np.tril_indices(q)``
    order, ``xx_total`` the same over all rows (B's is the difference); ``order``, ``starts``:
    :func:`level_order` of the largest FE; in that sorted order ``yx`` (n, q) and ``dummy``
    (n, K: each row's dummy column per other FE, offset into q … p − 1). ``absorb=False`` (no
    FE): C is the raw q × q block alone (``starts`` then only chunks the rows). The
    replications are the innermost loop (one lane each, the same arithmetic in every lane, so
    a replication's result does not depend on the batch); a level's masks are first copied to
    a small (rows × R) buffer."""
    R = in_a.shape[0]
    q = yx.shape[1]
    n_rest = dummy.shape[1]
    n_dum = p - q
    n_big = starts.shape[0] - 1
    big_max = 0
    for f in range(n_big):
        big_max = max(big_max, starts[f + 1] - starts[f])
    acc_a = np.zeros((p * p, R))
    acc_b = np.zeros((p * p, R))
    w = np.empty((big_max, R))
    cnt = np.empty((max(n_dum, 1), R))  # a level's rows of A in each of its dummy columns
    col_total = np.empty(max(n_dum, 1))  # and all its rows there
    cols = np.empty(max(n_dum, 1), dtype=np.int64)  # the level's dummy columns, in order met
    slot = np.full(max(n_dum, 1), -1, dtype=np.int64)  # a dummy column's place in cols (−1: not met)
    s_a = np.empty((q, R))
    s_b = np.empty((q, R))
    m_a = np.empty((q, R))
    m_b = np.empty((q, R))
    n_a = np.empty(R)
    inv_a = np.empty(R)
    inv_b = np.empty(R)
    s_tot = np.empty(q)
    for f in range(n_big):
        lo, hi = starts[f], starts[f + 1]
        nf = hi - lo
        if nf == 0:
            continue
        for t in range(nf):
            o = order[lo + t]
            wt = w[t]
            for r in range(R):
                wt[r] = 1.0 if in_a[r, o] else 0.0
        if not absorb:
            continue
        n_a[:] = 0.0
        s_a[:] = 0.0
        s_tot[:] = 0.0
        for t in range(nf):
            k = lo + t
            wt = w[t]
            for r in range(R):
                n_a[r] += wt[r]
            for a in range(q):
                y = yx[k, a]
                s_tot[a] += y
                sa = s_a[a]
                for r in range(R):
                    sa[r] += wt[r] * y
        for r in range(R):
            inv_a[r] = 1.0 / n_a[r] if n_a[r] > 0.0 else 0.0
            n_b = nf - n_a[r]
            inv_b[r] = 1.0 / n_b if n_b > 0.0 else 0.0
        for a in range(q):
            sa = s_a[a]; sb = s_b[a]; ma = m_a[a]; mb = m_b[a]
            st = s_tot[a]
            for r in range(R):
                sb[r] = st - sa[r]
                ma[r] = sa[r] * inv_a[r]
                mb[r] = sb[r] * inv_b[r]
        for a in range(q):
            sa = s_a[a]; sb = s_b[a]
            for b in range(a + 1):
                ma = m_a[b]; mb = m_b[b]
                xa = acc_a[a * p + b]; xb = acc_b[a * p + b]
                for r in range(R):
                    xa[r] -= sa[r] * ma[r]
                    xb[r] -= sb[r] * mb[r]
        if n_rest == 0:
            continue
        # dummy x q, the rows' own u_i u_i', and the level's count of each dummy column per side
        nd = 0
        for t in range(nf):
            k = lo + t
            wt = w[t]
            for kk in range(n_rest):
                c = dummy[k, kk]
                for a in range(q):
                    y = yx[k, a]
                    xa = acc_a[c * p + a]; xb = acc_b[c * p + a]
                    ma = m_a[a]; mb = m_b[a]
                    for r in range(R):
                        xa[r] += wt[r] * (y - ma[r])
                        xb[r] += (1.0 - wt[r]) * (y - mb[r])
                for k2 in range(kk + 1):
                    c2 = dummy[k, k2]
                    h = c * p + c2 if c2 <= c else c2 * p + c
                    xa = acc_a[h]; xb = acc_b[h]
                    for r in range(R):
                        xa[r] += wt[r]
                        xb[r] += 1.0 - wt[r]
                j = slot[c - q]
                if j < 0:
                    j = nd
                    slot[c - q] = j
                    cols[j] = c
                    col_total[j] = 0.0
                    cnt[j, :] = 0.0
                    nd += 1
                col_total[j] += 1.0
                cj = cnt[j]
                for r in range(R):
                    cj[r] += wt[r]
        # − c_f c_f'/n_f of each side over the level's dummy columns (B's counts: total − A's)
        for u in range(nd):
            cu = cols[u]
            au = cnt[u]
            tu = col_total[u]
            for v in range(u + 1):
                cv = cols[v]
                av = cnt[v]
                tv = col_total[v]
                h = cu * p + cv if cv <= cu else cv * p + cu
                xa = acc_a[h]; xb = acc_b[h]
                for r in range(R):
                    xa[r] -= au[r] * av[r] * inv_a[r]
                    xb[r] -= (tu - au[r]) * (tv - av[r]) * inv_b[r]
        for u in range(nd):
            slot[cols[u] - q] = -1
    out = np.empty((2 * R, p, p))
    for r in range(R):
        for a in range(p):
            for b in range(a + 1):
                ca = acc_a[a * p + b, r]
                cb = acc_b[a * p + b, r]
                if a < q:
                    t = a * (a + 1) // 2 + b
                    ca += xx[r, t]
                    cb += xx_total[t] - xx[r, t]
                out[r, a, b] = ca
                out[r, b, a] = ca
                out[R + r, a, b] = cb
                out[R + r, b, a] = cb
    return out
