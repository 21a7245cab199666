"""Issue 13, defect 4: the wild cluster bootstrap of models whose FE dummies are redundant
(firm + industry^year with province clusters; firm + year on a disconnected graph), which
feols fits. Oracle: the ``wildboottest`` package (py-econometrics; WCR, Rademacher, CRV1
"11") on statsmodels OLS of y on [regressors, every FE dummy with the redundant columns
removed by numpy's matrix_rank]. With 10 clusters both sides enumerate all 2^10 sign
vectors, so the p-values are deterministic: nqp's equals the share of wildboottest's
bootstrap t* beyond its t, ties (the draws v = +-1) not counted."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

WildboottestCL = pytest.importorskip("wildboottest.wildboottest").WildboottestCL

from nqp.econometrics import feols  # noqa: E402
from nqp.econometrics import wild_bootstrap as wb  # noqa: E402
from nqp.errors import EstimationError  # noqa: E402


def independent_columns(M: np.ndarray) -> list[int]:
    """Greedy: keep a column when it raises the rank of the kept ones (numpy matrix_rank)."""
    keep: list[int] = []
    rank = 0
    for j in range(M.shape[1]):
        r = np.linalg.matrix_rank(M[:, keep + [j]])
        if r > rank:
            keep.append(j)
            rank = r
    return keep


def oracle_pvalue(df: pd.DataFrame, y: str, regressors: list[str], fes: list[str], cluster: str,
                  weights: str | None = None) -> float:
    parts = [df[regressors].astype(float)]
    for fe in fes:
        parts.append(pd.get_dummies(df[fe].astype(str), prefix=fe, dtype=float))
    X = pd.concat(parts, axis=1)
    X = X.iloc[:, independent_columns(X.to_numpy())]
    yy = df[y].astype(float)
    if weights is not None:  # WLS as OLS on sqrt(w)-scaled data (weights rescaled to mean 1, as feols)
        sw = np.sqrt(df[weights] / df[weights].mean())
        X, yy = X.mul(sw, axis=0), yy * sw
    R = np.zeros(X.shape[1])
    R[0] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot = WildboottestCL(X=X.to_numpy(), Y=yy.to_numpy(), cluster=df[cluster].to_numpy(), R=R, B=9999,
                              seed=1, parallel=False)
        boot.get_scores(bootstrap_type="11", impose_null=True, adj=True, cluster_adj=True)
        boot.get_weights(weights_type="rademacher")
        boot.get_numer()
        boot.get_denom()
        boot.get_tboot()
        boot.get_vcov()
        boot.get_tstat()
    assert boot.full_enumeration
    t, tb = float(np.ravel(boot.t_stat)[0]), np.ravel(boot.t_boot)
    # wildboottest counts |t*| > |t| strictly, so the two draws v = +-1 (|t*| = |t| exactly under
    # WCR) fall either side by rounding; ties are not "more extreme" (as boottest and nqp count)
    return float(np.mean(np.abs(tb) > abs(t) * (1 + 1e-9)))


def province_panel(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_firm, T = 40, 5
    firm = np.repeat(np.arange(n_firm), T)
    year = np.tile(np.arange(2015, 2015 + T), n_firm)
    df = pd.DataFrame({"firm": firm, "year": year, "province": firm % 10, "industry": (firm // 10) % 3})
    df["indyear"] = df.industry.astype(str) + "_" + df.year.astype(str)
    a = rng.normal(size=n_firm)[firm]
    df["x"] = rng.normal(size=firm.size) + 0.5 * a + 0.5 * rng.normal(size=10)[df.province]
    df["c"] = rng.normal(size=firm.size)
    df["w"] = rng.uniform(0.5, 2.0, size=firm.size)
    df["y"] = 0.15 * df.x + 0.3 * df.c + a + rng.normal(size=10)[df.province] + rng.normal(size=firm.size)
    return df


def test_firm_and_industry_year_fe_with_province_clusters_match_wildboottest() -> None:
    df = province_panel(0)
    r = wb.wild_bootstrap("y ~ x + c | firm + industry^year", df, "x", cluster="province", reps=9999)
    assert r.enumerated and r.reps == 1024
    assert r.pvalue == pytest.approx(oracle_pvalue(df, "y", ["x", "c"], ["firm", "indyear"], "province"), abs=1e-12)
    fit = feols("y ~ x + c | firm + industry^year", df, cluster="province")
    assert r.t_stat == pytest.approx(float(fit.tstat["x"]), rel=1e-8)


def test_firm_and_year_fe_on_a_disconnected_graph_match_wildboottest() -> None:
    df = province_panel(1)
    # two components: firms 0-19 seen in 2015-2017 only, firms 20-39 in 2018-2019 only
    df = df[((df.firm < 20) & (df.year <= 2017)) | ((df.firm >= 20) & (df.year >= 2018))].reset_index(drop=True)
    r = wb.wild_bootstrap("y ~ x + c | firm + year", df, "x", cluster="province", reps=9999)
    assert r.enumerated
    assert r.pvalue == pytest.approx(oracle_pvalue(df, "y", ["x", "c"], ["firm", "year"], "province"), abs=1e-12)
    fit = feols("y ~ x + c | firm + year", df, cluster="province")
    assert r.t_stat == pytest.approx(float(fit.tstat["x"]), rel=1e-8)


def test_year_fe_carried_and_industry_nested_in_cluster_match_wildboottest() -> None:
    """No FE nested in the cluster and two carried FE sharing the constant (year + industry)."""
    df = province_panel(2)
    df["grp"] = df.firm % 10  # = province: clusters
    r = wb.wild_bootstrap("y ~ x + c | year + industry", df, "x", cluster="grp", reps=9999)
    assert r.pvalue == pytest.approx(oracle_pvalue(df, "y", ["x", "c"], ["year", "industry"], "grp"), abs=1e-12)


def test_regression_weights_are_weights_and_draws_are_bootstrap_weights() -> None:
    df = province_panel(3)
    r = wb.wild_bootstrap("y ~ x + c | firm + industry^year", df, "x", cluster="province", reps=9999,
                          weights="w", bootstrap_weights="rademacher")
    assert r.pvalue == pytest.approx(
        oracle_pvalue(df, "y", ["x", "c"], ["firm", "indyear"], "province", weights="w"), abs=1e-12)
    fit = feols("y ~ x + c | firm + industry^year", df, cluster="province", weights="w")
    assert r.estimate == pytest.approx(float(fit.coef["x"]), rel=1e-9)
    assert r.t_stat == pytest.approx(float(fit.tstat["x"]), rel=1e-8)
    with pytest.raises(EstimationError, match="bootstrap_weights"):
        wb.wild_bootstrap("y ~ x + c | firm", df, "x", cluster="province", weights="webb")
