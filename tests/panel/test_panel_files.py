"""The panel files (parquet, csv, Stata 118 dta) and `nqp panel`, on a small synthetic warehouse
(scale 0.05, no annual-report stage): values and labels read back by pandas equal the panel
frame and the data dictionary; identical bytes from two processes with different
PYTHONHASHSEED (the panel itself, its measures and index included)."""

import hashlib
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.cli import main

pytestmark = pytest.mark.slow
LAGS = ["L.lnAI", "L2.lnAI", "L.Size"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    from nqp.ingest import ingest
    from nqp.synth import write_synthetic
    d = tmp_path_factory.mktemp("panel_files")
    raw, db = d / "raw", d / "w.duckdb"
    write_synthetic(raw, scale=0.05, seed=5, progress=False, pdf_reports=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(raw, db, progress=False)
    assert main(["patents", "--patents", str(raw / "patents"), "--firms", str(raw / "patents" / "firm_names.csv"),
                 "--out", str(d / "patents.parquet"), "--db", str(db), "--quiet"]) == 0
    return db


@pytest.fixture(scope="module")
def written(warehouse, tmp_path_factory):
    """`nqp panel` run in two fresh processes with different string-hash seeds."""
    outs = []
    procs = []
    for seed in ("1", "4242"):
        out = tmp_path_factory.mktemp(f"run{seed}")
        env = {**os.environ, "PYTHONHASHSEED": seed}
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "nqp.cli", "panel", "--db", str(warehouse), "--out", str(out), "--lags", *LAGS,
             "--note", "SYNTHETIC DATA", "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        outs.append(out)
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr.decode()
        assert "Traceback" not in stderr.decode()
    return outs


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_files_identical_across_processes(written):
    a, b = written
    names = sorted(p.name for p in a.iterdir())
    assert names == ["data_dictionary.csv", "panel.csv", "panel.dta", "panel.parquet", "panel_dta_names.csv",
                     "sample_construction.csv", "table2_descriptives.csv"]
    assert [p.name for p in sorted(b.iterdir())] == names
    for n in names:
        assert _sha(a / n) == _sha(b / n), n


@pytest.fixture(scope="module")
def panel(warehouse):
    from nqp.panel import build_panel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_panel(warehouse, lags=LAGS)


def test_parquet_and_csv_equal_the_frame(written, panel):
    from nqp.panel.export import export_frame
    frame = export_frame(panel)
    assert list(frame.columns[:5]) == ["stkcd", "year", "industry", "province", "region"]
    pq = pd.read_parquet(written[0] / "panel.parquet")
    pd.testing.assert_frame_equal(pq, frame, check_dtype=False)
    csv = pd.read_csv(written[0] / "panel.csv", encoding="utf-8-sig", dtype={"stkcd": str, "industry": str})
    num = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    np.testing.assert_array_equal(csv[num].to_numpy(dtype=float), frame[num].to_numpy(dtype=float))
    assert (csv["stkcd"] == frame["stkcd"]).all() and (csv["region"].fillna("") == frame["region"].fillna("")).all()
    assert {"L.lnAI", "L2.lnAI", "NQP", "TFP_LP", "FC"} <= set(pq.columns)


def test_dta_values_and_labels_equal_the_frame(written, panel):
    from nqp.panel.export import export_frame
    frame = export_frame(panel)
    path = written[0] / "panel.dta"
    with pd.io.stata.StataReader(path) as r:
        codes = r.read(convert_categoricals=False)
        var_labels, val_labels = r.variable_labels(), r.value_labels()
        assert r.data_label == "SYNTHETIC DATA"
    labelled = pd.read_stata(path)
    names = {c: c.replace(".", "_") for c in frame.columns}
    assert list(codes.columns) == [names[c] for c in frame.columns]
    for c in frame.columns:
        got, want = codes[names[c]], frame[c]
        if pd.api.types.is_float_dtype(want) or pd.api.types.is_integer_dtype(want) or pd.api.types.is_bool_dtype(want):
            np.testing.assert_array_equal(got.to_numpy(dtype=float), want.to_numpy(dtype=float), err_msg=c)
    # text keys as text; region as codes whose labels are the frame's text
    assert (codes["stkcd"] == frame["stkcd"]).all() and (codes["industry"] == frame["industry"]).all()
    assert (labelled["province"].fillna("") == frame["province"].fillna("")).all()
    assert val_labels["region"] == {1: "East", 2: "Central", 3: "West"}
    assert (labelled["region"].astype(object).where(labelled["region"].notna(), None).tolist()
            == frame["region"].astype(object).where(frame["region"].notna(), None).tolist())
    soe = labelled["SOE"].astype(object)
    want = frame["SOE"].map({0.0: "非国有企业", 1.0: "国有企业"})
    assert (soe.fillna("-") == want.fillna("-")).all()
    # variable labels: the data dictionary's Chinese labels; lags named by their operator
    d = panel.dictionary().set_index("name")
    for c in ("Size", "lnAI", "NQP", "TFP_LP", "SOE"):
        assert var_labels[c] == d.loc[c, "label_zh"]
    assert var_labels["L_lnAI"] == "L.lnAI" and var_labels["L2_lnAI"] == "L2.lnAI"
    assert var_labels["NQP_labour"].endswith("新质劳动者")
    mapping = pd.read_csv(written[0] / "panel_dta_names.csv", encoding="utf-8-sig")
    row = mapping.set_index("name").loc["L.lnAI"]
    assert row["stata_name"] == "L_lnAI" and bool(row["renamed"])


def test_full_panel_lag_in_the_files(panel):
    """The lag column is the lnAI of year t - 1 among all listed firm-years (before the sample
    rules), by a gap-aware pandas shift; here firm-years dropped by the filters still count."""
    fy = panel.firm_years.sort_values(["stkcd", "year"])
    prev = fy.groupby("stkcd")[["year", "lnAI"]].shift(1)
    oracle = prev["lnAI"].where(prev["year"] == fy["year"] - 1)
    want = pd.Series(oracle.to_numpy(), index=pd.MultiIndex.from_frame(fy[["stkcd", "year"]]))
    f = panel.frame.set_index(["stkcd", "year"])
    np.testing.assert_array_equal(f["L.lnAI"].to_numpy(dtype=float), want.reindex(f.index).to_numpy(dtype=float))
    in_sample = set(f.index)
    from_dropped = [(s, y) for s, y in f.index if (s, y - 1) not in in_sample and not np.isnan(f.loc[(s, y), "L.lnAI"])]
    assert from_dropped, "the synthetic sample should have lags coming from filtered years"


def test_command_tables_and_bad_db(written, tmp_path, capsys):
    sample = pd.read_csv(written[0] / "sample_construction.csv", encoding="utf-8-sig")
    assert sample["step"].iloc[0].startswith("listed firm-years")
    t2 = pd.read_csv(written[0] / "table2_descriptives.csv", encoding="utf-8-sig")
    assert {"NQP", "lnAI", "Size"} <= set(t2["variable"])
    missing = tmp_path / "no.duckdb"
    assert main(["panel", "--db", str(missing), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "nqp ingest" in err and "Traceback" not in err
    assert not missing.exists() and not (tmp_path / "o").exists()
