"""Robustness alternatives to the entropy index (measurement-reference §1.5).

All are pooled over every row of the frame and return an :class:`IndexResult`:

* :func:`equal_weight_index` -- 等权法: w_j = 1/m on min–max z; index = scale · Σ_j w_j z_ij.
* :func:`critic_index` -- CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995): on min–max z,
  C_j = σ_j · Σ_k (1 − r_jk) (or 1 − |r_jk| with ``abs_corr=True``), w_j = C_j / Σ C;
  σ_j is the standard deviation of z_j (ddof cancels in w), r the Pearson correlation.
* :func:`pca_index` -- 主成分分析: indicators oriented by sign and z-scored (ddof = 1);
  the first principal component of their correlation matrix (or, with
  ``components="kaiser"``, the variance-share-weighted sum of the components with
  eigenvalue > 1); each component's sign is chosen so that it correlates positively with
  Σ_j z_ij (the equal-weight index). The index is the component score (mean 0), not [0, scale].
* :func:`topsis_index` -- 熵权-TOPSIS: v_ij = w_j z_ij with entropy weights w, ideal points
  v⁺_j = max_i v_ij and v⁻_j = min_i v_ij, D±_i = ‖v_i − v±‖₂, closeness
  C_i = D⁻_i/(D⁺_i + D⁻_i); index = scale · C. Dimension columns are the closeness within
  each dimension's indicators (same entropy weights) and do *not* add up to the index.

Constant indicators get weight 0 with a :class:`ConstantIndicatorWarning` in every method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from nqp.errors import ConfigError, InputError
from nqp.index.entropy import _warn_constant, entropy_parts
from nqp.index.prepare import MissingPolicy, Prepared, check_dimensions, minmax_standardize, prepare
from nqp.index.result import IndexResult


def _setup(frame, indicators, dimensions, missing, ids):
    prep = prepare(frame, indicators, missing=missing, ids=ids)
    groups = check_dimensions(prep.columns, dimensions)
    z, constant = minmax_standardize(prep.x, prep.signs)
    _warn_constant(prep.columns, constant)
    if constant.all():
        raise InputError(f"no indicator varies across the {z.shape[0]} rows; the index is undefined")
    return prep, groups, z, constant


def _linear_result(
    prep: Prepared,
    groups: dict[str, list[str]],
    z: np.ndarray,
    w: np.ndarray,
    scale: float,
    method: str,
    standardized: np.ndarray | None = None,
    **meta,
) -> IndexResult:
    """index = scale · Σ_j w_j s_ij with one-shot additive dimension scores."""
    s = z if standardized is None else standardized
    cols = prep.columns
    pos = {c: j for j, c in enumerate(cols)}
    contrib = {name: scale * (s[:, [pos[c] for c in g]] @ w[[pos[c] for c in g]]) for name, g in groups.items()}
    dims = pd.DataFrame(contrib, index=prep.row_index)
    return IndexResult(
        index=dims.sum(axis=1).rename("index"),
        dimensions=dims,
        weights=pd.Series(w, index=cols, name="weight"),
        entropy=None,
        redundancy=None,
        standardized=pd.DataFrame(s, index=prep.row_index, columns=cols),
        meta=_meta(prep, groups, method, scale, additive_dimensions=True, **meta),
    )


def _meta(prep: Prepared, groups: dict[str, list[str]], method: str, scale: float, **extra) -> dict:
    return {
        "method": method,
        "scale": scale,
        "n": int(prep.x.shape[0]),
        "n_dropped": prep.n_dropped,
        "signs": dict(zip(prep.columns, prep.signs.astype(int).tolist())),
        "dimension_of": {c: name for name, g in groups.items() for c in g},
        **extra,
    }


def equal_weight_index(
    frame: pd.DataFrame,
    indicators: Mapping[str, int],
    *,
    dimensions: Mapping[str, str] | None = None,
    scale: float = 100,
    missing: MissingPolicy = "error",
    ids: Sequence[str] | None = None,
) -> IndexResult:
    """Equal-weight index (等权法): w_j = 1/m' over the m' non-constant indicators, on min–max z."""
    prep, groups, z, constant = _setup(frame, indicators, dimensions, missing, ids)
    w = np.where(constant, 0.0, 1.0 / (~constant).sum())
    return _linear_result(prep, groups, z, w, scale, "equal_weight", standardization="minmax")


def critic_index(
    frame: pd.DataFrame,
    indicators: Mapping[str, int],
    *,
    dimensions: Mapping[str, str] | None = None,
    abs_corr: bool = False,
    scale: float = 100,
    missing: MissingPolicy = "error",
    ids: Sequence[str] | None = None,
) -> IndexResult:
    """CRITIC weights: C_j = σ_j Σ_k (1 − r_jk) [or (1 − |r_jk|)], w_j = C_j/Σ C, on min–max z.

    Constant indicators are left out of the correlation matrix and get weight 0.
    """
    prep, groups, z, constant = _setup(frame, indicators, dimensions, missing, ids)
    live = ~constant
    zl = z[:, live]
    sigma = zl.std(axis=0, ddof=1)
    r = np.corrcoef(zl, rowvar=False) if zl.shape[1] > 1 else np.ones((1, 1))
    conflict = (1.0 - (np.abs(r) if abs_corr else r)).sum(axis=1)
    c = sigma * conflict
    w = np.zeros(len(prep.columns))
    if c.sum() <= 0:  # one indicator left, or all perfectly correlated: nothing to tell them apart
        w[live] = 1.0 / live.sum()
    else:
        w[live] = c / c.sum()
    information = np.zeros(len(prep.columns))
    information[live] = c
    return _linear_result(prep, groups, z, w, scale, "critic", standardization="minmax", abs_corr=abs_corr,
                          information=pd.Series(information, index=prep.columns, name="C"))


def pca_index(
    frame: pd.DataFrame,
    indicators: Mapping[str, int],
    *,
    dimensions: Mapping[str, str] | None = None,
    components: Literal["first", "kaiser"] = "first",
    missing: MissingPolicy = "error",
    ids: Sequence[str] | None = None,
) -> IndexResult:
    """Principal-component index (主成分分析法) of the sign-oriented, z-scored indicators.

    u_ij = sign_j (x_ij − mean_j)/sd_j (ddof 1); eigen-decompose corr(u) = V Λ Vᵀ.
    ``"first"``: index = u v₁. ``"kaiser"``: index = Σ_{k: λ_k > 1} (λ_k/Σ_{λ>1} λ) u v_k.
    ``weights`` are the effective loadings (index = u · weights; they need not sum to 1).
    ``meta["explained_variance"]``: share of total variance of the component(s) used.
    """
    if components not in ("first", "kaiser"):
        raise ConfigError(f"components={components!r}; use 'first' or 'kaiser'", variable="components")
    prep, groups, z, constant = _setup(frame, indicators, dimensions, missing, ids)
    live = ~constant
    x = prep.x[:, live]
    u = prep.signs[live] * (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    lam, vec = np.linalg.eigh(np.corrcoef(u, rowvar=False) if u.shape[1] > 1 else np.ones((1, 1)))
    order = np.argsort(lam)[::-1]
    lam, vec = lam[order], vec[:, order]
    reference = z.sum(axis=1)
    for k in range(vec.shape[1]):  # orient each component to point the way the indicators do
        if np.corrcoef(u @ vec[:, k], reference)[0, 1] < 0:
            vec[:, k] = -vec[:, k]
    keep = [0] if components == "first" else [k for k in range(len(lam)) if lam[k] > 1] or [0]
    share = lam[keep] / lam[keep].sum()
    loadings = vec[:, keep] @ share
    w = np.zeros(len(prep.columns))
    w[live] = loadings
    ustd = np.zeros_like(prep.x)
    ustd[:, live] = u
    return _linear_result(
        prep, groups, z, w, 1.0, "pca", standardized=ustd, standardization="zscore",
        components=components, n_components=len(keep),
        eigenvalues=pd.Series(lam, name="eigenvalue"),
        explained_variance=float(lam[keep].sum() / lam.sum()),
    )


def _closeness(v: np.ndarray) -> np.ndarray:
    d_plus = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_minus = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    total = d_plus + d_minus
    return np.divide(d_minus, total, out=np.zeros_like(total), where=total > 0)


def topsis_index(
    frame: pd.DataFrame,
    indicators: Mapping[str, int],
    *,
    dimensions: Mapping[str, str] | None = None,
    shift: float = 0.0001,
    scale: float = 100,
    missing: MissingPolicy = "error",
    ids: Sequence[str] | None = None,
) -> IndexResult:
    """Entropy-TOPSIS closeness (熵权-TOPSIS 贴近度) on min–max z with pooled entropy weights.

    index_i = scale · D⁻_i/(D⁺_i + D⁻_i); the entropy weights use the same δ as
    :func:`entropy_index`.
    """
    prep, groups, z, constant = _setup(frame, indicators, dimensions, missing, ids)
    e, d, w = entropy_parts(z, shift, constant)
    v = z * w
    cols = prep.columns
    pos = {c: j for j, c in enumerate(cols)}
    dims = pd.DataFrame(
        {name: scale * _closeness(v[:, [pos[c] for c in g]]) for name, g in groups.items()},
        index=prep.row_index,
    )
    return IndexResult(
        index=pd.Series(scale * _closeness(v), index=prep.row_index, name="index"),
        dimensions=dims,
        weights=pd.Series(w, index=cols, name="weight"),
        entropy=pd.Series(e, index=cols, name="entropy"),
        redundancy=pd.Series(d, index=cols, name="redundancy"),
        standardized=pd.DataFrame(z, index=prep.row_index, columns=cols),
        meta=_meta(prep, groups, "topsis", scale, shift=shift, standardization="minmax", additive_dimensions=False),
    )
