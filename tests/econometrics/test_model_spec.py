"""FitOptions / ModelSpec as data, and feols_multi over ModelSpecs: grouped by estimation
sample, identical to one-by-one feols, equal to pyfixest (reghdfe conventions), subsamples as
Stata's ``if``, errors collected per model, warnings per model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pf = pytest.importorskip("pyfixest")
from pyfixest.demeaners import MapDemeaner  # noqa: E402

import nqp.econometrics.multi as multi  # noqa: E402
from nqp.econometrics import FailedFit, FitOptions, ModelSpec, feols, feols_multi  # noqa: E402
from nqp.econometrics.simulate import simulate_panel  # noqa: E402
from nqp.errors import EstimationError, FormulaError  # noqa: E402

SSC = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")
DEMEANER = MapDemeaner(fixef_tol=1e-13, fixef_maxiter=100_000)
CL = FitOptions(cluster="industry", tol=1e-13)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    df, _ = simulate_panel(240, seed=7, missing_share=0.02, n_singleton_firms=2, n_industries=24)
    code = pd.factorize(df["firm"])[0]
    df["SOE"] = (code % 3 == 0).astype(int)
    df["region"] = np.array(["East", "Central", "West"])[code % 3 - (code % 5 == 0)]
    df["c_dup"] = 3 * df["c2"]
    df["wt"] = 1 + (code % 4)
    return df


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


SPECS = [
    ModelSpec("base", "y ~ x | firm + year", CL),
    ModelSpec("ctrl", "y ~ x + c1 + c2 + c3 | firm + year", CL),
    ModelSpec("other_y", "c1 ~ x + c2 | firm + year", CL),
    ModelSpec("soe", "y ~ x + c1 + c2 + c3 | firm + year", CL, sample="SOE == 1"),
    ModelSpec("nonsoe", "y ~ x + c1 + c2 + c3 | firm + year", CL, sample="SOE == 0"),
    ModelSpec("east", "y ~ x + c1 + c2 + c3 | firm + year", CL, sample='region == "East"'),
    ModelSpec("inter", "y ~ x + x:c1 + c1 + c2 | firm + year", CL),
    ModelSpec("hc1", "y ~ x + c1 | firm + year", FitOptions(vcov="hc1", tol=1e-13)),
    ModelSpec("fixest", "y ~ x + c1 | firm + year", FitOptions(cluster="industry", ssc="fixest", tol=1e-13)),
    ModelSpec("weighted", "y ~ x + c1 | firm + year", FitOptions(cluster="industry", weights="wt", tol=1e-13)),
    ModelSpec("iv", "y ~ c1 + c2 | firm + year | d ~ z1 + z2", CL),
    ModelSpec("iv_soe", "y ~ c1 | firm + year | d ~ z1 + z2", CL, sample="SOE == 1"),
    ModelSpec("nofe", "y ~ x + c1", FitOptions(vcov="hc1")),
]


@pytest.fixture(scope="module")
def fitted(panel):
    return quiet(feols_multi, SPECS, panel)


def one_by_one(spec: ModelSpec, data: pd.DataFrame):
    d = data if spec.sample is None else data[data.eval(spec.sample, engine="python")]
    return quiet(feols, spec.formula, d, **spec.options.feols_kwargs())


def test_specs_equal_one_by_one_feols(panel, fitted):
    out = fitted
    assert list(out) == [s.id for s in SPECS]
    for s in SPECS:
        r, one = out[s.id], one_by_one(s, panel)
        pd.testing.assert_series_equal(r.coef, one.coef, rtol=1e-10)
        pd.testing.assert_series_equal(r.se, one.se, rtol=1e-10)
        assert r.nobs == one.nobs and r.n_missing == one.n_missing and r.obs_index.equals(one.obs_index)
        assert r.vcov_type == one.vcov_type and r.ssc == one.ssc and r.formula == s.formula
        np.testing.assert_allclose([r.r2, r.adj_r2, r.r2_within], [one.r2, one.adj_r2, one.r2_within], rtol=1e-10)
        assert r.warnings == one.warnings, s.id


@pytest.mark.parametrize("sid", [s.id for s in SPECS])
def test_specs_against_pyfixest(panel, fitted, sid):
    spec = next(s for s in SPECS if s.id == sid)
    r = fitted[sid]
    d = panel if spec.sample is None else panel[panel.eval(spec.sample, engine="python")]
    o = spec.options
    vcov = {"CRV1": "+".join(o.cluster)} if o.cluster else {"hc1": "hetero", "iid": "iid"}[o.vcov or "iid"]
    ssc = SSC if o.ssc == "reghdfe" else pf.ssc()
    m = quiet(pf.feols, spec.formula, d, vcov=vcov, ssc=ssc, weights=o.weights, demeaner=DEMEANER)
    names = list(m.coef().index)
    np.testing.assert_allclose(r.coef[names], m.coef(), rtol=1e-8)
    np.testing.assert_allclose(r.se[names], m.se(), rtol=1e-6)
    assert r.nobs == m._N


def test_each_sample_is_absorbed_once(panel, monkeypatch):
    calls = []
    real = multi.absorb

    def counting(mf, cols, *a, **k):
        calls.append(cols.shape[1])
        return real(mf, cols, *a, **k)

    monkeypatch.setattr(multi, "absorb", counting)
    full = panel.dropna(subset=["y", "x", "c1", "c2", "c3"])
    specs = [ModelSpec("a", "y ~ x | firm + year", CL), ModelSpec("b", "y ~ x + c1 + c2 | firm + year", CL),
             ModelSpec("c", "c3 ~ x + c1 | firm + year", CL),
             ModelSpec("d", "y ~ x + c1 | firm + year", FitOptions(vcov="hc1")),  # no cluster: other NA rule
             ModelSpec("e", "y ~ x | firm + year", CL, sample="SOE == 1"),
             ModelSpec("f", "y ~ x + c1 | firm + year", CL, sample="SOE == 1")]
    quiet(feols_multi, specs, full)
    # three samples: (a, b, c) share one (y, x, c1, c2, c3 absorbed once); d; (e, f)
    assert sorted(calls) == sorted([5, 3, 3])


def test_lags_in_a_subsample_come_from_the_whole_panel(panel):
    """Stata: ``xtset firm year`` then ``reghdfe y L.x if SOE == 1``: the lag of a firm-year in the
    subsample is its previous year's value even when that year is outside the subsample."""
    d = panel.copy()
    d["later"] = (d["year"] >= 2014).astype(int)
    spec = ModelSpec("lag", "y ~ L.x + c1 | firm + year", FitOptions(cluster="industry", panel=("firm", "year")),
                     sample="later == 1")
    r = quiet(feols_multi, [spec], d)["lag"]
    full = quiet(feols, "y ~ x + c1 | firm + year", d, panel=("firm", "year"))  # a frame to find lags in
    del full
    prev = d.set_index(["firm", "year"])["x"]
    d["Lx"] = [prev.get((f, y - 1), np.nan) for f, y in zip(d["firm"], d["year"])]
    ref = quiet(feols, "y ~ Lx + c1 | firm + year", d[d["later"] == 1], cluster="industry")
    np.testing.assert_allclose(r.coef.to_numpy(), ref.coef.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(r.se.to_numpy(), ref.se.to_numpy(), rtol=1e-10)
    assert r.nobs == ref.nobs and (d.loc[r.obs_index, "year"] == 2014).any()


def test_errors_collect_and_raise(panel):
    specs = [ModelSpec("good", "y ~ x | firm + year", CL),
             ModelSpec("unknown_var", "y ~ x + Sizee | firm + year", CL),
             ModelSpec("empty", "y ~ x | firm + year", CL, sample="SOE == 7"),
             ModelSpec("bad_expr", "y ~ x | firm + year", CL, sample="SOE === 1"),
             ModelSpec("not_bool", "y ~ x | firm + year", CL, sample="SOE + 1"),
             ModelSpec("no_column", "y ~ x | firm + year", CL, sample="ownership == 1"),
             ModelSpec("only_absorbed", "y ~ SOE | firm + year", CL),
             ModelSpec("underid", "y ~ c1 | firm | x + d ~ z1", CL)]
    out = quiet(feols_multi, specs, panel, errors="collect")
    assert list(out) == [s.id for s in specs]
    assert not isinstance(out["good"], FailedFit)
    good = quiet(feols, "y ~ x | firm + year", panel, cluster="industry", tol=1e-13)
    pd.testing.assert_series_equal(out["good"].se, good.se, rtol=1e-10)
    failed = {k: v for k, v in out.items() if isinstance(v, FailedFit)}
    assert set(failed) == set(out) - {"good"}
    assert failed["unknown_var"].error_type == "FormulaError" and "Sizee" in failed["unknown_var"].error
    for sid, expr in (("empty", "SOE == 7"), ("bad_expr", "SOE === 1"), ("not_bool", "SOE + 1"),
                      ("no_column", "ownership == 1")):
        f = failed[sid]
        assert f.error_type == "EstimationError" and repr(expr) in f.error and repr(sid) in f.error, f.error
    assert "selects no rows" in failed["empty"].error and "true/false" in failed["not_bool"].error
    assert failed["only_absorbed"].error_type == "IdentificationError"
    assert "underidentified" in failed["underid"].error
    d = failed["empty"].to_dict()
    assert d == {"id": "empty", "formula": "y ~ x | firm + year", "sample": "SOE == 7", "status": "failed",
                 "error": failed["empty"].error, "error_type": "EstimationError"}
    assert "\n" not in repr(failed["empty"]) and failed["empty"].tidy().empty
    with pytest.raises(EstimationError, match=r"'SOE == 7' of model 'empty'.*selects no rows"):
        quiet(feols_multi, [specs[0], specs[2]], panel)
    with pytest.raises(FormulaError, match=r"^model 'unknown_var': unknown variable 'Sizee'") as err:
        quiet(feols_multi, specs[:2], panel)
    assert err.value.variable == "Sizee"
    with pytest.raises(FormulaError, match=r"^unknown variable 'Sizee'"):  # formula lists: as feols says it
        quiet(feols_multi, [specs[1].formula], panel)


def test_warnings_belong_to_their_model(panel):
    specs = [ModelSpec("dup", "y ~ x + c2 + c_dup | firm + year", CL),
             ModelSpec("clean", "y ~ x + c2 | firm + year", CL),
             ModelSpec("nofe", "y ~ x + c2", FitOptions(cluster="industry"))]
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = feols_multi(specs, panel)
    assert any("c_dup" in m for m in out["dup"].warnings)
    assert not any("c_dup" in m for m in out["clean"].warnings + out["nofe"].warnings)
    # the singleton drop of the shared sample belongs to both FE models, and is emitted once
    assert [any("singleton" in m for m in out[k].warnings) for k in ("dup", "clean", "nofe")] == [True, True, False]
    assert sum("singleton" in str(w.message) for w in rec) == 1
    assert all(w.filename == __file__ for w in rec)


def test_fit_options_are_validated_and_normalised():
    assert FitOptions(cluster="firm+year").cluster == ("firm", "year")
    assert FitOptions(cluster=["firm", "year"]) == FitOptions(cluster=("firm", "year"))
    assert FitOptions(vcov={"CRV1": "industry"}) == FitOptions(cluster="industry")
    assert FitOptions(panel=["firm", "year"]).panel == ("firm", "year")
    assert FitOptions(cluster="industry").feols_kwargs()["cluster"] == ["industry"]
    for bad, match in [(dict(ssc="stata"), "ssc"), (dict(vcov="hc1", cluster="firm"), "either"),
                       (dict(vcov="hc3"), "unknown vcov"), (dict(tol=0), "tol"), (dict(maxiter=0), "maxiter"),
                       (dict(maxiter=2.5), "maxiter"), (dict(panel=("firm",)), "panel"), (dict(weights=3), "weights"),
                       (dict(cluster=[1]), "cluster")]:
        with pytest.raises(EstimationError, match=match):
            FitOptions(**bad)
    with pytest.raises(Exception):
        FitOptions().ssc = "fixest"  # frozen


def test_model_spec_is_validated():
    with pytest.raises(FormulaError, match="model 't3_1'"):
        ModelSpec("t3_1", "NQP ~ lnAI | | stkcd")
    with pytest.raises(EstimationError, match="id"):
        ModelSpec("", "y ~ x")
    with pytest.raises(EstimationError, match="sample"):
        ModelSpec("a", "y ~ x", sample="  ")
    with pytest.raises(EstimationError, match="FitOptions"):
        ModelSpec("a", "y ~ x", options={"cluster": "firm"})  # type: ignore[arg-type]
    s = ModelSpec("a", "y ~ x | firm", CL, sample="SOE == 1")
    assert s.to_dict() == {"id": "a", "formula": "y ~ x | firm", "sample": "SOE == 1", "options": CL.to_dict()}


def test_spec_lists_reject_keyword_options_and_duplicate_ids(panel):
    with pytest.raises(EstimationError, match="cluster="):
        feols_multi(SPECS[:1], panel, cluster="industry")
    with pytest.raises(EstimationError, match="used twice"):
        feols_multi([SPECS[0], SPECS[0]], panel)
    assert feols_multi([], panel) == []


def test_results_of_feols_multi_answer_with_vcov(panel, fitted):
    spec = next(s for s in SPECS if s.id == "soe")
    r = fitted["soe"]
    sub = panel[panel["SOE"] == 1]
    got = quiet(r.with_vcov, cluster="firm", data=sub)
    ref = quiet(feols, spec.formula, sub, cluster="firm", tol=1e-13)
    pd.testing.assert_series_equal(got.se, ref.se, rtol=1e-9)
    assert got.n_clusters == ref.n_clusters and got.df_resid == ref.df_resid


def test_an_error_in_a_subsample_names_model_sample_and_place(panel):
    d = panel.assign(c_soe=np.where(panel["SOE"] == 1, np.nan, panel["c1"]))  # missing in every SOE row
    spec = ModelSpec("soe", "y ~ x + c_soe | firm + year", CL, sample="SOE == 1")
    with pytest.raises(EstimationError, match=r"^model 'soe' \(sample 'SOE == 1'\): no rows left") as err:
        quiet(feols_multi, [spec], d)
    assert err.value.variable == "c_soe"
    out = quiet(feols_multi, [spec], d, errors="collect")["soe"]
    assert isinstance(out, FailedFit) and out.sample == "SOE == 1" and "c_soe" in out.error
