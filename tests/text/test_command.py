"""`nqp text` end to end: good and bad reports, problem list, warehouse, index with a missing file."""

import duckdb
import pandas as pd
import pytest

from nqp.cli import main

from .pdfs import make_broken_pdf, make_image_only_pdf, make_pdf
from .report_pages import PAGES


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "reports"
    d.mkdir()
    good = make_pdf(d / "000001_2021_测试科技_2021年年度报告_2022-03-30.pdf", PAGES)
    make_pdf(d / "000002_2021.pdf", PAGES, encrypt="pw")
    make_broken_pdf(d / "000003_2021.pdf", good)
    make_image_only_pdf(d / "000004_2021.pdf")
    (d / "000005_2021.pdf").write_bytes(b"")
    (d / "000006_2021.txt").write_bytes(b"\x81\x30\xff\xfe\xfd\xfc")
    (d / "000099_2020.txt").write_text("第四节 管理层讨论与分析\n公司推进人工智能。\n第五节 重要事项\n无。", encoding="gbk")
    (d / "notes.md").write_text("x")
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE company_profile AS SELECT lpad(CAST(i AS VARCHAR), 6, '0') AS stkcd FROM range(1, 8) t(i)")
    con.close()
    return d, db


def test_cli_text_rows_problems_and_warehouse(corpus, tmp_path, capsys):
    d, db = corpus
    out = tmp_path / "text.parquet"
    assert main(["text", "--reports", str(d), "--out", str(out), "--db", str(db), "--workers", "2", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "7 reports; done 7 in this run, failed 5, skipped as already done 0; 1 files not used" in printed
    rows = pd.read_parquet(out)
    assert list(rows["stkcd"]) == ["000001", "000002", "000003", "000004", "000005", "000006", "000099"]
    reasons = dict(zip(rows["stkcd"], rows["reason"]))
    assert reasons == {"000001": "", "000002": "encrypted", "000003": "broken", "000004": "no_text_layer",
                       "000005": "empty", "000006": "encoding", "000099": ""}
    ok = rows.set_index("stkcd").loc["000001"]
    assert (ok["ai_hits"], ok["innovation_chars"], ok["section_chars"]) == (4, 10, 72)
    probs = pd.read_csv(tmp_path / "text.problems.csv", dtype=str, keep_default_na=False)
    assert set(probs["reason"]) == {"encrypted", "broken", "no_text_layer", "empty", "encoding",
                                    "skipped: unrecognised file name", "firm_not_in_warehouse"}
    assert probs.loc[probs["reason"] == "firm_not_in_warehouse", "stkcd"].tolist() == ["000099"]
    con = duckdb.connect(str(db), read_only=True)
    wh = con.execute("SELECT stkcd, year, status, firm_in_warehouse FROM text_measures ORDER BY stkcd").df()
    con.close()
    assert len(wh) == 7 and wh["year"].tolist() == [2021] * 6 + [2020]
    assert wh["firm_in_warehouse"].tolist() == [True] * 6 + [False]
    assert not (tmp_path / "text.parquet.parts").exists()


def test_cli_index_with_missing_file(tmp_path, capsys):
    d = tmp_path / "r"
    d.mkdir()
    (d / "a.txt").write_text("董事会报告\n公司推进人工智能与深度学习。\n监事会报告\n无。", encoding="utf-8")
    idx = tmp_path / "index.csv"
    idx.write_text("stkcd,year,file\n000001,2012,a.txt\n000002,2012,gone.pdf\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    assert main(["text", "--reports", str(d), "--index", str(idx), "--out", str(out), "--workers", "1",
                 "--quiet", "--negation"]) == 0
    rows = pd.read_parquet(out)
    assert rows["reason"].tolist() == ["", "missing"]
    assert rows["section_heading"].tolist()[0] == "董事会报告" and rows["ai_hits"].tolist()[0] == 2


def test_db_must_name_an_existing_warehouse(corpus, tmp_path, capsys):
    d, _ = corpus
    typo = tmp_path / "typo.duckdb"
    code = main(["text", "--reports", str(d), "--out", str(tmp_path / "t.parquet"), "--db", str(typo), "--quiet"])
    assert code == 1
    assert "typo.duckdb does not exist" in capsys.readouterr().err
    assert not typo.exists() and not (tmp_path / "t.parquet").exists()


def test_reports_outside_the_study_window_are_listed(tmp_path):
    from nqp.text.stage import text_stage

    d = tmp_path / "reports"
    d.mkdir()
    for y in (2009, 2015, 2023):
        (d / f"000001_{y}.txt").write_text("第四节 管理层讨论与分析\n公司推进人工智能。\n第五节 重要事项\n无。",
                                           encoding="utf-8")
    rep = text_stage(d, tmp_path / "t.parquet", workers=1, window=(2010, 2022))
    listed = rep.problems[rep.problems["reason"] == "outside_study_window"]
    assert sorted(listed["year"]) == [2009, 2023]
    assert any("2 reports of fiscal years outside 2010-2022" in w for w in rep.warnings)


def test_reports_processed_before_the_warehouse_exists(corpus, tmp_path):
    """As `nqp run` does: the reports are processed while the warehouse is still being built;
    the stage reads it only after ``before_warehouse`` returns (here: the warehouse appears)."""
    from nqp.text.stage import text_stage

    d, built = corpus
    later = tmp_path / "later" / "w.duckdb"
    events = []

    def ingest_finishes():
        events.append("waited")
        later.parent.mkdir()
        later.write_bytes(built.read_bytes())

    rep = text_stage(d, tmp_path / "t.parquet", db=later, workers=2, before_warehouse=ingest_finishes)
    assert events == ["waited"] and len(rep.rows) == 7 and rep.unknown_firms == 1
    con = duckdb.connect(str(later), read_only=True)
    assert con.execute("SELECT count(*) FROM text_measures").fetchone()[0] == 7
    con.close()


def test_started_workers_are_used_with_the_same_options_and_stopped_otherwise(tmp_path):
    """nqp demo hands text_stage workers started before the reports exist: with the same
    options they do the work (the same rows as workers of its own), with others they are
    stopped and text_stage starts its own; none is left running either way."""
    from nqp.text.stage import start_text_workers, text_stage

    d = tmp_path / "reports"
    d.mkdir()
    (d / "000001_2021.txt").write_text("第四节 管理层讨论与分析\n公司无人工智能业务。\n第五节 重要事项\n无。", encoding="utf-8")
    (d / "000002_2021.txt").write_text("第四节 管理层讨论与分析\n公司推进大数据。\n第五节 重要事项\n无。", encoding="utf-8")
    own = text_stage(d, tmp_path / "own.parquet", workers=2).run.rows
    started = start_text_workers(2)
    procs = [w.proc for w in started._idle]
    used = text_stage(d, tmp_path / "started.parquet", workers=2, started=started).run.rows
    pd.testing.assert_frame_equal(used, own)
    assert not any(p.is_alive() for p in procs)
    other = start_text_workers(2)  # default options; this run counts negations
    procs = [w.proc for w in other._idle]
    negated = text_stage(d, tmp_path / "negated.parquet", workers=2, negation=True, started=other).run.rows
    assert not any(p.is_alive() for p in procs)
    assert negated["ai_negated"].sum() == 1 and own["ai_negated"].sum() == 0
