"""`make demo` as a user runs it: the shipped study on the scale-1 synthetic data, default seed.

The planted directions that docs/synthetic-data.md promises, as the study's own results show
them (each is also re-estimated by pyfixest from the exported panel in test_study_run.py):
Table 3 (2) lnAI positive at 1%; Table 6 heavy-polluting < other firms and East > Central
(the orderings clear of sampling noise; the others are only required to have the paper's
sign here as a group-difference sign); Table 7 all six interactions positive; Table 8
lnemploy and tech share up, labour productivity and the overseas revenue share down.
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    from nqp.study.demo import run_demo
    from nqp.study.stages import StageLog

    out = tmp_path_factory.mktemp("demo1") / "out"
    run_demo(out, scale=1.0, log=StageLog(quiet=True))
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    print("stage seconds:", man["seconds"])  # shown with -s; the figures go to docs/benchmarks.md
    return doc


def coef(results: dict, model: str, term: str) -> dict:
    m = next(m for m in results["models"] if m["id"] == model)
    assert m["status"] == "ok", (model, m["error"])
    return m["coefficients"][term]


@pytest.mark.slow
def test_every_column_estimated_and_baseline_positive_at_one_percent(results):
    assert [m["id"] for m in results["models"] if m["status"] != "ok"] == []
    c = coef(results, "t3_2", "lnAI")
    assert c["estimate"] > 0 and c["p"] < 0.01
    assert coef(results, "t3_3", "lnaifm")["estimate"] > coef(results, "t3_4", "lnaixx")["estimate"] > 0


@pytest.mark.slow
def test_heterogeneity_directions(results):
    tests = {t["id"]: t for t in results["tests"]}
    assert tests["d6_heavy"]["difference"] < 0 and tests["d6_heavy"]["p_value"] < 0.05
    assert tests["d6_east_central"]["difference"] > 0 and tests["d6_east_central"]["p_value"] < 0.05
    assert coef(results, "t6_heavy", "lnAI")["estimate"] < coef(results, "t6_light", "lnAI")["estimate"]
    assert coef(results, "t6_east", "lnAI")["estimate"] > coef(results, "t6_central", "lnAI")["estimate"]


@pytest.mark.slow
@pytest.mark.parametrize("moderator", ["irobot", "aicitynew", "finratio", "overseacountry", "smartcity", "newenergy"])
def test_every_moderation_interaction_positive(results, moderator):
    c = coef(results, f"t7_{moderator}", f"lnAI:{moderator}")
    assert c["estimate"] > 0 and c["p"] < 0.05


@pytest.mark.slow
@pytest.mark.parametrize("model, sign", [("t8_lnemploy", 1), ("t8_tech", 1), ("t8_laborprod", -1),
                                         ("t8_over_rev", -1), ("t8_in_rev", 1)])
def test_channel_signs(results, model, sign):
    assert sign * coef(results, model, "lnAI")["estimate"] > 0
