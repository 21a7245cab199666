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
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from nqp.text.sections import END_TITLES, START_TITLES

_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
_PAGE_NO = re.compile(
    r"^(?:[-–—]\s*\d+\s*[-–—]|第?\s*\d+\s*页?(?:\s*/\s*共?\s*\d+\s*页?)?|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_NUM_CELL = re.compile(r"^[-+−(]?[\d,.]+%?\)?$|^[-—–]+$")
HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[节章]|§\s*\d+|[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[、.](?!\d))"
)
_SENTENCE_END = tuple("。；！？：;!?:")
_DIGITS = re.compile(r"\d+")
_NON_TRIVIAL = re.compile(r"[^\x00-\x7f\u4e00-\u9fff\u3001\u3002]+")
_TITLES = frozenset(START_TITLES + END_TITLES)


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
    return _NON_TRIVIAL.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def is_table_line(line: str) -> bool:
    cells = line.split()
    if not cells:
        return False
    numeric = [c for c in cells if _NUM_CELL.match(c) and any(ch.isdigit() for ch in c) or c.strip("-—–") == ""]
    if len(numeric) == len(cells):
        return True
    if len(numeric) >= 2:
        num_chars = sum(len(c) for c in numeric)
        return num_chars * 2 >= sum(len(c) for c in cells)
    return False


def is_heading(line: str) -> bool:
    """A numbered heading (第X节, 一、, (一), 1.) or a bare section title (董事会报告, 重要事项, ...)."""
    return bool(HEADING.match(line)) or line.replace(" ", "") in _TITLES


def _key(line: str) -> str:
    return _DIGITS.sub("#", line.replace(" ", ""))


def _running_keys(pages_lines: list[list[str]]) -> tuple[set[str], bool]:
    """Digit-blind forms of running header/footer lines, and whether to look only at page edges.

    With two or more pages: lines among a page's first or last three recurring on more than
    half of the pages. A one-page text (a TXT report): short lines, not ending a sentence and
    not headings, that recur three times or more, or twice with one occurrence next to a page
    number line (a header printed at each page break).
    """
    seen: Counter[str] = Counter()
    if len(pages_lines) >= 2:
        for lines in pages_lines:
            seen.update({_key(ln) for ln in lines[:3] + lines[-3:]})
        half = len(pages_lines) / 2
        return {k for k, n in seen.items() if n > half and k}, True
    lines = pages_lines[0] if pages_lines else []
    near_page_no: set[str] = set()
    for i, ln in enumerate(lines):
        if len(ln) <= 60 and not ln.endswith(_SENTENCE_END) and not is_heading(ln) and not _PAGE_NO.match(ln):
            k = _key(ln)
            seen[k] += 1
            if (i > 0 and _PAGE_NO.match(lines[i - 1])) or (i + 1 < len(lines) and _PAGE_NO.match(lines[i + 1])):
                near_page_no.add(k)
    return {k for k, n in seen.items() if k and (n >= 3 or (n >= 2 and k in near_page_no))}, False


def _join(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def clean_pages(pages: list[str]) -> CleanText:
    """Clean paragraphs from raw page texts (see the module docstring)."""
    pages_lines = [
        [ln for ln in (x.strip() for x in _LINE_SPLIT.split(nfkc(p))) if ln]
        for p in pages
    ]
    running, edges_only = _running_keys(pages_lines)
    out = CleanText([])
    lines: list[str] = []
    kept_headings: set[str] = set()
    for page in pages_lines:
        n = len(page)
        for j, ln in enumerate(page):
            if running and (not edges_only or j < 3 or j >= n - 3) and _key(ln) in running:
                # a section title repeated atop each of its pages: keep its first occurrence
                if is_heading(ln) and ln not in kept_headings:
                    kept_headings.add(ln)
                    lines.append(ln)
                    continue
                out.header_lines += 1
                continue
            if _PAGE_NO.match(ln):
                out.page_number_lines += 1
                continue
            if is_table_line(ln):
                out.table_chars += sum(len(c) for c in ln.split())
                continue
            lines.append(ln)
    paras: list[str] = []
    cur = ""
    for ln in lines:
        if is_heading(ln):
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
    return len("".join(text.split()))
