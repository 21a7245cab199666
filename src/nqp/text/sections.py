"""Locate the board-report / MD&A section (董事会报告 / 管理层讨论与分析) of an annual report.

Heading titles by vintage (CSRC 年报内容与格式准则; measurement reference §6.1):
- early reports: 董事会报告 (董事局报告), with 管理层讨论与分析 inside it;
- about FY2015/16–FY2020: 经营情况讨论与分析;
- FY2021 on: 管理层讨论与分析.
Titles are matched on their text, never on the section number (第三节 / 第四节 vary).

A heading is a paragraph that, after an optional "第X节/章" or "X、" prefix and with a trailing
table-of-contents leader ("......12") removed, *is* one of the titles. Table-of-contents
entries and in-text references ("详见董事会报告。") are therefore never taken; of the remaining
candidates the one with the longest section wins (a TOC entry's "section" ends at the next
entry). The section ends at the next "第X节/章" heading, at a closing title (监事会报告, 重要事项,
公司治理, ...), or at another start title of the same heading style. If no heading is found the
whole report is used and the row is flagged (``section_found = False``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import accumulate

START_TITLES: tuple[str, ...] = (
    "董事会报告", "董事局报告", "董事会工作报告", "董事局工作报告",
    "经营情况讨论与分析", "经营层讨论与分析", "管理层讨论与分析", "管理层分析与讨论",
)
END_TITLES: tuple[str, ...] = (
    "监事会报告", "监事会工作报告", "重要事项", "公司治理", "环境和社会责任", "股份变动及股东情况",
    "优先股相关情况", "债券相关情况", "财务报告", "内部控制", "董事、监事、高级管理人员和员工情况",
)
_CHAPTER = re.compile(r"^(?:第[一二三四五六七八九十百零〇\d]+[节章]|§\s*\d+)\s*")
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[、.])\s*")
_LEADER_CHARS = ".·…。_-"  # with white space: a table-of-contents leader
_WHITE_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())  # every str.isspace() character
_LEADER_OR_SPACE = _LEADER_CHARS + _WHITE_SPACE
_ASCII_DIGITS = "0123456789"
_BOUNDING = frozenset(START_TITLES + END_TITLES)
_BOUNDING_TUPLE = tuple(_BOUNDING)
_CHAPTER_FIRST = frozenset("第§")
_TITLE_FIRST = frozenset(t[0] for t in _BOUNDING)


@dataclass(frozen=True)
class Section:
    start: int  # index of the first paragraph after the heading
    end: int  # index one past the last paragraph
    heading: str  # the title found, e.g. "管理层讨论与分析"; "" when not found
    found: bool


def _strip_leader(s: str) -> str:
    """``s`` without a trailing table-of-contents leader and page number ("......12"): the
    longest suffix of leader characters or white space, then digits, then white space."""
    s = s.rstrip().rstrip(_ASCII_DIGITS)
    n = len(s)
    while n and s[n - 1].isdecimal():  # other decimal digits (rare)
        n -= 1
    return s[:n].rstrip(_LEADER_OR_SPACE)


def _heading(par: str) -> tuple[str, str] | None:
    """(style, title) if ``par`` is a heading line; style is 'chapter', 'numbered' or 'plain'."""
    s = par.strip()
    style = "plain"
    m = _CHAPTER.match(s)
    if m:
        style, s = "chapter", s[m.end():]
    else:
        m = _NUMBERED.match(s)
        if m:
            style, s = "numbered", s[m.end():]
    s = _strip_leader(s).replace(" ", "")
    if not s or len(s) > 30:
        return None
    return style, s


@functools.lru_cache(maxsize=4096)
def _bounding_heading(par: str) -> tuple[str, str] | None:
    """``_heading(par)`` if that heading can start or end a section: a chapter heading (any
    title) or an unnumbered start or end title. Numbered headings ("一、...") never do (see
    :func:`find_section`), so they and paragraphs whose first character cannot begin such a
    heading are passed over without parsing. Cached: chapter headings and table-of-contents
    entries follow the CSRC templates, so the same paragraphs recur from report to report."""
    s = par.strip()
    if s[:1] not in _CHAPTER_FIRST and not s.replace(" ", "").startswith(_BOUNDING_TUPLE):
        return None  # neither 第X节/§ nor a title at the start (what the title test needs)
    h = _heading(s)
    if h is None or (h[0] != "chapter" and (h[0] == "numbered" or h[1] not in _BOUNDING)):
        return None
    return h


def find_section(paragraphs: list[str]) -> Section:
    """The MD&A / board-report section of a cleaned report (see the module docstring).

    Only chapter headings and unnumbered start/end titles matter: a start candidate is never
    numbered, and a section ends at a chapter heading, an unnumbered end title, or a start
    title of the candidate's own (chapter or plain) style.
    """
    heads: list[tuple[int, str, str]] = []
    # the test at the start of _bounding_heading, on the paragraph as it is: a paragraph without
    # leading white space or spaces starts with a title exactly when its stripped form does
    for i in [i for i, p in enumerate(paragraphs) if len(p) <= 60 and (
            (c := p[:1]) in _CHAPTER_FIRST or " " in p or c.isspace()
            or (c in _TITLE_FIRST and p.startswith(_BOUNDING_TUPLE)))]:
        h = _bounding_heading(paragraphs[i])
        if h:
            heads.append((i, h[0], h[1]))
    best: Section | None = None
    best_span = 0
    offsets: list[int] = []  # offsets[k] = characters of paragraphs[:k]
    for k, (i, style, title) in enumerate(heads):
        if title not in START_TITLES or style == "numbered":
            continue
        end = len(paragraphs)
        for j, st2, t2 in heads[k + 1 :]:
            if st2 == "chapter" or (t2 in END_TITLES and st2 != "numbered") or (t2 in START_TITLES and st2 == style):
                end = j
                break
        if not offsets:
            offsets = list(accumulate(map(len, paragraphs), initial=0))
        span = offsets[end] - offsets[i + 1]
        if best is None or span > best_span:
            best, best_span = Section(i + 1, end, title, True), span
    if best is None:
        return Section(0, len(paragraphs), "", False)
    return best
