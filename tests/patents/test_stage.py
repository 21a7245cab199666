"""`nqp patents` end to end on hand-labelled records: counts, problems, warehouse, resume."""

import duckdb
import pandas as pd

from nqp.cli import main
from nqp.patents.classify import Classifier, load_keywords
from nqp.patents.ipc import load_ipc_definitions
from nqp.patents.match import FirmIndex
from nqp.patents.names import read_firm_names
from nqp.patents.stage import COUNT_COLUMNS, PatentContext, run_patents

from .hand_records import EXPECTED, PROBLEMS, write


def _as_dict(counts):
    return {(r.stkcd, r.year): tuple(getattr(r, c) for c in COUNT_COLUMNS) for r in counts.itertuples()}


def test_cli_counts_problems_and_warehouse(tmp_path, capsys):
    d = write(tmp_path)
    out, db = tmp_path / "pat.parquet", tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()  # an (empty) warehouse: --db must name an existing one
    assert main(["patents", "--patents", str(d), "--firms", str(d / "firm_names.csv"), "--out", str(out),
                 "--db", str(db), "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "12 records, 1 duplicates dropped" in printed
    assert _as_dict(pd.read_parquet(out)) == EXPECTED
    probs = pd.read_csv(tmp_path / "pat.problems.csv", dtype=str, keep_default_na=False)
    got = {k: sorted(g["app_no"]) for k, g in probs.groupby("problem")}
    assert got == PROBLEMS
    rep = pd.read_csv(tmp_path / "pat.match_report.csv", dtype=str, keep_default_na=False).set_index("applicant")
    assert rep.loc["丙大学", "status"] == "unmatched" and rep.loc["甲旧名有限公司", "status"] == "matched"
    con = duckdb.connect(str(db), read_only=True)
    wh = con.execute("SELECT * FROM patent_counts ORDER BY stkcd, year").df()
    con.close()
    assert _as_dict(wh) == EXPECTED


def test_partitions_workers_and_resume(tmp_path):
    d = write(tmp_path, copies=7)  # 84 records, 77 after duplicates; every count x7
    names = read_firm_names(d / "firm_names.csv")
    ctx = PatentContext(Classifier(tuple(load_ipc_definitions()), load_keywords()), FirmIndex(names))
    out = tmp_path / "p.parquet"
    expected = {k: tuple(7 * x for x in v) for k, v in EXPECTED.items()}
    first = run_patents(d / "incopat_1.csv", ctx, out, workers=2, partition_size=10, keep_parts=True)
    assert (first.records, first.duplicates, first.partitions, first.done) == (84, 7, 8, 8)
    assert _as_dict(first.counts) == expected
    # a run killed after 4 of 8 partitions: remove the other 4 checkpoints and the output
    parts = sorted((tmp_path / "p.parquet.parts").glob("part-*.parquet"))
    for p in parts[4:]:
        p.unlink()
    out.unlink()
    kept = {p.name: p.stat().st_mtime_ns for p in parts[:4]}
    again = run_patents(d / "incopat_1.csv", ctx, out, workers=1, partition_size=10, keep_parts=True)
    assert (again.resumed, again.done) == (4, 4)
    assert all((tmp_path / "p.parquet.parts" / k).stat().st_mtime_ns == v for k, v in kept.items())
    assert _as_dict(pd.read_parquet(out)) == expected
    assert len(again.problems) == len(first.problems) == 7 * sum(map(len, PROBLEMS.values()))


def test_db_must_exist_and_is_never_created(tmp_path, capsys):
    d = write(tmp_path)
    typo = tmp_path / "typo.duckdb"
    code = main(["patents", "--patents", str(d), "--firms", str(d / "firm_names.csv"),
                 "--out", str(tmp_path / "p.parquet"), "--db", str(typo), "--quiet"])
    assert code == 1
    assert "typo.duckdb does not exist" in capsys.readouterr().err
    assert not typo.exists() and not (tmp_path / "p.parquet").exists()
