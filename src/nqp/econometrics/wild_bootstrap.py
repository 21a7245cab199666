"""Wild cluster bootstrap for one coefficient (野自助法 / wild cluster bootstrap): WCR (null
imposed, the recommended variant) and WCU, p-values and test-inversion confidence intervals.

Model y = Xβ + u with one-way clusters g = 1..G; H0: β_j = r. (Cameron, Gelbach & Miller 2008;
Roodman, MacKinnon, Nielsen & Webb 2019 "Fast and wild", Stata ``boottest``; R
``fwildclusterboot``; Python ``wildboottest``.)

1. Unrestricted OLS β̂, û; CRV1 t = (β̂_j − r)/se_j, se from
   V = q·(X'X)⁻¹ Σ_g X_g'û_g û_g'X_g (X'X)⁻¹, q = G/(G−1)·(N−1)/(N−K−df_extra).
2. WCR: restricted fit (β_j = r) → β̈, ü. WCU: β̈ = β̂, ü = û.
3. Draw v_b (one weight per cluster): Rademacher ±1, or Webb's six points ±√(1/2), ±1, ±√(3/2).
   With Rademacher weights and 2^G ≤ reps all 2^G sign vectors are enumerated instead (as
   boottest and fwildclusterboot do), so B = 2^G.
4. y*_b = Xβ̈ + ü∘v_b; refit; t*_b = (β̂*_j − β̈_j)/se*_j with the same CRV1 formula.
   In closed form (a = row j of (X'X)⁻¹X'): β̂*_j − β̈_j = Σ_g v_g c_g with c_g = Σ_{i∈g} a_i ü_i,
   and the cluster score of the bootstrap fit is s_h = v_h c_h − A_h'(X'X)⁻¹ Σ_g v_g X_g'ü_g,
   A_h = Σ_{i∈h} a_i x_i -- so a replication costs O(K·G), no refit.
5. p-values: ``"two-tailed"`` (symmetric) #{|t*| > |t|}/B; ``"equal-tailed"``
   2·min(#{t* ≤ t}, #{t* > t})/B; ``"greater"`` #{t* > t}/B; ``"less"`` #{t* < t}/B.
   |t*| equal to |t| up to rounding is a tie, not "more extreme" (under WCR the draw v = 1
   reproduces the sample, so t* = t exactly once in every enumeration).
6. Confidence set (WCR): all r whose p(r) > 1 − level, found by bisection on each side with the
   same draws (ü, c, the X_g'ü_g are linear in r). WCU: percentile-t, β̂ ± q(|t*|)·se.

The factor q is common to t and t* and cancels in p-values; it only scales the reported t.
Fixed effects: pass X already demeaned only for FE nested in the clusters (then ü∘v stays
orthogonal to them and the refit is exact); other FE must be columns of X (dummies).
:func:`wild_bootstrap` does this from a formula.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from nqp.econometrics.collinearity import absorbed_dof, collinear_columns, is_nested
from nqp.econometrics.demean import demean
from nqp.econometrics.formula import parse_formula
from nqp.econometrics.model_frame import INTERCEPT, build_model_frame
from nqp.econometrics.ols import centre_columns, raw_sum_squares
from nqp.econometrics.summary import fmt_number
from nqp.errors import CollinearityWarning, EstimationError, FormulaError, IdentificationError
from nqp.results import ResultDisplay, TestResult, json_ready

PVALUE_TYPES = ("two-tailed", "equal-tailed", "greater", "less")
BOOTSTRAP_WEIGHTS = ("rademacher", "webb")
MAX_DUMMY_LEVELS = 500
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass(frozen=True, repr=False)
class WildBootResult(ResultDisplay):
    """Bootstrap test of H0: coef = null (and optional confidence interval).

    The common result interface (:mod:`nqp.results`) through :meth:`as_test`, a
    :class:`~nqp.results.TestResult`: ``tidy()`` (estimate, bootstrap t, p, interval),
    ``glance()``, ``to_dict()`` (every field, plus ``p_value``), ``summary()``."""

    coef: str
    estimate: float
    null: float
    t_stat: float
    pvalue: float
    pvalue_type: str
    reps: int  # B actually used (2^G when enumerated)
    enumerated: bool
    bootstrap_weights: str
    impose_null: bool
    n_clusters: int
    seed: int | None
    ci: tuple[float, float] | None = None
    ci_level: float | None = None

    _repr_name = "WildBootResult"
    _repr_keys = ("method", "statistic", "p_value", "reps")

    @property
    def method(self) -> str:
        return f"wild cluster bootstrap ({'WCR' if self.impose_null else 'WCU'}, {self.bootstrap_weights})"

    @property
    def p_value(self) -> float:
        return self.pvalue

    def as_test(self) -> TestResult:
        extra: dict[str, Any] = {k: v for k, v in asdict(self).items() if k not in ("t_stat", "pvalue", "reps", "null")}
        extra.update(null_value=self.null, conf_low=self.ci[0] if self.ci else math.nan,
                     conf_high=self.ci[1] if self.ci else math.nan)
        return TestResult(statistic=self.t_stat, p_value=self.pvalue, method=self.method,
                          null=f"{self.coef} = {self.null:g}", reps=self.reps, extra=extra)

    def tidy(self) -> pd.DataFrame:
        t = self.as_test().tidy()
        t["term"] = self.coef
        return t

    def glance(self) -> dict[str, Any]:
        return self.as_test().glance()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["p_value"] = self.pvalue
        d["method"] = self.method
        return json_ready(d)

    def summary(self) -> str:
        lines = [f"{self.method}: H0 {self.coef} = {self.null:g}, {self.n_clusters} clusters, "
                 f"B = {self.reps:,}{' (all sign vectors)' if self.enumerated else f', seed {self.seed}'}",
                 f"  estimate = {fmt_number(self.estimate)}   t = {fmt_number(self.t_stat)}   "
                 f"p ({self.pvalue_type}) = {self.pvalue:.4f}"]
        if self.ci is not None and self.ci_level is not None:
            lines.append(f"  {100 * self.ci_level:g}% confidence interval "
                         f"({'test inversion' if self.impose_null else 'percentile-t'}): "
                         f"[{fmt_number(self.ci[0])}, {fmt_number(self.ci[1])}]")
        return "\n".join(lines)


def _draws(n_clusters: int, reps: int, weights: str, rng: np.random.Generator
           ) -> tuple[np.ndarray, bool]:
    """(G, B) weight matrix and whether it is the full Rademacher enumeration."""
    if weights == "rademacher":
        if n_clusters <= 20 and 2 ** n_clusters <= reps:
            v = np.array(list(itertools.product((1.0, -1.0), repeat=n_clusters))).T
            return v, True
        return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, reps)), False
    if weights == "webb":
        return rng.choice(_WEBB, size=(n_clusters, reps)), False
    raise EstimationError(f"unknown bootstrap_weights {weights!r}; use 'rademacher' or 'webb'")


def _cluster_sum(a: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    a2 = a.reshape(a.shape[0], -1)
    out = np.column_stack([np.bincount(codes, a2[:, c], n_groups) for c in range(a2.shape[1])])
    return out.reshape((n_groups, *a.shape[1:]))


class _WildBoot:
    """Precomputed pieces of the closed-form bootstrap for coefficient j."""

    def __init__(self, y: np.ndarray, X: np.ndarray, codes: np.ndarray, j: int,
                 df_extra: int) -> None:
        n, k = X.shape
        self.G = int(codes.max()) + 1
        self.X, self.codes, self.j = X, codes, j
        self.xtx_inv = np.linalg.inv(X.T @ X)
        self.a = (X @ self.xtx_inv)[:, j]  # row j of (X'X)^-1 X'
        self.A = _cluster_sum(self.a[:, None] * X, codes, self.G)  # (G, K)
        self.beta = self.xtx_inv @ (X.T @ y)
        self.uhat = y - X @ self.beta
        self.q = self.G / (self.G - 1) * (n - 1) / (n - k - df_extra)
        self.se = float(np.sqrt(self.q * np.sum(_cluster_sum(self.a * self.uhat, codes, self.G) ** 2)))
        # restricted fit pieces, linear in r: ü(r) = ü0 − r·m
        others = [c for c in range(k) if c != j]
        xr = X[:, others]
        if xr.shape[1]:
            proj = lambda v: v - xr @ np.linalg.lstsq(xr, v, rcond=None)[0]  # noqa: E731
        else:
            proj = lambda v: v  # noqa: E731
        self.u0, self.m = proj(y), proj(X[:, j])

    def t_stat(self, r: float) -> float:
        return (float(self.beta[self.j]) - r) / self.se

    def t_boot(self, v: np.ndarray, r: float | None) -> np.ndarray:
        """Bootstrap t* for draws v (G, B); r = null value (WCR) or None (WCU)."""
        u = self.uhat if r is None else self.u0 - r * self.m
        c = np.bincount(self.codes, self.a * u, self.G)  # (G,)
        Wx = _cluster_sum(self.X * u[:, None], self.codes, self.G)  # (G, K): X_g'ü_g
        num = c @ v  # (B,)
        s = c[:, None] * v - self.A @ (self.xtx_inv @ (Wx.T @ v))  # (G, B)
        return num / np.sqrt(self.q * np.sum(s * s, axis=0))


def _pvalue(t: float, tb: np.ndarray, kind: str) -> float:
    """Bootstrap p-value; |t*| equal to |t| up to rounding counts as a tie (not exceeding).
    Ties are real: under WCR the draw v = 1 reproduces the sample, so t* = t exactly."""
    eps = 1e-9 * max(1.0, abs(t))
    if kind == "two-tailed":
        return float(np.mean(np.abs(tb) > abs(t) + eps))
    if kind == "equal-tailed":
        return float(min(1.0, 2 * min(np.mean(tb <= t + eps), np.mean(tb > t + eps))))
    if kind == "greater":
        return float(np.mean(tb > t + eps))
    if kind == "less":
        return float(np.mean(tb < t - eps))
    raise EstimationError(f"unknown pvalue_type {kind!r}; use one of {PVALUE_TYPES}")


def _invert(boot: _WildBoot, v: np.ndarray, alpha: float, kind: str) -> tuple[float, float]:
    """WCR confidence set {r: p(r) > alpha} by bisection either side of β̂_j."""
    b = float(boot.beta[boot.j])

    def p(r: float) -> float:
        return _pvalue(boot.t_stat(r), boot.t_boot(v, r), kind)

    def edge(direction: float) -> float:
        inside, step = b, 2.0 * boot.se
        outside = b + direction * step
        for _ in range(60):
            if p(outside) <= alpha:
                break
            inside, step = outside, step * 2
            outside = b + direction * step
        else:
            raise EstimationError("the bootstrap confidence set is unbounded")
        for _ in range(60):
            mid = 0.5 * (inside + outside)
            if p(mid) > alpha:
                inside = mid
            else:
                outside = mid
            if abs(outside - inside) <= 1e-7 * boot.se:
                break
        return 0.5 * (inside + outside)

    return edge(-1.0), edge(1.0)


def wild_cluster_bootstrap(
    y: np.ndarray,
    X: np.ndarray,
    clusters: np.ndarray,
    j: int,
    *,
    null: float = 0.0,
    reps: int = 999,
    bootstrap_weights: str = "rademacher",
    impose_null: bool = True,
    pvalue_type: str = "two-tailed",
    ci_level: float | None = None,
    seed: int = 20240101,
    df_extra: int = 0,
    coef_name: str | None = None,
    weights: np.ndarray | None = None,
) -> WildBootResult:
    """Wild cluster bootstrap test of β_j = ``null`` on arrays (see module doc).

    ``X`` (n, K) must already hold the partialled-out FE (nested in clusters) or FE dummies,
    with full column rank; ``clusters`` any (n,) labels; ``df_extra`` parameters absorbed
    outside X (only scales t); ``bootstrap_weights`` the distribution of the cluster draws,
    "rademacher" or "webb"; ``weights`` optional regression (analytic) weights, as in
    :func:`nqp.feols`: the model is fitted by WLS, i.e. OLS of sqrt(w)·y on sqrt(w)·X.
    """
    y = np.asarray(y, dtype=np.float64).ravel()
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    if X.shape[0] != y.size or np.asarray(clusters).shape[0] != y.size:
        raise EstimationError("y, X and clusters must have the same number of rows")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(X))):
        raise EstimationError("y and X must not contain missing values")
    if pvalue_type not in PVALUE_TYPES:
        raise EstimationError(f"unknown pvalue_type {pvalue_type!r}; use one of {PVALUE_TYPES}")
    if not isinstance(bootstrap_weights, str) or bootstrap_weights.lower() not in BOOTSTRAP_WEIGHTS:
        raise EstimationError(f"unknown bootstrap_weights {bootstrap_weights!r}; use 'rademacher' or 'webb'"
                              + (" (regression weights are weights=)" if weights is None and isinstance(bootstrap_weights, str) else ""))
    codes = pd.factorize(np.asarray(clusters))[0]
    if codes.min() < 0:
        raise EstimationError("clusters must not contain missing values", variable="clusters")
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64).ravel()
        if w.shape != y.shape or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise EstimationError("weights must be positive, finite and one per row")
        sw = np.sqrt(w * (w.size / w.sum()))
        y, X = y * sw, X * sw[:, None]
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        raise EstimationError(f"regressors are collinear: X has rank {rank} < {X.shape[1]} columns; drop the "
                              "redundant ones (wild_bootstrap from a formula does)")
    if codes.max() < 1:
        raise EstimationError("the wild cluster bootstrap needs at least two clusters")
    boot = _WildBoot(y, X, codes, j, df_extra)
    v, enumerated = _draws(boot.G, reps, bootstrap_weights.lower(), np.random.default_rng(seed))
    t = boot.t_stat(null)
    tb = boot.t_boot(v, null if impose_null else None)
    ci = None
    if ci_level is not None:
        alpha = 1.0 - ci_level
        if impose_null:
            ci = _invert(boot, v, alpha, pvalue_type)
        else:
            crit = float(np.quantile(np.abs(tb), ci_level))
            b = float(boot.beta[j])
            ci = (b - crit * boot.se, b + crit * boot.se)
    return WildBootResult(
        coef=coef_name or f"x{j}", estimate=float(boot.beta[j]), null=float(null),
        t_stat=float(t), pvalue=_pvalue(t, tb, pvalue_type), pvalue_type=pvalue_type,
        reps=int(v.shape[1]), enumerated=enumerated, bootstrap_weights=bootstrap_weights.lower(),
        impose_null=impose_null, n_clusters=boot.G, seed=seed, ci=ci, ci_level=ci_level,
    )


def wild_bootstrap(formula: str, data: pd.DataFrame, coef: str, *, cluster: str,
                   weights: str | None = None, bootstrap_weights: str = "rademacher",
                   **kwargs: Any) -> WildBootResult:
    """Wild cluster bootstrap from a fixest-style OLS formula (``"y ~ x + c | firm + year"``).

    FE nested in ``cluster`` are partialled out; the other FE enter as dummy columns (at most
    ``MAX_DUMMY_LEVELS`` levels in total), of which the redundant ones are removed (the level
    each FE shares with the others or with a nested FE, one per connected component of a
    disconnected firm-year graph...) with the collinearity rule of ``feols``
    (:func:`nqp.econometrics.collinearity.collinear_columns`, regressors before dummies), so
    every model ``feols`` fits can be bootstrapped. The reported t uses reghdfe's CRV1 factor
    (nested FE not counted, ``nested_adj`` = 1). ``weights``: a column of analytic regression
    weights, as in :func:`nqp.feols`; ``bootstrap_weights``: "rademacher" or "webb";
    ``kwargs`` go to :func:`wild_cluster_bootstrap`.
    """
    if isinstance(weights, str) and weights.lower() in BOOTSTRAP_WEIGHTS and weights not in data.columns:
        raise EstimationError(f"weights= names a column of regression weights; the bootstrap draws are "
                              f"bootstrap_weights= ('rademacher' or 'webb'), got weights={weights!r}")
    f = parse_formula(formula)
    if f.is_iv:
        raise FormulaError(f"the wild bootstrap takes OLS formulas, got {formula!r}")
    mf = build_model_frame(f, data, cluster=[cluster], weights=weights)
    if coef not in mf.x_names:
        raise FormulaError(f"coefficient {coef!r} is not a regressor of {formula!r}",
                           variable=coef)
    cl = mf.clusters[:, 0]
    w = mf.weights
    nested = [is_nested(mf.fe[:, g], cl) for g in range(mf.fe.shape[1])]
    dummies, d_names = [], []
    for g in range(mf.fe.shape[1]):
        if not nested[g]:
            codes = mf.fe[:, g]
            if mf.fe_sizes[g] > MAX_DUMMY_LEVELS:
                raise EstimationError(
                    f"fixed effect {mf.fe_names[g]!r} is not nested in the cluster {cluster!r} "
                    f"and has {mf.fe_sizes[g]} levels; too many to carry as dummies",
                    variable=mf.fe_names[g])
            d = np.zeros((codes.size, mf.fe_sizes[g]))
            d[np.arange(codes.size), codes] = 1.0
            dummies.append(d)
            d_names += [f"{mf.fe_names[g]}={k}" for k in range(mf.fe_sizes[g])]
    raw = np.column_stack([mf.X, *dummies]) if dummies else np.array(mf.X)
    names = list(mf.x_names) + d_names
    y = mf.y
    nested_fe = mf.fe[:, [g for g in range(mf.fe.shape[1]) if nested[g]]]
    if nested_fe.shape[1]:
        yx, _ = demean(np.column_stack([y, raw]), nested_fe, w)
        y, X = yx[:, 0], yx[:, 1:]
    elif mf.has_intercept and coef != INTERCEPT:
        # the columns span the constant (intercept or first FE's dummies): centring the
        # regressors changes no slope and no t, and keeps the cross-products well conditioned
        kx = mf.X.shape[1]
        X = raw.copy()
        ok = [c for c in range(kx) if names[c] != INTERCEPT]
        X[:, ok] = centre_columns(raw[:, ok], w)[0]
    else:
        X = raw
    X, names = _drop_redundant(X, raw, names, mf.X.shape[1], w, nested_fe.shape[1] > 0 or mf.has_intercept,
                               formula, coef)
    # the reported t with reghdfe's CRV1 factor (N-1)/(N - nested_adj - K - df_a): the columns of
    # X count kept dummies by rank, reghdfe's df_a by its own rule (they differ when a nested FE
    # absorbs part of a carried one, e.g. firm within province and industry^year)
    adof = absorbed_dof(mf.fe, mf.fe_sizes, mf.clusters)
    kept_x = sum(1 for nm in names if nm in mf.x_names)
    kwargs.setdefault("df_extra", kept_x + adof.df_a + adof.nested_adj - X.shape[1])
    return wild_cluster_bootstrap(y, X, cl, names.index(coef), coef_name=coef, weights=w,
                                  bootstrap_weights=bootstrap_weights, **kwargs)


def _drop_redundant(X: np.ndarray, raw: np.ndarray, names: list[str], kx: int, w: np.ndarray | None,
                    centred: bool, formula: str, coef: str) -> tuple[np.ndarray, list[str]]:
    """X without the columns that are collinear with earlier ones (feols' rule); a regressor
    dropped is warned about as in feols, the coefficient tested dropped is an error."""
    gram = X.T @ (X if w is None else X * w[:, None])
    uncentred = raw_sum_squares(raw, w, centred=False)
    scale = raw_sum_squares(raw, w, centred=True) if centred else uncentred.copy()
    if INTERCEPT in names:
        scale[names.index(INTERCEPT)] = uncentred[names.index(INTERCEPT)]
    keep, dropped = collinear_columns(gram, scale, 1e-20 * uncentred)
    lost = [names[j] for j in dropped if j < kx]  # the first kx columns are the regressors
    if coef in lost:
        raise IdentificationError(f"{coef!r} is collinear with the fixed effects or other regressors of "
                                  f"{formula!r}; it cannot be tested", variable=coef)
    if lost:
        warnings.warn(CollinearityWarning(f"wild bootstrap of {formula!r}: dropped collinear regressor(s) "
                                          f"{', '.join(lost)}", variable=lost[0]), stacklevel=3)
    return X[:, keep], [names[j] for j in keep]
