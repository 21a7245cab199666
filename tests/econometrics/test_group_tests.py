"""Between-group difference tests: permutation (bdiff), SUEST, Chow -- against pyfixest,
statsmodels with explicit dummies, and simulated nulls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

from nqp.econometrics import group_tests as gt
from nqp.errors import EstimationError, FormulaError

F = "y ~ x + c1 + c2 | firm + year"
pytestmark = pytest.mark.filterwarnings("ignore:.*singleton:UserWarning")


def panel(n_firm=60, t=6, seed=0, delta=0.0, group_level="firm", drop=0.1):
    """Unbalanced firm-year panel; slope of x is 0.5 (+ delta in group 1)."""
    rng = np.random.default_rng(seed)
    firm = np.repeat(np.arange(n_firm), t)
    year = np.tile(np.arange(2010, 2010 + t), n_firm)
    a = rng.normal(size=n_firm)[firm]
    df = pd.DataFrame({"firm": firm, "year": year, "ind": firm % 7})
    if group_level == "firm":
        df["g"] = (rng.random(n_firm) < 0.45).astype(int)[firm]
    else:
        df["g"] = (rng.random(firm.size) < 0.45).astype(int)
    df["x"] = rng.normal(size=firm.size) + 0.5 * a
    df["c1"] = rng.normal(size=firm.size)
    df["c2"] = rng.normal(size=firm.size) + 0.3 * a
    e = rng.normal(size=firm.size) * (1 + 0.5 * df["g"])
    df["y"] = (0.5 + delta * df["g"]) * df["x"] + 0.2 * df["c1"] + a + 0.1 * (year - 2010) + e
    keep = rng.random(firm.size) >= drop
    return df.loc[keep].reset_index(drop=True)


def pyfixest_coef(data, formula=F, name="x"):
    return float(pf.feols(formula, data=data).coef()[name])


# --- the subset engine is exact ------------------------------------------------------------
def test_group_coefficients_match_pyfixest():
    df = panel(seed=1)
    r = gt.permutation_test(F, df, "g", "x", reps=5, seed=3)
    assert r.b0 == pytest.approx(pyfixest_coef(df[df.g == 0]), rel=1e-10)
    assert r.b1 == pytest.approx(pyfixest_coef(df[df.g == 1]), rel=1e-10)
    assert r.difference == pytest.approx(r.b0 - r.b1, rel=1e-12)
    assert (r.n0, r.n1) == (int((df.g == 0).sum()), int((df.g == 1).sum()))


@pytest.mark.parametrize("fe", ["firm + year", "firm + year + ind", "firm + year + shift", "firm", ""])
@pytest.mark.parametrize("first", [150, 220])  # pseudo group 0 the smaller or the larger side
def test_subset_engine_on_split_firms_matches_pyfixest(fe, first):
    df = panel(seed=2)
    df["shift"] = np.random.default_rng(9).integers(0, 3, len(df))  # varies within firm and year
    formula = F.replace("firm + year", fe) if fe else "y ~ x + c1 + c2"
    s = gt._sample(formula, df, "g")
    eng = gt._SubsetOLS(s.y, s.X, s.fe)
    assert first < s.y.size - 60
    idx = np.sort(np.random.default_rng(5).permutation(s.y.size)[:first])  # splits firms
    ca, cb = eng.cross_pair(idx)
    b = eng.solve(np.stack([ca, cb]))
    rest = np.setdiff1d(np.arange(s.y.size), idx)
    j = s.x_names.index("x")
    assert b[0, j] == pytest.approx(pyfixest_coef(df.iloc[idx], formula), rel=1e-9)
    assert b[1, j] == pytest.approx(pyfixest_coef(df.iloc[rest], formula), rel=1e-9)


# --- bdiff algorithm -------------------------------------------------------------------------
def _bdiff_by_hand(df, reps, seed, unit=None):
    """bdiff's loop with pyfixest regressions and the same random draws."""
    rng = np.random.default_rng(seed)
    b0 = pyfixest_coef(df[df.g == 0])
    d0 = b0 - pyfixest_coef(df[df.g == 1])
    n, n0 = len(df), int((df.g == 0).sum())
    diffs = []
    for _ in range(reps):
        if unit is None:
            a = gt.draw_pseudo_group(rng, n, n0)
        else:
            codes, uniq = pd.factorize(df[unit])
            a = gt.draw_pseudo_group(rng, len(uniq), df.loc[df.g == 0, unit].nunique())[codes]
        diffs.append(pyfixest_coef(df[a]) - pyfixest_coef(df[~a]))
    diffs = np.array(diffs)
    count = int((diffs >= d0).sum())
    p = count / reps
    return d0, count, (1 - p if p > 0.5 else p), float((np.abs(diffs) >= abs(d0)).mean())


@pytest.mark.parametrize("unit", [None, "firm"])
def test_permutation_reproduces_bdiff_loop(unit):
    df = panel(n_firm=40, seed=4, delta=0.3)
    r = gt.permutation_test(F, df, "g", "x", reps=12, seed=11, unit=unit)
    d0, count, p, p2 = _bdiff_by_hand(df, 12, 11, unit)
    assert r.difference == pytest.approx(d0, rel=1e-10)
    assert (r.count, r.pvalue, r.pvalue_two_sided) == (count, pytest.approx(p), pytest.approx(p2))
    assert r.reps == 12 and r.seed == 11


def test_permutation_is_deterministic_given_seed():
    df = panel(seed=6)
    a = gt.permutation_test(F, df, "g", "x", reps=50, seed=123)
    b = gt.permutation_test(F, df, "g", "x", reps=50, seed=123)
    c = gt.permutation_test(F, df, "g", "x", reps=50, seed=124)
    assert a == b
    assert a.to_dict()["count"] == b.count
    assert (a.count, a.pvalue_two_sided) != (c.count, c.pvalue_two_sided) or a.count in (0, 50)


def test_permutation_detects_a_large_difference():
    df = panel(n_firm=80, seed=7, delta=1.0)
    r = gt.permutation_test(F, df, "g", "x", reps=99, seed=1, unit="firm")
    assert r.difference < -0.5 and r.pvalue <= 0.02 and r.pvalue_two_sided <= 0.02


@pytest.mark.slow
def test_permutation_size_under_the_null():
    """200 null data sets (groups drawn at random, same slope), 99 reps each: the two-sided
    permutation p rejects at 5% within Monte Carlo error (sd ≈ 1.5 pp)."""
    rej2 = rej1 = 0
    n_sim = 200
    for i in range(n_sim):
        df = panel(n_firm=20, t=5, seed=1000 + i, drop=0.0, group_level="obs")
        r = gt.permutation_test("y ~ x + c1 | firm + year", df, "g", "x", reps=99, seed=i)
        rej2 += r.pvalue_two_sided <= 0.05
        rej1 += r.pvalue <= 0.025  # bdiff's p is one tail: 2.5% per tail ≈ 5% in total
    assert 0.015 <= rej2 / n_sim <= 0.095
    assert 0.015 <= rej1 / n_sim <= 0.095


# --- SUEST -------------------------------------------------------------------------------------
def _dummy_fit(d):
    X = pd.get_dummies(d[["firm", "year"]].astype(str), drop_first=True).astype(float)
    X = sm.add_constant(pd.concat([d[["x", "c1", "c2"]], X], axis=1))
    fit = sm.OLS(d["y"], X).fit()
    infl = (X.to_numpy() * fit.resid.to_numpy()[:, None]) @ np.linalg.pinv(X.T @ X)
    return fit.params["x"], infl[:, 1], fit


@pytest.mark.parametrize("cluster", [None, "ind"])
def test_suest_matches_hand_stacked_scores(cluster):
    df = panel(seed=8, delta=0.2)
    r = gt.suest_test(F, df, "g", "x", cluster=cluster)
    stacked = np.zeros((len(df), 2))
    b = []
    for g in (0, 1):
        rows = (df.g == g).to_numpy()
        bg, psi, _ = _dummy_fit(df[rows])
        b.append(bg)
        stacked[rows, g] = psi
    if cluster is None:
        sums, c = stacked, len(df) / (len(df) - 1)
    else:
        sums = pd.DataFrame(stacked).groupby(df[cluster].to_numpy()).sum().to_numpy()
        c = len(sums) / (len(sums) - 1)
    V = c * sums.T @ sums
    w = (b[0] - b[1]) ** 2 / (V[0, 0] + V[1, 1] - 2 * V[0, 1])
    assert r.b0 == pytest.approx(b[0], rel=1e-9) and r.b1 == pytest.approx(b[1], rel=1e-9)
    assert r.statistic == pytest.approx(w, rel=1e-8)
    assert r.df == 1 and 0 < r.pvalue < 1


def test_suest_without_clusters_is_difference_over_robust_variances():
    df = panel(seed=9)
    r = gt.suest_test(F, df, "g", "x")
    var = 0.0
    for g in (0, 1):
        _, _, fit = _dummy_fit(df[df.g == g])
        var += fit.cov_HC0[1, 1] * len(df) / (len(df) - 1)
    assert r.statistic == pytest.approx(r.difference ** 2 / var, rel=1e-8)


# --- errors ------------------------------------------------------------------------------------
def test_group_errors_name_the_column():
    df = panel(seed=10)
    bad = df.assign(g=df.g + 1)
    with pytest.raises(EstimationError) as e:
        gt.permutation_test(F, bad, "g", "x", reps=5)
    assert e.value.variable == "g"
    with pytest.raises(FormulaError):
        gt.suest_test(F, df, "g", "nope")
    with pytest.raises(FormulaError):
        gt.permutation_test(F, df, "missing_col", "x")
    only0 = df.assign(g=0)
    with pytest.raises(EstimationError, match="no observation equal to 1"):
        gt.suest_test(F, only0, "g", "x")


# --- Chow ----------------------------------------------------------------------------------
@pytest.mark.parametrize("interact,group_level", [("all", "firm"), ("coef", "obs")])
def test_chow_equals_pyfixest_interaction_t(interact, group_level):
    df = panel(n_firm=80, seed=12, delta=0.3, group_level=group_level)
    r = gt.chow_test(F, df, "g", "x", interact=interact, cluster="ind", ssc="fixest")
    terms = ["x:g", "c1:g", "c2:g"] if interact == "all" else ["x:g"]
    if group_level == "obs":
        terms = ["g", *terms]  # the dummy is not absorbed by the firm FE
    fit = pf.feols(f"y ~ x + c1 + c2 + {' + '.join(terms)} | firm + year", data=df,
                   vcov={"CRV1": "ind"})
    assert r.statistic == pytest.approx(float(fit.tstat()["x:g"]), rel=1e-7)
    assert r.pvalue == pytest.approx(float(fit.pvalue()["x:g"]), rel=1e-6)
    assert r.difference == pytest.approx(-float(fit.coef()["x:g"]), rel=1e-8)
    assert r.b0 == pytest.approx(float(fit.coef()["x"]), rel=1e-8)


def test_chow_with_group_specific_fe_reproduces_separate_slopes():
    df = panel(n_firm=80, seed=13, delta=0.3)
    r = gt.chow_test(F, df, "g", "x", cluster="ind", fe_by_group=True)
    assert r.b0 == pytest.approx(pyfixest_coef(df[df.g == 0]), rel=1e-7)
    assert r.b1 == pytest.approx(pyfixest_coef(df[df.g == 1]), rel=1e-7)
    assert r.n0 + r.n1 == len(df)


def test_missing_group_rows_are_dropped_and_input_untouched():
    df = panel(seed=14).astype({"g": "float64"})
    df.loc[[3, 10, 40], "g"] = np.nan
    before = df.copy()
    r = gt.permutation_test(F, df, "g", "x", reps=10, seed=1)
    pd.testing.assert_frame_equal(df, before)
    ok = df.dropna(subset=["g"])
    assert r.b0 == pytest.approx(pyfixest_coef(ok[ok.g == 0]), rel=1e-10)
    assert r.n0 + r.n1 <= len(ok)
