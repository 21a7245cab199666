"""`nqp demo` and `nqp run` end to end: every table's models, checked against pyfixest on the
exported panel.dta, a user's own study on a warehouse, byte determinism across processes,
and the bad-input cases of the issue.

One demo run (scale 0.15) is shared by the tests of this file (pytest runs files whole on one
worker, ``--dist loadfile``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqp.cli import main

SCALE = 0.15
SEED = 5

OWN_STUDY = """
[study]
name = "my_first_study"
title_en = "AI patents and firm size"
[defaults]
cluster = "industry"
[macros]
controls = "Age + Lev"
[sample]
lags = []
[[tables]]
id = "A"
type = "regression"
keep = ["lnAI"]
wild_bootstrap = { reps = 199, weights = "webb", seed = 7 }
  [[tables.models]]
  id = "a_all"
  outcome = "Size"
  regressors = "lnAI"
  [[tables.models]]
  id = "a_east"
  outcome = "Size"
  regressors = "lnAI"
  sample = 'region == "East"'
  [[tables.models]]
  id = "a_west"
  outcome = "Size"
  regressors = "lnAI"
  sample = 'region == "West"'
  [[tables.tests]]
  id = "d_east_west"
  method = "permutation"
  models = ["a_east", "a_west"]
  reps = 200
  seed = 3
[[tables]]
id = "B"
type = "channel"
  [[tables.models]]
  id = "b_lnemploy"
  outcome = "lnemploy"
  regressors = "lnAI"
  [[tables.models]]
  id = "b_empty"
  outcome = "lnemploy"
  regressors = "lnAI"
  sample = "year < 1900"
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from nqp.study.demo import run_demo
    from nqp.study.stages import StageLog

    out = tmp_path_factory.mktemp("demo") / "out"
    run_demo(out, scale=SCALE, seed=SEED, log=StageLog(quiet=True), workers=1)
    return out


@pytest.fixture(scope="module")
def results(demo) -> dict:
    return json.loads((demo / "results.json").read_text(encoding="utf-8"))


def by_id(results: dict) -> dict[str, dict]:
    return {m["id"]: m for m in results["models"]}


def test_demo_writes_every_table_and_file(demo, results):
    for name in ("results.json", "panel.parquet", "panel.csv", "panel.dta", "manifest.json", "run.log",
                 "warehouse.duckdb", "raw/README_SYNTHETIC.txt"):
        assert (demo / name).is_file(), name
    cols = {t["id"]: t["columns"] for t in results["tables"]}
    assert {k: len(v) for k, v in cols.items()} == {"3": 4, "4": 4, "5": 4, "6": 9, "7": 6, "8": 8}
    models = by_id(results)
    assert all(models[c]["status"] == "ok" for c in sum(cols.values(), [])), \
        [(m["id"], m["error"]) for m in results["models"] if m["status"] != "ok"]
    # Table 5: first and second stage of both IVs, with Anderson LM and Cragg-Donald F
    assert [models[c]["stage"] for c in cols["5"]] == ["first", None, "first", None]
    for c in cols["5"][1::2]:
        d = models[c]["iv_diagnostics"]
        assert d["anderson_lm"] > 0 and d["cragg_donald_f"] > 0
    assert "L.lnAI" in models[cols["5"][0]]["coefficients"]
    # Table 6: 9 subsamples and 6 between-group tests
    assert len([t for t in results["tests"] if t["table"] == "6" and t["status"] == "ok"]) == 6
    for t in results["tests"]:
        assert 0 <= t["p_value"] <= 1 and t["reps"] == 1000
    # the shape the issue fixes
    m = models["t3_2"]
    for key in ("table", "column", "outcome", "nobs", "r2", "adj_r2", "r2_within", "fixed_effects", "cluster",
                "n_clusters", "warnings", "coefficients"):
        assert key in m, key
    assert m["table"] == "3" and m["column"] == "(2)" and m["fixed_effects"] == ["stkcd", "year"]
    assert set(m["coefficients"]["lnAI"]) >= {"estimate", "se", "t", "p"}
    assert results["index_weights"] and abs(sum(results["index_weights"].values()) - 1) < 1e-9
    assert results["synthetic"] is True and results["seed"] == SEED


def test_table3_baseline_positive_at_one_percent(results):
    c = by_id(results)["t3_2"]["coefficients"]["lnAI"]
    assert c["estimate"] > 0 and c["p"] < 0.01


def test_manifest_says_how_the_run_was_made(demo):
    man = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    assert man["seed"] == SEED and man["synthetic"] is True
    assert man["versions"]["numpy"] and man["versions"]["nqp"]
    assert man["study"]["name"] == "ai_nqp" and len(man["study"]["sha256"]) == 64
    assert {"synth", "ingest", "panel", "models"} <= set(man["seconds"])
    assert any(k.startswith("patents/") for k in man["inputs"])
    assert "results.json" in man["outputs"]
    log = (demo / "run.log").read_text(encoding="utf-8")
    assert "panel" in log and "done in" in log


# --- pyfixest on the exported Stata file ------------------------------------------------
pf = pytest.importorskip("pyfixest")
SSC = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")  # reghdfe's conventions


def pyfixest_formula(m: dict) -> str:
    return m["formula"].replace("L2.lnAI", "L2_lnAI").replace("L.lnAI", "L_lnAI").replace(":", ":")


@pytest.mark.parametrize("model_id", ["t3_2", "t4_2", "t5_lags", "t5_usrobot", "t6_east", "t6_soe",
                                      "t7_finratio", "t8_fc"])
def test_models_equal_pyfixest_on_panel_dta(demo, results, model_id):
    m = by_id(results)[model_id]
    data = pd.read_stata(demo / "panel.dta", convert_categoricals=False)
    if m["sample"]:
        expr = m["sample"]
        if "region" in expr:  # region is stored with value labels; read them back
            lab = pd.read_stata(demo / "panel.dta")["region"].astype(str)
            data["region"] = lab
        data = data.loc[data.eval(expr)].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(pyfixest_formula(m), data, vcov={"CRV1": "industry"}, ssc=SSC)
    coef, se = fit.coef(), fit.se()
    assert fit._N == m["nobs"]
    for name, c in m["coefficients"].items():
        key = name.replace("L2.lnAI", "L2_lnAI").replace("L.lnAI", "L_lnAI")
        assert coef[key] == pytest.approx(c["estimate"], rel=1e-6, abs=1e-9), name
        assert se[key] == pytest.approx(c["se"], rel=1e-4), name


# --- a user's own study on a warehouse ---------------------------------------------------
def test_own_study_on_a_warehouse(demo, tmp_path, capsys):
    study = tmp_path / "mine.toml"
    study.write_text(OWN_STUDY, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(study), "--db", str(demo / "warehouse.duckdb"), "--out", str(out), "--quiet"]) == 0
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    models = by_id(res)
    assert [m["id"] for m in res["models"]] == ["a_all", "a_east", "a_west", "b_lnemploy", "b_empty"]
    # the empty subsample is reported with its reason; the other models ran
    assert models["b_empty"]["status"] == "failed" and models["b_empty"]["error"]
    assert all(models[k]["status"] == "ok" for k in ("a_all", "a_east", "a_west", "b_lnemploy"))
    printed = capsys.readouterr().out
    assert "b_empty" in printed
    assert "| lnAI |" in printed  # the study's first table, as the report rendered it
    (test,) = res["tests"]
    assert test["models"] == ["a_east", "a_west"] and test["reps"] == 200
    assert test["difference"] == pytest.approx(models["a_east"]["coefficients"]["lnAI"]["estimate"]
                                               - models["a_west"]["coefficients"]["lnAI"]["estimate"], rel=1e-8)
    # the table's wild-bootstrap option: each model's own (sub)sample, the CRV1 estimate inside the WCR interval
    from nqp.econometrics.wild_bootstrap import wild_bootstrap

    east = pd.read_parquet(out / "panel.parquet").query('region == "East"')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = wild_bootstrap("Size ~ lnAI + Age + Lev | stkcd + year", east, "lnAI", cluster="industry", reps=199,
                                bootstrap_weights="webb", seed=7, ci_level=0.95)
    wb = models["a_east"]["wild_bootstrap"]
    assert wb["p_value"] == pytest.approx(direct.pvalue) and wb["conf_low"] == pytest.approx(direct.ci[0])
    assert wb["conf_low"] < models["a_east"]["coefficients"]["lnAI"]["estimate"] < wb["conf_high"]
    assert wb["reps"] == 199 and wb["n_clusters"] == models["a_east"]["n_clusters"]
    assert "wild_bootstrap" not in models["b_lnemploy"]  # table B has no such option
    assert "Wild bootstrap" in (out / "tables" / "A.md").read_text(encoding="utf-8")
    # pyfixest on the panel this run wrote
    data = pd.read_parquet(out / "panel.parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols("Size ~ lnAI + Age + Lev | stkcd + year", data.loc[data["region"] == "East"],
                       vcov={"CRV1": "industry"}, ssc=SSC)
    assert fit.coef()["lnAI"] == pytest.approx(models["a_east"]["coefficients"]["lnAI"]["estimate"], rel=1e-6)


def run_cli(args: list[str], hashseed: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    return subprocess.run([sys.executable, "-m", "nqp.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_same_inputs_give_identical_bytes_across_processes(demo, tmp_path):
    """Two processes with different string-hash seeds: results.json and the panel files agree byte
    for byte (one process could not see a hash-order dependence)."""
    study = tmp_path / "mine.toml"
    study.write_text(OWN_STUDY, encoding="utf-8")
    outs = []
    for seed in ("1", "987"):
        out = tmp_path / f"run{seed}"
        r = run_cli(["run", str(study), "--db", str(demo / "warehouse.duckdb"), "--out", str(out), "--quiet"],
                    seed, tmp_path)
        assert r.returncode == 0, r.stderr
        outs.append(out)
    for name in ("results.json", "panel.parquet", "panel.csv", "panel.dta"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


# --- bad input ---------------------------------------------------------------------------
def test_existing_output_folder_is_refused_unless_force(demo, tmp_path, capsys):
    study = tmp_path / "mine.toml"
    study.write_text(OWN_STUDY, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    args = ["run", str(study), "--db", str(demo / "warehouse.duckdb"), "--out", str(out), "--quiet"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "exists" in err and "--force" in err and str(out) in err
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"  # untouched
    assert main(args + ["--force"]) == 0
    assert not (out / "keep.txt").exists() and (out / "results.json").is_file()


def test_unknown_variable_fails_before_any_work(demo, tmp_path, capsys):
    study = tmp_path / "bad.toml"
    study.write_text(OWN_STUDY.replace('outcome = "lnemploy"', 'outcome = "lnemploi"', 1), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(study), "--db", str(demo / "warehouse.duckdb"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "table B, model b_lnemploy" in err and "'lnemploi'" in err and "did you mean 'lnemploy'" in err
    assert str(study) in err
    assert not out.exists()


def test_missing_warehouse_is_an_error_not_a_new_file(tmp_path, capsys):
    study = tmp_path / "mine.toml"
    study.write_text(OWN_STUDY, encoding="utf-8")
    assert main(["run", str(study), "--db", str(tmp_path / "typo.duckdb"), "--out", str(tmp_path / "o")]) == 1
    assert "existing warehouse" in capsys.readouterr().err
    assert not (tmp_path / "typo.duckdb").exists()


TABLE3_ONLY = """
[study]
name = "table3"
[defaults]
cluster = "industry"
[macros]
controls = "Size + Age + Lev + Mshare + INST"
[[tables]]
id = "3"
type = "regression"
  [[tables.models]]
  id = "t3_2"
  outcome = "NQP"
  regressors = "lnAI"
"""


def test_folder_with_only_the_tables_table3_needs(demo, tmp_path, capsys):
    """A user with only the exports Table 3 needs (issue 11): the run works; without one of them it
    stops before any work, naming the missing table and the variables that need it."""
    import shutil

    from nqp.ingest.load import discover_files
    from nqp.ingest.mapping import load_mappings
    from nqp.ingest.requirements import required_tables
    from nqp.study.external import study_variables
    from nqp.study.spec import load_study

    study = tmp_path / "t3.toml"
    study.write_text(TABLE3_ONLY, encoding="utf-8")
    raw = demo / "raw"
    files, _ = discover_files(raw, load_mappings())
    # tables built by the text and patent stages come from reports/ and patents/, copied whole below
    need = {t: v for t, v in required_tables(study_variables(load_study(study))).items() if t in files}
    assert set(need) < {t for t, f in files.items() if f}, "Table 3 needs fewer tables than the whole study"
    exports = tmp_path / "exports"
    for table in need:
        for f in files[table]:
            dst = exports / f.relative_to(raw)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dst)
    for sub in ("reports", "patents"):
        shutil.copytree(raw / sub, exports / sub)
    out = tmp_path / "out"
    assert main(["run", str(study), "--data", str(exports), "--out", str(out), "--quiet"]) == 0
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert res["models"][0]["status"] == "ok" and res["models"][0]["coefficients"]["lnAI"]["estimate"] > 0

    dropped = sorted(need)[0]
    for f in files[dropped]:
        (exports / f.relative_to(raw)).unlink()
    capsys.readouterr()
    assert main(["run", str(study), "--data", str(exports), "--out", str(tmp_path / "out2"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert dropped in err and need[dropped][0] in err
    assert not (tmp_path / "out2").exists()


def test_tests_on_worker_processes_equal_tests_in_process(demo, results):
    """The group tests run on two worker processes while the models are fitted (as `nqp run`
    does) give the p-values of running them one after another here (workers=1, the fixture)."""
    from nqp.study.runner import PendingTests, finish_study, run_study
    from nqp.study.spec import load_study

    study = load_study("ai_nqp")
    frame = pd.read_parquet(demo / "panel.parquet")
    pending = PendingTests(study, frame, workers=2)
    run = run_study(study, frame, tests=pending, wait=False)
    assert run.tests == []  # not waited for yet
    finish_study(run, pending)
    mine = {t.test.id: (t.result.pvalue, t.result.count) for t in run.tests}
    theirs = {t["id"]: (t["p_value"], t["count"]) for t in results["tests"]}
    assert mine == theirs and len(mine) == 6


def test_demo_manifest_input_hashes_are_those_of_the_files_on_disk(demo):
    """The demo takes its exports' hashes from the record nqp synth made while writing them;
    they must be the hashes of the bytes on disk."""
    from nqp.study.outputs import input_hashes

    man = json.loads((demo / "manifest.json").read_text(encoding="utf-8"))
    on_disk = input_hashes(demo / "raw")
    assert man["inputs"] == on_disk and list(man["inputs"]) == list(on_disk) and len(on_disk) > 1000
