"""File names → firm-years; duplicates chosen; index files."""

from pathlib import Path

import pytest

from nqp.errors import SchemaError
from nqp.text.reports import parse_name, read_index, scan_reports


def test_parse_names():
    r = parse_name(Path("000001_2015.pdf"))
    assert (r.stkcd, r.year) == ("000001", 2015)
    r = parse_name(Path("000001_2015_平安银行_2015年年度报告_2016-03-10.PDF"))
    assert (r.stkcd, r.year, r.title) == ("000001", 2015, "平安银行_2015年年度报告_2016-03-10")
    r = parse_name(Path("600000_浦发银行_2019年年度报告.pdf"))
    assert (r.stkcd, r.year) == ("600000", 2019)
    assert parse_name(Path("notes.pdf")) is None
    assert parse_name(Path("000001_2015.docx")) is None
    # names are read without a Path: the same stem and suffix as Path's ("..txt" has one, ".txt" none)
    for name in ("000001_2015.TXT", "000001_2015..txt", "000001_2015.txt.", "..txt", ".txt", "000001_2015", "a.b.pdf"):
        want = parse_name(Path(name))
        assert parse_name(name) == want and parse_name("x" + "/" + name) == (
            want and type(want)(want.stkcd, want.year, "x/" + name, want.title))


def test_scan_of_the_current_folder_names_paths_as_path_does(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "000001_2015.txt").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    chosen, skipped = scan_reports(".")
    assert [r.path for r in chosen] == [str(Path("sub", "000001_2015.txt"))]
    assert [s.path for s in skipped] == ["." + "/" + "notes.txt"]  # (as listed before: the folder as given)


def test_scan_chooses_one_file_per_firm_year(tmp_path):
    names = ["000001_2015_平安银行_2015年年度报告_2016-03-10.pdf",
             "000001_2015_平安银行_2015年年度报告摘要_2016-03-10.pdf",
             "000001_2015_平安银行_2015年年度报告（更正后）_2016-04-01.pdf",
             "000001_2015_平安银行_2015年年度报告（英文版）_2016-03-10.pdf",
             "000002_2016.txt", "readme.md"]
    for n in names:
        (tmp_path / n).write_text("x")
    chosen, skipped = scan_reports(tmp_path)
    assert [(r.stkcd, r.year, Path(r.path).name) for r in chosen] == [
        ("000001", 2015, names[2]), ("000002", 2016, "000002_2016.txt")]
    reasons = sorted(s.reason for s in skipped)
    assert reasons == sorted(["summary", "english", f"duplicate of {names[2]}", "unrecognised file name"])


def test_index(tmp_path):
    idx = tmp_path / "index.csv"
    idx.write_text("stkcd,year,file\n1,2015,a.pdf\n000002,2016,b.txt\n", encoding="utf-8")
    rs = read_index(idx, tmp_path)
    assert [(r.stkcd, r.year, Path(r.path).name) for r in rs] == [("000001", 2015, "a.pdf"), ("000002", 2016, "b.txt")]
    idx.write_text("stkcd,year,file\nabc,2015,a.pdf\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="row=2"):
        read_index(idx, tmp_path)
