"""SSN joint inference: each bootstrap t* equals a pyfixest refit; p-values uniform under the null."""

import warnings

import numpy as np
import pyfixest as pf
import pytest
from pyfixest.demeaners import MapDemeaner
from scipy import stats

from nqp.robustness import RobustnessSpec
from nqp.robustness.multiverse import build_design, make_context, run_curve
from nqp.robustness.null_inference import NullDraws, summarise_null

from .simdata import MODEL, sim_frame, sim_source, small_spec

SSC = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
DEMEANER = MapDemeaner(fixef_tol=1e-13, fixef_maxiter=100_000)


@pytest.mark.parametrize("fe", ["firm+industry^year", "firm+year"])
def test_bootstrap_t_equals_a_refit(fe):
    # firm and industry^year effects lie inside industries, the draw unit; year does not and is
    # carried as partialled dummies: the closed form is exact either way
    spec = RobustnessSpec.from_dict(small_spec(fixed_effects=[fe], cluster=["industry", "firm+year"],
                                               sample=["baseline"], winsorize=[0.0], controls=["paper"]),
                                    min_draws=1)
    ctx = make_context(sim_source(sim_frame(seed=21)), spec, **MODEL)
    nd = NullDraws(ctx, draws=4, seed=7, unit="industry")
    curve = run_curve(ctx, hook=nd)
    d = build_design(ctx, spec.baseline())
    data = ctx.variants.winsorized("baseline", 0.0).iloc[d.rowset.rows].reset_index(drop=True)
    fml = "y ~ x + c1 + c2 | " + fe.replace("+", " + ")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols(fml, data, vcov={"CRV1": "industry"}, ssc=SSC, demeaner=DEMEANER)
    b = float(m.coef()["x"])
    e = m.resid()
    ystar = data["y"] - b * data["x"]  # the null imposed: y* = y - b x
    g = nd.labels.get_indexer(data["industry"].astype(str))
    for row in curve.table.itertuples():
        for draw in range(4):
            v = nd.V[g, draw]
            boot = data.assign(y=ystar - e + e * v)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = pf.feols(fml, boot, vcov={"CRV1": row.cluster}, ssc=SSC, demeaner=DEMEANER)
            assert nd.beta[row.id][draw] == pytest.approx(r.coef()["x"], abs=1e-10)
            assert nd.t[row.id][draw] == pytest.approx(r.tstat()["x"], rel=1e-7)


def _null_pvalues(seed: int) -> dict[str, float]:
    spec = RobustnessSpec.from_dict(small_spec(fixed_effects=["firm+year", "firm+industry^year"],
                                               cluster=["industry", "firm"], sample=["baseline"],
                                               winsorize=[0.0, 0.05], controls=["paper", "extended"]), min_draws=1)
    # every specification controls for c1 (x is correlated with c1, which moves y): the null of
    # no effect holds in each of them (without c1 the estimate is biased, the null false)
    ctx = make_context(sim_source(sim_frame(n_firms=80, n_years=6, beta=0.0, seed=seed, n_industries=14)), spec,
                       **MODEL)
    nd = NullDraws(ctx, draws=199, seed=seed + 1000, unit="industry")
    res = summarise_null(run_curve(ctx, hook=nd), nd, seed)
    return {k: t.p_value for k, t in res.tests.items()}


def test_joint_pvalues_are_uniform_under_a_true_null():
    """Monte Carlo: 60 null data sets (firm + year effects, industry-year shocks), 199 draws each.
    Tolerances: the share rejected at 10% is below 15/60 (P[Bin(60, .1) >= 15] ~ 0.002) for each
    statistic, and for the median and Stouffer's Z a KS test against U(0, 1) does not reject at
    0.001. The share statistic is discrete (most null curves have no significant specification:
    p = 1), so only its size is checked."""
    ps = [_null_pvalues(s) for s in range(60)]
    for key in ("median_estimate", "share_significant", "stouffer_z"):
        p = np.array([d[key] for d in ps])
        assert np.sum(p <= 0.10) < 15, (key, np.sort(p)[:10])
    for key in ("median_estimate", "stouffer_z"):
        p = np.array([d[key] for d in ps])
        assert stats.kstest(p, "uniform").pvalue > 0.001, (key, np.sort(p))
        assert np.mean(p <= 0.5) > 0.3  # not degenerate at 1


def test_planted_effect_is_detected():
    spec = RobustnessSpec.from_dict(small_spec(cluster=["industry"], sample=["baseline"], winsorize=[0.0]),
                                    min_draws=1)
    ctx = make_context(sim_source(sim_frame(beta=0.5, seed=4)), spec, **MODEL)
    nd = NullDraws(ctx, draws=199, seed=1, unit="industry")
    res = summarise_null(run_curve(ctx, hook=nd), nd, 1)
    assert all(t.p_value < 0.01 for t in res.tests.values())
    assert res.band.shape[0] == res.n_specifications
