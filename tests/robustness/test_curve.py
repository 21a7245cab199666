"""Specification curve: every specification against pyfixest, planted truth, not-estimable rows."""

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from pyfixest.demeaners import MapDemeaner

from nqp.robustness import RobustnessSpec
from nqp.robustness.multiverse import make_context, run_curve

from .simdata import MODEL, sim_frame, sim_source, small_spec

SSC = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")  # reghdfe's conventions
DEMEANER = MapDemeaner(fixef_tol=1e-13, fixef_maxiter=100_000)


@pytest.fixture(scope="module")
def curve_and_ctx():
    spec = RobustnessSpec.from_dict(small_spec())
    ctx = make_context(sim_source(sim_frame(seed=3)), spec, **MODEL)
    return run_curve(ctx), ctx


def test_every_specification_equals_pyfixest(curve_and_ctx):
    curve, ctx = curve_and_ctx
    t = curve.table
    assert len(t) == 1 * 2 * 2 * 2 * 2 * 3 and t["estimable"].all()
    for row in t.itertuples():
        data = ctx.variants.winsorized(row.sample, row.winsorize)
        # the curve compares control sets on one sample: rows with every control of the multiverse
        data = data.dropna(subset=["x", "y", "c1", "c2", "c3"])
        controls = list(ctx.control_sets[row.controls])
        fe = row.fixed_effects.replace("firm", "firm")
        fml = "y ~ " + " + ".join(["x", *controls]) + " | " + fe
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = pf.feols(fml, data, vcov={"CRV1": row.cluster}, ssc=SSC, demeaner=DEMEANER, fixef_rm="singleton")
        assert row.estimate == pytest.approx(m.coef()["x"], rel=1e-8), row
        assert row.std_error == pytest.approx(m.se()["x"], rel=1e-6), row
        assert row.p_value == pytest.approx(m.pvalue()["x"], rel=1e-5, abs=1e-12), row
        assert row.nobs == m._N


def test_curve_centres_on_the_planted_effect():
    beta = 0.5
    spec = RobustnessSpec.from_dict(small_spec(cluster=["industry"]))
    curve = run_curve(make_context(sim_source(sim_frame(n_firms=400, beta=beta, seed=11)), spec, **MODEL))
    est = curve.estimable
    # x is correlated with c1, and the outcome loads on c1: without controls the estimate is
    # biased; the controlled specifications centre on the truth
    controlled = est[est["controls"] != "none"]
    assert abs(np.median(controlled["estimate"]) - beta) < 0.03
    cover = ((controlled["conf_low"] <= beta) & (beta <= controlled["conf_high"])).mean()
    assert cover >= 0.75
    # omitting c1 biases upwards (x and c1 positively correlated, c1's effect positive)
    assert est.loc[est["controls"] == "none", "estimate"].median() > beta + 0.05


def test_not_estimable_specifications_are_rows_with_a_reason():
    d = sim_frame(seed=5)
    firm_mean = d.groupby("firm")["x"].transform("mean")
    d = d.assign(x=firm_mean)  # the treatment constant within firm: absorbed by the firm FE
    num = d["firm"].str[1:].astype(int)
    d = d[~(((num % 2) == 0) & (d["year"] == 2010)) & ~(((num % 2) == 1) & (d["year"] == 2017))]
    spec = RobustnessSpec.from_dict(small_spec(fixed_effects=["firm+year", "industry+year"], sample=["baseline", "balanced"]))
    curve = run_curve(make_context(sim_source(d), spec, **MODEL))
    t = curve.table
    assert len(t) == len(spec.choices())  # nothing dropped
    firm = t[(t["fixed_effects"] == "firm+year") & (t["sample"] == "baseline")]
    assert (~firm["estimable"]).all()
    assert firm["reason"].str.contains("constant within the fixed effects").all()
    # the unbalanced panel has no firm observed in every year: the balanced rule is empty
    bal = t[t["sample"] == "balanced"]
    assert (~bal["estimable"]).all() and bal["reason"].str.contains("no firm-year").all()
    ok = t[(t["fixed_effects"] == "industry+year") & (t["sample"] == "baseline")]
    assert ok["estimable"].all() and (ok["reason"] == "").all()
    g = curve.glance()
    assert g["n_not_estimable"] == int((~t["estimable"]).sum()) > 0


def test_summary_and_dict_are_json_ready(curve_and_ctx):
    import json
    curve, _ = curve_and_ctx
    d = curve.to_dict()
    json.dumps(d)
    assert d["summary"]["n_specifications"] == len(curve.table)
    assert "Specification curve" in curve.summary()
    tidy = curve.tidy()
    assert list(tidy.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]


def test_unknown_variables_are_named_and_inputs_are_not_modified():
    from nqp.errors import SchemaError

    d = sim_frame(seed=9)
    before = pd.util.hash_pandas_object(d, index=True).sum()
    spec = RobustnessSpec.from_dict(small_spec(sample=["baseline"], controls=["paper"], winsorize=[0.05]))
    with pytest.raises(SchemaError) as err:
        make_context(sim_source(d), spec, outcome="y", treatment="x", controls=("c1", "Sizee"))
    assert "Sizee" in str(err.value)
    run_curve(make_context(sim_source(d), spec, **MODEL))
    assert pd.util.hash_pandas_object(d, index=True).sum() == before
