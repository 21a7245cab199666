"""Capacity utilisation (产能利用率) is planted in the raw files: main-business revenue lies
below a Cobb-Douglas frontier of total assets and employees by a one-sided u >= 0, and E[u]
falls with AI (docs/synthetic-data.md).

Computed from the raw files with plain pandas (FN_Regrev Mbrev, FS_Combas A001000000 of the
consolidated year-end rows, STK_CompanyStaff P5701 head count) on the firm-years the panel estimates it on
(ST/PT and industry J dropped). Oracles: statsmodels OLS residual skewness and scipy (the
frontier needs negative skew), the planted truth/firm_year.parquet ``cu_true`` = exp(−u), and
pyfixest two-way FE for the within-firm AI effect."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from nqp.errors import WrongSkewnessWarning
from nqp.measures.frontier import capacity_utilisation

pf = pytest.importorskip("pyfixest")

# documented range of the mean planted CU (docs/synthetic-data.md; Chinese CU studies ≈ 0.6-0.8)
CU_RANGE = (0.6, 0.8)
SPEARMAN_MIN = 0.6  # estimated vs planted CU (≈ 0.78 at scale 0.2 for seeds 1-3 and the default)


@pytest.fixture(scope="module")
def cu_panel(calib, calib_panel):
    out, _ = calib
    truth = pd.read_parquet(out / "truth" / "firm_year.parquet")
    d = calib_panel[~calib_panel["st"] & ~calib_panel["financial"]]
    d = d.merge(truth[["stkcd", "year", "cu_true", "ln_frontier"]].rename(columns={"stkcd": "Stkcd"}),
                on=["Stkcd", "year"], how="left")
    d = d.assign(rev=pd.to_numeric(d["Mbrev"]), ta=pd.to_numeric(d["A001000000"]),
                 emp=pd.to_numeric(d["Empnum"]))
    d = d.dropna(subset=["rev", "ta", "emp"]).reset_index(drop=True)
    assert len(d) > 5000 and d["cu_true"].notna().all()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d["cu"] = capacity_utilisation(d, revenue="rev", assets="ta", employees="emp", firm="Stkcd", year="year")
    d.attrs["warnings"] = [w.category for w in caught]
    return d


def test_frontier_residuals_are_negatively_skewed(cu_panel):
    d = cu_panel.assign(lrev=np.log(cu_panel["rev"]), lta=np.log(cu_panel["ta"]), lemp=np.log(cu_panel["emp"]))
    r = smf.ols("lrev ~ lta + lemp + C(year)", data=d).fit()
    assert stats.skew(r.resid) < -0.3, stats.skew(r.resid)
    # elasticities near the planted 0.75 (assets) and 0.2 (employees); u is mildly correlated
    # with the inputs through AI, so only roughly
    assert 0.65 < r.params["lta"] < 0.85 and 0.1 < r.params["lemp"] < 0.3, r.params


def test_no_wrong_skewness_and_mean_in_range(cu_panel):
    assert WrongSkewnessWarning not in cu_panel.attrs["warnings"]
    cu = cu_panel["cu"]
    assert cu.notna().all() and cu.between(0, 1).all()
    assert cu.std() > 0.05  # not the constant CU = 1 of a frontier without inefficiency
    assert CU_RANGE[0] < cu.mean() < CU_RANGE[1], cu.mean()
    assert CU_RANGE[0] < cu_panel["cu_true"].mean() < CU_RANGE[1]
    assert abs(cu.mean() - cu_panel["cu_true"].mean()) < 0.05


def test_estimated_cu_tracks_planted_truth(cu_panel):
    rho = stats.spearmanr(cu_panel["cu"], cu_panel["cu_true"]).statistic
    assert rho > SPEARMAN_MIN, rho


def test_truth_frontier_matches_files(cu_panel):
    # ln Mbrev = ln frontier + v − u, v ~ N(0, 0.22²): the remainder after the planted frontier
    # and u must look like symmetric noise of that size (Mbrev is rounded to fen: negligible)
    v = np.log(cu_panel["rev"]) - cu_panel["ln_frontier"] - np.log(cu_panel["cu_true"])
    assert abs(v.mean()) < 0.02 and 0.2 < v.std() < 0.24 and abs(stats.skew(v)) < 0.15, (v.mean(), v.std())


def test_ai_raises_capacity_utilisation_within_firm(cu_panel):
    d = cu_panel.dropna(subset=["lnAI"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = pf.feols("cu ~ lnAI | Stkcd + year", data=d, vcov={"CRV1": "Stkcd"})
        rt = pf.feols("cu_true ~ lnAI | Stkcd + year", data=d, vcov={"CRV1": "Stkcd"})
    b, t = r.coef()["lnAI"], r.tstat()["lnAI"]
    assert b > 0 and t > 2, (b, t)
    # the estimate is attenuated relative to the truth, but not far off
    assert 0.4 < b / rt.coef()["lnAI"] < 1.6, (b, rt.coef()["lnAI"])
