"""Variance estimators (方差-协方差矩阵 / 聚类稳健标准误), one function each.

All take the bread ``D = (X'WX)^-1`` of the partialled-out regressors (``(X^'WX^)^-1`` of the
fitted regressors for 2SLS) and return ``(V, df_t)``: the matrix and the degrees of freedom of
its t tests. ``Dof`` holds the counts; its ``ssc`` picks the small-sample convention:

* ``"reghdfe"`` (default): Correia's reghdfe (``src/reghdfe.mata``: ``reghdfe_vce_unadjusted``,
  ``reghdfe_vce_robust``, ``reghdfe_vce_cluster``), with ``df_a`` from ``collinearity.absorbed_dof``.
* ``"fixest"``: fixest's default ``ssc(adj=TRUE, fixef.K="nested", cluster.adj=TRUE,
  cluster.df="min", t.df="min")`` (fixest ``R/VCOV.R``; pyfixest ``ssc(k_adj=True,
  k_fixef="nonnested", G_adj=True, G_df="min")``), where the FE count is sum(K_g - 1) + 1 over
  non-nested FEs instead of reghdfe's mobility-group count.

Notation: N observations, K regressors kept (Intercept included when there is no FE),
``k_abs`` = absorbed parameters (reghdfe df_a, or fixest's count), G_min the smallest number
of clusters over the clustering dimensions.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nqp.econometrics.singletons import recode
from nqp.errors import EstimationError, InferenceUnavailableWarning

Ssc = Literal["reghdfe", "fixest"]


@dataclass(frozen=True)
class Dof:
    """Counts that enter small-sample factors."""

    N: int
    K: int
    df_a: int  # reghdfe e(df_a): absorbed FE parameters, nested FEs excluded
    nested_adj: int  # reghdfe: 1 if some FE is nested in a cluster variable
    k_fe_fixest: int  # fixest fixef.K="nested" count (sum (K_g-1) over non-nested, +1)
    ssc: Ssc = "reghdfe"

    @property
    def resid_df(self) -> int:
        """N - K - absorbed parameters: denominator of iid / HC1 factors and their t df."""
        k_abs = self.df_a if self.ssc == "reghdfe" else self.k_fe_fixest
        return self.N - self.K - k_abs

    @property
    def cluster_denominator(self) -> int:
        """reghdfe: N - nested_adj - K - df_a; fixest: N - K - k_fe."""
        if self.ssc == "reghdfe":
            return self.N - self.nested_adj - self.K - self.df_a
        return self.N - self.K - self.k_fe_fixest


def _check_df(d: int) -> None:
    if d <= 0:
        raise EstimationError(f"no residual degrees of freedom left ({d}): more parameters than observations")


def iid_vcov(bread: np.ndarray, rss: float, dof: Dof) -> tuple[np.ndarray, int]:
    """Homoskedastic ``V = RSS/(N - K - k_abs) * D``; t df = N - K - k_abs.

    reghdfe ``reghdfe_vce_unadjusted`` (RSS/N * N/df_r); fixest ``vcov_iid`` with adj=TRUE.
    """
    d = dof.resid_df
    _check_df(d)
    return rss / d * bread, d


def hc1_vcov(bread: np.ndarray, scores: np.ndarray, dof: Dof) -> tuple[np.ndarray, int]:
    """Heteroskedasticity-robust HC1 ``V = N/(N - K - k_abs) * D (sum s_i s_i') D``, s_i = w_i x_i e_i.

    reghdfe ``reghdfe_vce_robust`` (``vce(robust)``); fixest "hetero" n/(n-K); White (1980),
    MacKinnon & White (1985). t df = N - K - k_abs.
    """
    d = dof.resid_df
    _check_df(d)
    meat = scores.T @ scores
    return dof.N / d * (bread @ meat @ bread), d


def _cluster_meat(scores: np.ndarray, codes: np.ndarray) -> np.ndarray:
    G = int(codes.max()) + 1
    sums = np.empty((G, scores.shape[1]))
    for j in range(scores.shape[1]):
        sums[:, j] = np.bincount(codes, weights=scores[:, j], minlength=G)
    return sums.T @ sums


def _n_clusters(codes: np.ndarray, name: str) -> int:
    G = int(codes.max()) + 1 if codes.size else 0
    if G < 2:
        raise EstimationError(f"cluster variable {name!r} has {G} cluster(s) in the sample; at least two are needed", variable=name)
    return G


def crv1_vcov(bread: np.ndarray, scores: np.ndarray, codes: np.ndarray, dof: Dof, name: str = "cluster") -> tuple[np.ndarray, int]:
    """One-way cluster-robust CRV1 ``V = q * D (sum_g S_g S_g') D``, S_g = sum_{i in g} s_i.

    reghdfe: q = (N-1)/(N - nested_adj - K - df_a) * G/(G-1), t df = min(N - K - df_a, G-1)
    (``reghdfe_vce_cluster``). fixest: q = (N-1)/(N - K - k_fe) * G/(G-1), t df = G-1.
    Liang & Zeger (1986); Cameron & Miller (2015).
    """
    G = _n_clusters(codes, name)
    dd = dof.cluster_denominator
    _check_df(dd)
    q = (dof.N - 1) / dd * G / (G - 1)
    V = q * (bread @ _cluster_meat(scores, codes) @ bread)
    df_t = min(dof.resid_df, G - 1) if dof.ssc == "reghdfe" else G - 1
    return V, df_t


def crv1_multiway_vcov(
    bread: np.ndarray, scores: np.ndarray, codes: np.ndarray, dof: Dof, names: list[str] | None = None,
    basis_map: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Multi-way CRV1 (Cameron, Gelbach & Miller 2011): meat = sum over non-empty subsets S of
    the clustering dimensions of (-1)^(|S|+1) x the one-way meat of the intersection of S.

    One factor q = (N-1)/(denominator as one-way) * G_min/(G_min-1) with G_min the smallest
    number of clusters (reghdfe ``reghdfe_vce_cluster``; fixest ``cluster.df="min"``);
    t df = G_min - 1 (reghdfe: min with N - K - df_a). A non-positive-semidefinite result is
    fixed by zeroing negative eigenvalues, as reghdfe (``reghdfe_fix_psd``) and fixest do, after
    mapping V to the reported coefficients by ``basis_map`` (B V B') when bread and scores are
    in another basis (the centred basis of ``ols.centred_basis``).
    """
    c = codes.shape[1]
    names = names or [f"cluster{j}" for j in range(c)]
    Gs = [_n_clusters(codes[:, j], names[j]) for j in range(c)]
    meat = np.zeros((scores.shape[1], scores.shape[1]))
    for r in range(1, c + 1):
        for subset in itertools.combinations(range(c), r):
            if r == 1:
                inter = codes[:, subset[0]]
            else:
                key = np.zeros(codes.shape[0], dtype=np.int64)
                for j in subset:
                    key = key * Gs[j] + codes[:, j]
                inter = recode(key)[0] if key.max() < 50_000_000 else np.unique(key, return_inverse=True)[1]
            meat += (1.0 if r % 2 == 1 else -1.0) * _cluster_meat(scores, inter)
    G = min(Gs)
    dd = dof.cluster_denominator
    _check_df(dd)
    q = (dof.N - 1) / dd * G / (G - 1)
    V = q * (bread @ meat @ bread)
    if basis_map is not None:  # the fix is applied to the matrix of the reported coefficients
        V = basis_map @ V @ basis_map.T
    V = (V + V.T) / 2
    evals, evecs = np.linalg.eigh(V)
    if evals.min() < -1e-12 * max(abs(evals.max()), 1e-300):
        warnings.warn(InferenceUnavailableWarning(
            "multi-way cluster VCE was not positive semi-definite; negative eigenvalues set to zero (as reghdfe)"),
            stacklevel=3)
        V = (evecs * np.maximum(evals, 0)) @ evecs.T
    df_t = min(dof.resid_df, G - 1) if dof.ssc == "reghdfe" else G - 1
    return V, df_t


@dataclass(frozen=True)
class VcovSpec:
    """What the user asked for: kind in {"iid", "hc1", "CRV1"} and the cluster variables."""

    kind: Literal["iid", "hc1", "CRV1"]
    cluster: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.kind == "CRV1":
            return f"CRV1 ({'+'.join(self.cluster)})"
        return {"iid": "iid", "hc1": "HC1 (robust)"}[self.kind]


def parse_vcov(vcov: str | dict | None, cluster: str | list[str] | tuple[str, ...] | None) -> VcovSpec:
    """Normalise ``vcov=`` / ``cluster=`` into a VcovSpec (default iid, as reghdfe)."""
    if cluster is not None and vcov is not None:
        raise EstimationError("give either vcov= or cluster=, not both")
    if cluster is not None:
        names = [cluster] if isinstance(cluster, str) else list(cluster)
        names = [p.strip() for n in names for p in n.split("+") if p.strip()]
        if not names:
            raise EstimationError("cluster= names no variable")
        return VcovSpec("CRV1", tuple(names))
    if vcov is None:
        return VcovSpec("iid")
    if isinstance(vcov, str):
        v = vcov.strip().lower()
        if v == "iid":
            return VcovSpec("iid")
        if v in ("hc1", "hetero", "robust"):
            return VcovSpec("hc1")
        raise EstimationError(f"unknown vcov {vcov!r}; use 'iid', 'hc1'/'hetero' or {{'CRV1': 'var'}}")
    if isinstance(vcov, dict) and len(vcov) == 1:
        (k, v), = vcov.items()
        if str(k).upper() != "CRV1":
            raise EstimationError(f"unknown vcov {vcov!r}; only CRV1 clustering is implemented")
        return parse_vcov(None, v)
    raise EstimationError(f"unknown vcov {vcov!r}")


def compute_vcov(spec: VcovSpec, bread: np.ndarray, scores: np.ndarray, rss: float,
                 dof: Dof, clusters: np.ndarray | None, basis_map: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Dispatch to the estimator for ``spec``; ``basis_map`` B maps V to B V B' (see
    :func:`crv1_multiway_vcov`)."""
    if spec.kind == "CRV1" and clusters is not None and clusters.shape[1] > 1:
        return crv1_multiway_vcov(bread, scores, clusters, dof, list(spec.cluster), basis_map)
    if spec.kind == "iid":
        V, df_t = iid_vcov(bread, rss, dof)
    elif spec.kind == "hc1":
        V, df_t = hc1_vcov(bread, scores, dof)
    else:
        assert clusters is not None
        V, df_t = crv1_vcov(bread, scores, clusters[:, 0], dof, spec.cluster[0])
    return (V if basis_map is None else basis_map @ V @ basis_map.T), df_t
