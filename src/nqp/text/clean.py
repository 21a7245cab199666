"""Page texts → clean paragraphs: what keyword counts are taken on.

Steps (measurement reference §6.2):
1. NFKC-normalise the text (full-width letters, digits and brackets become half-width).
2. Drop running headers/footers: lines among the first or last three of a page whose
   digit-blind form recurs on more than half of the pages (e.g. "XX股份有限公司2021年年度报告全文");
   in a one-page (TXT) report, short lines (at most 60 characters) that end no sentence, are
   neither page numbers nor headings, and recur three times or more, or twice with one of them
   next to a page number line (a header printed at each page break).
   A section title repeated atop each of its pages is kept once.
3. Drop bare page numbers ("12", "- 12 -", "第 12 页", "12 / 200").
4. Keep tables out of prose: drop lines made of numeric cells (amounts, ratios) — a line is
   table if it has only numeric cells, or at least two numeric cells holding at least half
   of its non-space characters.
5. Re-join lines broken inside a sentence: a line is joined to the next unless it ends a
   sentence (。；！？：) or either line is a heading (第X节, 一、, (一), 1.).

Speed: reports are small and most of their lines are Chinese prose that none of the rules
touches, so the work per line is kept to a few cheap tests. NFKC first replaces the common
full-width forms (，：（） ...) by their decompositions and keeps the result when it is then in
NFKC normal form (the same text as normalising each run, see :func:`nfkc`). Each line is
classified once (page number, heading, header candidate), looking first at its first
character, which every match must start with; a pattern runs only when that character could
begin a match, so the results are those of the patterns alone.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from nqp.text.sections import END_TITLES, START_TITLES

_PAGE_NO = re.compile(
    r"^(?:[-–—]\s*\d+\s*[-–—]|第?\s*\d+\s*页?(?:\s*/\s*共?\s*\d+\s*页?)?|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_PAGE_NO_FIRST = frozenset("-–—第pP")  # with the decimal digits: what a bare page number line can start with
_NUMERIC_CELL = re.compile(r"[-+−(]?[\d,.]*\d[\d,.]*%?\)?|[-—–]+")  # a whole cell: a number or dashes
_NUM_CELL_FIRST = frozenset("-+−(,.—–")  # with the decimal digits: what a numeric cell can start with
HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[节章]|§\s*\d+|[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[、.](?!\d))"
)
_HEADING_FIRST = frozenset("第§一二三四五六七八九十(")  # with the decimal digits
_SENTENCE_END = tuple("。；！？：;!?:")
_DIGITS = re.compile(r"\d+")
_NON_TRIVIAL = re.compile(r"([^\x00-\x7f\u4e00-\u9fff\u3001\u3002]+)")
_TITLES = frozenset(START_TITLES + END_TITLES)
_LONGEST_TITLE = max(map(len, _TITLES))
_PAGE_NO_OR_HEADING_FIRST = _PAGE_NO_FIRST | _HEADING_FIRST


@dataclass
class CleanText:
    """Paragraphs of a report plus what cleaning removed (for the audit columns)."""

    paragraphs: list[str]
    header_lines: int = 0
    page_number_lines: int = 0
    table_chars: int = 0


_COMMON_WIDE_FORMS: tuple[tuple[str, str], ...] = tuple(
    (wide, unicodedata.normalize("NFKD", wide)) for wide in "，：（）；！？％\u3000"
)  # full-width forms frequent in Chinese reports, with their (ASCII) decompositions


def nfkc(text: str) -> str:
    """NFKC normal form, computed only on runs of characters outside ASCII and the CJK unified
    block (which NFKC leaves alone): about twice as fast on report text, same result except
    for combining marks that follow an ASCII letter.

    Fast path, same result: the common full-width forms are replaced by their full
    decompositions (which leaves the NFKC form of every run unchanged); if the text is then in
    NFKC normal form, so is each run of it between characters of ASCII or the CJK block (these
    never combine with what precedes them), and that text is the result.
    """
    narrow = text
    for wide, decomposed in _COMMON_WIDE_FORMS:
        if wide in narrow:
            narrow = narrow.replace(wide, decomposed)
    if unicodedata.is_normalized("NFKC", narrow):
        return narrow
    parts = _NON_TRIVIAL.split(text)  # text, run, text, run, ..., text
    if len(parts) > 1:
        parts[1::2] = [unicodedata.normalize("NFKC", run) for run in parts[1::2]]
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def is_table_line(line: str) -> bool:
    """Only numeric cells, or two or more numeric cells holding at least half the characters.
    Cells are separated by white space; a numeric cell is a number (1,234.56, -12.3%, (5.0)) or
    a dash filler (—). Cached: the lines tested are mostly table-of-contents entries and
    headings, which recur from report to report."""
    cells = line.split()
    if not cells:
        return False
    numeric = list(filter(_NUMERIC_CELL.fullmatch, cells))
    if len(numeric) == len(cells):
        return True
    if len(numeric) >= 2:
        return sum(map(len, numeric)) * 2 >= sum(map(len, cells))
    return False


def _is_title(line: str) -> bool:
    """A bare section title, spaces (U+0020) ignored: "董事会报告", "监 事 会 报 告"."""
    if " " in line:
        return line.replace(" ", "") in _TITLES
    return len(line) <= _LONGEST_TITLE and line in _TITLES


def is_heading(line: str) -> bool:
    """A numbered heading (第X节, 一、, (一), 1.) or a bare section title (董事会报告, 重要事项, ...)."""
    c = line[:1]
    if (c in _HEADING_FIRST or c.isdecimal()) and HEADING.match(line):
        return True
    return _is_title(line)


def _key(line: str) -> str:
    """The digit-blind form of a line: spaces removed, each run of digits replaced by "#"."""
    return _DIGITS.sub("#", line.replace(" ", ""))


@dataclass
class _PageLines:
    """The stripped, non-empty lines of a page, with the indices of its page number lines and of
    its headings, and (one-page reports) the digit-blind keys of its header candidates."""

    lines: list[str]
    page_numbers: set[int]
    headings: set[int]
    candidate_keys: dict[int, str]


def _classify(lines: list[str], header_candidates: bool) -> _PageLines:
    """Page numbers (bare page number lines: "12", "- 12 -", "第 12 页", "12 / 200") and headings
    (``is_heading``) of ``lines``, tested only on lines whose first character can begin them; with ``header_candidates`` also the keys of
    the lines a one-page report's running headers are looked for among (see
    :func:`_running_keys`)."""
    page_numbers: set[int] = set()
    headings: set[int] = set()
    keys: dict[int, str] = {}
    candidates: list[int] = []
    for i, ln in enumerate(lines):
        c = ln[0]
        if c in _PAGE_NO_OR_HEADING_FIRST or c.isdecimal():  # (no title starts so)
            if _PAGE_NO.match(ln):
                page_numbers.add(i)
                if HEADING.match(ln):
                    headings.add(i)
                continue
            if HEADING.match(ln):
                headings.add(i)
                continue
        elif (" " in ln or len(ln) <= _LONGEST_TITLE) and _is_title(ln):
            headings.add(i)
            continue
        if header_candidates and len(ln) <= 60 and not ln.endswith(_SENTENCE_END):
            candidates.append(i)
    if candidates:  # their keys in one pass: _key of the candidates joined by line breaks, split again
        joined = "\n".join(map(lines.__getitem__, candidates))
        keys = dict(zip(candidates, _DIGITS.sub("#", joined.replace(" ", "")).split("\n")))
    return _PageLines(lines, page_numbers, headings, keys)


def _running_keys(pages: list[_PageLines]) -> tuple[set[str], bool]:
    """Digit-blind forms of running header/footer lines, and whether to look only at page edges.

    With two or more pages: lines among a page's first or last three recurring on more than
    half of the pages. A one-page text (a TXT report): short lines, not ending a sentence and
    not headings, that recur three times or more, or twice with one occurrence next to a page
    number line (a header printed at each page break).
    """
    seen: Counter[str] = Counter()
    if len(pages) >= 2:
        for page in pages:
            lines = page.lines
            seen.update({_key(ln) for ln in lines[:3] + lines[-3:]})
        half = len(pages) / 2
        return {k for k, n in seen.items() if n > half and k}, True
    if not pages:
        return set(), False
    page = pages[0]
    seen.update(page.candidate_keys.values())
    near_page_no = {k for i, k in page.candidate_keys.items() if i - 1 in page.page_numbers or i + 1 in page.page_numbers}
    return {k for k, n in seen.items() if k and (n >= 3 or (n >= 2 and k in near_page_no))}, False


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def _lines(page: str) -> list[str]:
    """The stripped, non-empty lines of a page (lines end with CRLF, CR or LF)."""
    if "\r" in page:
        page = page.replace("\r\n", "\n").replace("\r", "\n")
    return list(filter(None, map(str.strip, page.split("\n"))))


def clean_pages(pages: list[str]) -> CleanText:
    """Clean paragraphs from raw page texts (see the module docstring)."""
    one_page = len(pages) == 1
    classified = [_classify(_lines(nfkc(p)), one_page) for p in pages]
    running, edges_only = _running_keys(classified)
    firsts = {k[0] for k in running}  # a line's key starts with its first character or "#" (a digit)
    out = CleanText([])
    paras: list[str] = []
    cur = ""  # the paragraph being joined
    kept_headings: set[str] = set()
    for page in classified:
        lines, page_numbers, headings, keys = page.lines, page.page_numbers, page.headings, page.candidate_keys
        n = len(lines)
        for j, ln in enumerate(lines):
            c = ln[0]
            digit = c.isdecimal()
            if (running and ("#" if digit else c) in firsts and (not edges_only or j < 3 or j >= n - 3)
                    and (keys.get(j) or _key(ln)) in running):
                # a section title repeated atop each of its pages: keep its first occurrence
                if j not in headings or ln in kept_headings:
                    out.header_lines += 1
                    continue
                kept_headings.add(ln)
            elif j in page_numbers:
                out.page_number_lines += 1
                continue
            # a table line has a numeric cell: the line's first, or another after white space
            # (white space other than " " is not printable: a cheap test for "more than one cell")
            elif (digit or c in _NUM_CELL_FIRST or " " in ln or not ln.isprintable()) and is_table_line(ln):
                out.table_chars += sum(map(len, ln.split()))
                continue
            # the line is kept: a heading is a paragraph of its own, other lines join up to a sentence end
            if j in headings:
                if cur:
                    paras.append(cur)
                    cur = ""
                paras.append(ln)
                continue
            cur = _join(cur, ln) if cur else ln
            if ln.endswith(_SENTENCE_END):
                paras.append(cur)
                cur = ""
    if cur:
        paras.append(cur)
    out.paragraphs = paras
    return out


def char_count(text: str) -> int:
    """Characters that count as text: everything except whitespace."""
    return sum(map(len, text.split()))
