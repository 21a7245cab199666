"""TFP estimators recover the elasticities planted in simulated panels (known truth).

DGPs: nqp.measures.tfp.simulate (ACF 2015 / prodest panelSim; alpha_l = 0.6, alpha_k = 0.4), and a
firm-effect DGP for FE. Tolerances (absolute, on the elasticity) are stated per test and in
docs/validation.md; each is about 4-5 sampling sd. Sampling sd at 2,000 firms x 10 years (5-8 seeds):
LP beta_l 0.002, beta_k 0.01; ACF beta_l 0.005, beta_k 0.012; OP beta_l 0.002, beta_k 0.008.
"""

import numpy as np
import pytest

from nqp.measures.tfp import fe_panel_sim, panel_sim, tfp

KW = dict(output="y", free="l", state="k", firm="firm", year="year", take_logs=False)
TRUE_L, TRUE_K = 0.6, 0.4


@pytest.fixture(scope="module")
def dgp1():
    return panel_sim(2000, 10, dgp=1, seed=11)


@pytest.fixture(scope="module")
def dgp2():
    return panel_sim(2000, 10, dgp=2, seed=12)


def test_lp_recovers_truth_in_dgp2(dgp2):
    r = tfp(dgp2, "lp", proxy="m", **KW)
    assert abs(r.coef["l"] - TRUE_L) < 0.02
    assert abs(r.coef["k"] - TRUE_K) < 0.05
    assert r.converged
    # stage 2 uses only firm-years whose previous year is present: 9 of 10 years per firm
    assert r.nobs == 20000 and r.nobs_stage2 == 18000


def test_lp_fails_in_dgp1_as_acf_show(dgp1):
    # In DGP 1 y = m + eps exactly, so LP's stage 1 cannot identify beta_l (ACF 2015, Section 3)
    r = tfp(dgp1, "lp", proxy="m", **KW)
    assert abs(r.coef["l"] - TRUE_L) > 0.3


@pytest.mark.parametrize("dgp", [1, 3])
def test_acf_recovers_truth(dgp, dgp1):
    d = dgp1 if dgp == 1 else panel_sim(2000, 10, dgp=3, seed=13)
    r = tfp(d, "acf", proxy="m", **KW)
    assert abs(r.coef["l"] - TRUE_L) < 0.03
    assert abs(r.coef["k"] - TRUE_K) < 0.05
    assert r.converged


def test_ols_biased_upward_on_labour(dgp1):
    r = tfp(dgp1, "ols", **KW)
    assert r.coef["l"] > TRUE_L + 0.2  # labour responds to omega: positive bias (Marschak-Andrews)


def test_op_recovers_truth_with_scalar_unobservable():
    # investment depends on omega only (no firm-specific adjustment cost, so it is invertible); a
    # capital-installation shock gives k variation independent of omega_{t-1} (without it beta_k is
    # only weakly identified). Sampling sd over 8 seeds: beta_l 0.002, beta_k 0.008.
    d = panel_sim(2000, 10, dgp=2, adj_cost_sd=0.0, capital_shock_sd=0.6, seed=14)
    r = tfp(d, "op", proxy="inv", **KW)
    assert abs(r.coef["l"] - TRUE_L) < 0.02
    assert abs(r.coef["k"] - TRUE_K) < 0.04


def test_fe_recovers_truth_with_time_invariant_productivity():
    d = fe_panel_sim(1500, 10, beta_l=0.6, beta_k=0.3, seed=15)
    fe = tfp(d, "fe", **KW)
    ols = tfp(d, "ols", **KW)
    assert abs(fe.coef["l"] - 0.6) < 0.02 and abs(fe.coef["k"] - 0.3) < 0.02
    assert ols.coef["l"] > 0.6 + 0.2
    # ln TFP includes the firm effect; removing it leaves year effect + noise
    tfp_fe = fe.tfp.to_numpy()
    x = fe.coef["l"] * d["l"].to_numpy() + fe.coef["k"] * d["k"].to_numpy()
    np.testing.assert_allclose(tfp_fe, d["y"].to_numpy() - x)
    excl = fe.tfp_excl_firm_effect.to_numpy()
    assert np.corrcoef(tfp_fe - excl, d["firm_effect"])[0, 1] > 0.99
    assert np.corrcoef(excl, d["year_effect"])[0, 1] > 0.7


def test_tfp_is_output_minus_inputs_and_aligned(dgp2):
    d = dgp2.sample(frac=1.0, random_state=1)  # shuffled rows, non-default index order
    r = tfp(d, "lp", proxy="m", **KW)
    expected = d["y"] - r.coef["l"] * d["l"] - r.coef["k"] * d["k"]
    np.testing.assert_allclose(r.tfp.loc[d.index].to_numpy(), expected.to_numpy())
    assert list(r.tfp.index) == list(d.index)
    # ln TFP tracks the true omega
    assert np.corrcoef(r.tfp, d["omega"])[0, 1] > 0.9


def test_by_industry_matches_separate_fits(dgp2):
    d = dgp2.assign(ind=np.where(dgp2["firm"] % 2 == 0, "C1", "C2"))
    r = tfp(d, "lp", proxy="m", industry="ind", **KW)
    alone = tfp(d[d["ind"] == "C1"], "lp", proxy="m", **KW)
    np.testing.assert_allclose(r.coef.loc["C1"].to_numpy(), alone.coef.to_numpy())
    np.testing.assert_allclose(r.tfp[d["ind"] == "C1"].to_numpy(), alone.tfp.to_numpy())
    assert r.nobs == 20000
