"""Firm names for patent matching from the warehouse alone reproduce the counts of the
synthetic data set's own name file (current names, dated former names, dated subsidiaries)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from nqp.ingest import ingest
from nqp.patents.firm_table import warehouse_firm_names
from nqp.patents.stage import patents_stage
from nqp.synth import write_synthetic


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("firm_table")
    raw = root / "raw"
    write_synthetic(raw, scale=0.03, seed=5, pdf_reports=0, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingest(raw, root / "w.duckdb", progress=False)
    return root, raw


def test_names_from_the_warehouse_match_the_name_file(world):
    root, raw = world
    fn = warehouse_firm_names(root / "w.duckdb")
    assert set(fn.sources) == {"company_profile", "name_changes", "subsidiaries"} and not fn.missing
    own = pd.read_csv(raw / "patents" / "firm_names.csv", dtype=str, keep_default_na=False)
    got = fn.names.assign(valid_from=fn.names["valid_from"].astype("string").fillna(""),
                          valid_to=fn.names["valid_to"].astype("string").fillna(""))
    cols = ["stkcd", "name", "kind", "valid_from", "valid_to"]
    named = lambda d: d[d["kind"] != "subsidiary"][cols]  # noqa: E731
    # current names valid from the last change, former names up to the year before it
    assert sorted(map(tuple, named(got).to_numpy())) == sorted(map(tuple, named(own).to_numpy()))
    w = set(zip(got["stkcd"], got["name"], got["kind"]))
    f = set(zip(own["stkcd"], own["name"], own["kind"]))
    assert w <= f
    # the file's extra names are subsidiaries never consolidated in a reported firm-year
    assert {k for _, _, k in f - w} <= {"subsidiary"} and len(f - w) < 0.1 * len(f)


def test_match_counts_from_the_warehouse_alone(world, tmp_path):
    root, raw = world
    db = tmp_path / "w.duckdb"
    db.write_bytes((root / "w.duckdb").read_bytes())
    by_file = patents_stage(raw / "patents", tmp_path / "a.parquet", firms=raw / "patents" / "firm_names.csv",
                            workers=1)
    by_db = patents_stage(raw / "patents", tmp_path / "b.parquet", db=db, workers=1)
    assert by_db.name_sources["name_changes"] > 0 and by_db.run.counts["ai_patents"].sum() > 0
    pd.testing.assert_frame_equal(by_db.run.counts, by_file.run.counts)
    assert by_db.status_counts == by_file.status_counts
    both = patents_stage(raw / "patents", tmp_path / "c.parquet", db=db, firms=raw / "patents" / "firm_names.csv",
                         workers=1)  # a user's own file added on top: the same names, the same counts
    pd.testing.assert_frame_equal(both.run.counts, by_file.run.counts)
