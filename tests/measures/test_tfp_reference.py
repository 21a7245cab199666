"""OLS and FE TFP against reference implementations no one here wrote.

No published coefficient table with its data was found for any TFP estimator (OP, LP, ACF; see
docs/validation.md, "TFP", for what was searched), so the proxy methods stay checked by planted
truth and by levpet's steps (test_tfp_recovery.py, test_tfp_levpet.py). The two regression
methods do have exact references: the "FE method" (固定效应法) is the two-way within estimator of
linearmodels ``PanelOLS(entity_effects, time_effects)`` and pyfixest ``feols(y ~ l + k | firm +
year)``; the OLS method is statsmodels OLS with year dummies. The panel is unbalanced (10 % of
firm-years dropped) and has a firm seen once, as real A-share panels do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.formula.api as smf
from linearmodels.panel import PanelOLS

from nqp.measures.tfp import fe_panel_sim, tfp

pytestmark = pytest.mark.filterwarnings("ignore:.*singleton fixed effect")
ARGS = dict(output="y", free="l", state="k", firm="firm", year="year", take_logs=False)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    d = fe_panel_sim(300, 8, seed=5)
    single = pd.DataFrame({"firm": [9999], "year": [2012], "y": [1.0], "l": [1.0], "k": [1.0]})
    return pd.concat([d[["firm", "year", "y", "l", "k"]], single], ignore_index=True)


def test_fe_equals_linearmodels_and_pyfixest_two_way_within(panel):
    r = tfp(panel, "fe", **ARGS)
    p = panel.set_index(["firm", "year"])
    lm = PanelOLS(p["y"], p[["l", "k"]], entity_effects=True, time_effects=True).fit()
    np.testing.assert_allclose(r.coef[["l", "k"]].to_numpy(), lm.params[["l", "k"]].to_numpy(), atol=1e-10)
    fx = pf.feols("y ~ l + k | firm + year", data=panel)
    np.testing.assert_allclose(r.coef[["l", "k"]].to_numpy(), fx.coef()[["l", "k"]].to_numpy(), atol=1e-10)
    assert r.nobs == len(panel)


def test_fe_firm_effects_equal_pyfixest_up_to_normalisation(panel):
    """ln TFP (FE) keeps the firm effect: ln TFP − tfp_excl_firm_effect = â_i. pyfixest's firm
    effects differ from nqp's only by where the year effects are normalised, one constant
    (pyfixest recovers them by alternating projections, so to about 1e-6 only)."""
    r = tfp(panel, "fe", **ARGS)
    a_nqp = (r.tfp - r.tfp_excl_firm_effect).groupby(panel["firm"]).first()
    fx = pf.feols("y ~ l + k | firm + year", data=panel)
    a_pf = pd.Series(fx.fixef()["C(firm)"]).rename(index=int).reindex(a_nqp.index)
    multi = panel["firm"].value_counts().loc[a_nqp.index] > 1  # pyfixest drops singleton firms
    gap = (a_nqp - a_pf)[multi.to_numpy()]
    assert gap.notna().all() and len(gap) == 300
    assert np.ptp(gap.to_numpy()) < 1e-5  # firm effects have sd 0.5; an error would show at 1e-2


def test_ols_equals_statsmodels_with_year_dummies(panel):
    r = tfp(panel, "ols", **ARGS)
    so = smf.ols("y ~ l + k + C(year)", data=panel).fit()
    np.testing.assert_allclose(r.coef[["l", "k"]].to_numpy(), so.params[["l", "k"]].to_numpy(), atol=1e-10)
    # ln TFP = y − β̂'x = constant + year effect + residual
    rest = so.fittedvalues - so.params["l"] * panel["l"] - so.params["k"] * panel["k"] + so.resid
    np.testing.assert_allclose(r.tfp.to_numpy(), rest.to_numpy(), atol=1e-9)
