"""Wild cluster bootstrap: closed-form replications vs brute-force refits with statsmodels'
CRV1, enumeration, seeding, size under a true null, test-inversion intervals, FE handling."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from nqp.econometrics import wild_bootstrap as wb
from nqp.errors import EstimationError


def data(G=8, per=12, seed=0, beta=0.0, hetero=True):
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(G), per)
    n = g.size
    x = rng.normal(size=n) + 0.5 * rng.normal(size=G)[g]
    c = rng.normal(size=n)
    u = rng.normal(size=n) * (1 + hetero * np.abs(x)) + rng.normal(size=G)[g]
    y = 1.0 + beta * x + 0.3 * c + u
    X = np.column_stack([np.ones(n), x, c])
    return y, X, g


def sm_t(y, X, g, j, r):
    fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    return (fit.params[j] - r) / fit.bse[j]


def brute_t_boot(y, X, g, j, r, V, impose_null):
    """Refit every bootstrap sample with statsmodels (CRV1 with G/(G-1)(N-1)/(N-K))."""
    if impose_null:
        others = [c for c in range(X.shape[1]) if c != j]
        fr = sm.OLS(y - r * X[:, j], X[:, others]).fit()
        beta = np.insert(fr.params, j, r)
        u = fr.resid
    else:
        f = sm.OLS(y, X).fit()
        beta, u = f.params, f.resid
    out = []
    for b in range(V.shape[1]):
        ystar = X @ beta + u * V[g, b]
        out.append(sm_t(ystar, X, g, j, beta[j]))
    return np.array(out)


def test_t_stat_matches_statsmodels_crv1():
    y, X, g = data(seed=1)
    r = wb.wild_cluster_bootstrap(y, X, g, 1, null=0.2, reps=99)
    assert r.t_stat == pytest.approx(sm_t(y, X, g, 1, 0.2), rel=1e-10)
    assert r.estimate == pytest.approx(sm.OLS(y, X).fit().params[1], rel=1e-12)


@pytest.mark.parametrize("impose_null", [True, False])
def test_closed_form_replications_equal_brute_force_refits(impose_null):
    y, X, g = data(G=6, seed=2)
    V = np.array(list(itertools.product((1.0, -1.0), repeat=6))).T  # all 64 sign vectors
    boot = wb._WildBoot(y, X, pd.factorize(g)[0], 1, 0)
    fast = boot.t_boot(V, 0.1 if impose_null else None)
    slow = brute_t_boot(y, X, g, 1, 0.1, V, impose_null)
    np.testing.assert_allclose(fast, slow, rtol=1e-9, atol=1e-12)


def test_enumeration_and_pvalue_from_brute_force():
    y, X, g = data(G=6, seed=3)
    r = wb.wild_cluster_bootstrap(y, X, g, 1, null=0.0, reps=999)
    assert r.enumerated and r.reps == 64 and r.bootstrap_weights == "rademacher"
    V = np.array(list(itertools.product((1.0, -1.0), repeat=6))).T
    tb = brute_t_boot(y, X, g, 1, 0.0, V, True)
    t = sm_t(y, X, g, 1, 0.0)
    eps = 1e-7  # the draw v = 1 reproduces the sample: t* = t, a tie, never "more extreme"
    assert r.pvalue == pytest.approx(np.mean(np.abs(tb) > abs(t) + eps))
    assert np.isclose(np.abs(tb), abs(t), rtol=1e-9).sum() >= 1
    r_eq = wb.wild_cluster_bootstrap(y, X, g, 1, reps=999, pvalue_type="equal-tailed")
    assert r_eq.pvalue == pytest.approx(2 * min(np.mean(tb <= t + eps), np.mean(tb > t + eps)))


def test_webb_draws_and_seeding():
    y, X, g = data(G=10, seed=4)
    a = wb.wild_cluster_bootstrap(y, X, g, 1, reps=199, bootstrap_weights="webb", seed=7)
    b = wb.wild_cluster_bootstrap(y, X, g, 1, reps=199, bootstrap_weights="webb", seed=7)
    assert a == b and not a.enumerated and a.reps == 199
    v, _ = wb._draws(10, 5000, "webb", np.random.default_rng(0))
    assert set(np.round(np.unique(v) ** 2, 12)) == {0.5, 1.0, 1.5}
    assert abs(v.mean()) < 0.05 and abs((v ** 2).mean() - 1) < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("impose_null", [True, False])
def test_size_under_true_null(impose_null):
    """200 data sets with β = 0, G = 12 heteroskedastic clusters, 199 draws: rejection at 5%
    is within Monte Carlo error (sd ≈ 1.5 pp) of 5%."""
    rej = 0
    for s in range(200):
        y, X, g = data(G=12, per=10, seed=100 + s)
        r = wb.wild_cluster_bootstrap(y, X, g, 1, reps=199, seed=s, bootstrap_weights="webb",
                                      impose_null=impose_null)
        rej += r.pvalue <= 0.05
    assert 0.015 <= rej / 200 <= 0.095


def test_confidence_interval_by_test_inversion():
    y, X, g = data(G=14, per=15, seed=5, beta=0.5)
    r = wb.wild_cluster_bootstrap(y, X, g, 1, reps=399, seed=3, ci_level=0.9)
    lo, hi = r.ci
    assert lo < r.estimate < hi
    for edge, inside in ((lo, lo + 1e-4), (hi, hi - 1e-4)):
        p_in = wb.wild_cluster_bootstrap(y, X, g, 1, null=inside, reps=399, seed=3).pvalue
        p_out = wb.wild_cluster_bootstrap(y, X, g, 1, null=2 * edge - inside, reps=399,
                                          seed=3).pvalue
        assert p_in > 0.1 >= p_out
    # same ballpark as the CRV1 t interval
    fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    ci_t = fit.conf_int(alpha=0.1)[1]
    assert abs(lo - ci_t[0]) < 0.5 * (ci_t[1] - ci_t[0])
    u = wb.wild_cluster_bootstrap(y, X, g, 1, reps=399, seed=3, ci_level=0.9,
                                  impose_null=False)
    assert u.ci[0] < u.estimate < u.ci[1]


def test_formula_wrapper_partials_nested_fe_exactly():
    """Firm FE nested in industry clusters are partialled out, year FE carried as dummies:
    same p-value and t as the array version with every dummy explicit."""
    rng = np.random.default_rng(9)
    n_firm, T = 36, 6
    firm = np.repeat(np.arange(n_firm), T)
    year = np.tile(np.arange(T), n_firm)
    ind = firm % 9
    df = pd.DataFrame({"firm": firm, "year": year, "ind": ind})
    df["x"] = rng.normal(size=firm.size) + rng.normal(size=n_firm)[firm]
    df["c"] = rng.normal(size=firm.size)
    df["y"] = 0.2 * df.x + rng.normal(size=n_firm)[firm] + 0.1 * year + rng.normal(size=firm.size)
    r = wb.wild_bootstrap("y ~ x + c | firm + year", df, "x", cluster="ind", reps=999, seed=2)
    fd = pd.get_dummies(df.firm, dtype=float).to_numpy()
    yd = pd.get_dummies(df.year, dtype=float).to_numpy()[:, 1:]
    X = np.column_stack([df.x, df.c, fd, yd])
    a = wb.wild_cluster_bootstrap(df.y.to_numpy(), X, ind, 0, reps=999, seed=2)
    assert r.enumerated and a.enumerated and r.reps == 512
    assert r.pvalue == a.pvalue
    assert r.estimate == pytest.approx(a.estimate, rel=1e-9)
    # reported t: reghdfe/fixest CRV1 with the firm FE nested in the cluster (not counted)
    fit = pf.feols("y ~ x + c | firm + year", data=df, vcov={"CRV1": "ind"})
    assert r.t_stat == pytest.approx(float(fit.tstat()["x"]), rel=1e-8)


def test_errors():
    y, X, g = data()
    with pytest.raises(EstimationError, match="bootstrap_weights"):
        wb.wild_cluster_bootstrap(y, X, g, 1, bootstrap_weights="mammen")
    with pytest.raises(EstimationError, match="pvalue_type"):
        wb.wild_cluster_bootstrap(y, X, g, 1, pvalue_type="both")
    with pytest.raises(EstimationError, match="two clusters"):
        wb.wild_cluster_bootstrap(y, X, np.zeros_like(g), 1)
    with pytest.raises(EstimationError, match="collinear"):
        wb.wild_cluster_bootstrap(y, np.column_stack([X, X[:, 1]]), g, 1)
