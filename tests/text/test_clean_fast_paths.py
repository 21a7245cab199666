"""The fast paths of cleaning, section finding and checkpointing agree with the plain rules.

``clean_pages`` classifies each line once and tests patterns only on lines whose first character
can begin them; here a plain, line-by-line transcription of the module docstring's rules (every
pattern on every line) is the reference, on crafted pages full of edge cases. ``nfkc`` is
compared with NFKC of each run of characters outside ASCII and the CJK block, and the
checkpoint table with the frame pandas builds from the same row dicts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pandas as pd
import pyarrow.parquet as pq
import pytest

from nqp.text import clean
from nqp.text.clean import HEADING, clean_pages, is_heading, is_table_line, nfkc
from nqp.text.sections import END_TITLES, START_TITLES, Section, _strip_leader, find_section

_PAGE_NO = re.compile(
    r"^(?:[-–—]\s*\d+\s*[-–—]|第?\s*\d+\s*页?(?:\s*/\s*共?\s*\d+\s*页?)?|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_CELL = re.compile(r"^[-+−(]?[\d,.]+%?\)?$|^[-—–]+$")
_END = tuple("。；！？：;!?:")
_TITLES = set(START_TITLES + END_TITLES)


def _reference_heading(ln: str) -> bool:
    return bool(HEADING.match(ln)) or ln.replace(" ", "") in _TITLES


def _reference_table(ln: str) -> bool:
    cells = ln.split()
    numeric = [c for c in cells if (_CELL.match(c) and any(ch.isdigit() for ch in c)) or c.strip("-—–") == ""]
    if not cells:
        return False
    if len(numeric) == len(cells):
        return True
    return len(numeric) >= 2 and 2 * sum(map(len, numeric)) >= sum(map(len, cells))


def _key(ln: str) -> str:
    return re.sub(r"\d+", "#", ln.replace(" ", ""))


def _reference_clean(pages: list[str]) -> tuple[list[str], int, int, int]:
    """Every rule on every line, no shortcuts: (paragraphs, headers, page numbers, table chars)."""
    runs = re.compile(r"[^\x00-\x7f\u4e00-\u9fff\u3001\u3002]+")
    texts = [runs.sub(lambda m: unicodedata.normalize("NFKC", m.group()), p) for p in pages]
    pl = [[s for x in t.replace("\r\n", "\n").replace("\r", "\n").split("\n") if (s := x.strip())] for t in texts]
    nos = [[bool(_PAGE_NO.match(ln)) for ln in lines] for lines in pl]
    seen: Counter[str] = Counter()
    if len(pl) >= 2:
        for lines in pl:
            seen.update({_key(ln) for ln in lines[:3] + lines[-3:]})
        running = {k for k, n in seen.items() if n > len(pl) / 2}
    else:
        lines, no = (pl[0], nos[0]) if pl else ([], [])
        near = set()
        for i, ln in enumerate(lines):
            if len(ln) <= 60 and not no[i] and not ln.endswith(_END) and not _reference_heading(ln):
                seen[_key(ln)] += 1
                if (i > 0 and no[i - 1]) or (i + 1 < len(lines) and no[i + 1]):
                    near.add(_key(ln))
        running = {k for k, n in seen.items() if n >= 3 or (n >= 2 and k in near)}
    kept, kept_titles, headers, page_numbers, table = [], set(), 0, 0, 0
    for lines, no in zip(pl, nos):
        for j, ln in enumerate(lines):
            if _key(ln) in running and (len(pl) < 2 or j < 3 or j >= len(lines) - 3):
                if _reference_heading(ln) and ln not in kept_titles:
                    kept_titles.add(ln)
                    kept.append(ln)
                else:
                    headers += 1
            elif no[j]:
                page_numbers += 1
            elif _reference_table(ln):
                table += sum(map(len, ln.split()))
            else:
                kept.append(ln)
    paras, cur = [], ""
    for ln in kept:
        if _reference_heading(ln):
            paras += [cur] if cur else []
            paras.append(ln)
            cur = ""
            continue
        if cur and cur[-1].isascii() and cur[-1].isalnum() and ln[0].isascii() and ln[0].isalnum():
            cur += " " + ln
        else:
            cur += ln
        if cur.endswith(_END):
            paras.append(cur)
            cur = ""
    paras += [cur] if cur else []
    return paras, headers, page_numbers, table


HEADER = "测试科技股份有限公司2021年年度报告全文"
ONE_PAGE = "\n".join([
    HEADER, "目录", "第一节 重要提示 ...... 2", "第四节 管理层讨论与分析......12", "", "第四节 管理层讨论与分析",
    "一、概述", "(一)经营情况", "1. 营业收入", "1.", "2.5", "1. 营业收入 1,234 5,678", "一、 营业收入 12 34",
    "公司推进人工智能，", "坚持创新驱动。", "- 12 -", HEADER.replace("2021", "2022"), "第 13 页", "12 / 200",
    "page 3 of 9", "Page 4", "营业收入 1,234.56 -12.3% (5.0)", "—— —— 12", "1,234 abc def ghi",
    "  股票代码：000001  ", "\t股票代码：000001\r", "股票代码：000001", "1 2", "3 4", "5 6", "78",
    "监 事 会 报 告", "公司治理", "公司治理良好。", "The AI", "business grows.", "٣、概述", "- ٤ -",
    "营业收入\t1,234\t5,678", "第五节 重要事项", HEADER, "无。", "短行", "短行", "- 14 -",
    "ＡＢＣ１２３：（注）", "Ａ\u0301，ｆｉ", "…… ％", "第\u3000二\u3000节", "第二节\u3000重要事项",
])


@pytest.mark.parametrize("pages", [
    [ONE_PAGE],
    [ONE_PAGE.replace("\n", "\r\n")],
    [ONE_PAGE.replace("\n", "\r")],
    ONE_PAGE.split("- 12 -"),  # several pages: headers among each page's first and last three lines
    [f"{HEADER}\n第四节 管理层讨论与分析\n正文{k}。\n{k + 1}" for k in range(5)] + ["第五节 公司治理\n无。"],
    [f"第四节 管理层讨论与分析\n正文{k}，\n续{k}。\n- {k} -" for k in range(3)],
    ["1 2\n3\n4 5\n6\n7 8"],  # short lines whose key ("#") is a page number's: two headers next to page numbers
    ["", "   \n\n"],
    [],
])
def test_clean_pages_agrees_with_the_line_by_line_rules(pages):
    got = clean_pages(pages)
    assert (got.paragraphs, got.header_lines, got.page_number_lines, got.table_chars) == _reference_clean(pages)


def test_the_reference_sees_the_edge_cases():
    # the crafted page exercises every rule (the comparison above would be vacuous otherwise)
    paras, headers, page_numbers, table = _reference_clean([ONE_PAGE])
    assert headers >= 3 and page_numbers >= 6 and table > 20
    assert "第四节 管理层讨论与分析" in paras and "1." not in paras and "公司推进人工智能,坚持创新驱动。" in paras
    assert "The AI business grows." in paras and "监 事 会 报 告" in paras


def test_line_rules():
    assert is_table_line("1.") and is_table_line("—— —— 12") and is_table_line("1. 营业收入 1,234 5,678")
    assert not is_table_line("1,234 abc def ghi") and not is_table_line(",") and not is_table_line("")
    assert is_heading("1.") and is_heading("监 事 会 报 告") and not is_heading("1.5") and not is_heading("第 12 页")
    lines = ["- 12 -", "第 12 页", "12 / 200", "page 3 of 9", "第一节 概述", "一、概述", "(一)概述", "1. 概述", "公司治理",
             "目录", "2021年年度报告", "正文。"]
    page = clean._classify(lines, True)
    assert page.page_numbers == {0, 1, 2, 3} and page.headings == {4, 5, 6, 7, 8}
    assert page.candidate_keys == {9: "目录", 10: "#年年度报告"}


@pytest.mark.parametrize("text", [
    "公司，推进（人工智能）：！？；％\u3000", "ＡＢＣ１２３", "Ａ\u0301", "（\u0301", "ｆｉ，", "e\u0301，",
    "…，", "①，", "\u00e9\u0301，", "한국어，", "ｶﾞ，", "", "纯中文。",
])
def test_nfkc_fast_path_equals_nfkc_of_each_run(text):
    runs = re.compile(r"[^\x00-\x7f\u4e00-\u9fff\u3001\u3002]+")
    assert nfkc(text) == runs.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    assert nfkc("Ａ\u0301") == "\u00c1"  # the full-width letter composes with its accent, as NFKC of the run


def _reference_strip_leader(s: str) -> str:
    s = s.rstrip()
    n = len(s)
    while n and s[n - 1].isdecimal():
        n -= 1
    while n and (s[n - 1] in ".·…。_-" or s[n - 1].isspace()):
        n -= 1
    return s[:n]


@pytest.mark.parametrize("s", ["董事会报告......12", "董事会报告 ...... ١٢ ", "董事会报告\u3000……12\u3000", "董事会报告1.2",
                               "12", "......", "董事会报告", "", "董事会报告_-·。 \t8", "董事会报告\u20288"])
def test_strip_leader(s):
    assert _strip_leader(s) == _reference_strip_leader(s)


def test_find_section_first_character_test():
    # headings that start with white space, or hold spaces, are not passed over; "公司..." prose is
    pars = ["目录", "第四节 经营情况讨论与分析 ...... 8", "\t董事会报告", "正文。", "公司治理", "无。", "董 事 会 报 告", "正文二。",
            "公司治理结构完善。"]
    assert find_section(pars) == Section(7, 9, "董事会报告", True)
    assert find_section(pars[:8]) == Section(2, 4, "经营情况讨论与分析", True)
    assert find_section(["\t董事会报告", "正文。", "公 司 治 理", "无。"]) == Section(1, 2, "董事会报告", True)


def test_checkpoint_table_reads_back_as_the_pandas_frame(tmp_path):
    from nqp.atomic import atomic_write_parquet
    from nqp.text.stage import _part_table

    ok = {"stkcd": "000001", "year": 2020, "file": "a.txt", "format": "txt", "pages": 1, "section_found": True,
          "ai_share": 0.5, "ai_hits": 3, "status": "ok", "reason": "", "message": "", "seconds": 0.1}
    no_share = {**ok, "stkcd": "000002", "ai_share": None, "section_found": False}
    failed = {"stkcd": "000003", "year": 2020, "file": "c.txt", "format": "txt", "status": "failed",
              "reason": "broken", "message": "bad", "seconds": 0.0}
    for rows in ([ok, no_share], [ok, failed, no_share], [failed], [no_share, no_share]):
        keys = [f"{r['stkcd']}:{r['file']}" for r in rows]
        frame = pd.DataFrame(rows)
        frame["_key"] = keys
        atomic_write_parquet(frame, tmp_path / "pandas.parquet")
        atomic_write_parquet(_part_table(rows, keys), tmp_path / "arrow.parquet")
        want = pq.read_table(tmp_path / "pandas.parquet").to_pandas()
        got = pq.read_table(tmp_path / "arrow.parquet").to_pandas()
        pd.testing.assert_frame_equal(got, want)
