"""Between-group coefficient difference tests (组间系数差异检验) for heterogeneity tables.

Three tests of H0: b(group = 0) = b(group = 1) for one coefficient, as used in Chinese applied
papers (lianxh.cn, "如何检验分组回归后的组间系数差异？"):

* :func:`permutation_test` -- Fisher's permutation test (费舍尔组合检验) as Stata ``bdiff``
  (Lian Yujun 连玉君, SSC, v1.04) does it. Observed d0 = b(D=0) − b(D=1) from two separate
  regressions; in each of ``reps`` replications n0 rows drawn uniformly without replacement
  (n0 = size of group 0; bdiff shuffles and takes the first n0, the same distribution; see
  :func:`draw_pseudo_group`) form pseudo group 0, the rest pseudo group 1 (``unit=`` shuffles whole
  panels instead, as bdiff does for ``xt*`` commands: the first Ng0 panels form pseudo group
  0); d_r = b_A − b_B. Empirical p (bdiff): p = #{r: d_r ≥ d0}/reps, and p ← 1 − p if p > 0.5,
  i.e. the smaller one-sided tail share, not doubled. Also reported: the two-sided
  p = #{|d_r| ≥ |d0|}/reps.
* :func:`suest_test` -- seemingly-unrelated-estimation Wald test (Stata ``suest`` +
  ``test [m0]x = [m1]x``): each group's regression gives per-observation influence rows
  ψ_i = (X̃'X̃)⁻¹ x̃_i ê_i; stacking them gives the joint sandwich
  V = c · Σ_g (Σ_{i∈g} ψ_i)(Σ_{i∈g} ψ_i)' over clusters g (observations without ``cluster=``),
  c = G/(G − 1) (N/(N − 1) unclustered), and W = (b0 − b1)²/(V00 + V11 − 2 V01) ~ χ²(1).
* :func:`chow_test` -- pooled model with group-interacted regressors y = Xb + (D·X)δ + FE + u
  and the t/Wald test of δ_coef = 0 with the model's VCE (Stata FAQ "Chow tests").

Speed of the permutation test: every regression of a replication has the same regressors and
FE on a different subset of rows. The largest FE (firm) is absorbed by subset group means and
the other FEs (year, industry...) enter as dummy columns, so each subset regression is exact
OLS computed from (1 + k + #dummies)² cross-products, C_A = Σ_{i∈A} w_i w_i' − Σ_f S_f S_f'/n_f
(S_f = Σ_{i∈A, firm f} w_i). y and X are demeaned by firm on the full sample first (that leaves
every within-subset regression unchanged and keeps the subtraction accurate); the q × q block of
Σ w w' is linear in the 0/1 masks and is one matrix product for a batch of replications (the
other pseudo group's is total − it); the rest of both groups' C, for the whole batch, is one
compiled pass over the rows sorted by firm (:mod:`nqp.econometrics.subset_sums`), and the small
systems are then solved together.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from nqp.econometrics.demean import demean
from nqp.econometrics.formula import parse_formula
from nqp.econometrics.model_frame import build_model_frame
from nqp.econometrics.singletons import recode
from nqp.econometrics.subset_sums import level_order, within_cross_products
from nqp.econometrics.summary import fmt_number
from nqp.errors import (
    CollinearityWarning,
    EstimationError,
    FormulaError,
    IdentificationError,
    InferenceUnavailableWarning,
)
from nqp.results import ResultDisplay, TestResult, json_ready

MAX_DUMMY_LEVELS = 400  # levels of the non-largest FEs the permutation engine carries as dummies
_CHUNK = 64  # replications solved in one batched call
_CHUNK_CELLS = 2_000_000  # at most this many mask cells (replications × rows) per batch


@dataclass(frozen=True, repr=False)
class GroupDiffResult(ResultDisplay):
    """Outcome of one between-group test for coefficient ``coef``; difference = b0 − b1.

    The common result interface (:mod:`nqp.results`) through :meth:`as_test`, a
    :class:`~nqp.results.TestResult`: ``tidy()`` (the difference, and the joint Chow F when
    there is one), ``glance()``, ``to_dict()`` (every field, plus ``p_value``), ``summary()``."""

    method: str
    coef: str
    group: str
    b0: float
    b1: float
    difference: float
    statistic: float | None
    pvalue: float
    n0: int
    n1: int
    df: int | None = None
    pvalue_two_sided: float | None = None
    count: int | None = None  # permutation: #{d_r >= d0}
    reps: int | None = None
    seed: int | None = None
    failed: int = 0  # permutation: replications where coef was not identified in a pseudo group
    joint_statistic: float | None = None  # chow, interact="all": joint F of every group difference
    joint_df: tuple[int, int] | None = None
    joint_pvalue: float | None = None
    joint_terms: tuple[str, ...] = ()

    _repr_name = "GroupDiffResult"
    _repr_keys = ("method", "coef", "difference", "p_value", "reps")

    @property
    def p_value(self) -> float:
        """The test's p-value (bdiff's one-sided p for the permutation test), as TestResult."""
        return self.pvalue

    def as_test(self) -> TestResult:
        extra = {k: v for k, v in asdict(self).items() if k not in ("method", "statistic", "pvalue", "df", "reps")}
        extra["estimate"] = self.difference
        if self.method == "permutation":
            extra["p_value_one_sided"] = self.pvalue
            extra["p_value_two_sided"] = self.pvalue_two_sided
        return TestResult(statistic=self.statistic, p_value=self.pvalue, method=_METHOD_NAMES[self.method],
                          null=f"b({self.coef} | {self.group} = 0) = b({self.coef} | {self.group} = 1)",
                          df=self.df, reps=self.reps, extra=extra)

    def tidy(self) -> pd.DataFrame:
        t = self.as_test().tidy()
        t["term"] = f"{self.coef}: {self.group} = 0 minus {self.group} = 1"
        if self.joint_statistic is not None:
            t.loc[1] = ["joint Chow F: " + ", ".join(self.joint_terms), math.nan, math.nan,
                        self.joint_statistic, self.joint_pvalue, math.nan, math.nan]
        return t

    def glance(self) -> dict[str, Any]:
        g = self.as_test().glance()
        g["method_code"] = self.method
        return g

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["p_value"] = self.pvalue
        d["method_label"] = _METHOD_NAMES[self.method]
        return json_ready(d)

    def summary(self) -> str:
        """Text: the two coefficients, their difference and the test; the permutation test shows
        bdiff's one-sided p beside the two-sided one, labelled."""
        lines = [f"{_METHOD_NAMES[self.method]}: H0 b({self.coef} | {self.group} = 0) = b({self.coef} | {self.group} = 1)",
                 f"  b0 = {fmt_number(self.b0)} (n = {self.n0:,})   b1 = {fmt_number(self.b1)} (n = {self.n1:,})   "
                 f"difference b0 - b1 = {fmt_number(self.difference)}"]
        if self.method == "permutation":
            lines.append(f"  {self.reps:,} replications (seed {self.seed}); #{{d_r >= d0}} = {self.count}"
                         + (f"; {self.failed} failed (not counted)" if self.failed else ""))
            lines.append(f"  p (bdiff, one-sided: smaller tail share) = {self.pvalue:.4f}   "
                         f"p (two-sided, |d_r| >= |d0|) = {self.pvalue_two_sided:.4f}")
        else:
            name = "chi2" if self.method == "suest" else "t"
            lines.append(f"  {name}({self.df}) = {fmt_number(self.statistic)}   p = {self.pvalue:.4f}")
        if self.joint_statistic is not None and self.joint_df is not None:
            lines.append(f"  joint Chow F({self.joint_df[0]}, {self.joint_df[1]}) = {fmt_number(self.joint_statistic)}"
                         f"   p = {self.joint_pvalue:.4f}   ({', '.join(self.joint_terms)})")
        return "\n".join(lines)


_METHOD_NAMES = {"permutation": "Fisher permutation test (bdiff)", "suest": "SUEST Wald test",
                 "chow": "Chow interaction test"}


@dataclass(frozen=True)
class _Sample:
    y: np.ndarray
    X: np.ndarray
    x_names: list[str]
    fe: np.ndarray
    group: np.ndarray  # (n,) int 0/1
    clusters: np.ndarray | None  # (n,) dense codes
    unit: np.ndarray | None  # (n,) dense codes
    unit_labels: np.ndarray | None = None  # (n,) the unit values


def _sample(formula: str, data: pd.DataFrame, group: str, *, cluster: str | None = None,
            unit: str | None = None) -> _Sample:
    f = parse_formula(formula)
    if f.is_iv:
        raise FormulaError(f"group tests take OLS formulas, got the IV formula {formula!r}")
    for name in (group, unit):
        if name is not None and name not in data.columns:
            raise FormulaError(f"unknown variable {name!r}", variable=name)
    valid = data[group].notna().to_numpy().copy()
    if unit is not None:
        valid &= data[unit].notna().to_numpy()
    sub = data if valid.all() else data.loc[valid]
    if not sub.index.is_unique:
        sub = sub.reset_index(drop=True)  # a copy: the caller's frame is untouched
    mf = build_model_frame(f, sub, cluster=[cluster] if cluster else [])
    pos = sub.index.get_indexer(mf.obs_index)
    gvals = pd.to_numeric(sub[group], errors="coerce").to_numpy(dtype=np.float64)[pos]
    bad = ~np.isin(gvals, (0.0, 1.0))
    if bad.any():
        raise EstimationError(
            f"group column {group!r} must be a 0/1 dummy; found {sub[group].iloc[pos[bad][0]]!r}",
            variable=group, row=mf.obs_index[int(np.argmax(bad))],
        )
    g = gvals.astype(np.int8)
    for v in (0, 1):
        if not (g == v).any():
            raise EstimationError(f"group {group!r} has no observation equal to {v} in the "
                                  "estimation sample", variable=group)
    ucodes = labels = None
    if unit is not None:
        labels = sub[unit].to_numpy()[pos]
        ucodes = pd.factorize(labels)[0].astype(np.int64)
    return _Sample(mf.y, mf.X, list(mf.x_names), mf.fe, g,
                   None if mf.clusters is None else mf.clusters[:, 0], ucodes, labels)


def _coef_index(s: _Sample, coef: str) -> int:
    if coef not in s.x_names:
        raise FormulaError(f"coefficient {coef!r} is not a regressor of the model "
                           f"(regressors: {', '.join(s.x_names)})", variable=coef)
    return s.x_names.index(coef)


# --- the subset-regression engine -----------------------------------------------------------
class _SubsetOLS:
    """Exact OLS slopes of y on X with FE on many row subsets, from cross-products.

    Columns w = [ỹ, X̃, D]: y and X demeaned by the largest FE on the full sample, D the raw
    dummies of the other FEs (all levels; the pseudo-inverse handles the redundant ones). For a
    subset A the within-largest-FE cross-product matrix is
    C_A = Σ_{i∈A} w_i w_i' − Σ_f S_f S_f'/n_f, S_f = Σ_{i∈A, big=f} w_i, n_f = #(A ∩ f).
    The raw q × q block of Σ w w' is one matrix product of a batch's 0/1 masks with the rows'
    outer products (B's: total − A's); the rest of C_A and C_B, correction included, comes from
    one compiled pass over the rows sorted by the largest FE
    (:func:`nqp.econometrics.subset_sums.within_cross_products`: per row q·K updates, per level
    a q × q update and the outer product of its dummy-column counts). A split costs
    O(n·(q² + K·q) + F·q² + Σ_f d_f²), d_f the distinct dummy columns of level f."""

    def __init__(self, y: np.ndarray, X: np.ndarray, fe: np.ndarray) -> None:
        n, self.k = X.shape
        yx = np.column_stack([y, X])
        big = np.zeros(n, dtype=np.int64)
        self.n_big = 1
        self.absorbs = bool(fe.shape[1])
        rest: list[np.ndarray] = []
        self.rest_sizes: list[int] = []
        if fe.shape[1]:
            sizes = fe.max(axis=0) + 1
            jb = int(np.argmax(sizes))
            big = fe[:, jb].astype(np.int64)
            self.n_big = int(sizes[jb])
            for j in range(fe.shape[1]):
                if j != jb:
                    rest.append(fe[:, j].astype(np.int64))
                    self.rest_sizes.append(int(sizes[j]))
            if sum(self.rest_sizes) > MAX_DUMMY_LEVELS:
                raise EstimationError(
                    f"the permutation engine absorbs one large FE and carries the others as "
                    f"dummies; they have more than {MAX_DUMMY_LEVELS} levels in total")
            cnt = np.bincount(big, minlength=self.n_big)
            means = np.column_stack([np.bincount(big, yx[:, c], self.n_big)
                                     for c in range(yx.shape[1])]) / np.maximum(cnt, 1)[:, None]
            yx = yx - means[big]
        q = self.q = yx.shape[1]
        self.p = q + sum(self.rest_sizes)
        self.n = n
        offsets = q + np.cumsum([0, *self.rest_sizes])[:-1]
        self.yx = np.ascontiguousarray(yx)
        self.big = np.ascontiguousarray(big)
        # each row's dummy column per other FE, in the p-space of w
        self.dummy = np.ascontiguousarray(
            np.column_stack([c + o for c, o in zip(rest, offsets)]) if rest else np.zeros((n, 0), np.int64))
        # raw Σ w w' of the q columns is linear in a subset's 0/1 mask: one product per batch
        lower, upper = np.tril_indices(q)
        self.outer = np.ascontiguousarray(self.yx[:, lower] * self.yx[:, upper])
        self.xx_total = self.outer.sum(axis=0)
        # the compiled pass visits the rows level by level of the largest FE (without FE: in
        # chunks, only the raw q x q block is summed)
        if self.absorbs:
            self.order, self.starts = level_order(self.big, self.n_big)
        else:
            self.order, self.starts = np.arange(n), np.append(np.arange(0, n, 256), n)
        self.yx_sorted = np.ascontiguousarray(self.yx[self.order])
        self.dummy_sorted = np.ascontiguousarray(self.dummy[self.order])
        # scales of the per-subset rank check: within and raw sums of squares of the regressors
        diag = np.diagonal(self.cross_pairs(np.ones((1, n), dtype=bool))[0])
        self.scale = np.maximum(diag[1:self.k + 1], 0.0)
        self.scale_raw = np.einsum("ij,ij->j", X, X)

    def cross_pair(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Within cross-products of the rows ``idx`` (A) and of all other rows (B)."""
        in_a = np.zeros((1, self.n), dtype=bool)
        in_a[0, idx] = True
        C = self.cross_pairs(in_a)
        return C[0], C[1]

    def cross_pairs(self, in_a: np.ndarray) -> np.ndarray:
        """(2R, p, p): within cross-products of A_r = {i: in_a[r, i]} (first R) and of their
        complements B_r (last R), for a batch of R masks ``in_a`` (R, n): the q × q block of
        Σ w w' of A as one matrix product (B's by subtraction from the total), the rest in one
        compiled pass (:func:`nqp.econometrics.subset_sums.within_cross_products`)."""
        in_a = np.ascontiguousarray(in_a, dtype=bool)
        xx_a = in_a.astype(np.float64) @ self.outer  # (R, q(q+1)/2)
        return within_cross_products(in_a, xx_a, self.xx_total, self.order, self.starts, self.yx_sorted,
                                     self.dummy_sorted, self.p, self.absorbs)

    def solve(self, C: np.ndarray) -> np.ndarray:
        """Slopes (R, k) from within cross-products (R, p, p).

        The other FEs' dummies are partialled out by a pseudo-inverse (their redundant levels
        are expected). Then, as Stata's ``regress`` does, a regressor that is collinear with the
        FEs and the regressors before it *within this subset* is omitted for this fit (its
        slope is NaN; the others are those of the model without it): column j goes when its
        residual sum of squares is <= 1e-9 of its within sum of squares on the full sample
        (the tolerance of ``collinearity.collinear_columns``), checked by a Cholesky
        factorisation without pivoting, batched over the subsets."""
        R, k = C.shape[0], self.k
        cxx = C[:, 1:k + 1, 1:k + 1]
        cxy = C[:, 1:k + 1, 0]
        if self.p > k + 1:
            dd = np.linalg.pinv(C[:, k + 1:, k + 1:], rcond=1e-10, hermitian=True)
            cxd = C[:, 1:k + 1, k + 1:]
            cxx = cxx - cxd @ dd @ cxd.transpose(0, 2, 1)
            cxy = cxy - (cxd @ dd @ C[:, k + 1:, 0][:, :, None])[:, :, 0]
        kept = self._identified(cxx)
        out = np.full((R, k), np.nan)
        full = kept.all(axis=1)
        if full.any():
            out[full] = np.linalg.solve(cxx[full], cxy[full][:, :, None])[:, :, 0]
        for r in np.flatnonzero(~full):
            cols = np.flatnonzero(kept[r])
            if cols.size:
                out[r, cols] = np.linalg.solve(cxx[r][np.ix_(cols, cols)], cxy[r, cols])
        return out

    def _identified(self, cxx: np.ndarray) -> np.ndarray:
        """(R, k) mask of the regressors kept in each subset (sequential, earlier kept first)."""
        R, k = cxx.shape[0], self.k
        limit = 1e-9 * self.scale + 1e-20 * self.scale_raw
        L = np.zeros((R, k, k))
        kept = np.zeros((R, k), dtype=bool)
        for j in range(k):
            piv = cxx[:, j, j] - np.einsum("rl,rl->r", L[:, j, :j], L[:, j, :j])
            ok = piv > limit[j]
            kept[:, j] = ok
            root = np.sqrt(np.where(ok, piv, 1.0))
            L[:, j, j] = np.where(ok, root, 0.0)
            if j + 1 < k:
                rest = cxx[:, j + 1:, j] - np.einsum("ril,rl->ri", L[:, j + 1:, :j], L[:, j, :j])
                L[:, j + 1:, j] = np.where(ok[:, None], rest / root[:, None], 0.0)
        return kept


# --- permutation test ------------------------------------------------------------------------
def draw_pseudo_group(rng: np.random.Generator, n: int, n0: int) -> np.ndarray:
    """Pseudo group 0 of one replication: a (n,) mask of ``n0`` of ``n`` items drawn uniformly
    without replacement, as bdiff's "shuffle, then the first n0" draws them.

    The smaller side, m = min(n0, n − n0) items, is drawn by ``Generator.choice(n, m,
    replace=False, shuffle=False)`` (a partial Fisher–Yates shuffle of m steps, about a quarter
    of the cost of permuting all n) and complemented when it is pseudo group 1; every
    n0-subset has probability 1 / C(n, n0) either way."""
    m = min(n0, n - n0)
    drawn = np.zeros(n, dtype=bool)
    drawn[rng.choice(n, m, replace=False, shuffle=False)] = True
    return drawn if m == n0 else ~drawn


def permutation_test(
    formula: str,
    data: pd.DataFrame,
    group: str,
    coef: str,
    *,
    reps: int = 1000,
    seed: int = 20240101,
    unit: str | None = None,
    cluster: str | None = None,
    max_failed: float = 0.01,
) -> GroupDiffResult:
    """Fisher permutation test of b(group=0) = b(group=1) as Stata ``bdiff`` (see module doc).

    ``formula``: fixest-style OLS, e.g. ``"NQP ~ lnAI + Size + Lev | firm + year"``;
    ``group``: 0/1 column; ``unit``: shuffle whole panels (e.g. ``"firm"``) instead of rows --
    then ``group`` must be constant within each unit (as for bdiff with ``xt*`` commands);
    ``cluster`` only restricts the sample to rows with a cluster value (the test uses no SEs).
    Deterministic given ``seed`` (numpy ``default_rng``).

    Rank: in each fit (observed or pseudo group) a regressor collinear with the FEs and the
    regressors before it is omitted for that fit, as Stata's ``regress`` omits it; ``coef``
    itself not identified in an observed group is an :class:`IdentificationError`. A
    replication where ``coef`` is not identified in a pseudo group *fails*: it is left out of
    the counts (p-values are shares of the replications that succeeded), ``failed`` reports
    how many, and more than ``max_failed`` (a share of ``reps``) is an EstimationError.
    """
    if reps < 1:
        raise EstimationError(f"reps must be >= 1, got {reps}")
    s = _sample(formula, data, group, cluster=cluster, unit=unit)
    j = _coef_index(s, coef)
    if unit is not None:
        _check_constant_within(s, data, group, unit)
    eng = _SubsetOLS(s.y, s.X, s.fe)
    b = eng.solve(np.stack(eng.cross_pair(np.flatnonzero(s.group == 0))))
    for g in (0, 1):
        if not np.isfinite(b[g, j]):
            raise IdentificationError(
                f"{coef!r} is not identified in the group {group} = {g} of {formula!r} (collinear with "
                f"its fixed effects or other regressors there); the permutation test needs it in both groups",
                variable=coef)
    omitted = {g: [s.x_names[c] for c in np.flatnonzero(~np.isfinite(b[g]))] for g in (0, 1)}
    if omitted[0] or omitted[1]:
        warnings.warn(CollinearityWarning(
            "permutation test: omitted in the group fits as collinear (as Stata's regress): "
            + "; ".join(f"{group} = {g}: {', '.join(v)}" for g, v in omitted.items() if v), variable=group), stacklevel=2)
    d0 = float(b[0, j] - b[1, j])
    rng = np.random.default_rng(seed)
    n = s.y.size
    n0 = int((s.group == 0).sum())
    if unit is not None:
        n_units = int(s.unit.max()) + 1
        ng0 = int(np.unique(s.unit[s.group == 0]).size)
    diffs = np.empty(reps)
    chunk = max(1, min(_CHUNK, _CHUNK_CELLS // n))  # the batch's float masks stay ~16 MB
    for start in range(0, reps, chunk):
        r = min(chunk, reps - start)
        in_a = np.empty((r, n), dtype=bool)
        for i in range(r):
            if unit is None:
                in_a[i] = draw_pseudo_group(rng, n, n0)
            else:
                in_a[i] = draw_pseudo_group(rng, n_units, ng0)[s.unit]
        bb = eng.solve(eng.cross_pairs(in_a))
        diffs[start:start + r] = bb[:r, j] - bb[r:, j]
    ok = np.isfinite(diffs)
    failed = int(reps - ok.sum())
    if failed > max_failed * reps:
        raise EstimationError(
            f"permutation test: {coef!r} was not identified in a pseudo group in {failed} of {reps} "
            f"replications (more than max_failed={max_failed:g}); the groups are too small or {coef!r} "
            f"varies too little within them", variable=coef)
    if failed:
        warnings.warn(InferenceUnavailableWarning(
            f"permutation test: {failed} of {reps} replications failed ({coef!r} not identified in a pseudo "
            f"group) and are left out of the p-values", variable=coef), stacklevel=2)
    d = diffs[ok]
    n_ok = int(ok.sum())
    # a replication that reproduces the observed split gives d_r = d0 up to rounding: a tie
    eps = 1e-9 * max(abs(d0), float(np.abs(d).max(initial=0.0)))
    count = int((d >= d0 - eps).sum())
    p = count / n_ok
    if p > 0.5:
        p = 1.0 - p
    p2 = float((np.abs(d) >= abs(d0) - eps).sum() / n_ok)
    return GroupDiffResult(
        method="permutation", coef=coef, group=group, b0=float(b[0, j]), b1=float(b[1, j]),
        difference=d0, statistic=None, pvalue=float(p), n0=n0, n1=n - n0,
        pvalue_two_sided=p2, count=count, reps=reps, seed=seed, failed=failed,
    )


def _check_constant_within(s: _Sample, data: pd.DataFrame, group: str, unit: str) -> None:
    """bdiff's panel permutation moves whole units: the group must not vary within one."""
    g = s.group.astype(np.int64)
    lo = np.full(int(s.unit.max()) + 1, 2)
    hi = np.full(lo.size, -1)
    np.minimum.at(lo, s.unit, g)
    np.maximum.at(hi, s.unit, g)
    varies = np.flatnonzero(lo != hi)
    if varies.size:
        first = int(np.argmax(np.isin(s.unit, varies)))
        raise EstimationError(
            f"group {group!r} varies within {unit!r} in {varies.size} of {lo.size} units (first: "
            f"{unit} {s.unit_labels[first]}); unit= shuffles whole units, so the group must be constant "
            f"within each (a post-period dummy is not: permute rows with unit=None)", variable=group)


# --- SUEST ---------------------------------------------------------------------------------
def _group_fit(y: np.ndarray, X: np.ndarray, fe: np.ndarray, label: str
               ) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and per-observation influence rows ψ_i = (X̃'X̃)⁻¹ x̃_i ê_i of one group."""
    if fe.shape[1]:
        fe = np.column_stack([recode(fe[:, c])[0] for c in range(fe.shape[1])])
        yx, _ = demean(np.column_stack([y, X]), fe)
    else:
        yx = np.column_stack([y, X])
    yt, xt = yx[:, 0], yx[:, 1:]
    xtx = xt.T @ xt
    if np.linalg.matrix_rank(xtx) < xt.shape[1]:
        raise EstimationError(f"regressors are collinear within {label}")
    bread = np.linalg.inv(xtx)
    beta = bread @ (xt.T @ yt)
    e = yt - xt @ beta
    return beta, (xt * e[:, None]) @ bread


def suest_test(formula: str, data: pd.DataFrame, group: str, coef: str, *,
               cluster: str | None = None) -> GroupDiffResult:
    """SUEST-style Wald test of b(group=0) = b(group=1) for ``coef`` (see module doc).

    Both group regressions keep their own FE; with ``cluster=`` the joint covariance sums the
    stacked influence rows within clusters, so a cluster spanning both groups gives V01 ≠ 0.
    """
    s = _sample(formula, data, group, cluster=cluster)
    j = _coef_index(s, coef)
    k = s.X.shape[1]
    n = s.y.size
    psi = np.zeros((n, 2 * k))
    betas = []
    for g in (0, 1):
        rows = s.group == g
        beta, ps = _group_fit(s.y[rows], s.X[rows], s.fe[rows], f"{group} = {g}")
        betas.append(beta)
        psi[rows, g * k:(g + 1) * k] = ps
    if s.clusters is not None:
        n_cl = int(s.clusters.max()) + 1
        sums = np.zeros((n_cl, 2 * k))
        np.add.at(sums, s.clusters, psi)
        factor = n_cl / (n_cl - 1)
    else:
        sums, factor = psi, n / (n - 1)
    V = factor * (sums.T @ sums)
    d = float(betas[0][j] - betas[1][j])
    var = V[j, j] + V[k + j, k + j] - 2 * V[j, k + j]
    w = d * d / var
    return GroupDiffResult(
        method="suest", coef=coef, group=group, b0=float(betas[0][j]), b1=float(betas[1][j]),
        difference=d, statistic=float(w), pvalue=float(stats.chi2.sf(w, 1)), df=1,
        n0=int((s.group == 0).sum()), n1=int((s.group == 1).sum()),
    )


# --- Chow / interaction test -------------------------------------------------------------
def _absorbed_by_fe(data: pd.DataFrame, group: str, fixef: tuple[tuple[str, ...], ...]) -> bool:
    """True when the group dummy is constant within the levels of some absorbed FE."""
    for fe in fixef:
        if group in fe:
            return True
        sub = data[[*fe, group]].dropna()
        if sub.empty or sub.groupby(list(fe), sort=False)[group].nunique().max() <= 1:
            return True
    return False


def chow_test(
    formula: str,
    data: pd.DataFrame,
    group: str,
    coef: str,
    *,
    interact: str = "all",
    cluster: str | list[str] | None = None,
    vcov: str | dict | None = None,
    ssc: str = "reghdfe",
    fe_by_group: bool = False,
    **fit_kwargs: Any,
) -> GroupDiffResult:
    """Interaction (Chow) test: fit y = Xb + (D·X)δ + D + FE + u on the pooled sample with
    :func:`nqp.econometrics.feols` and t-test δ_coef = 0 with its VCE.

    ``interact="all"`` interacts every regressor with D (the full Chow test, FE kept common);
    ``"coef"`` only ``coef`` (equality of one slope with the other coefficients restricted
    equal). The main effect D is added unless an absorbed FE already absorbs it (D constant
    within FE levels, e.g. a firm-level SOE dummy with firm FE). ``fe_by_group=True``
    interacts every FE with D too (``firm^D + year^D``), so that with ``interact="all"`` the
    slopes equal those of the two separate regressions. Group 0 is the base, so
    b0 = b_coef, b1 = b_coef + δ and difference = b0 − b1 = −δ.
    """
    from nqp.econometrics.ols import feols

    f = parse_formula(formula)
    if f.is_iv:
        raise FormulaError(f"chow_test takes OLS formulas, got {formula!r}")
    if group not in data.columns:
        raise FormulaError(f"unknown variable {group!r}", variable=group)
    vals = pd.to_numeric(data[group], errors="coerce")
    bad = data[group].notna() & ~vals.isin([0, 1])
    if bad.any():
        raise EstimationError(f"group column {group!r} must be a 0/1 dummy; found "
                              f"{data[group][bad].iloc[0]!r}", variable=group,
                              row=data.index[bad.to_numpy()][0])
    labels = [t.label for t in f.exog]
    if coef not in labels:
        raise FormulaError(f"coefficient {coef!r} is not a regressor of {formula!r}",
                           variable=coef)
    if interact not in ("all", "coef"):
        raise EstimationError(f"interact must be 'all' or 'coef', got {interact!r}")
    inter = labels if interact == "all" else [coef]
    extra = [f"{lab}:{group}" for lab in inter]
    fixef = tuple((*fe, group) for fe in f.fixef) if fe_by_group else f.fixef
    if not _absorbed_by_fe(data, group, fixef):
        extra.insert(0, group)
    lhs, _, rest = formula.partition("~")
    rhs = rest.split("|", 1)[0].strip() + " + " + " + ".join(extra)
    fe_part = " + ".join("^".join(fe) for fe in fixef)
    pooled = f"{lhs.strip()} ~ {rhs}" + (f" | {fe_part}" if fe_part else "")
    res = feols(pooled, data, cluster=cluster, vcov=vcov, ssc=ssc, **fit_kwargs)
    name = f"{coef}:{group}"
    if name not in res.coef.index:
        raise EstimationError(f"interaction {name!r} was dropped as collinear", variable=name)
    b0 = float(res.coef[coef])
    delta = float(res.coef[name])
    gv = vals.loc[res.obs_index].to_numpy()
    joint: dict[str, Any] = {}
    if interact == "all":
        terms = [t for t in extra if t in res.coef.index]
        joint = _joint_wald_f(res, terms)
    return GroupDiffResult(
        method="chow", coef=coef, group=group, b0=b0, b1=b0 + delta, difference=-delta,
        statistic=float(res.tstat[name]), pvalue=float(res.pvalue[name]), df=int(res.df_resid),
        n0=int((gv == 0).sum()), n1=int((gv == 1).sum()), **joint,
    )


def _joint_wald_f(res: Any, terms: list[str]) -> dict[str, Any]:
    """Joint Chow test H0: every group difference (the interactions and the group's own
    intercept shift) is 0: F = δ'V_δ⁻¹δ/q ~ F(q, df_resid) with the model's VCE (Stata
    ``test``; the classic Chow F when the VCE is iid)."""
    d = res.coef[terms].to_numpy()
    V = res.vcov.loc[terms, terms].to_numpy()
    q = len(terms)
    f = float(d @ np.linalg.solve(V, d)) / q
    return {"joint_statistic": f, "joint_df": (q, int(res.df_resid)),
            "joint_pvalue": float(stats.f.sf(f, q, res.df_resid)), "joint_terms": tuple(terms)}
