"""Issue 13, step 5: group tests and the wild bootstrap answer the common result interface
(nqp.results: tidy, glance, to_dict, summary, one-line repr, _repr_html_) and keep their
attribute names."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.econometrics import group_tests as gt
from nqp.econometrics import wild_bootstrap as wb
from nqp.results import TIDY_COLUMNS, ModelResult


def panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    firm = np.repeat(np.arange(40), 5)
    df = pd.DataFrame({"firm": firm, "year": np.tile(np.arange(5), 40), "ind": firm % 8})
    df["g"] = (firm % 2).astype(int)
    df["x"] = rng.normal(size=firm.size)
    df["y"] = 0.5 * df.x + rng.normal(size=40)[firm] + rng.normal(size=firm.size)
    return df


@pytest.fixture(scope="module")
def results():
    df = panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "permutation": gt.permutation_test("y ~ x | firm + year", df, "g", "x", reps=50, seed=1),
            "suest": gt.suest_test("y ~ x | firm + year", df, "g", "x", cluster="ind"),
            "chow": gt.chow_test("y ~ x | firm + year", df, "g", "x", cluster="ind"),
            "wild": wb.wild_bootstrap("y ~ x | firm + year", df, "x", cluster="ind", reps=999, ci_level=0.9),
        }


@pytest.mark.parametrize("name", ["permutation", "suest", "chow", "wild"])
def test_common_interface(results, name: str) -> None:
    r = results[name]
    assert isinstance(r, ModelResult)
    t = r.tidy()
    assert tuple(t.columns) == TIDY_COLUMNS and t.loc[0, "p_value"] == r.pvalue
    g = r.glance()
    assert g["p_value"] == r.pvalue
    d = r.to_dict()
    assert d["p_value"] == r.pvalue and d["pvalue"] == r.pvalue
    json.dumps(d)
    json.dumps(g)
    assert "\n" not in repr(r) and repr(r).startswith("<") and "p_value=" in repr(r)
    assert "<table>" in r._repr_html_()
    assert isinstance(r.summary(), str) and r.summary()


def test_permutation_summary_shows_both_p_values_labelled(results) -> None:
    r = results["permutation"]
    text = r.summary()
    assert f"p (bdiff, one-sided: smaller tail share) = {r.pvalue:.4f}" in text
    assert f"p (two-sided, |d_r| >= |d0|) = {r.pvalue_two_sided:.4f}" in text
    assert r.glance()["p_value_two_sided"] == r.pvalue_two_sided


def test_chow_tidy_has_the_joint_f_row(results) -> None:
    r = results["chow"]
    t = r.tidy()
    assert len(t) == 2 and t.loc[1, "statistic"] == r.joint_statistic
    assert "joint Chow F" in r.summary()


def test_wild_tidy_carries_estimate_and_interval(results) -> None:
    r = results["wild"]
    t = r.tidy()
    assert t.loc[0, "term"] == "x" and t.loc[0, "estimate"] == r.estimate
    assert (t.loc[0, "conf_low"], t.loc[0, "conf_high"]) == r.ci
    assert r.to_dict()["bootstrap_weights"] == "rademacher"
