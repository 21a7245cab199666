"""Drop singleton groups of absorbed fixed effects iteratively, as reghdfe does (单例观测).

An observation alone in its level of some FE is fitted perfectly by that FE: it carries no
information about the slopes but inflates N (and G when the FE is nested in the cluster), which
makes clustered SEs too small (reghdfe ``docs/nested_within_cluster.md``). reghdfe cycles over
the FEs, dropping observations whose level has one observation, until a full pass over all FEs
drops nothing ("dropped iteratively until no more singletons are found", reghdfe help). fixest
drops in one pass only (``fixef.rm = "singleton"``), so it can keep some that reghdfe drops.
"""

from __future__ import annotations

import numpy as np


def singleton_mask(fe: np.ndarray) -> np.ndarray:
    """Boolean (n,) mask, True for rows dropped as (iterated) singletons. fe: int (n, g) codes."""
    fe = np.asarray(fe)
    if fe.ndim == 1:
        fe = fe.reshape(-1, 1)
    n, g = fe.shape
    keep = np.ones(n, dtype=bool)
    if g == 0 or n == 0:
        return ~keep
    quiet_passes = 0
    j = 0
    while quiet_passes < g:
        codes = fe[:, j]
        cnt = np.bincount(codes[keep], minlength=int(codes.max()) + 1)
        single = keep & (cnt[codes] == 1)
        if single.any():
            keep &= ~single
            quiet_passes = 0
        else:
            quiet_passes += 1
        j = (j + 1) % g
    return ~keep


def recode(codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense codes 0..G-1 for the levels present in ``codes`` (order kept), and G."""
    if codes.size == 0:
        return codes.astype(np.int64), 0
    used = np.bincount(codes) > 0
    newid = np.cumsum(used, dtype=np.int64) - 1
    return newid.take(codes), int(used.sum())
