"""Firm-cluster block bootstrap of the elasticities, as Stata ``levpet`` (``bsample, cluster(i)
idcluster()``, default 50 replications) and R ``prodest`` (block bootstrap over firms).

Each replication draws n_firms firms with replacement, re-labels each draw as a new firm (so the
lags stay within a copy), and re-runs the whole estimator (both stages). SE = standard deviation of
the replicated estimates (divisor R − 1), V = their covariance. Replications whose optimiser does not
converge, or that cannot be estimated, are dropped and counted.

Wald test of constant returns to scale (levpet): W = (Σβ̂ − 1)² / (1'V1) ~ χ²(1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from nqp.errors import EstimationError
from nqp.measures.tfp.fit import Fit
from nqp.measures.tfp.panel import Panel, resample_firms


@dataclass(frozen=True)
class Draws:
    draws: np.ndarray  # (successful replications, n_coef)
    failed: int

    @property
    def vcov(self) -> np.ndarray:
        return np.atleast_2d(np.cov(self.draws, rowvar=False, ddof=1))

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.diag(self.vcov))


def firm_bootstrap(panel: Panel, fit: Callable[[Panel], Fit], reps: int, seed: int | None) -> Draws:
    rng = np.random.default_rng(seed)
    out, failed = [], 0
    for _ in range(reps):
        sample = resample_firms(panel, rng)
        try:
            f = fit(sample)
        except (EstimationError, np.linalg.LinAlgError):
            failed += 1
            continue
        if not f.converged or not np.all(np.isfinite(f.coef)):
            failed += 1
            continue
        out.append(f.coef)
    if len(out) < 2:
        raise EstimationError(f"only {len(out)} of {reps} bootstrap replications could be estimated")
    return Draws(np.array(out), failed)


def crs_wald(coef: np.ndarray, vcov: np.ndarray) -> tuple[float, float]:
    """Wald statistic and p-value of H0: Σβ = 1."""
    ones = np.ones(len(coef))
    stat = float((coef.sum() - 1.0) ** 2 / (ones @ vcov @ ones))
    return stat, float(stats.chi2.sf(stat, 1))
