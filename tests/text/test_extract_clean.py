"""PDF extraction on real PDFs (reportlab STSong-Light), cleaning, and the failure reasons."""

from pathlib import Path

import pytest

from nqp.errors import DocumentError
from nqp.text.clean import clean_pages, is_heading, is_table_line
from nqp.text.extract import Limits, read_pages, reason_of
from nqp.text.sections import find_section

from .pdfs import HEADER, make_broken_pdf, make_image_only_pdf, make_pdf
from .report_pages import PAGES, SECTION


def _reason(path: Path, limits: Limits = Limits()) -> str:
    with pytest.raises(DocumentError) as ei:
        read_pages(path, limits)
    assert str(path) in str(ei.value)  # the message names the file
    return reason_of(ei.value)


def test_pdf_text_extracted_exactly(tmp_path):
    p = make_pdf(tmp_path / "r.pdf", PAGES)
    pages = read_pages(p)
    assert len(pages) == 4
    assert pages[1].splitlines()[:3] == [HEADER, "第四节 管理层讨论与分析", "一、概述"]


def test_cleaning_removes_headers_page_numbers_tables_and_joins_lines(tmp_path):
    pages = read_pages(make_pdf(tmp_path / "r.pdf", PAGES))
    clean = clean_pages(pages)
    joined = "\n".join(clean.paragraphs)
    assert HEADER not in joined
    assert "1 / 4" not in joined and "1,234.56" not in joined
    assert clean.header_lines == 8  # 4 running headers + 4 "n / 4" footers (digit-blind repeats)
    assert clean.table_chars == len("营业收入1,234.5678.9%12,345")
    # broken lines re-joined; full-width comma NFKC-normalised
    assert clean.paragraphs[5:9] == SECTION


def test_table_line_rule():
    assert is_table_line("1,234.56 78.9% 12,345")
    assert is_table_line("营业收入 1,234.56 -12.3%")
    assert not is_table_line("公司2021年营业收入增长10%,主要因为新产品放量。")
    assert not is_table_line("一、概述")


def test_failure_reasons(tmp_path):
    good = make_pdf(tmp_path / "good.pdf", PAGES)
    assert _reason(make_broken_pdf(tmp_path / "broken.pdf", good)) == "broken"
    assert _reason(make_pdf(tmp_path / "enc.pdf", PAGES, encrypt="secret")) == "encrypted"
    (tmp_path / "zero.pdf").write_bytes(b"")
    assert _reason(tmp_path / "zero.pdf") == "empty"
    assert _reason(make_pdf(tmp_path / "blank.pdf", [[]], header=None, page_numbers=False)) == "no_text_layer"
    assert _reason(make_image_only_pdf(tmp_path / "scan.pdf")) == "no_text_layer"
    assert _reason(good, Limits(max_pages=3)) == "too_large"
    assert _reason(good, Limits(seconds=-1)) == "timeout"
    assert _reason(tmp_path / "nope.pdf") == "missing"
    (tmp_path / "x.doc").write_text("x")
    assert _reason(tmp_path / "x.doc") == "unsupported"


def test_txt_encodings(tmp_path):
    text = "第四节 管理层讨论与分析\n公司推进人工智能。"
    for enc in ("utf-8", "utf-8-sig", "gbk", "utf-16"):
        p = tmp_path / f"r_{enc}.txt"
        p.write_bytes(text.encode(enc))
        assert read_pages(p) == [text]
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x81\x30\xff\xfe\xfd\xfc abc")
    assert _reason(bad) == "encoding"
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    assert _reason(empty) == "empty"
    # the decoding shortcuts give the detector's answers: GBK after ASCII, damaged UTF-8 Chinese
    ascii_then_gbk = tmp_path / "ascii_gbk.txt"
    ascii_then_gbk.write_bytes(b"2021 annual report\n" + text.encode("gbk"))
    assert read_pages(ascii_then_gbk) == ["2021 annual report\n" + text]
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes("人工智能".encode("utf-8") + "无".encode("gbk"))  # decodes as GB18030, yet is damaged UTF-8
    assert _reason(damaged) == "encoding"
    assert _reason(tmp_path / "nope.txt") == "missing" and _reason(tmp_path / "nope" / "x.txt") == "missing"
    assert _reason(ascii_then_gbk, Limits(max_mb=1e-6)) == "too_large"


def test_first_character_shortcuts_keep_the_rules():
    # the cleaning tests look at a line's first character before running their patterns:
    # cells after a tab or line separator, non-ASCII digits and padded titles still count
    assert is_table_line("营业收入\t1,234\t5,678") and is_table_line("营业收入\u20281,234\u20285,678")
    assert is_heading(" 董事会报告") and is_heading("٣、概述") and not is_heading("公司治理良好。")
    clean = clean_pages(["正文一。\n٣\n- ٤ -\n营业收入\t1,234\t5,678\n正文二。"])
    assert (clean.paragraphs, clean.page_number_lines, clean.table_chars) == (["正文一。", "正文二。"], 2, 14)
    s = find_section(["目录", "董事会报告......١٢", " 董事会报告 ", "正文。", "监 事 会 报 告", "无。"])
    assert (s.start, s.end, s.heading) == (3, 4, "董事会报告")


def test_utf16_without_bom_is_not_read_as_utf8(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes("abc 人工智能".encode("utf-16-le"))  # NUL bytes: valid UTF-8, but the detector's UTF-16
    assert read_pages(p) == ["abc 人工智能"]
