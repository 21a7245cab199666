"""Firm-year text measures from a cleaned report (pure: no I/O).

For each dictionary ``d`` (counted in its ``scope``: the MD&A section or the whole report):
- ``d_hits``  = keyword occurrences (after the negation rule, when on),
- ``d_chars`` = characters of those occurrences,
- ``d_share`` = d_chars / characters of the scope (whitespace excluded),
- ``d_negated`` = occurrences dropped by the negation rule.

The study's measures (paper Table 1 and Table 4):
- ``exec_innovation`` (高管创新意识) = innovation_chars / section characters
  ("体现高管创新意识的关键词的总字数 / 年报中董事会报告部分的总字数");
- ``data_assets`` (数据资产) = data_assets_hits ("年报中数据资产相关关键词出现次数");
- ``aiword`` = ai_hits and ``lnaiword`` = ln(1 + ai_hits) (人工智能关键词披露指数).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from nqp.text.clean import char_count
from nqp.text.counting import KeywordCounter, token_boundaries
from nqp.text.dictionary import Dictionary
from nqp.text.sections import Section


@dataclass
class CountingOptions:
    negation: bool = False
    negators: tuple[str, ...] = ("不", "未", "没有", "无")
    negation_scope: str = "adjacent"  # adjacent | clause (see nqp.text.counting)
    jieba: bool = False  # count only hits on jieba token boundaries


def build_counters(dicts: list[Dictionary], opts: CountingOptions) -> dict[str, KeywordCounter]:
    return {
        d.name: KeywordCounter(d.words, negation=opts.negation, negators=opts.negators, mode=d.match,
                               negation_scope=opts.negation_scope)
        for d in dicts
    }


@functools.cache
def _columns(name: str) -> tuple[str, str, str, str]:
    """The columns of dictionary ``name``: hits, chars, negated, share. The same string objects
    for every report, so that a batch of rows sent to the parent pickles each name once."""
    return f"{name}_hits", f"{name}_chars", f"{name}_negated", f"{name}_share"


def text_measures(
    paragraphs: list[str],
    section: Section,
    dicts: list[Dictionary],
    counters: dict[str, KeywordCounter],
    opts: CountingOptions,
) -> dict[str, object]:
    """Counts and measures of one report; keys are the output columns."""
    report = "\n".join(paragraphs)
    sect = "\n".join(paragraphs[section.start : section.end])
    texts = {"report": report, "section": sect}
    chars = {"report": char_count(report), "section": char_count(sect)}
    bounds: dict[str, frozenset[int] | None] = {"report": None, "section": None}
    if opts.jieba:
        words = [w for d in dicts for w in d.words]
        bounds = {k: token_boundaries(v, words) for k, v in texts.items()}
    row: dict[str, object] = {
        "section_heading": section.heading,
        "section_found": section.found,
        "report_chars": chars["report"],
        "section_chars": chars["section"],
    }
    for d in dicts:
        c = counters[d.name].count(texts[d.scope], bounds[d.scope])
        characters = c.characters
        hits_col, chars_col, negated_col, share_col = _columns(d.name)
        row[hits_col] = c.hits
        row[chars_col] = characters
        row[negated_col] = c.negated
        denom = chars[d.scope]
        row[share_col] = characters / denom if denom else None
    if "innovation" in counters:
        row["exec_innovation"] = row["innovation_share"]
    if "data_assets" in counters:
        row["data_assets"] = row["data_assets_hits"]
    if "ai" in counters:
        row["aiword"] = row["ai_hits"]
        row["lnaiword"] = math.log1p(row["ai_hits"])  # type: ignore[arg-type]
    return row
