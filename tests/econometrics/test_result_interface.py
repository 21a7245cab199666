"""The common result interface of FeolsResult / IVResult (tidy, glance, to_dict, repr,
_repr_html_, warnings) and ``with_vcov``, checked against pyfixest 0.60, linearmodels and
statsmodels on the same data, and the other results (entropy index, frontier, TFP, financing
constraint indices) against hand computations, published FRONTIER 4.1 output and pyfixest (pyfixest set to reghdfe's small-sample conventions, as in
``test_ols_vs_pyfixest.py``)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pf = pytest.importorskip("pyfixest")
sm = pytest.importorskip("statsmodels.api")
from pyfixest.demeaners import MapDemeaner  # noqa: E402

from nqp.econometrics import FeolsResult, feols  # noqa: E402
from nqp.econometrics.simulate import simulate_panel  # noqa: E402
from nqp.errors import CollinearityWarning, EstimationError, SingletonWarning  # noqa: E402
from nqp.results import TIDY_COLUMNS, ModelResult  # noqa: E402

SSC = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
DEMEANER = MapDemeaner(fixef_tol=1e-13, fixef_maxiter=100_000)
OLS = "y ~ x + c1 + c2 | firm + year"
IV = "y ~ c1 + c2 | firm + year | d ~ z1 + z2"
LEGACY_KEYS = {"formula", "depvar", "estimator", "vcov_type", "ssc", "coefficients", "nobs", "df_resid",
               "df_absorbed", "r2", "adj_r2", "r2_within", "adj_r2_within", "rmse", "f_stat", "f_pvalue",
               "fixef_sizes", "n_clusters", "n_singletons", "n_missing", "dropped_collinear", "converged"}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    df, _ = simulate_panel(220, seed=5, missing_share=0.02, n_singleton_firms=3, n_industries=25)
    df["c_dup"] = 2 * df["c1"]  # collinear with c1
    return df


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def pyfixest(fml, df, vcov, ssc=SSC):
    return quiet(pf.feols, fml, df, vcov=vcov, ssc=ssc, demeaner=DEMEANER)


def assert_same_as_pyfixest(r: FeolsResult, m) -> None:
    """Coefficients 1e-8, SEs 1e-6, and tidy's interval against pyfixest's confint."""
    t = r.tidy().set_index("term")
    names = list(m.coef().index)
    assert sorted(names) == sorted(t.index)
    np.testing.assert_allclose(t.loc[names, "estimate"], m.coef()[names], rtol=1e-8)
    np.testing.assert_allclose(t.loc[names, "std_error"], m.se()[names], rtol=1e-6)
    np.testing.assert_allclose(t.loc[names, "statistic"], m.tstat()[names], rtol=1e-6)
    np.testing.assert_allclose(t.loc[names, "p_value"], m.pvalue()[names], rtol=1e-5, atol=1e-12)
    ci = m.confint().loc[names]
    np.testing.assert_allclose(t.loc[names, "conf_low"], ci.iloc[:, 0], rtol=1e-6)
    np.testing.assert_allclose(t.loc[names, "conf_high"], ci.iloc[:, 1], rtol=1e-6)


@pytest.mark.parametrize("vcov", ["iid", "hetero", {"CRV1": "industry"}, {"CRV1": "firm+year"}])
def test_tidy_matches_pyfixest(panel, vcov):
    ours = vcov if not isinstance(vcov, str) else {"iid": "iid", "hetero": "hc1"}[vcov]
    r = quiet(feols, OLS, panel, vcov=ours, tol=1e-13)
    assert list(r.tidy().columns) == list(TIDY_COLUMNS)
    assert_same_as_pyfixest(r, pyfixest(OLS, panel, vcov))


def test_tidy_of_iv_matches_pyfixest(panel):
    r = quiet(feols, IV, panel, cluster="industry", tol=1e-13)
    assert_same_as_pyfixest(r, pyfixest(IV, panel, {"CRV1": "industry"}))


def test_tidy_interval_matches_statsmodels_without_fe(panel):
    d = panel.dropna(subset=["y", "x", "c1"])
    r = quiet(feols, "y ~ x + c1", d, vcov="hc1")
    s = sm.OLS(d["y"], sm.add_constant(d[["x", "c1"]])).fit(cov_type="HC1", use_t=True)
    t = r.tidy(level=0.9).set_index("term")
    ci = s.conf_int(alpha=0.1).rename(index={"const": "Intercept"})
    np.testing.assert_allclose(t.loc[ci.index, "conf_low"], ci[0], rtol=1e-8)
    np.testing.assert_allclose(t.loc[ci.index, "conf_high"], ci[1], rtol=1e-8)


def test_glance_scalars(panel):
    r = quiet(feols, OLS, panel, cluster="industry", tol=1e-13)
    m = pyfixest(OLS, panel, {"CRV1": "industry"})
    g = r.glance()
    assert isinstance(r, ModelResult)
    assert g["nobs"] == m._N
    np.testing.assert_allclose([g["r2"], g["adj_r2"], g["r2_within"]], [m._r2, m._adj_r2, m._r2_within], rtol=1e-8)
    sample = panel.loc[r.obs_index]
    assert g["n_clusters"] == sample["industry"].nunique() == g["n_clusters_by"]["industry"]
    assert g["fixed_effects"] == ["firm", "year"] and g["cluster"] == ["industry"]
    assert g["vcov_type"] == "CRV1 (industry)" and g["ssc"] == "reghdfe"
    assert g["df_resid"] == sample["industry"].nunique() - 1
    resid = np.asarray(m.resid())
    df_a = sample["firm"].nunique() + sample["year"].nunique() - 1  # connected firm-year graph
    np.testing.assert_allclose(g["rmse"], np.sqrt(resid @ resid / (m._N - len(m.coef()) - df_a)), rtol=1e-7)
    two = quiet(feols, OLS, panel, cluster="firm+year")
    assert two.glance()["n_clusters"] == min(panel.loc[two.obs_index, c].nunique() for c in ("firm", "year"))
    assert quiet(feols, OLS, panel).glance()["cluster"] is None


def test_iv_glance_first_stage_f_matches_statsmodels(panel):
    """ivreg2's first-stage F with iid VCE is the classical F test of the excluded instruments
    in the first-stage regression (here without FE: statsmodels OLS + f_test)."""
    d = panel.dropna(subset=["y", "d", "c1", "z1", "z2"])
    r = quiet(feols, "y ~ c1 | d ~ z1 + z2", d)
    g = r.glance()
    fs = sm.OLS(d["d"], sm.add_constant(d[["c1", "z1", "z2"]])).fit()
    f = fs.f_test("z1 = 0, z2 = 0")
    np.testing.assert_allclose(g["first_stage_f"]["d"], float(np.squeeze(f.fvalue)), rtol=1e-8)
    assert g["endog"] == ["d"] and g["instruments"] == ["z1", "z2"]
    assert g["weak_id_f"] == pytest.approx(g["cragg_donald_f"])  # iid: Cragg-Donald


def test_to_dict_is_json_and_keeps_the_old_keys(panel):
    r = quiet(feols, IV, panel, cluster="industry")
    d = r.to_dict()
    assert LEGACY_KEYS <= set(d)
    text = json.dumps(d, allow_nan=False)  # no NaN/inf, only JSON types
    back = json.loads(text)
    assert back["status"] == "ok" and back["cluster"] == ["industry"] and back["fixed_effects"] == ["firm", "year"]
    assert back["coefficients"][0]["name"] == "d"
    assert set(back["first_stage"]) == {"d"} and back["iv_diagnostics"]["n_endog"] == 1


def test_repr_is_one_line_and_html_is_a_table(panel):
    r = quiet(feols, OLS, panel, cluster="industry")
    text = repr(r)
    assert "\n" not in text and len(text) < 200 and text.startswith("<FeolsResult OLS")
    assert f"nobs={r.nobs:,}" in text
    html = r._repr_html_()
    assert html.count("<tr>") >= len(r.coef) + 1 and "std_error" in html
    assert "\n" not in repr(quiet(feols, IV, panel))


def test_warnings_are_kept_on_the_result_and_still_emitted(panel):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = feols("y ~ x + c1 + c_dup | firm + year", panel)
    assert {type(w.message) for w in rec} == {SingletonWarning, CollinearityWarning}
    assert all(w.filename == __file__ for w in rec)  # they point at the caller's line, as before
    assert len(r.warnings) == 2
    assert any("c_dup" in m for m in r.warnings) and any("singleton" in m for m in r.warnings)
    assert r.to_dict()["warnings"] == list(r.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a caller's filters still apply (--strict)
        with pytest.raises(CollinearityWarning):
            feols("y ~ x + c1 + c_dup | firm + year", panel, drop_singletons=False)
    clean = panel.dropna(subset=["y", "x"])
    assert feols("y ~ x", clean).warnings == ()


# --- with_vcov -------------------------------------------------------------------------
def assert_same_inference(a: FeolsResult, b: FeolsResult) -> None:
    pd.testing.assert_series_equal(a.coef, b.coef, rtol=1e-12)
    for f in ("se", "tstat", "pvalue"):
        pd.testing.assert_series_equal(getattr(a, f), getattr(b, f), rtol=1e-9, atol=1e-300)
    assert a.vcov_type == b.vcov_type and a.df_resid == b.df_resid and a.n_clusters == b.n_clusters
    assert a.df_absorbed == b.df_absorbed and a.ssc == b.ssc
    np.testing.assert_allclose([a.f_stat, a.f_pvalue, a.r2, a.adj_r2, a.r2_within, a.rmse],
                               [b.f_stat, b.f_pvalue, b.r2, b.adj_r2, b.r2_within, b.rmse], rtol=1e-9)
    pd.testing.assert_frame_equal(a.tidy(), b.tidy(), rtol=1e-9)


@pytest.mark.parametrize("new,pyf", [
    (dict(vcov="hc1"), "hetero"),
    (dict(vcov="iid"), "iid"),
    (dict(cluster="firm"), {"CRV1": "firm"}),  # the firm FE is nested in the cluster: df_a changes
    (dict(cluster="firm+year"), {"CRV1": "firm+year"}),
    (dict(cluster="province"), {"CRV1": "province"}),  # a variable the fit did not use
])
def test_with_vcov_equals_refit_and_pyfixest(panel, new, pyf):
    fit = quiet(feols, OLS, panel, cluster="industry", tol=1e-13)
    got = quiet(fit.with_vcov, **new, data=panel)
    assert_same_inference(got, quiet(feols, OLS, panel, tol=1e-13, **new))
    assert_same_as_pyfixest(got, pyfixest(OLS, panel, pyf))
    assert got.warnings == fit.warnings


def test_with_vcov_fixest_ssc_matches_pyfixest_default(panel):
    fit = quiet(feols, OLS, panel, cluster="industry", tol=1e-13)
    got = fit.with_vcov(ssc="fixest")
    assert_same_inference(got, quiet(feols, OLS, panel, cluster="industry", ssc="fixest", tol=1e-13))
    assert_same_as_pyfixest(got, quiet(pf.feols, OLS, panel, vcov={"CRV1": "industry"}, demeaner=DEMEANER))


def test_with_vcov_without_fe_equals_refit(panel):
    d = panel.dropna(subset=["y", "x", "c1"])
    fit = quiet(feols, "y ~ x + c1", d)
    assert_same_inference(quiet(fit.with_vcov, cluster="industry", data=d), quiet(feols, "y ~ x + c1", d, cluster="industry"))


def test_iv_with_vcov_equals_refit_first_stages_and_diagnostics(panel):
    fit = quiet(feols, IV, panel, tol=1e-13)
    got = quiet(fit.with_vcov, cluster="industry", data=panel)
    ref = quiet(feols, IV, panel, cluster="industry", tol=1e-13)
    assert_same_inference(got, ref)
    assert_same_inference(got.first_stage["d"], ref.first_stage["d"])
    for k in ("weak_id_f", "kp_rk_wald_f", "underid_stat", "first_stage_f"):
        np.testing.assert_allclose(got.glance()[k] if k != "first_stage_f" else got.glance()[k]["d"],
                                   ref.glance()[k] if k != "first_stage_f" else ref.glance()[k]["d"], rtol=1e-9)
    assert_same_as_pyfixest(got, pyfixest(IV, panel, {"CRV1": "industry"}))


def test_with_vcov_errors(panel):
    fit = quiet(feols, OLS, panel)
    with pytest.raises(EstimationError, match="province.*data="):
        fit.with_vcov(cluster="province")
    holes = panel.assign(province=panel["province"].where(panel.index % 7 != 0))
    with pytest.raises(EstimationError, match="missing in .* row"):
        fit.with_vcov(cluster="province", data=holes)
    with pytest.raises(EstimationError, match="lacks"):
        fit.with_vcov(cluster="province", data=panel.iloc[:100])
    with pytest.raises(EstimationError, match="either vcov= or cluster="):
        fit.with_vcov(vcov="hc1", cluster="firm")


# --- the other results: index, frontier, TFP, financing-constraint indices ----------------
DATA = Path(__file__).resolve().parents[1] / "data"


def common_interface(res) -> dict:
    """Every result answers the same calls; returns glance()."""
    assert isinstance(res, ModelResult)
    t = res.tidy()
    assert list(t.columns[:7]) == list(TIDY_COLUMNS)
    g = res.glance()
    json.dumps(g, allow_nan=False)
    json.dumps(res.to_dict(), allow_nan=False)
    assert isinstance(res.summary(), str) and res.summary()
    text = repr(res)
    assert "\n" not in text and len(text) < 200
    assert "<table>" in res._repr_html_()
    return g


def test_entropy_index_result_against_hand_computed_weights():
    from nqp.index import entropy_index

    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.lognormal(size=(80, 4)), columns=["a", "b", "c", "d"])
    res = entropy_index(df, {"a": 1, "b": 1, "c": -1, "d": 1}, dimensions={"a": "D1", "b": "D1", "c": "D2", "d": "D2"})
    # entropy weight method by hand: min-max (reversed for c), p = (z + 1e-4) / sum, e = -sum p ln p / ln n
    x = df.to_numpy()
    z = (x - x.min(0)) / (x.max(0) - x.min(0))
    z[:, 2] = 1 - z[:, 2]
    p = (z + 1e-4) / (z + 1e-4).sum(0)
    e = -(p * np.log(p)).sum(0) / np.log(len(df))
    w = (1 - e) / (1 - e).sum()
    g = common_interface(res)
    t = res.tidy()
    np.testing.assert_allclose(t["estimate"], w, rtol=1e-10)
    assert list(t["term"]) == ["a", "b", "c", "d"] and list(t["dimension"]) == ["D1", "D1", "D2", "D2"]
    assert t["std_error"].isna().all()
    assert g["nobs"] == 80 and g["n_indicators"] == 4 and g["n_dimensions"] == 2
    np.testing.assert_allclose(g["index_mean"], res.index.mean())
    np.testing.assert_allclose(list(res.to_dict()["weights"].values()), w, rtol=1e-10)


def test_frontier_result_against_frontier41():
    """FRONTIER 4.1 example EG1 (published output, see tests/measures/test_frontier_reference.py)."""
    from nqp.measures.frontier import frontier

    res = frontier("log(output) ~ log(capital) + log(labour)", pd.read_csv(DATA / "sfa" / "front41Data.csv"))
    g = common_interface(res)
    t = res.tidy().set_index("term")
    np.testing.assert_allclose(t["estimate"].iloc[:3], [0.56161963, 0.28110205, 0.53647981], atol=2e-5)
    assert t.loc["gamma", "estimate"] == pytest.approx(0.79720730, abs=2e-5)
    np.testing.assert_allclose(t["conf_high"] - t["estimate"], 1.959963984540054 * t["std_error"], rtol=1e-12)
    assert g["mean_efficiency"] == pytest.approx(0.74056772, abs=1e-5)
    assert g["lr_stat"] == pytest.approx(2.8392402, abs=1e-4) and g["nobs"] == 60


def test_tfp_result_fe_against_pyfixest():
    """TFP "FE method": the within regression of ln Y on the inputs with firm and year effects."""
    from nqp.measures.tfp import tfp

    rng = np.random.default_rng(8)
    firm = np.repeat(np.arange(120), 6)
    year = np.tile(np.arange(2015, 2021), 120)
    lnk = rng.normal(size=firm.size) + rng.normal(size=120)[firm]
    lnl = 0.5 * lnk + rng.normal(size=firm.size)
    df = pd.DataFrame({"firm": firm, "year": year, "lnk": lnk, "lnl": lnl,
                       "lny": 0.3 * lnk + 0.6 * lnl + rng.normal(size=120)[firm] + 0.2 * rng.normal(size=firm.size)})
    res = tfp(df, "fe", output="lny", free="lnl", state="lnk", firm="firm", year="year", take_logs=False)
    g = common_interface(res)
    m = pf.feols("lny ~ lnl + lnk | firm + year", df)
    t = res.tidy().set_index("term")
    np.testing.assert_allclose(t.loc[["lnl", "lnk"], "estimate"], m.coef()[["lnl", "lnk"]], rtol=1e-8)
    assert t["std_error"].isna().all()  # no bootstrap asked for
    assert g["method"] == "fe" and g["nobs"] == len(df)
    assert g["returns_to_scale"] == pytest.approx(float(m.coef().sum()), rel=1e-8)


def test_finance_index_result_has_the_published_kz_coefficients():
    from nqp.measures.finance import kz_index

    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.normal(size=(30, 5)), columns=["CF", "DIV", "C", "LEV", "Q"])
    res = kz_index(df)
    g = common_interface(res)
    # Lamont, Polk & Saa-Requejo (2001): CF/K, Div/K, Cash/K, Debt/TotalCap, Q
    lps = {"cf": -1.001909, "div": -39.3678, "cash": -1.314759, "lev": 3.139193, "q": 0.2826389}
    t = res.tidy().set_index("term")
    assert t["estimate"].to_dict() == lps
    hand = sum(lps[k] * df[c] for k, c in zip(["cf", "div", "cash", "lev", "q"], ["CF", "DIV", "C", "LEV", "Q"]))
    np.testing.assert_allclose(g["index_mean"], hand.mean(), rtol=1e-12)
    assert g["nobs"] == 30 and g["name"] == "KZ"


def test_only_nqp_warnings_are_kept_but_all_are_emitted(panel, monkeypatch):
    import nqp.econometrics.ols as ols

    real = ols.demean

    def noisy(*a, **k):
        warnings.warn("a library's deprecation", DeprecationWarning)
        return real(*a, **k)

    monkeypatch.setattr(ols, "demean", noisy)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        r = feols("y ~ x + c1 + c_dup | firm + year", panel)
    assert any(w.category is DeprecationWarning for w in rec)
    assert not any("deprecation" in m for m in r.warnings) and any("c_dup" in m for m in r.warnings)
