"""From a data frame and a parsed formula to the arrays an estimator needs.

Steps, in the order Stata's ``reghdfe`` applies them:
1. every column named must exist (else FormulaError naming it and suggesting close names) and
   regressors must be numeric;
2. lags/leads ``L.x`` are looked up by panel time *value* (unit, t - k), so a gap in the years
   gives a missing lag, as Stata's ``L.`` operator does (not the previous row); a column named
   exactly like the term (``L.lnAI``, as ``nqp.panel.build_panel(lags=...)`` writes) is used
   instead, and then ``panel=`` is not needed for it;
3. products ``x1:x2``; an intercept column when the model has no absorbed FE;
4. rows with a missing value in any variable used (dependent, regressors, instruments, FE,
   cluster, weight) are dropped;
5. singletons of the absorbed FEs are dropped iteratively (``singletons.py``);
6. FE and cluster codes are made dense (0..G-1) on the final sample; analytic weights are
   rescaled to sum to N (reghdfe's convention for aweights).
"""

from __future__ import annotations

import difflib
import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nqp.econometrics.expand import dummies, evaluate, is_categorical
from nqp.econometrics.formula import Categorical, Formula, Term, Var
from nqp.econometrics.singletons import recode, singleton_mask
from nqp.errors import EstimationError, FormulaError, MissingValueWarning

INTERCEPT = "Intercept"


@dataclass(frozen=True)
class ModelFrame:
    """Arrays on the estimation sample (n rows)."""

    y: np.ndarray  # (n,)
    y_name: str
    X: np.ndarray  # (n, kx) exogenous regressors (incl. Intercept when no FE)
    x_names: list[str]
    endog: np.ndarray  # (n, ke)
    endog_names: list[str]
    Z: np.ndarray  # (n, kz) excluded instruments
    z_names: list[str]
    fe: np.ndarray  # (n, g) dense int64 codes
    fe_names: list[str]
    fe_sizes: list[int]
    clusters: np.ndarray | None  # (n, c) dense codes
    cluster_names: list[str]
    weights: np.ndarray | None  # (n,) summing to n
    obs_index: pd.Index
    n_full: int  # rows of the input data
    n_missing: int  # rows dropped for missing values
    n_singletons: int
    has_intercept: bool  # explicit intercept column or absorbed FE
    sample_key: tuple = ()  # identifies the sample (FE set, clusters, weights, rows)
    matrix: np.ndarray | None = None  # (n, 1 + kx + ke + kz) Fortran order: [y, X, endog, Z]
    n_dropped: dict[str, int] = field(default_factory=dict)  # rows dropped for a missing cluster / weight, zero weight
    regressor_means: dict[str, float] | None = None  # weighted means of X and endog (kept by slim copies)

    @property
    def nobs(self) -> int:
        return int(self.y.shape[0])


def _check_columns(data: pd.DataFrame, names: Sequence[str], text: str) -> None:
    cols = [str(c) for c in data.columns]
    for name in names:
        if name not in data.columns:
            close = difflib.get_close_matches(name, cols, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise FormulaError(f"unknown variable {name!r} in {text!r}{hint}", variable=name)


def _numeric(data: pd.DataFrame, name: str) -> np.ndarray:
    s = data[name]
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        raise FormulaError(f"column {name!r} is not numeric (dtype {s.dtype}); a regressor must be a number", variable=name)
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def category_codes(data: pd.DataFrame, names: tuple[str, ...], *, sort: bool = False) -> np.ndarray:
    """Integer codes of one (possibly interacted) categorical; -1 where any part is missing.

    ``sort=True`` numbers the levels, and the combinations of an interaction lexicographically,
    in sorted order, as ``data.groupby(list(names), sort=True).ngroup()`` does; otherwise text
    levels are numbered in order of appearance. An interaction is the mixed-radix code of its
    parts' codes, made dense at the end (and before a product that would overflow int64)."""
    out = None
    size = 1
    for name in names:
        c, uniq = _factorize(data[name], sort=sort)
        k = max(len(uniq), 1)
        if out is None:
            out, size = c, k
            continue
        bad = (out < 0) | (c < 0)
        if size * k > 2**62:
            out, size = _dense(out), int(out.max()) + 1
        out = out * k + c
        out[bad] = -1
        size *= k
    assert out is not None
    return _dense(out) if len(names) > 1 else out


def _dense(codes: np.ndarray) -> np.ndarray:
    """The non-negative codes renumbered 0..G-1 in their order; -1 stays -1."""
    ok = codes >= 0
    out = codes.copy()
    out[ok] = np.unique(codes[ok], return_inverse=True)[1]
    return out


def _factorize(s: pd.Series, sort: bool = False) -> tuple[np.ndarray, object]:
    """Codes (-1 for missing) and levels; integer columns with a compact range skip hashing
    (their codes are in sorted order either way)."""
    if pd.api.types.is_integer_dtype(s) and not pd.api.types.is_extension_array_dtype(s) and len(s):
        v = s.to_numpy()
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < 4 * len(v) + 1024:
            c, k = recode(v - lo)
            return c, range(k)
    c, uniq = pd.factorize(s, sort=sort, use_na_sentinel=True)
    return c.astype(np.int64, copy=False), uniq


class _LagTable:
    """Finds the row of (unit, t - k) for Stata-style lags on an unbalanced panel."""

    def __init__(self, data: pd.DataFrame, panel: tuple[str, str]) -> None:
        unit, time = panel
        self.u = category_codes(data, (unit,))
        if not pd.api.types.is_numeric_dtype(data[time]):
            raise FormulaError(f"panel time column {time!r} must be numeric (e.g. the year)", variable=time)
        t = data[time].to_numpy(dtype=np.float64, na_value=np.nan)
        ok = (self.u >= 0) & np.isfinite(t)
        if np.any(ok & (t != np.round(t))):
            raise FormulaError(f"panel time column {time!r} must hold whole numbers", variable=time)
        self.ok = ok
        self.t = np.where(ok, t, 0).astype(np.int64)
        self.tmin = int(self.t[ok].min()) if ok.any() else 0
        self.span = int(self.t[ok].max()) - self.tmin + 1 if ok.any() else 1
        key = np.where(ok, self.u * self.span + (self.t - self.tmin), -1)
        order = np.argsort(key, kind="stable")
        sk = key[order]
        dup = (sk[1:] == sk[:-1]) & (sk[1:] >= 0)
        if dup.any():
            i = order[1:][dup][0]
            raise EstimationError(
                f"panel ({unit}, {time}) has duplicate rows; lags are not defined",
                firm=data[unit].iloc[i], year=data[time].iloc[i],
            )
        self.order, self.sorted_key = order, sk

    def lag(self, values: np.ndarray, k: int) -> np.ndarray:
        tt = self.t - k - self.tmin
        valid = self.ok & (tt >= 0) & (tt < self.span)
        target = self.u * self.span + tt
        pos = np.searchsorted(self.sorted_key, target)
        pos = np.minimum(pos, len(self.sorted_key) - 1)
        found = valid & (self.sorted_key[pos] == target)
        out = np.full(values.shape[0], np.nan)
        out[found] = values[self.order[pos[found]]]
        return out


class DataColumns:
    """Numeric columns, lags, products and FE/cluster codes of one data frame, each computed
    once and reused (``multi.py`` builds many models from one instance)."""

    def __init__(self, data: pd.DataFrame, panel: tuple[str, str] | None = None) -> None:
        if not isinstance(data, pd.DataFrame):
            raise FormulaError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        self.data = data
        self.panel = panel
        self._lags: _LagTable | None = None
        self._raw: dict[str, np.ndarray] = {}
        self._terms: dict[str, np.ndarray] = {}
        self._codes: dict[tuple[str, ...], np.ndarray] = {}
        self.samples: dict[tuple, tuple] = {}

    def check(self, formula: Formula, extra: Sequence[str]) -> None:
        needed = formula.columns() + list(extra)
        terms = (Term((formula.depvar,)), *formula.exog, *formula.endog, *formula.instruments)
        if any(v.lag != 0 and v.label not in self.data.columns for t in terms for v in t.factors):
            if self.panel is None:
                raise FormulaError(f"lags in {formula.text!r} need panel=(unit, time)")
            needed += list(self.panel)
        _check_columns(self.data, needed, formula.text)

    def var(self, v: Var) -> np.ndarray:
        if v.expr is not None:  # I(x**2), log(x): computed once from numeric columns
            if v.name not in self._raw:
                self._raw[v.name] = evaluate(v.expr, v.reads, lambda c: self.var(Var(c)), v.name, self.data.index)
            return self._raw[v.name]
        if v.lag != 0 and v.label in self.data.columns:
            # a column named like the term (nqp.panel's L.x, formed on the full firm-year panel
            # before the sample rules) is used as it is, not recomputed on this frame
            v = Var(v.label)
        if v.name not in self._raw:
            self._raw[v.name] = _numeric(self.data, v.name)
        if v.lag == 0:
            return self._raw[v.name]
        if self._lags is None:
            assert self.panel is not None
            self._lags = _LagTable(self.data, self.panel)
        return self._lags.lag(self._raw[v.name], v.lag)

    def term(self, t: Term) -> np.ndarray:
        if t.label not in self._terms:
            out = self.var(t.factors[0])
            for f in t.factors[1:]:
                out = out * self.var(f)
            self._terms[t.label] = out
        return self._terms[t.label]

    def categorical(self, t: Term) -> Categorical | None:
        """The categorical a term stands for: ``C(f)``/``i(f)``, or a plain string column."""
        if t.cat is not None:
            return t.cat
        v = t.factors[0]
        if len(t.factors) == 1 and v.lag == 0 and v.expr is None and is_categorical(self.data[v.name]):
            return Categorical(v.name, "plain", v.name, text=t.label)
        return None

    def expand(self, t: Term, drop_reference: bool, labels: Sequence[str] = ()) -> list[tuple[str, np.ndarray]]:
        """(name, column) pairs of a term: one for a numeric term, one per level kept for a
        categorical (``C(f)``, ``i(f)``, ``i(f, z)``, a string column ``f``; see ``expand.py``),
        one per level for a product ``x:f`` with a string column (formulaic: all levels, named
        ``x:f[a]``, unless the product without ``f`` is itself a term of the model, ``labels``:
        then ``x:f[T.b]``...)."""
        cat = self.categorical(t)
        if cat is None:
            pos = [i for i, v in enumerate(t.factors) if v.expr is None and v.lag == 0 and is_categorical(self.data[v.name])]
            if not pos:
                return [(t.label, self.term(t))]
            bad = t.factors[pos[1] if len(pos) > 1 else pos[0]]
            if len(pos) > 1 or any(v.lag != 0 and is_categorical(self.data[v.name]) for v in t.factors):
                raise FormulaError(f"{bad.name!r} is not numeric (dtype {self.data[bad.name].dtype}); a product "
                                   f"{t.label!r} may hold one string column (or write i({bad.name}, x))", variable=bad.name)
            i = pos[0]
            others = t.factors[:i] + t.factors[i + 1:]
            rest = self.term(Term(others))
            f = t.factors[i]
            drop = ":".join(v.label for v in others) in labels
            pairs = dummies(Categorical(f.name, "plain", f.name, text=t.label), self.data[f.name], drop, None, t.label)
            before = "".join(v.label + ":" for v in t.factors[:i])
            after = "".join(":" + v.label for v in t.factors[i + 1:])
            return [(before + name + after, col * rest) for name, col in pairs]
        by = None if cat.by is None else self.var(cat.by)
        return dummies(cat, self.data[cat.column], drop_reference, by, t.label)

    def codes(self, names: tuple[str, ...]) -> np.ndarray:
        if names not in self._codes:
            self._codes[names] = category_codes(self.data, names)
        return self._codes[names]


def build_model_frame(
    formula: Formula,
    data: pd.DataFrame,
    *,
    cluster: Sequence[str] = (),
    weights: str | None = None,
    panel: tuple[str, str] | None = None,
    drop_singletons: bool = True,
    columns: DataColumns | None = None,
    subset: np.ndarray | None = None,
) -> ModelFrame:
    """Turn ``data`` into the arrays of ``formula`` on its estimation sample.

    subset: boolean mask of the rows that may be used (a subsample, as Stata's ``if``: lags
    still come from the whole frame); rows outside it are not counted in ``n_missing``."""
    cols = columns if columns is not None else DataColumns(data, panel)
    data = cols.data
    cols.check(formula, list(cluster) + ([weights] if weights else []))
    n_full = len(data)
    y = cols.term(Term((formula.depvar,)))
    has_fe = bool(formula.fixef)
    x_names, x_cols = _expand_terms(cols, formula.exog, has_fe or formula.intercept)
    if not has_fe and formula.intercept:
        x_cols.insert(0, np.ones(n_full))
        x_names.insert(0, INTERCEPT)
    en_names, en_cols = _expand_terms(cols, formula.endog, True)
    z_names, z_cols = _expand_terms(cols, formula.instruments, True)
    fe_raw = [cols.codes(f) for f in formula.fixef]
    cl_raw = [cols.codes((c,)) for c in cluster]
    w = _numeric(data, weights) if weights else None

    mask = np.isfinite(y)
    for name, col in zip([formula.depvar.label, *x_names, *en_names, *z_names], [y, *x_cols, *en_cols, *z_cols]):
        bad = np.isinf(col)
        if bad.any():
            raise EstimationError(f"variable {name!r} has an infinite value", variable=name, row=data.index[np.argmax(bad)])
        mask &= np.isfinite(col)
    for c in [*fe_raw, *cl_raw]:
        mask &= c >= 0
    if w is not None:
        if np.any(w[np.isfinite(w)] < 0):
            i = int(np.argmax(np.isfinite(w) & (w < 0)))
            raise EstimationError(f"weight {weights!r} is negative", variable=weights, row=data.index[i])
        mask &= np.isfinite(w) & (w > 0)
    if subset is not None:
        mask &= subset
    n_missing = int((n_full if subset is None else int(subset.sum())) - mask.sum())
    n_dropped = _dropped_by_cluster_or_weight(cluster, cl_raw, weights, w, subset, formula.text)
    if not mask.any():
        counts = {nm: int((~np.isfinite(c)).sum()) for nm, c in zip([formula.depvar.label, *x_names], [y, *x_cols])}
        worst = max(counts, key=counts.get) if counts else None
        raise EstimationError(
            f"no rows left: every row has a missing value in some variable of {formula.text!r}"
            + (f" (most missing: {worst!r}, {counts[worst]} rows)" if worst else ""),
            variable=worst,
        )
    skey = (tuple(formula.fixef), tuple(cluster), weights, drop_singletons,
            hashlib.blake2b(np.packbits(mask).tobytes(), digest_size=16).digest())
    if skey not in cols.samples:
        cols.samples[skey] = _sample(mask, fe_raw, cl_raw, w, drop_singletons, formula.text)
    idx, fe, fe_sizes, clusters, wt, n_single = cols.samples[skey]

    # one Fortran-ordered matrix [y, X, endog, Z] on the sample; the parts are views into it
    allc = [y, *x_cols, *en_cols, *z_cols]
    M = np.empty((idx.size, len(allc)), order="F")
    for j, c in enumerate(allc):
        np.take(c, idx, out=M[:, j])
    kx, ke = len(x_cols), len(en_cols)

    return ModelFrame(
        y=M[:, 0], y_name=formula.depvar.label,
        X=M[:, 1:1 + kx], x_names=x_names,
        endog=M[:, 1 + kx:1 + kx + ke], endog_names=en_names,
        Z=M[:, 1 + kx + ke:], z_names=z_names,
        matrix=M,
        fe=fe, fe_names=formula.fe_labels, fe_sizes=fe_sizes,
        clusters=clusters, cluster_names=list(cluster),
        weights=wt, obs_index=data.index[idx],
        n_full=n_full, n_missing=n_missing, n_singletons=n_single,
        has_intercept=has_fe or formula.intercept, sample_key=skey, n_dropped=n_dropped,
    )


def _expand_terms(cols: DataColumns, terms: Sequence[Term], spans_constant: bool) -> tuple[list[str], list[np.ndarray]]:
    """Names and columns of ``terms``; a categorical leaves out its reference level when the
    model has an intercept or FE, or when an earlier categorical already spans the constant
    (formulaic's full-rank rule)."""
    names: list[str] = []
    out: list[np.ndarray] = []
    full = spans_constant
    labels = [t.label for t in terms]
    for t in terms:
        pairs = cols.expand(t, drop_reference=full, labels=labels)
        cat = cols.categorical(t)
        full = full or (cat is not None and cat.by is None)
        for name, col in pairs:
            if name in names:
                raise FormulaError(f"the column {name!r} appears twice in the formula", variable=name)
            names.append(name)
            out.append(col)
    return names, out


def _dropped_by_cluster_or_weight(cluster: Sequence[str], cl_raw: list[np.ndarray], weights: str | None,
                                  w: np.ndarray | None, subset: np.ndarray | None, text: str) -> dict[str, int]:
    """Rows (of ``subset``) dropped because a cluster value or the weight is missing, or the
    weight is zero: counted by reason and warned about (MissingValueWarning) -- these are not
    variables of the formula, so a user would not otherwise see them go."""
    base = np.ones(cl_raw[0].shape[0] if cl_raw else (0 if w is None else w.shape[0]), dtype=bool) \
        if subset is None else subset
    out: dict[str, int] = {}
    for name, c in zip(cluster, cl_raw):
        k = int(((c < 0) & base).sum())
        if k:
            out[f"missing cluster {name!r}"] = k
    if w is not None:
        k_nan, k_zero = int((~np.isfinite(w) & base).sum()), int(((w == 0) & base).sum())
        if k_nan:
            out[f"missing weight {weights!r}"] = k_nan
        if k_zero:
            out[f"zero weight {weights!r}"] = k_zero
    if out:
        warnings.warn(MissingValueWarning(
            f"dropped rows of {text!r}: " + ", ".join(f"{k} with {why}" for why, k in out.items()),
            variable=next(iter(out)).split("'")[1]), stacklevel=4)
    return out


def _sample(mask, fe_raw, cl_raw, w, drop_singletons, text):
    """Rows used, dense FE/cluster codes and weights for one missing-value mask."""
    idx = np.flatnonzero(mask)
    full = idx.size == mask.size  # codes from DataColumns are already dense on all rows

    def sub(c: np.ndarray) -> np.ndarray:
        return c if full else recode(c[idx])[0]

    fe = np.column_stack([sub(c) for c in fe_raw]) if fe_raw else np.empty((idx.size, 0), np.int64)
    n_single = 0
    if drop_singletons and fe.shape[1] > 0:
        single = singleton_mask(fe)
        n_single = int(single.sum())
        if n_single:
            idx = idx[~single]
            fe = fe[~single]
    if idx.size == 0:
        raise EstimationError(f"no rows left after dropping {n_single} singleton observations in {text!r}")
    if n_single:
        fe_sizes: list[int] = []
        fe_cols = []
        for j in range(fe.shape[1]):
            c, k = recode(fe[:, j])
            fe_cols.append(c)
            fe_sizes.append(k)
        fe = np.column_stack(fe_cols) if fe_cols else np.empty((idx.size, 0), np.int64)
        full = False
    else:
        fe_sizes = [int(fe[:, j].max()) + 1 for j in range(fe.shape[1])]
    clusters = np.column_stack([sub(c) for c in cl_raw]) if cl_raw else None
    wt = None
    if w is not None:
        wt = w[idx]
        wt = wt * (wt.size / wt.sum())
    return idx, fe, fe_sizes, clusters, wt, n_single
