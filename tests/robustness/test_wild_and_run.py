"""Wild bootstrap table against a plain-numpy full enumeration; run_robustness end to end;
byte-identical results.json content across processes."""

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nqp.robustness import RobustnessSpec, run_robustness, wild_bootstrap_table

from .simdata import MODEL, sim_frame, sim_source, small_spec


def _enumerated_wcr_pvalue(y, X, j, clusters):
    """WCR by brute force, written from the formula: restricted fit (β_j = 0), every one of the
    2^G Rademacher sign vectors, refit by least squares, CRV1 t* (any common factor cancels),
    p = #{|t*| > |t|}/2^G with |t*| = |t| a tie."""
    codes = np.unique(clusters, return_inverse=True)[1]
    G = codes.max() + 1

    def t_of(yy):
        b, *_ = np.linalg.lstsq(X, yy, rcond=None)
        e = yy - X @ b
        XtX_inv = np.linalg.pinv(X.T @ X)
        S = np.zeros((G, X.shape[1]))
        np.add.at(S, codes, X * e[:, None])
        V = XtX_inv @ (S.T @ S) @ XtX_inv
        return b[j] / np.sqrt(V[j, j])

    t = t_of(y)
    Xr = np.delete(X, j, axis=1)
    br, *_ = np.linalg.lstsq(Xr, y, rcond=None)
    fitted, u = Xr @ br, y - Xr @ br
    ts = np.array([t_of(fitted + u * np.array(v)[codes]) for v in itertools.product((1.0, -1.0), repeat=G)])
    return float(np.mean(np.abs(ts) > abs(t) * (1 + 1e-9))), t


def test_wild_table_full_enumeration_equals_plain_numpy():
    d = sim_frame(n_firms=60, n_years=6, n_industries=6, seed=13, beta=0.15)
    tab = wild_bootstrap_table(d, {"m": "y ~ x + c1 | firm"}, coef="x", cluster="industry", reps=999, seed=1)
    row = tab.table.iloc[0]
    assert row["enumerated"] and row["reps"] == 2 ** 6 and row["n_clusters"] == 6
    firm = np.unique(d["firm"], return_inverse=True)[1]
    dummies = np.eye(firm.max() + 1)[firm]
    X = np.column_stack([d["x"], d["c1"], dummies])
    p, _ = _enumerated_wcr_pvalue(d["y"].to_numpy(), X, 0, d["industry"].to_numpy())
    assert row["wild_p_value"] == pytest.approx(p, abs=1e-12)
    assert row["wild_conf_low"] < row["estimate"] < row["wild_conf_high"]
    assert "WCR" in tab.summary() and tab.to_dict()["rows"][0]["model"] == "m"


def test_wild_table_reports_a_model_it_cannot_bootstrap():
    d = sim_frame(n_firms=40, n_years=5, seed=1)
    tab = wild_bootstrap_table(d, {"bad": "y ~ nothere | firm"}, coef="x", cluster="industry")
    assert tab.table.iloc[0]["reason"]


SPEC = small_spec(fixed_effects=["firm+year"], cluster=["industry", "firm"], sample=["baseline", "balanced"],
                  winsorize=[0.01], controls=["paper", "none"])


def test_run_robustness_end_to_end_is_json_ready():
    spec = RobustnessSpec.from_dict({**SPEC, "draws": 200, "wild": {"reps": 199}, "leave_one_out": {"by": ["year"]}},
                                    min_draws=100)
    seen = []
    res = run_robustness(sim_source(sim_frame(seed=30)), spec, progress=lambda s, d, n: seen.append(s), **MODEL)
    out = res.to_dict()
    text = json.dumps(out, ensure_ascii=False)
    assert "seconds" not in text  # no timings in data files
    assert {"curve", "null_inference", "placebo", "oster", "leave_one_out", "wild_bootstrap"} <= set(out)
    assert out["curve"]["summary"]["n_specifications"] == len(spec.choices())
    assert out["null_inference"]["draws"] == 200 and len(out["placebo"]["draws"]) == 200
    assert "specification curve" in seen and "placebo" in seen
    assert res.tidy().shape[1] == 7 and "Robustness" in res.summary()
    assert repr(res).startswith("<RobustnessResult")
    # the report's figures read the JSON form
    from nqp.report.figures import make, render
    from nqp.report.figures_robustness import robustness_figures
    figs = robustness_figures(json.loads(text))
    assert set(figs) == {"robustness_curve", "robustness_placebo", "robustness_leave_one_out"}
    for maker in figs.values():
        assert render(make(maker), "png", dpi=40)[:8] == b"\x89PNG\r\n\x1a\n"


SCRIPT = """
import json, sys
sys.path.insert(0, {root!r})
from tests.robustness.simdata import MODEL, sim_frame, sim_source
from tests.robustness.test_wild_and_run import SPEC
from nqp.robustness import RobustnessSpec, run_robustness
spec = RobustnessSpec.from_dict({{**SPEC, "draws": 120, "wild": {{"reps": 99}}}}, min_draws=100)
res = run_robustness(sim_source(sim_frame(seed=31)), spec, workers={workers}, **MODEL)
sys.stdout.write(json.dumps(res.to_dict(), ensure_ascii=False, sort_keys=True))
"""


def test_results_are_byte_identical_across_processes():
    """Two processes with other string hashing, the second with leave-one-out on a worker."""
    root = str(Path(__file__).resolve().parents[2])
    outs = []
    for seed, workers in (("1", 1), ("987", 2)):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        r = subprocess.run([sys.executable, "-c", SCRIPT.format(root=root, workers=workers)], capture_output=True,
                           env=env, check=True, cwd=root)
        outs.append(r.stdout)
    assert outs[0] == outs[1] and len(outs[0]) > 1000
