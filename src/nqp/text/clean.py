"""Page texts → clean paragraphs: what keyword counts are taken on.

Steps (measurement reference §6.2):
1. NFKC-normalise the text (full-width letters, digits and brackets become half-width).
2. Drop running headers/footers: lines among the first or last three of a page whose
   digit-blind form recurs on more than half of the pages (e.g. "XX股份有限公司2021年年度报告全文");
   in a one-page (TXT) report, short non-sentence lines recurring three times or more.
   A section title repeated atop each of its pages is kept once.
3. Drop bare page numbers ("12", "- 12 -", "第 12 页", "12 / 200").
4. Keep tables out of prose: drop lines made of numeric cells (amounts, ratios) — a line is
   table if it has only numeric cells, or at least two numeric cells holding at least half
   of its non-space characters.
5. Re-join lines broken inside a sentence: a line is joined to the next unless it ends a
   sentence (。；！？：) or either line is a heading (第X节, 一、, (一), 1.).

Speed: every line is tested by several anchored patterns, and most lines (Chinese prose) can
match none of them. Each test therefore first looks at the line's first character, which
every match must start with; the regular expression runs only when that character could
begin a match, so the results are those of the patterns alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from nqp.text.sections import END_TITLES, START_TITLES

_PAGE_NO = re.compile(
    r"^(?:[-–—]\s*\d+\s*[-–—]|第?\s*\d+\s*页?(?:\s*/\s*共?\s*\d+\s*页?)?|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_PAGE_NO_FIRST = frozenset("-–—第pP")  # with the decimal digits: what a page number line can start with
_NUM_CELL = re.compile(r"^[-+−(]?[\d,.]+%?\)?$|^[-—–]+$")
_NUM_CELL_FIRST = frozenset("-+−(,.—–")  # with the decimal digits
_DASHES = "-—–"
HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[节章]|§\s*\d+|[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[、.](?!\d))"
)
_HEADING_FIRST = frozenset("第§一二三四五六七八九十(")  # with the decimal digits
_SENTENCE_END = tuple("。；！？：;!?:")
_DIGITS = re.compile(r"\d+")
_NON_TRIVIAL = re.compile(r"([^\x00-\x7f\u4e00-\u9fff\u3001\u3002]+)")
_TITLES = frozenset(START_TITLES + END_TITLES)
_TITLE_FIRST = frozenset(t[0] for t in _TITLES)
_HEADING_OR_TITLE_FIRST = _HEADING_FIRST | _TITLE_FIRST


@dataclass
class CleanText:
    """Paragraphs of a report plus what cleaning removed (for the audit columns)."""

    paragraphs: list[str]
    header_lines: int = 0
    page_number_lines: int = 0
    table_chars: int = 0


def nfkc(text: str) -> str:
    """NFKC normal form, computed only on runs of characters outside ASCII and the CJK unified
    block (which NFKC leaves alone): about twice as fast on report text, same result except
    for combining marks that follow an ASCII letter."""
    parts = _NON_TRIVIAL.split(text)  # text, run, text, run, ..., text
    if len(parts) > 1:
        parts[1::2] = [unicodedata.normalize("NFKC", run) for run in parts[1::2]]
    return "".join(parts)


def _is_page_no(line: str) -> bool:
    """A bare page number line ("12", "- 12 -", "第 12 页", "12 / 200"); ``line`` is stripped."""
    c = line[:1]
    return (c in _PAGE_NO_FIRST or c.isdecimal()) and _PAGE_NO.match(line) is not None


def _is_numeric_cell(cell: str) -> bool:
    """A table cell holding a number (1,234.56, -12.3%, (5.0)) or a dash filler (—)."""
    c = cell[0]
    if c not in _NUM_CELL_FIRST and not c.isdecimal():
        return False  # neither a number nor a dash filler
    return bool(_NUM_CELL.match(cell)) and any(ch.isdigit() for ch in cell) or cell.strip(_DASHES) == ""


def is_table_line(line: str) -> bool:
    cells = line.split()
    if not cells:
        return False
    if len(cells) == 1:
        return _is_numeric_cell(cells[0])
    numeric = [c for c in cells if _is_numeric_cell(c)]
    if len(numeric) == len(cells):
        return True
    if len(numeric) >= 2:
        num_chars = sum(len(c) for c in numeric)
        return num_chars * 2 >= sum(len(c) for c in cells)
    return False


def is_heading(line: str) -> bool:
    """A numbered heading (第X节, 一、, (一), 1.) or a bare section title (董事会报告, 重要事项, ...)."""
    c = line[:1]
    if (c in _HEADING_FIRST or c.isdecimal()) and HEADING.match(line):
        return True
    return line.lstrip(" ")[:1] in _TITLE_FIRST and line.replace(" ", "") in _TITLES


def _key(line: str) -> str:
    return _DIGITS.sub("#", line.replace(" ", ""))


def _running_keys(pages_lines: list[list[str]], page_no: list[list[bool]]) -> tuple[set[str], bool]:
    """Digit-blind forms of running header/footer lines, and whether to look only at page edges.

    With two or more pages: lines among a page's first or last three recurring on more than
    half of the pages. A one-page text (a TXT report): short lines, not ending a sentence and
    not headings, that recur three times or more, or twice with one occurrence next to a page
    number line (a header printed at each page break). ``page_no`` flags the page number lines.
    """
    seen: Counter[str] = Counter()
    if len(pages_lines) >= 2:
        for lines in pages_lines:
            seen.update({_key(ln) for ln in lines[:3] + lines[-3:]})
        half = len(pages_lines) / 2
        return {k for k, n in seen.items() if n > half and k}, True
    lines = pages_lines[0] if pages_lines else []
    nos = page_no[0] if page_no else []
    last = len(lines) - 1
    near_page_no: set[str] = set()
    for i, ln in enumerate(lines):
        if len(ln) <= 60 and not nos[i] and not ln.endswith(_SENTENCE_END) and not is_heading(ln):
            k = _key(ln)
            seen[k] += 1
            if (i > 0 and nos[i - 1]) or (i < last and nos[i + 1]):
                near_page_no.add(k)
    return {k for k, n in seen.items() if k and (n >= 3 or (n >= 2 and k in near_page_no))}, False


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def _lines(page: str) -> list[str]:
    """The stripped, non-empty lines of a page (lines end with CRLF, CR or LF)."""
    return [s for x in page.replace("\r\n", "\n").replace("\r", "\n").split("\n") if (s := x.strip())]


def clean_pages(pages: list[str]) -> CleanText:
    """Clean paragraphs from raw page texts (see the module docstring)."""
    pages_lines = [_lines(nfkc(p)) for p in pages]
    page_no = [[_is_page_no(ln) for ln in page] for page in pages_lines]  # lines are stripped, non-empty
    running, edges_only = _running_keys(pages_lines, page_no)
    firsts = {k[0] for k in running}  # a line's key starts with its first character or "#" (a digit)
    out = CleanText([])
    lines: list[str] = []
    kept_headings: set[str] = set()
    for page, nos in zip(pages_lines, page_no):
        n = len(page)
        for j, ln in enumerate(page):
            c = ln[0]
            if (running and ("#" if c.isdecimal() else c) in firsts and (not edges_only or j < 3 or j >= n - 3)
                    and _key(ln) in running):
                # a section title repeated atop each of its pages: keep its first occurrence
                if is_heading(ln) and ln not in kept_headings:
                    kept_headings.add(ln)
                    lines.append(ln)
                    continue
                out.header_lines += 1
                continue
            if nos[j]:
                out.page_number_lines += 1
                continue
            # a table line has a numeric cell: the line's first, or another after white space
            # (white space other than " " is not printable: a cheap test for "more than one cell")
            if (c in _NUM_CELL_FIRST or c.isdecimal() or " " in ln or not ln.isprintable()) and is_table_line(ln):
                out.table_chars += sum(len(c) for c in ln.split())
                continue
            lines.append(ln)
    paras: list[str] = []
    cur = ""
    for ln in lines:
        c = ln[0]
        if (c in _HEADING_OR_TITLE_FIRST or c.isdecimal()) and is_heading(ln):
            if cur:
                paras.append(cur)
            paras.append(ln)
            cur = ""
            continue
        cur = _join(cur, ln) if cur else ln
        if cur.endswith(_SENTENCE_END):
            paras.append(cur)
            cur = ""
    if cur:
        paras.append(cur)
    out.paragraphs = paras
    return out


def char_count(text: str) -> int:
    """Characters that count as text: everything except whitespace."""
    return sum(map(len, text.split()))
