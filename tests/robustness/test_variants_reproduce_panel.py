"""The headline specification's data are the panel's: the baseline rule, 1% winsorizing and
pooled entropy rebuild what nqp.panel's steps make (sample rules, key variables, winsor2,
the index); the index variants are nqp.index's methods on that sample."""

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from nqp.index import critic_index, entropy_index, pca_index
from nqp.panel import SampleOptions
from nqp.panel.steps import add_index, apply_sample_rules, drop_missing_keys, winsorize_panel
from nqp.robustness import RobustnessSpec
from nqp.robustness.multiverse import make_context, run_curve
from nqp.robustness.variants import PanelSource

IND = {f"i{j}": (1 if j != 3 else -1) for j in range(6)}
DIMS = {c: ("a" if int(c[1]) < 3 else "b") for c in IND}
CONTROLS = ("Size", "Lev")


@pytest.fixture(scope="module")
def firm_years() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    n_f, n_t = 150, 7
    f = np.repeat(np.arange(n_f), n_t)
    t = np.tile(np.arange(n_t), n_f)
    a = rng.normal(size=n_f)[f]
    lnai = np.maximum(0, a + rng.normal(size=f.size))
    d = pd.DataFrame({"stkcd": [f"{i:06d}" for i in f], "year": 2015 + t,
                      "industry": [f"C{i}" for i in rng.integers(0, 9, n_f)[f]],
                      "province": [f"P{i}" for i in rng.integers(0, 5, n_f)[f]],
                      "financial": (rng.random(n_f) < 0.05)[f], "st_pt": rng.random(f.size) < 0.03,
                      "lnAI": lnai, "Size": rng.lognormal(size=f.size), "Lev": rng.normal(size=f.size) + a})
    for c in IND:
        d[c] = np.exp(0.5 * a + 0.3 * lnai + rng.normal(size=f.size))
    d.loc[rng.random(len(d)) < 0.03, "i2"] = np.nan  # some firm-years miss a key variable
    return d


def _panel_frame(fy: pd.DataFrame) -> pd.DataFrame:
    opts = SampleOptions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = apply_sample_rules(fy, opts)
        out = drop_missing_keys(out, [*IND, "lnAI", "Size", "Lev"])
        out = winsorize_panel(out, [*IND, *CONTROLS], opts)
        out, _ = add_index(out, IND, DIMS)
    return out


def _source(fy: pd.DataFrame) -> PanelSource:
    return PanelSource(firm_years=fy, indicators=IND, dimensions=DIMS, key_variables=(*IND, "lnAI", "Size", "Lev"),
                       winsorize_columns=(*IND, *CONTROLS), index_name="NQP")


def test_baseline_rebuilds_the_panels_frame(firm_years):
    panel = _panel_frame(firm_years)
    spec = RobustnessSpec.from_dict({"choices": {"index": ["pooled", "pca", "critic", "yearly"],
                                                 "fixed_effects": ["firm+year"], "cluster": ["industry"],
                                                 "sample": ["baseline"], "controls": ["paper"], "winsorize": [0.01]}})
    ctx = make_context(_source(firm_years), spec, outcome="NQP", treatment="lnAI", controls=CONTROLS)
    var = ctx.variants
    base = var.winsorized("baseline", 0.01)
    assert len(base) == len(panel)
    assert np.array_equal(base["stkcd"].to_numpy(), panel["stkcd"].to_numpy())
    for c in (*CONTROLS, *IND):
        np.testing.assert_array_equal(base[c].to_numpy(), panel[c].to_numpy())
    np.testing.assert_allclose(var.outcome("baseline", 0.01, "NQP", "pooled", 0.0001), panel["NQP"], rtol=1e-13)
    # the index variants are nqp.index's methods on the same winsorized sample
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yearly = entropy_index(base, IND, dimensions=DIMS, method="yearly", year="year").index
        crit = critic_index(base, IND, dimensions=DIMS).index
        pca = pca_index(base, IND, dimensions=DIMS).index
    np.testing.assert_allclose(var.outcome("baseline", 0.01, "NQP", "yearly", 0.0001), yearly, rtol=1e-13)
    np.testing.assert_allclose(var.outcome("baseline", 0.01, "NQP", "critic", None), crit, rtol=1e-13)
    rescaled = 100 * (pca - pca.min()) / (pca.max() - pca.min())
    np.testing.assert_allclose(var.outcome("baseline", 0.01, "NQP", "pca", None), rescaled, rtol=1e-12, atol=1e-12)
    # and the headline equals pyfixest on the panel's frame
    curve = run_curve(ctx)
    head = curve.table.loc[curve.baseline_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = pf.feols("NQP ~ lnAI + Size + Lev | stkcd + year", panel, vcov={"CRV1": "industry"},
                     ssc=pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min"), fixef_rm="singleton")
    assert head["estimate"] == pytest.approx(m.coef()["lnAI"], rel=1e-7)
    assert head["std_error"] == pytest.approx(m.se()["lnAI"], rel=1e-6)


def test_sample_rules_change_the_sample_as_documented(firm_years):
    spec = RobustnessSpec.from_dict({"choices": {"sample": ["baseline", "with_financial", "without_2018", "balanced"],
                                                 "controls": ["paper"]}})
    ctx = make_context(_source(firm_years), spec, outcome="NQP", treatment="lnAI", controls=CONTROLS)
    var = ctx.variants
    base, fin = var.frame("baseline"), var.frame("with_financial")
    financial = set(firm_years.loc[firm_years["financial"], "stkcd"])
    assert not financial & set(base["stkcd"]) and financial & set(fin["stkcd"])
    assert len(fin) > len(base)
    assert 2018 not in set(var.frame("without_2018")["year"])
    bal = var.frame("balanced")
    n_years = bal["year"].nunique()
    assert (bal.groupby("stkcd")["year"].nunique() == n_years).all()
    assert set(bal["stkcd"]) < set(base["stkcd"])
