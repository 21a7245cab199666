"""Placebo test (安慰剂检验): the treatment reassigned at random, the headline refitted.

Each draw permutes the treatment (AI patents, ``lnAI``) among the firm-years of the headline
specification's sample -- within each year (``mode="within_year"``, the default: every year
keeps its distribution of AI patenting, firms are reassigned) or across all firm-years
(``"pooled"``) -- and re-estimates the headline coefficient with everything else unchanged.
Under the sharp null of no effect the observed coefficient is one draw from this permutation
distribution, so the empirical two-sided p-value

    p = (1 + #{b: |β_b| ≥ |β̂|}) / (B + 1)

is exact (Phipson & Smyth 2010 add the observed assignment to the draws). One-sided shares are
reported too. Only the permuted column is re-absorbed (in blocks of draws, one
:func:`~nqp.robustness.fit.absorb` call each); the outcome and the controls are partialled once,
and each draw's coefficient is β_b = r_b'ỹ / r_b'r_b with r_b the permuted, absorbed treatment
residualized on the absorbed controls (Frisch-Waugh-Lovell).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import pandas as pd

from nqp.results import ResultDisplay, TIDY_COLUMNS, json_ready
from nqp.robustness.fit import absorb
from nqp.robustness.multiverse import Design

BLOCK = 100


@dataclass(frozen=True, repr=False)
class PlaceboResult(ResultDisplay):
    """Observed coefficient, the placebo coefficients and the empirical p-values."""

    estimate: float
    draws: np.ndarray
    p_value: float
    p_greater: float
    p_less: float
    mode: str
    seed: int
    nobs: int
    treatment: str

    _repr_name = "PlaceboResult"
    _repr_keys = ("estimate", "p_value", "reps")

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"term": f"{self.treatment} (placebo, {self.mode})", "estimate": self.estimate,
                              "std_error": float(np.std(self.draws, ddof=1)), "statistic": np.nan,
                              "p_value": self.p_value, "conf_low": float(np.quantile(self.draws, 0.025)),
                              "conf_high": float(np.quantile(self.draws, 0.975))}], columns=list(TIDY_COLUMNS))

    def glance(self) -> dict[str, Any]:
        return json_ready({"estimate": self.estimate, "p_value": self.p_value, "p_greater": self.p_greater,
                           "p_less": self.p_less, "reps": int(self.draws.size), "mode": self.mode,
                           "seed": self.seed, "nobs": self.nobs, "placebo_mean": float(self.draws.mean()),
                           "placebo_sd": float(self.draws.std(ddof=1))})

    def to_dict(self) -> dict[str, Any]:
        return json_ready({**self.glance(), "draws": self.draws.tolist(),
                           "method": "treatment permuted " + ("within year" if self.mode == "within_year"
                                                              else "across all firm-years")
                                     + "; p = (1 + #{|b*| >= |b|}) / (B + 1)"})

    def summary(self) -> str:
        g = self.glance()
        return (f"Placebo test ({self.treatment} permuted {self.mode.replace('_', ' ')}), {g['reps']} draws: "
                f"observed {self.estimate:.4f}, placebo mean {g['placebo_mean']:.4f} (sd {g['placebo_sd']:.4f}), "
                f"empirical p = {self.p_value:.4f}")


def permutations(years: np.ndarray, draws: int, rng: np.random.Generator, mode: str) -> np.ndarray:
    """(draws, n) index arrays: each row a random permutation within the ``years`` blocks
    (``mode="pooled"``: across all rows): a Fisher–Yates shuffle of each block per draw, driven
    by ``rng.random((draws, n))`` (swap position i with ⌊u·(i + 1)⌋), compiled."""
    n = years.size
    if mode == "pooled":
        codes = np.zeros(n, dtype=np.int64)
    else:
        codes = pd.factorize(years, sort=True)[0].astype(np.int64)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.flatnonzero(np.diff(codes[order])) + 1, [n]]).astype(np.int64)
    return _shuffle_blocks(order, starts, rng.random((draws, n)))


@numba.njit(cache=True, nogil=True)
def _shuffle_blocks(order: np.ndarray, starts: np.ndarray, u: np.ndarray) -> np.ndarray:
    draws, n = u.shape
    out = np.empty((draws, n), dtype=np.int64)
    for b in range(draws):
        perm = order.copy()
        for k in range(starts.size - 1):
            lo, hi = starts[k], starts[k + 1]
            for i in range(hi - lo - 1, 0, -1):
                j = int(u[b, lo + i] * (i + 1))
                t = perm[lo + i]
                perm[lo + i] = perm[lo + j]
                perm[lo + j] = t
        # row order[p] of the block takes the value of row perm[p] of the same block
        for p in range(n):
            out[b, order[p]] = perm[p]
    return out


def placebo_from_design(d: Design, *, draws: int, seed: int, mode: str = "within_year",
                        year: str = "year") -> PlaceboResult:
    """The placebo distribution of the design's treatment coefficient (see the module doc)."""
    if mode not in ("within_year", "pooled"):
        raise ValueError(f"mode={mode!r}; use 'within_year' or 'pooled'")
    fit = d.fit()
    k = d.k
    C = d.part[:, 1:k]
    yt = d.part[:, k]
    x = d.raw[:, 0]
    years = pd.factorize(d.frame[year].to_numpy()[d.rowset.rows])[0]
    perms = permutations(years, draws, np.random.default_rng(seed), mode)
    CtC_inv = np.linalg.pinv(C.T @ C) if C.shape[1] else None
    out = np.empty(draws)
    for start in range(0, draws, BLOCK):
        idx = perms[start:start + BLOCK]
        xt = absorb(d.rowset, x[idx].T)
        if C.shape[1]:
            xt = xt - C @ (CtC_inv @ (C.T @ xt))
        out[start:start + BLOCK] = (xt.T @ yt) / np.einsum("ij,ij->j", xt, xt)
    b = fit.estimate
    eps = 1e-12 * max(1.0, abs(b))
    return PlaceboResult(
        estimate=b, draws=out, p_value=float((1 + np.sum(np.abs(out) >= abs(b) - eps)) / (draws + 1)),
        p_greater=float((1 + np.sum(out >= b - eps)) / (draws + 1)),
        p_less=float((1 + np.sum(out <= b + eps)) / (draws + 1)), mode=mode, seed=seed, nobs=fit.nobs,
        treatment=d.names[0])


def placebo_test(panel: Any, spec: Any = None, *, outcome: str = "NQP", treatment: str = "lnAI",
                 controls: Any = None) -> PlaceboResult:
    """The placebo test of the headline specification of ``spec`` (draws, mode, seed from it)."""
    from nqp.robustness.multiverse import PAPER_CONTROLS, build_design, make_context
    from nqp.robustness.spec import RobustnessSpec

    spec = spec if isinstance(spec, RobustnessSpec) else RobustnessSpec.from_dict(spec)
    ctx = make_context(panel, spec, outcome=outcome, treatment=treatment,
                       controls=PAPER_CONTROLS if controls is None else controls)
    d = build_design(ctx, spec.baseline())
    return placebo_from_design(d, draws=spec.placebo_draws, seed=spec.seed, mode=spec.placebo_mode,
                               year=spec.columns["year"])
