"""Placebo (against pyfixest refits; uniform under the null), Oster by hand, leave-one-out vs pyfixest."""

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm
from pyfixest.demeaners import MapDemeaner
from scipy import stats

from nqp.robustness import RobustnessSpec
from nqp.robustness.leave_one_out import leave_one_out_fits
from nqp.robustness.multiverse import build_design, make_context
from nqp.robustness.oster import OsterInputs, beta_star_roots, delta_star, oster_from_design
from nqp.robustness.placebo import permutations, placebo_from_design

from .simdata import MODEL, sim_frame, sim_source, small_spec

SSC = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
DEMEANER = MapDemeaner(fixef_tol=1e-13, fixef_maxiter=100_000)


def _design(seed=2, beta=0.5, **kw):
    spec = RobustnessSpec.from_dict(small_spec(**kw), min_draws=1)
    ctx = make_context(sim_source(sim_frame(seed=seed, beta=beta)), spec, **MODEL)
    return ctx, spec, build_design(ctx, spec.baseline())


def test_placebo_draws_equal_refits_on_the_permuted_data():
    ctx, spec, d = _design()
    res = placebo_from_design(d, draws=5, seed=9)
    data = ctx.variants.winsorized("baseline", 0.01).iloc[d.rowset.rows].reset_index(drop=True)
    perms = permutations(pd.factorize(data["year"])[0], 5, np.random.default_rng(9), "within_year")
    for b in range(5):
        x = data["x"].to_numpy()[perms[b]]
        # within year: every year keeps its own treatment values
        assert np.array_equal(np.sort(x[data["year"] == 2012]), np.sort(data.loc[data["year"] == 2012, "x"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = pf.feols("y ~ x + c1 + c2 | firm + year", data.assign(x=x), demeaner=DEMEANER)
        assert res.draws[b] == pytest.approx(m.coef()["x"], abs=1e-10)
    assert res.estimate == pytest.approx(d.fit().estimate)


def test_placebo_pvalue_is_uniform_under_the_null():
    """40 null data sets x 99 permutations: KS against U(0,1) at 0.001 and the 10% rate below 10/40
    (P[Bin(40, .1) >= 10] ~ 0.004). A permutation p-value is exact, so this can only fail on a bug."""
    ps = []
    for s in range(40):
        _, _, d = _design(seed=100 + s, beta=0.0, winsorize=[0.0])
        ps.append(placebo_from_design(d, draws=99, seed=s).p_value)
    ps = np.array(ps)
    assert stats.kstest(ps, "uniform").pvalue > 0.001
    assert np.sum(ps <= 0.10) < 10


def test_placebo_detects_the_planted_effect():
    _, _, d = _design(beta=0.5)
    res = placebo_from_design(d, draws=199, seed=3)
    assert res.p_value == pytest.approx(1 / 200)
    assert abs(res.draws.mean()) < 0.05


def _hand_oster(y, x, C, FE, r_max, beta=0.0):
    """Oster's inputs from statsmodels OLS with the fixed effects as dummies, and δ* from the
    formula as psacalc's bound() states it (restated here, not imported)."""
    short = sm.OLS(y, np.column_stack([x, FE])).fit()
    long = sm.OLS(y, np.column_stack([x, C, FE])).fit()
    fe_only = sm.OLS(y, FE).fit()
    tss_w = float(np.sum(fe_only.resid ** 2))  # within R²: relative to y net of the FE
    ro = 1 - short.ssr / tss_w
    rt = 1 - long.ssr / tss_w
    bo, bt = short.params[0], long.params[0]
    sy = tss_w / (len(y) - 1)
    sx = np.var(sm.OLS(x, FE).fit().resid, ddof=1)
    tx = np.var(sm.OLS(x, np.column_stack([C, FE])).fit().resid, ddof=1)
    A, B = bt - beta, bo - bt
    num = A * (rt - ro) * sy * tx + A * sx * tx * B ** 2 + 2 * A ** 2 * tx * B * sx + A ** 3 * (tx * sx - tx ** 2)
    den = ((r_max - rt) * sy * B * sx + A * (r_max - rt) * sy * (sx - tx) + A ** 2 * tx * B * sx
           + A ** 3 * (tx * sx - tx ** 2))
    return dict(bo=bo, bt=bt, ro=ro, rt=rt, delta=num / den)


@pytest.mark.filterwarnings("ignore")
def test_oster_matches_a_hand_computation():
    ctx, spec, d = _design(seed=8, fixed_effects=["firm+year"])
    data = ctx.variants.winsorized("baseline", 0.01).iloc[d.rowset.rows].reset_index(drop=True)
    FE = pd.get_dummies(data[["firm", "year"]].astype(str), drop_first=False).to_numpy(dtype=float)
    res = oster_from_design(d, r_max="1.3")
    hand = _hand_oster(data["y"].to_numpy(), data["x"].to_numpy(), data[["c1", "c2"]].to_numpy(), FE,
                       r_max=min(1.0, 1.3 * res.inputs.r2_long))
    assert res.inputs.beta_short == pytest.approx(hand["bo"], rel=1e-8)
    assert res.inputs.beta_long == pytest.approx(hand["bt"], rel=1e-8)
    assert res.inputs.r2_short == pytest.approx(hand["ro"], rel=1e-8)
    assert res.inputs.r2_long == pytest.approx(hand["rt"], rel=1e-8)
    assert res.r_max == pytest.approx(1.3 * hand["rt"])
    assert res.delta_star == pytest.approx(hand["delta"], rel=1e-7)
    # β* solves δ*(β*) = 1, and R_max = 1 (psacalc's default) is reported beside it
    assert delta_star(res.inputs, res.r_max, beta=res.beta_star) == pytest.approx(1.0, rel=1e-8)
    assert delta_star(res.inputs, 1.0, beta=res.beta_star_rmax1) == pytest.approx(1.0, rel=1e-8)
    assert res.delta_star_rmax1 == pytest.approx(
        _hand_oster(data["y"].to_numpy(), data["x"].to_numpy(), data[["c1", "c2"]].to_numpy(), FE, 1.0)["delta"],
        rel=1e-7)


def test_oster_beta_star_near_the_first_order_approximation():
    """Oster (2019) eq. (approximate): β* ≈ β̃ − δ(β̊ − β̃)(R_max − R̃)/(R̃ − R̊), close when R_max
    is near R̃ and the controls explain little of x."""
    inp = OsterInputs(beta_short=1.2, r2_short=0.20, beta_long=1.0, r2_long=0.30, var_y=2.0, var_x=1.0, tau_x=0.98)
    rm = 0.31
    approx = 1.0 - (1.2 - 1.0) * (rm - 0.30) / (0.30 - 0.20)
    roots = beta_star_roots(inp, rm, 1.0)
    assert min(abs(r - approx) for r in roots) < 0.005


def test_leave_one_out_equals_pyfixest_without_that_level():
    ctx, spec, d = _design(seed=6, fixed_effects=["firm+year"], cluster=["industry"])
    loo = leave_one_out_fits(ctx, spec.baseline(), ("year", "industry"), 0.05)
    t = loo.table
    assert set(t["by"]) == {"year", "industry"} and t["estimable"].all()
    data = ctx.variants.winsorized("baseline", 0.01).iloc[d.rowset.rows].reset_index(drop=True)
    for by, level in [("year", "2013"), ("industry", "I03")]:
        row = t[(t["by"] == by) & (t["level"] == level)].iloc[0]
        sub = data[data[by].astype(str) != level]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = pf.feols("y ~ x + c1 + c2 | firm + year", sub, vcov={"CRV1": "industry"}, ssc=SSC,
                         demeaner=DEMEANER, fixef_rm="singleton")
        assert row["estimate"] == pytest.approx(m.coef()["x"], rel=1e-8)
        assert row["std_error"] == pytest.approx(m.se()["x"], rel=1e-6)
    r = loo.ranges()
    assert (r["min"] <= loo.headline).all() and (r["max"] >= loo.headline).all()


def test_group_codes_equal_pandas_ngroup():
    """The fast codes are pandas' sorted groupby numbering, missing parts -1."""
    from nqp.robustness.fit import group_codes

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.choice(["x", "y", None, "b"], 500), "b": rng.integers(0, 5, 500).astype(float),
                       "c": rng.choice([3, 1, 2], 500)})
    df.loc[rng.random(500) < 0.1, "b"] = np.nan
    # eight parts of ~490 levels each (of 500 rows): their mixed-radix code, ~3e21, would overflow int64
    wide = [f"w{i}" for i in range(8)]
    for w in wide:
        df[w] = rng.integers(0, 20_000, 500).astype(str)
    assert np.prod([float(df[w].nunique()) for w in wide]) > 2.0**63
    for cols in (["a"], ["b"], ["c"], ["a", "b"], ["c", "a", "b"], wide):
        ref = df.groupby(cols, sort=True, dropna=True).ngroup().to_numpy()
        got = group_codes(df, cols)
        assert np.array_equal(got < 0, np.isnan(ref))
        assert np.array_equal(got[got >= 0], ref[~np.isnan(ref)])


def test_within_year_permutations_keep_each_year_and_differ():
    years = np.random.default_rng(1).integers(0, 6, 300)
    perms = permutations(years, 20, np.random.default_rng(2), "within_year")
    for p in perms:
        assert np.array_equal(years[p], years) and np.array_equal(np.sort(p), np.arange(300))
    assert len({p.tobytes() for p in perms}) == 20
