"""`nqp demo` end to end on a small synthetic data set: every stage runs and says SYNTHETIC."""

import json

import pandas as pd
import pytest

from nqp.cli import main


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--scale", "0.05", "--seed", "3", "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "SYNTHETIC" in printed

    for name in ("warehouse.duckdb", "text_measures.parquet", "patent_counts.parquet", "panel.parquet",
                 "manifest.json", "raw/README_SYNTHETIC.txt"):
        assert (out / name).exists(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "SYNTHETIC" in manifest["note"]
    assert "panel.parquet" in manifest["files"]

    panel = pd.read_parquet(out / "panel.parquet")
    assert {"stkcd", "year", "NQP", "lnAI", "Size"} <= set(panel.columns)
    assert panel["NQP"].notna().all() and panel["NQP"].between(0, 100).all()
    assert not panel.duplicated(["stkcd", "year"]).any()

    table2 = pd.read_csv(out / "tables" / "table2_descriptives.csv", encoding="utf-8-sig")
    first = table2.columns[0]
    assert {"NQP", "lnAI", "Size"} <= set(table2[first])
    # Table 2's N of NQP is the sample size
    assert int(table2.loc[table2[first] == "NQP", "N"].iloc[0]) == len(panel)
    fig2 = pd.read_csv(out / "tables" / "figure2_data.csv", encoding="utf-8-sig")
    assert len(fig2) == panel["year"].nunique()
