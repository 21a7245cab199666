"""One report end to end (real PDF and TXT) against the hand counts in report_pages.py."""

import math

import pytest

from nqp.text.dictionary import Dictionary, load_dictionaries, load_dictionary, shipped_dictionaries
from nqp.text.document import TextConfig, process_report
from nqp.text.measures import CountingOptions
from nqp.text.reports import ReportFile

from .pdfs import make_pdf
from .report_pages import PAGES


def _row(path, negation=False, stkcd="000001"):
    cfg = TextConfig(tuple(shipped_dictionaries()), CountingOptions(negation=negation))
    return process_report(ReportFile(stkcd, 2021, str(path)), cfg)


@pytest.fixture
def pdf(tmp_path):
    return make_pdf(tmp_path / "000001_2021.pdf", PAGES)


def test_hand_counts_pdf(pdf):
    r = _row(pdf)
    assert (r["status"], r["section_found"], r["section_heading"]) == ("ok", True, "管理层讨论与分析")
    assert r["section_chars"] == 72
    assert (r["ai_hits"], r["aiword"]) == (4, 4)
    assert r["lnaiword"] == pytest.approx(math.log(5))
    assert (r["innovation_hits"], r["innovation_chars"]) == (4, 10)
    assert r["exec_innovation"] == pytest.approx(10 / 72)
    assert r["data_assets"] == 1


def test_hand_counts_with_negation(pdf):
    r = _row(pdf, negation=True)
    assert (r["ai_hits"], r["ai_negated"]) == (3, 1)
    assert (r["innovation_hits"], r["innovation_chars"], r["innovation_negated"]) == (3, 8, 1)
    assert r["exec_innovation"] == pytest.approx(8 / 72)
    assert r["lnaiword"] == pytest.approx(math.log(4))


def test_txt_report_same_counts_as_pdf(tmp_path, pdf):
    txt = tmp_path / "000001_2021.txt"
    txt.write_bytes("\f".join("\n".join(p) for p in PAGES).encode("gbk"))
    a, b = _row(pdf), _row(txt)
    for k in ("ai_hits", "innovation_chars", "section_chars", "data_assets", "section_heading"):
        assert a[k] == b[k], k


def test_no_heading_whole_report_flagged(tmp_path):
    p = tmp_path / "000002_2021.txt"
    p.write_text("公司推进人工智能。\n没有章节标题。", encoding="utf-8")
    r = _row(p)
    assert (r["status"], r["section_found"], r["reason"]) == ("ok", False, "section_not_found")
    assert r["section_chars"] == r["report_chars"] == len("公司推进人工智能。没有章节标题。") + 0
    assert r["ai_hits"] == 1


def test_failure_is_a_row_not_an_exception(tmp_path):
    p = tmp_path / "000003_2021.pdf"
    p.write_bytes(b"%PDF-1.4 garbage")
    r = _row(p, stkcd="000003")
    assert (r["status"], r["reason"]) == ("failed", "broken")
    assert r["stkcd"] == "000003" and r["year"] == 2021


def test_user_dictionary_replaces_shipped(tmp_path):
    f = tmp_path / "ai.txt"
    f.write_text("# name: ai\n# source: my list\n人工智能 10 n\n深度学习\n", encoding="utf-8")
    d = load_dictionary(f)
    assert d == Dictionary("ai", ("人工智能", "深度学习"), "my list", file=str(f))
    ds = load_dictionaries([f])
    assert [x.name for x in ds] == ["ai", "innovation", "data_assets"] and ds[0].source == "my list"


def test_dictionary_without_source_rejected(tmp_path):
    from nqp.errors import ConfigError

    f = tmp_path / "x.toml"
    f.write_text('[dictionary]\nname = "x"\nwords = ["a"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="source"):
        load_dictionary(f)


def test_shipped_dictionaries_have_sources():
    ds = {d.name: d for d in shipped_dictionaries()}
    assert "吴非" in ds["ai"].source and ds["ai"].status == "published"
    assert len(ds["ai"].words) == 13
    assert ds["innovation"].status == ds["data_assets"].status == "starter"
