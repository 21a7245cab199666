"""Labels (dictionary, label files) and bad input: clear errors naming the table and key, and
nothing written."""

from __future__ import annotations

import copy
import json

import pytest

from nqp.errors import ConfigError, ReportError
from nqp.report import write_report


def _files(path):
    return sorted(p for p in path.rglob("*") if p.is_file())


def test_label_file_overrides_and_unknown_key(results, tmp_path):
    toml = tmp_path / "labels.toml"
    toml.write_text('lnAI = "人工智能技术创新"\nSize = "企业规模"\n', encoding="utf-8")
    write_report(results, tmp_path / "out", formats=("md",), figures=False, html=False, labels=toml)
    md = (tmp_path / "out" / "tables" / "table3.md").read_text(encoding="utf-8")
    assert "| 人工智能技术创新 |" in md and "| 企业规模 |" in md
    csvf = tmp_path / "labels.csv"
    csvf.write_text("name,label\nlnAI,AI\nlnAIx,typo\nSzie,typo2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        write_report(results, tmp_path / "out2", formats=("md",), labels=csvf)
    assert "lnAIx" in str(e.value) and "Szie" in str(e.value) and "labels.csv" in str(e.value)
    assert not (tmp_path / "out2").exists()
    per_lang = tmp_path / "both.toml"
    per_lang.write_text('[zh]\nlnAI = "人工智能"\n[en]\nlnAI = "AI innovation"\n', encoding="utf-8")
    write_report(results, tmp_path / "en", lang="en", formats=("md",), figures=False, html=False, labels=per_lang)
    assert "| AI innovation |" in (tmp_path / "en" / "tables" / "table3.md").read_text(encoding="utf-8")


def test_table_naming_a_missing_model(results, tmp_path):
    bad = copy.deepcopy(results)
    bad["tables"][0]["columns"].append("t3_nope")
    with pytest.raises(ReportError) as e:
        write_report(bad, tmp_path / "out")
    assert "t3_nope" in str(e.value) and "table='3'" in str(e.value)
    assert not (tmp_path / "out").exists()


def test_keep_term_in_no_model_and_unknown_test(results, tmp_path):
    bad = copy.deepcopy(results)
    bad["tables"][1]["keep"] = ["lnAI", "lnAIword"]
    with pytest.raises(ReportError, match="lnAIword"):
        write_report(bad, tmp_path / "a")
    bad = copy.deepcopy(results)
    next(t for t in bad["tables"] if t["id"] == "6")["tests"] = ["t6_missing"]
    with pytest.raises(ReportError, match="t6_missing"):
        write_report(bad, tmp_path / "b")
    bad = copy.deepcopy(results)
    bad["models"].append(dict(bad["models"][0]))
    with pytest.raises(ReportError, match="appears twice"):
        write_report(bad, tmp_path / "c")
    with pytest.raises(ReportError, match="unknown format"):
        write_report(results, tmp_path / "d", formats=("md", "pdf"))
    assert not any((tmp_path / x).exists() for x in "abcd")


def test_unwritable_output_folder(results, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(ReportError) as e:
        write_report(results, blocker / "out", formats=("md",), figures=False)
    assert "file.txt" in str(e.value)
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "report.html").write_text("old")
    (ro / "tables").write_text("a file where the tables folder goes")
    with pytest.raises(ReportError) as e:
        write_report(results, ro, formats=("md",), figures=False)
    assert "tables" in str(e.value)
    assert (ro / "report.html").read_text() == "old"  # nothing written, nothing half-written
    assert _files(ro) == [ro / "report.html", ro / "tables"]


def test_bad_results_file(tmp_path):
    p = tmp_path / "results.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportError, match="results.json"):
        write_report(p, tmp_path / "out")
    with pytest.raises(ReportError, match="not found"):
        write_report(tmp_path / "missing.json", tmp_path / "out")


def test_inputs_are_not_modified(results, results_path, tmp_path):
    before = copy.deepcopy(results)
    text = results_path.read_bytes()
    write_report(results, tmp_path / "a", formats=("md", "docx"), figures=False, html=False)
    write_report(results_path, tmp_path / "b", formats=("md",), figures=False, html=False)
    assert results == before and results_path.read_bytes() == text


def test_failed_model_prints_a_mark_and_warning(results, tmp_path):
    bad = copy.deepcopy(results)
    m = next(m for m in bad["models"] if m["id"] == "t4_2")
    m.update(status="failed", error="lnemploy has no variation", coefficients=None, nobs=None, adj_r2=None)
    write_report(bad, tmp_path, formats=("md",), figures=False)
    md = (tmp_path / "tables" / "table4.md").read_text(encoding="utf-8")
    assert "未能估计" in md
    assert "lnemploy has no variation" in (tmp_path / "report.html").read_text(encoding="utf-8")
    json.dumps(bad)  # still a valid results document
