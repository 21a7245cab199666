"""2SLS (and OLS) against linearmodels 7.1 IV2SLS with the fixed effects as dummy variables,
and the IV diagnostics hook against published ivreg2 output (MROZ).

linearmodels with ``debiased=True`` scales by n/(n-k) (unadjusted, robust) and
(n-1)/(n-k)·G/(G-1) (clustered), k counting every dummy column, which equals reghdfe's
K + df_a when the FE graph is connected and no FE is nested in the cluster variable
(so the clustered comparison uses a cluster variable that nests no FE).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

IV2SLS = pytest.importorskip("linearmodels.iv").IV2SLS

from nqp.econometrics import feols  # noqa: E402
from nqp.econometrics.simulate import simulate_panel  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"


def _dummies(df: pd.DataFrame, col: str) -> pd.DataFrame:
    d = pd.get_dummies(df[col].astype(str), prefix=col, drop_first=True, dtype=float)
    return d


def _lm_fit(df, dep, exog_cols, fe, endog, instr, cov, clusters=None):
    parts = [pd.Series(1.0, index=df.index, name="const"), df[exog_cols]]
    parts += [_dummies(df, f) for f in fe]
    exog = pd.concat(parts, axis=1)
    m = IV2SLS(df[dep], exog, df[endog] if endog else None, df[instr] if instr else None)
    kw = {"clusters": clusters} if cov == "clustered" else {}
    return m.fit(cov_type=cov, debiased=True, **kw)


@pytest.mark.parametrize("seed", range(4))
def test_iv_with_dummies_matches_linearmodels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    df, _ = simulate_panel(n_firms=int(rng.integers(40, 90)), n_years=int(rng.integers(4, 9)), seed=50 + seed,
                           n_industries=8, missing_share=0.02)
    df["cl"] = rng.integers(0, 12, len(df))  # a cluster variable that nests no FE
    fe = ["firm", "year"] if seed % 2 == 0 else ["firm"]
    fml = f"y ~ x + c1 | {' + '.join(fe)} | d ~ z1 + z2"
    for ours_vcov, lm_cov in [("iid", "unadjusted"), ("hc1", "robust"), ({"CRV1": "cl"}, "clustered")]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = feols(fml, df, vcov=ours_vcov, tol=1e-13)
        used = df.loc[r.obs_index]
        lm = _lm_fit(used, "y", ["x", "c1"], fe, ["d"], ["z1", "z2"], lm_cov,
                     clusters=used["cl"] if lm_cov == "clustered" else None)
        for name in ["d", "x", "c1"]:
            np.testing.assert_allclose(r.coef[name], lm.params[name], rtol=1e-8)
            np.testing.assert_allclose(r.se[name], lm.std_errors[name], rtol=1e-6, err_msg=f"{fml} {ours_vcov}")
        # first stage equals OLS of d on the instruments and exogenous regressors
        fs = _lm_fit(used, "d", ["x", "c1", "z1", "z2"], fe, [], [], lm_cov,
                     clusters=used["cl"] if lm_cov == "clustered" else None)
        for name in ["z1", "z2", "x"]:
            np.testing.assert_allclose(r.first_stage["d"].coef[name], fs.params[name], rtol=1e-8)
            np.testing.assert_allclose(r.first_stage["d"].se[name], fs.std_errors[name], rtol=1e-6)


def test_ols_with_dummies_matches_linearmodels() -> None:
    df, _ = simulate_panel(n_firms=70, n_years=6, seed=7, missing_share=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = feols("y ~ x + c1 + c2 | firm + year", df, vcov="hc1", tol=1e-13)
    used = df.loc[r.obs_index]
    lm = _lm_fit(used, "y", ["x", "c1", "c2"], ["firm", "year"], [], [], "robust")
    np.testing.assert_allclose(r.coef.to_numpy(), lm.params[["x", "c1", "c2"]].to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(r.se.to_numpy(), lm.std_errors[["x", "c1", "c2"]].to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(r.r2, lm.rsquared, rtol=1e-9)


def test_mroz_no_fe_iv_and_ivreg2_diagnostics() -> None:
    """ivreg2 lwage exper expersq (educ = age kidslt6 kidsge6): coefficients and SEs vs
    linearmodels; the Cragg-Donald F stored with ivreg2 4.1 output (4.342070862428497, the
    figure tests/econometrics/test_iv_diagnostics.py also uses) reached through feols."""
    d = pd.read_csv(DATA / "mroz_ivreg2.csv")
    r = feols("lwage ~ exper + expersq | 0 | educ ~ age + kidslt6 + kidsge6", d)
    r2 = feols("lwage ~ exper + expersq | educ ~ age + kidslt6 + kidsge6", d)  # fixest style
    pd.testing.assert_series_equal(r.coef, r2.coef)
    lm = IV2SLS.from_formula("lwage ~ 1 + exper + expersq + [educ ~ age + kidslt6 + kidsge6]", d).fit(
        cov_type="unadjusted", debiased=True)
    for name, lname in [("educ", "educ"), ("exper", "exper"), ("Intercept", "Intercept")]:
        np.testing.assert_allclose(r.coef[name], lm.params[lname], rtol=1e-9)
        np.testing.assert_allclose(r.se[name], lm.std_errors[lname], rtol=1e-8)
    if r.iv_diagnostics is not None:
        np.testing.assert_allclose(r.iv_diagnostics.cragg_donald_f, 4.342070862428497, rtol=1e-7)


def test_known_truth_recovered() -> None:
    """Planted coefficients: 2SLS recovers the endogenous one, OLS is biased away from it."""
    df, truth = simulate_panel(1500, seed=21, n_industries=40, missing_share=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        iv = feols("y ~ x + c1 + c2 + c3 + c4 + c5 | firm + year | d ~ z1 + z2", df, cluster="industry")
        ols = feols("y ~ x + c1 + c2 + c3 + c4 + c5 + d | firm + year", df, cluster="industry")
    assert abs(iv.coef["d"] - truth.beta_endog) < 4 * iv.se["d"]
    assert abs(iv.coef["x"] - truth.beta_x) < 4 * iv.se["x"]
    for j, b in enumerate(truth.beta_controls):
        assert abs(iv.coef[f"c{j + 1}"] - b) < 4 * iv.se[f"c{j + 1}"]
    assert ols.coef["d"] - truth.beta_endog > 5 * ols.se["d"]  # endogeneity bias is real
    assert iv.first_stage["d"].coef["z1"] == pytest.approx(truth.first_stage[0], abs=0.1)


def test_two_way_fe_matches_panelols() -> None:
    """linearmodels PanelOLS(entity_effects, time_effects, debiased=True): unadjusted, robust,
    and clustered with ``group_debias=True`` (G/(G-1)) on a cluster variable nesting no FE.
    (With firm nested in the cluster, PanelOLS keeps counting the firm effects; reghdfe and
    fixest do not -- a documented difference, not tested here.)"""
    from linearmodels import PanelOLS

    df, _ = simulate_panel(120, seed=4, missing_share=0.02)
    df["cl"] = np.random.default_rng(0).integers(0, 15, len(df))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = feols("y ~ x + c1 | firm + year", df)
        p = df.loc[base.obs_index].assign(fid=lambda d: pd.factorize(d["firm"])[0]).set_index(["fid", "year"])
        for vcov, kw in [("iid", {"cov_type": "unadjusted"}), ("hc1", {"cov_type": "robust"}),
                         ({"CRV1": "cl"}, {"cov_type": "clustered", "clusters": p[["cl"]], "group_debias": True})]:
            r = feols("y ~ x + c1 | firm + year", df, vcov=vcov)
            m = PanelOLS(p["y"], p[["x", "c1"]], entity_effects=True, time_effects=True).fit(debiased=True, **kw)
            np.testing.assert_allclose(r.coef.to_numpy(), m.params.to_numpy(), rtol=1e-8)
            np.testing.assert_allclose(r.se.to_numpy(), m.std_errors.to_numpy(), rtol=1e-6, err_msg=str(vcov))
