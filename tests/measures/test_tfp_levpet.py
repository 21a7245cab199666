"""LP value added step by step as Stata levpet's lp_srch.ado / lp_bs_ss.ado describe it, written
independently in the test with statsmodels OLS and pandas lags, against nqp's fast path."""

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.optimize import minimize_scalar

from nqp.measures.tfp import panel_sim, tfp


def test_lp_matches_levpet_steps_written_with_statsmodels():
    d = panel_sim(400, 10, dgp=2, seed=41)
    d = d[~((d["firm"] % 7 == 0) & (d["year"] == 6))]  # some gaps
    d = d.sort_values(["firm", "year"]).reset_index(drop=True)
    k, m = d["k"], d["m"]
    # levpet stage 1: y on the free input and k, m, k2, m2, k3, m3, k2m, km2, km (+ constant)
    X = sm.add_constant(pd.DataFrame({"l": d["l"], "x10": k, "x01": m, "x20": k**2, "x02": m**2, "x30": k**3,
                                      "x03": m**3, "x21": k**2 * m, "x12": k * m**2, "x11": k * m}))
    s1 = sm.OLS(d["y"], X).fit()
    bl = s1.params["l"]
    phihat = s1.fittedvalues - bl * d["l"]
    rssterm = d["y"] - bl * d["l"]
    prev_year = d.groupby("firm")["year"].shift(1)
    ok = (prev_year == d["year"] - 1).to_numpy()  # tsset L. : the previous year of the same firm only
    phil = phihat.groupby(d["firm"]).shift(1).to_numpy()
    kl = k.groupby(d["firm"]).shift(1).to_numpy()

    def ssr(bk):  # lp_bs_ss: omega on omegal, omegal^2, omegal^3; sum of (rssterm - bk k - ohat)^2
        omega = (phihat - bk * k).to_numpy()[ok]
        omegal = phil[ok] - bk * kl[ok]
        ohat = sm.OLS(omega, sm.add_constant(np.column_stack([omegal, omegal**2, omegal**3]))).fit().fittedvalues
        r = rssterm.to_numpy()[ok] - bk * k.to_numpy()[ok] - ohat
        return r @ r

    bk = minimize_scalar(ssr, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-9}).x
    r = tfp(d, "lp", output="y", free="l", state="k", proxy="m", firm="firm", year="year", take_logs=False)
    assert abs(r.coef["l"] - bl) < 1e-9
    assert abs(r.coef["k"] - bk) < 1e-6
    assert r.nobs_stage2 == int(ok.sum())
