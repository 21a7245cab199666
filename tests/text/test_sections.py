"""Locating the MD&A / board-report section across report vintages (hand-built reports)."""

from nqp.text.clean import clean_pages
from nqp.text.sections import find_section


def _section(lines):
    paras = clean_pages(["\n".join(lines)]).paragraphs
    s = find_section(paras)
    return s, paras[s.start:s.end]


def test_2021_vintage_with_table_of_contents():
    s, body = _section(["目录", "第三节 管理层讨论与分析......10", "第四节 公司治理......30",
                        "第一节 释义", "本报告中,公司指测试公司。",
                        "第三节 管理层讨论与分析", "一、行业情况", "公司推进人工智能。",
                        "第四节 公司治理", "公司治理完善。"])
    assert (s.found, s.heading) == (True, "管理层讨论与分析")
    assert body == ["一、行业情况", "公司推进人工智能。"]


def test_2016_vintage_operating_discussion():
    s, body = _section(["第四节 经营情况讨论与分析", "一、概述", "本年度收入增长。", "第五节 重要事项", "无。"])
    assert (s.found, s.heading) == (True, "经营情况讨论与分析")
    assert body == ["一、概述", "本年度收入增长。"]


def test_2012_vintage_board_report_contains_mdna():
    s, body = _section(["第四节 董事会报告", "一、管理层讨论与分析", "收入增长。", "二、利润分配", "不分配。",
                        "第五节 重要事项", "无。"])
    assert (s.found, s.heading) == (True, "董事会报告")
    assert body == ["一、管理层讨论与分析", "收入增长。", "二、利润分配", "不分配。"]


def test_unnumbered_txt_ends_at_closing_title():
    s, body = _section(["董事会报告", "收入增长。", "监事会报告", "监事会认为。"])
    assert s.heading == "董事会报告" and body == ["收入增长。"]


def test_in_text_reference_is_not_a_heading_and_fallback_flag():
    s, body = _section(["详见管理层讨论与分析。", "公司收入增长。"])
    assert not s.found and s.heading == ""
    assert body == ["详见管理层讨论与分析。", "公司收入增长。"]  # whole report


def test_running_header_with_heading_words_does_not_fire():
    pages = ["第三节 公司简介\n公司简介。", "第四节 管理层讨论与分析\n正文一。", "正文二。", "正文三。",
             "第五节 重要事项\n无。"]
    pages = ["测试公司 管理层讨论与分析\n" + p + f"\n{i}" for i, p in enumerate(pages)]
    paras = clean_pages(pages).paragraphs
    assert "测试公司 管理层讨论与分析" not in paras
    s = find_section(paras)
    assert s.heading == "管理层讨论与分析"
    assert paras[s.start:s.end] == ["正文一。", "正文二。", "正文三。"]


def test_section_title_repeated_atop_its_pages_is_kept_once():
    pages = ["第三节 公司简介\n公司简介。"] + [f"第四节 管理层讨论与分析\n正文{c}。" for c in "甲乙丙丁"] + ["第五节 重要事项\n无。"]
    paras = clean_pages(pages).paragraphs
    assert paras.count("第四节 管理层讨论与分析") == 1
    s = find_section(paras)
    assert paras[s.start:s.end] == ["正文甲。", "正文乙。", "正文丙。", "正文丁。"]


def test_paragraph_sign_numbering():
    s, body = _section(["§3 会计数据", "收入。", "§4 董事会报告", "公司推进创新。", "§5 重要事项", "无。"])
    assert (s.heading, body) == ("董事会报告", ["公司推进创新。"])
