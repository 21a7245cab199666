"""Entropy weight method (熵值法 / 熵权法) for the NQP index (企业新质生产力指数).

Algorithm (measurement-reference §1.1), for an n × m matrix of scaled indicators z_ij:

1. scaling: min–max by sign, z ∈ [0, 1] (see :mod:`nqp.index.prepare`);
2. shift against log(0): z'_ij = z_ij + δ (``shift``; δ = 0 uses the convention 0·ln 0 = 0).
   δ enters **only** the shares p and hence the entropy, never the scaling;
3. shares p_ij = z'_ij / Σ_i z'_ij;
4. entropy e_j = −(1/ln n) Σ_i p_ij ln p_ij, n = rows of the matrix used (N·T when pooled);
5. redundancy (信息熵冗余度) d_j = 1 − e_j;
6. weights w_j = d_j / Σ_k d_k;
7. score S_i = scale · Σ_j w_j z_ij (``score_on="z"``, default) or scale · Σ_j w_j z'_ij
   (``score_on="shifted"``). The default keeps S in [0, scale]: a row at the worst value of
   every indicator scores 0, one at the best scores ``scale`` -- the MATLAB ``s = 100*w*Y'``
   convention the paper's "entropy index × 100" follows. ``"shifted"`` adds exactly
   scale·δ to every score and nothing else.

Panel variants (§1.2; recorded in ``meta["method"]``):

* ``"pooled"`` (面板熵值法, default): min/max and weights over all firm-years, n = N·T; one
  weight vector, scores comparable across years.
* ``"yearly"`` (年度熵值法): min/max, n = N_t and weights within each year; scores comparable
  only within a year.
* ``"time_augmented"`` (加入时间变量的熵值法, attributed to 杨丽、孙之淳 2015, 经济问题, as
  restated in later papers -- not checked against the original): the r years × N firms are
  stacked into one matrix (k = 1/ln(rN), rN = firm-years), indicators are scaled by their
  ratio to the extreme, x' = x/max (positive) or min/x (negative), instead of min–max,
  and h_θi = Σ_j w_j x'_θij. It differs from ``"pooled"`` only in that scaling.

Dimension scores (§1.3): one-shot (default) Sub_D = scale · Σ_{j∈D} w_j z_ij, which add up
to the index exactly. ``two_stage=True``: entropy within each dimension gives w^D and
s_D = Σ_{j∈D} w^D_j z_ij ∈ [0, 1]; entropy again across the s_D (as they are, with the same
δ, not re-scaled) gives W_D; index = scale · Σ_D W_D s_D, so the effective indicator weight
is W_D · w^D_j (reported in ``weights``; stage-1 e_j in ``entropy``, W_D in
``meta["dimension_weights"]``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from nqp.errors import ConfigError, ConstantIndicatorWarning, InputError
from nqp.index.prepare import (
    MissingPolicy,
    Prepared,
    check_dimensions,
    minmax_standardize,
    prepare,
    ratio_standardize,
)
from nqp.index.result import IndexResult

Method = Literal["pooled", "yearly", "time_augmented"]
ScoreOn = Literal["z", "shifted"]


def entropy_parts(z: np.ndarray, shift: float, constant: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entropy e_j, redundancy d_j and weight w_j of the columns of a scaled matrix ``z``.

    p_ij = (z_ij + δ)/Σ_i (z_ij + δ); e_j = −Σ_i p_ij ln p_ij / ln n (0·ln 0 := 0);
    d_j = 1 − e_j; w_j = d_j/Σ d. Constant columns get e = 1, d = 0, w = 0 exactly. If no
    column carries information (Σ d = 0) all weights are 0; callers decide whether that is
    an error.
    """
    n, m = z.shape
    if n < 2:
        raise InputError(f"the entropy method needs at least 2 rows; got {n}")
    if constant is None:
        constant = z.min(axis=0) == z.max(axis=0)
    zs = z + shift
    total = zs.sum(axis=0)
    e = np.ones(m)
    ok = ~constant & (total > 0)
    if ok.any():
        p = zs[:, ok] / total[ok]
        plogp = p * np.log(np.where(p > 0, p, 1.0))
        e[ok] = -plogp.sum(axis=0) / math.log(n)
    e = np.clip(e, 0.0, 1.0)  # rounding can give 1 + 1e-16; entropy is in [0, 1]
    d = 1.0 - e
    d[constant] = 0.0
    dsum = d.sum()
    w = d / dsum if dsum > 0 else np.zeros(m)
    return e, d, w


def entropy_weights(standardized: pd.DataFrame, *, shift: float = 0.0001) -> pd.DataFrame:
    """Entropy, redundancy and weight of each column of already-scaled indicators.

    A thin frame wrapper of :func:`entropy_parts` (熵权): rows are observations, columns
    indicators in [0, 1]. Returns a DataFrame indexed by column with ``entropy``,
    ``redundancy``, ``weight``.
    """
    e, d, w = entropy_parts(standardized.to_numpy(dtype=float), shift)
    return pd.DataFrame({"entropy": e, "redundancy": d, "weight": w}, index=standardized.columns)


def _warn_constant(columns: Sequence[str], constant: np.ndarray, year: object = None, stacklevel: int = 4) -> None:
    for c in np.asarray(columns, dtype=object)[constant]:
        where = f" in year {year}" if year is not None else ""
        warnings.warn(
            ConstantIndicatorWarning(f"indicator {c!r} does not vary{where}; it gets weight 0", column=c, year=year),
            stacklevel=stacklevel,
        )


def _block(
    z: np.ndarray,
    zscore: np.ndarray,
    constant: np.ndarray,
    shift: float,
    groups: list[np.ndarray],
    two_stage: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Weights and per-dimension contributions (before ``scale``) of one matrix."""
    m = z.shape[1]
    if not two_stage:
        e, d, w = entropy_parts(z, shift, constant)
        contrib = np.column_stack([zscore[:, idx] @ w[idx] for idx in groups])
        return w, e, d, contrib, None, None
    e, d, w_within = np.ones(m), np.zeros(m), np.zeros(m)
    sub = np.empty((z.shape[0], len(groups)))
    sub_score = np.empty_like(sub)
    for k, idx in enumerate(groups):
        e[idx], d[idx], w_within[idx] = entropy_parts(z[:, idx], shift, constant[idx])
        sub[:, k] = z[:, idx] @ w_within[idx]
        sub_score[:, k] = zscore[:, idx] @ w_within[idx]
    dim_e, _, dim_w = entropy_parts(sub, shift)
    if not dim_w.any() and (~constant).any():
        # e.g. two indicators that move exactly against each other with equal weights
        raise InputError("two-stage: no dimension score varies although some indicators do; "
                         "use the one-shot construction (two_stage=False)")
    w = np.zeros(m)
    for k, idx in enumerate(groups):
        w[idx] = dim_w[k] * w_within[idx]
    return w, e, d, sub_score * dim_w, dim_w, dim_e


def _check_options(method: str, shift: float, scale: float, score_on: str) -> None:
    if method not in ("pooled", "yearly", "time_augmented"):
        raise ConfigError(f"method={method!r}; use 'pooled', 'yearly' or 'time_augmented'", variable="method")
    if score_on not in ("z", "shifted"):
        raise ConfigError(f"score_on={score_on!r}; use 'z' or 'shifted'", variable="score_on")
    if not (np.isfinite(shift) and shift >= 0):
        raise ConfigError(f"shift={shift!r}; the shift δ must be a finite number ≥ 0", variable="shift")
    if not (np.isfinite(scale) and scale > 0):
        raise ConfigError(f"scale={scale!r}; must be a finite number > 0", variable="scale")


def entropy_index(
    frame: pd.DataFrame,
    indicators: Mapping[str, int],
    *,
    dimensions: Mapping[str, str] | None = None,
    method: Method = "pooled",
    shift: float = 0.0001,
    scale: float = 100,
    year: str | None = None,
    two_stage: bool = False,
    score_on: ScoreOn = "z",
    missing: MissingPolicy = "error",
    ids: Sequence[str] | None = None,
) -> IndexResult:
    """Entropy-method composite index (熵值法综合指数), e.g. the NQP index of the paper's Table 1.

    Parameters
    ----------
    frame : one row per firm-year; indicator columns numeric. Never modified.
    indicators : column → +1 (positive, 正向) or −1 (negative, 负向).
    dimensions : column → dimension name (e.g. 新质劳动者); None puts all in ``"all"``.
    method : ``"pooled"`` (default), ``"yearly"`` (needs ``year``) or ``"time_augmented"``;
        see the module docstring.
    shift : δ added to z before the shares p and the entropy (default 0.0001).
    scale : the score multiplier (100: "entropy index × 100").
    year : column or index level holding the year (required for ``"yearly"``).
    two_stage : entropy within dimensions, then across dimension scores (module docstring).
    score_on : ``"z"`` (default, index in [0, scale]) or ``"shifted"`` (uses z + δ).
    missing : ``"error"`` (default) or ``"drop"`` rows with a missing indicator.
    ids : columns / index levels that identify a row, quoted in error messages.

    Returns
    -------
    IndexResult with ``index`` (= Σ of ``dimensions``), ``weights``, ``entropy``,
    ``redundancy``, ``standardized`` and ``meta``.

    References: measurement-reference §1; the paper's 表 1 (企业新质生产力指标体系).
    """
    _check_options(method, shift, scale, score_on)
    if method == "yearly" and year is None:
        raise ConfigError("method='yearly' needs year= (the column or index level holding the year)", variable="year")
    if two_stage and dimensions is None:
        raise ConfigError("two_stage=True needs dimensions=", variable="dimensions")
    prep = prepare(frame, indicators, missing=missing, ids=ids, year=year)
    cols = prep.columns
    groups_named = check_dimensions(cols, dimensions)
    pos = {c: j for j, c in enumerate(cols)}
    groups = [np.array([pos[c] for c in g]) for g in groups_named.values()]
    dim_names = list(groups_named)
    extra = {}

    if method == "yearly":
        z, contrib, weights, ent, red, dim_w, dim_e = _yearly(prep, groups, shift, score_on, two_stage)
        weights, ent, red = (pd.DataFrame(a, index=pd.Index(_years(prep), name="year"), columns=cols)
                             for a in (weights, ent, red))
        if two_stage:
            extra["dimension_weights"] = pd.DataFrame(dim_w, index=weights.index, columns=dim_names)
            extra["dimension_entropy"] = pd.DataFrame(dim_e, index=weights.index, columns=dim_names)
        extra["n_by_year"] = {y: int((prep.years == y).sum()) for y in weights.index}
    else:
        if method == "pooled":
            z, constant = minmax_standardize(prep.x, prep.signs)
        else:
            z, constant = ratio_standardize(prep.x, prep.signs, cols)
        _warn_constant(cols, constant, stacklevel=3)
        zscore = z + shift if score_on == "shifted" else z
        w, e, d, contrib, dw, de = _block(z, zscore, constant, shift, groups, two_stage)
        if not w.any():
            raise InputError(f"no indicator varies across the {z.shape[0]} rows; the index is undefined")
        weights, ent, red = (pd.Series(a, index=cols, name=nm) for a, nm in ((w, "weight"), (e, "entropy"), (d, "redundancy")))
        if two_stage:
            extra["dimension_weights"] = pd.Series(dw, index=dim_names, name="weight")
            extra["dimension_entropy"] = pd.Series(de, index=dim_names, name="entropy")

    dims = pd.DataFrame(scale * contrib, index=prep.row_index, columns=dim_names)
    index = dims.sum(axis=1).rename("index")
    meta = {
        "method": method,
        "standardization": "ratio" if method == "time_augmented" else "minmax",
        "shift": shift,
        "scale": scale,
        "score_on": score_on,
        "n": int(prep.x.shape[0]),
        "n_dropped": prep.n_dropped,
        "two_stage": two_stage,
        "year": year,
        "signs": dict(zip(cols, prep.signs.astype(int).tolist())),
        "dimension_of": {c: name for name, g in groups_named.items() for c in g},
        "additive_dimensions": True,
        **extra,
    }
    return IndexResult(
        index=index,
        dimensions=dims,
        weights=weights,
        entropy=ent,
        redundancy=red,
        standardized=pd.DataFrame(z, index=prep.row_index, columns=cols),
        meta=meta,
    )


def _years(prep: Prepared) -> list:
    """The distinct years of a prepared panel, sorted, as Python scalars."""
    return sorted(pd.unique(prep.years).tolist())


def _yearly(prep: Prepared, groups: list[np.ndarray], shift: float, score_on: str, two_stage: bool):
    """Year-by-year entropy (年度熵值法): min–max, n = N_t and weights within each year."""
    n, m = prep.x.shape
    years = _years(prep)
    z = np.empty((n, m))
    contrib = np.empty((n, len(groups)))
    W, E, D = (np.empty((len(years), m)) for _ in range(3))
    dim_w = np.empty((len(years), len(groups)))
    dim_e = np.empty_like(dim_w)
    for t, yr in enumerate(years):
        rows = np.flatnonzero(prep.years == yr)
        if rows.size < 2:
            raise InputError(f"year {yr} has {rows.size} row; yearly entropy weights need at least 2", year=yr)
        zt, constant = minmax_standardize(prep.x[rows], prep.signs)
        _warn_constant(prep.columns, constant, year=yr, stacklevel=4)
        zscore = zt + shift if score_on == "shifted" else zt
        w, e, d, c, dw, de = _block(zt, zscore, constant, shift, groups, two_stage)
        if not w.any():
            raise InputError(f"no indicator varies within year {yr}; the index is undefined", year=yr)
        z[rows], contrib[rows] = zt, c
        W[t], E[t], D[t] = w, e, d
        if two_stage:
            dim_w[t], dim_e[t] = dw, de
    return z, contrib, W, E, D, dim_w, dim_e
