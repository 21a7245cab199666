"""Synthetic annual reports (年报): ``reports/<stkcd>_<year>.txt`` (UTF-8 or GBK) and a few PDFs.

Layout: title, table of contents (目录), sections 第一节 … with the board-report / MD&A
section named by vintage — 董事会报告 (FY ≤ 2015, with "一、管理层讨论与分析" inside it),
经营情况讨论与分析 (FY 2016-2020), 管理层讨论与分析 (FY ≥ 2021) — followed by 监事会报告
(FY ≤ 2012), 重要事项 (2013-2020) or 公司治理 (≥ 2021). Every ten text lines a running
header ("<公司全称><年>年年度报告全文") and a page-number line are inserted. The reports of a
chunk are composed together (:func:`compose_reports`: each step's draws for all reports at
once, lines as ids); :mod:`nqp.synth.reports` draws, writes and sums the corpus.

Keyword mentions are Poisson with the firm-year intensities of :mod:`nqp.synth.economics`
(innovation awareness 高管创新意识, data assets 数据资产, AI words). About 8% are negated.

Truth (``truth/report_keywords.parquet``), computed on the generated text:

- the MD&A *body*: lines strictly between the MD&A heading line and the next section heading,
  without running-header, page-number and empty lines; ``mdna_chars`` = its characters
  excluding whitespace; ``full`` = the whole report without header/page lines;
- ``mdna:<term>`` / ``full:<term>``: ``str.count`` of each dictionary term (terms that contain
  one another, e.g. 创新 in 技术创新, are each counted);
- ``mdna_neg:<term>``: occurrences whose clause (text since the last ，。；：！？、 or line
  start) contains 不, 未, 无 or 没有 before the term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numba
import numpy as np

INNOVATION_WORDS = ("创新", "研发", "技术创新", "自主创新", "核心技术", "科技创新", "研发投入", "创新驱动",
                    "新产品", "专利")
DATA_WORDS = ("数据资产", "大数据", "数据中心", "数据治理", "数据要素", "数据资源", "数据平台", "数据安全")
AI_WORDS = ("人工智能", "机器学习", "深度学习", "云计算", "神经网络", "图像识别", "语音识别", "自然语言处理",
            "计算机视觉", "物联网", "区块链")
DICTIONARIES = {"innovation": INNOVATION_WORDS, "data_assets": DATA_WORDS, "ai": AI_WORDS}
ALL_TERMS = tuple(dict.fromkeys(INNOVATION_WORDS + DATA_WORDS + AI_WORDS))
NEGATORS = ("不", "未", "无", "没有")
_CLAUSE_END = re.compile(r"[，。；：！？、]")

AFFIRM = ("报告期内，公司坚持以{k}为核心的发展战略，持续完善管理体系。",
          "公司高度重视{k}工作，相关投入保持稳定增长。",
          "围绕{k}，公司组建了专门团队并建立了考核机制。",
          "公司将{k}作为提升竞争力的重要抓手，取得了积极进展。",
          "本年度公司在{k}方面持续投入资金，推动主营业务转型升级。",
          "公司积极推进{k}相关项目建设，项目进展顺利。",
          "公司把{k}摆在突出位置，形成了较为完善的工作机制。")
NEGATE = ("公司目前尚未开展{k}相关业务。",
          "报告期内公司没有{k}方面的重大投入。",
          "公司不涉及{k}业务。",
          "公司无{k}相关的重大事项。")
FILLER = ("公司主营业务收入保持平稳增长，经营活动现金流量充裕。",
          "报告期内，公司实现营业收入同比增长，毛利率有所提升。",
          "公司持续优化产品结构，提升高附加值产品的比重。",
          "公司进一步加强内部控制，防范经营风险。",
          "报告期内，公司加强应收账款管理，资产质量良好。",
          "公司积极拓展国内外市场，销售网络覆盖全国主要城市。",
          "公司严格执行安全生产制度，全年安全生产形势平稳。",
          "公司持续推进精益生产，降低单位产品成本。",
          "报告期内，原材料价格波动对公司经营产生一定影响。",
          "公司加强人才队伍建设，完善薪酬激励机制。",
          "公司坚持稳健的财务政策，资产负债结构合理。",
          "公司将继续聚焦主业，提升综合竞争力。",
          "公司加快产能建设，新建生产线已投入使用。",
          "报告期内，公司完成了年度经营计划的主要目标。",
          "公司重视股东回报，按照章程实施现金分红。",
          "公司所处行业竞争激烈，行业集中度逐步提高。",
          "宏观经济环境变化可能对公司业绩带来一定影响。",
          "公司通过多种渠道筹措资金，保障项目建设需要。",
          "公司加强供应链管理，确保原材料供应稳定。",
          "公司持续完善客户服务体系，客户满意度稳步提高。")
OTHER_SECTION_FILLER = ("公司董事会、监事会及董事、监事、高级管理人员保证年度报告内容的真实、准确、完整。",
                        "本报告期内公司按照相关法律法规的要求规范运作。",
                        "报告期内公司股东大会、董事会、监事会均依法召开。",
                        "公司与控股股东在业务、人员、资产、机构、财务等方面保持独立。",
                        "报告期内公司无重大诉讼、仲裁事项。",
                        "公司聘任的会计师事务所出具了标准无保留意见的审计报告。")


def mdna_heading(year: int) -> str:
    """Heading of the board-report / MD&A section by fiscal year (vintage of the CSRC 格式准则)."""
    if year <= 2015:
        return "董事会报告"
    if year <= 2020:
        return "经营情况讨论与分析"
    return "管理层讨论与分析"


def next_heading(year: int) -> str:
    if year <= 2012:
        return "监事会报告"
    if year <= 2020:
        return "重要事项"
    return "公司治理"


def _sections(year: int) -> list[str]:
    h, nx = mdna_heading(year), next_heading(year)
    if year >= 2021:
        return ["重要提示、目录和释义", "公司简介和主要财务指标", h, nx, "环境和社会责任", "重要事项"]
    mid = "会计数据和财务指标摘要" if year <= 2015 else "公司业务概要"
    return ["重要提示、目录和释义", "公司简介和主要财务指标", mid, h, nx, "股份变动及股东情况"]


_NUM = "一二三四五六七八九十"


def negated_count(text: str, term: str) -> int:
    """Occurrences of ``term`` whose clause before it contains a negator (不/未/无/没有)."""
    k, start = 0, 0
    while True:
        i = text.find(term, start)
        if i < 0:
            return k
        line_start = text.rfind("\n", 0, i) + 1
        clause = text[line_start:i]
        parts = _CLAUSE_END.split(clause)
        if any(ng in parts[-1] for ng in NEGATORS):
            k += 1
        start = i + len(term)


PDF_LINES_PER_PAGE = 42  # body lines per PDF page (write_pdf)
PDF_EDGE = 4  # lines at the top and bottom of a page that a reader may take for headers/footers
_DIGIT_RUN = re.compile(r"\d+")
_EDGE_KEYS: dict[str, str] = {}  # line -> its form compared at page edges (digits as #, no spaces)


def _edge_key(line: str) -> str:
    key = _EDGE_KEYS.get(line)
    if key is None:
        key = _EDGE_KEYS[line] = _DIGIT_RUN.sub("#", line.replace(" ", ""))
    return key


def _nchars(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\u3000")


_ANY_TERM = re.compile("|".join(map(re.escape, ALL_TERMS)))


def line_counts(line: str) -> tuple[int, list[int] | None]:
    """Characters without whitespace of one line, and [count of each term, negated count of
    each term] (None: no term at all, as in most lines). Counts are additive over lines
    because no term spans a line break."""
    chars = _nchars(line)
    if _ANY_TERM.search(line) is None:
        return chars, None
    k = len(ALL_TERMS)
    v = [0] * (2 * k)
    for j, term in enumerate(ALL_TERMS):
        c = line.count(term)
        if c:
            v[j] = c
            v[k + j] = negated_count(line, term)
    return chars, v


_COUNTS: dict[str, tuple[int, list[int] | None]] = {}  # line -> line_counts(line), for all the indexes of a process


class LineIndex(dict):
    """Interns lines (``index[line]`` is its id, ``lines[id]`` the line); the truth of a report
    is the sum of its lines' vectors [characters, term counts, negated term counts] (see
    :func:`line_counts`). Id 0 is the empty line, whose vector is zero."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []  # id -> line
        self.chars: list[int] = []  # id -> characters without whitespace
        self.term_row: list[int] = []  # id -> its row of term_counts, -1 for a line without a term
        self.term_counts: list[list[int]] = []
        self[""]  # noqa: B018 -- interns the empty line as id 0

    def __missing__(self, line: str) -> int:
        i = self[line] = len(self.lines)
        self.lines.append(line)
        counts = _COUNTS.get(line)
        if counts is None:
            counts = _COUNTS[line] = line_counts(line)
        self.chars.append(counts[0])
        if counts[1] is None:
            self.term_row.append(-1)
        else:
            self.term_row.append(len(self.term_counts))
            self.term_counts.append(counts[1])
        return i

    def sums(self, ids: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
        """Per report (``owner`` of each line id in ``ids``; ``n`` reports) the sum of its line vectors."""
        terms = np.array(self.term_counts, dtype=np.int64).reshape(-1, 2 * len(ALL_TERMS))
        return _line_sums(np.asarray(ids, dtype=np.int64), np.asarray(owner, dtype=np.int64), n,
                          np.asarray(self.chars, dtype=np.int64), np.asarray(self.term_row, dtype=np.int64), terms)


@numba.njit(cache=True, nogil=True)
def _line_sums(ids, owner, n, chars, term_row, term_counts):
    """(n, 1 + term columns): per owner the characters and term counts of its lines ``ids``."""
    out = np.zeros((n, 1 + term_counts.shape[1]), dtype=np.int64)
    for i in range(len(ids)):
        r = owner[i]
        out[r, 0] += chars[ids[i]]
        row = term_row[ids[i]]
        if row >= 0:
            out[r, 1:] += term_counts[row]
    return out


P_NEGATED = 0.08  # share of keyword sentences that are negated
P_DASHED_PAGE_NUMBERS = 0.3  # share of reports whose page numbers read "- 3 -" instead of "3"
HEADER_LINES = 11  # title, year line, blank, 目录, six contents lines, blank


class _Draws:
    """The uniform draws of a batch of reports (one row each), every row read in order and
    cycled, all reports at a time: ``take(counts)`` is what ``counts[r]`` successive calls of
    report ``r``'s next-draw function would return."""

    def __init__(self, draws: np.ndarray) -> None:
        self.draws = np.asarray(draws, dtype=float)
        self.pos = np.zeros(len(self.draws), dtype=np.int64)

    def take(self, counts: np.ndarray) -> np.ndarray:
        """The next ``counts[r]`` draws of every report ``r``, flat in report order."""
        counts = np.asarray(counts, dtype=np.int64)
        owner = np.repeat(np.arange(len(counts)), counts)
        step = np.arange(len(owner)) - (np.cumsum(counts) - counts)[owner]
        values = self.draws[owner, (self.pos[owner] + step) % self.draws.shape[1]]
        self.pos += counts
        return values

    def each(self) -> np.ndarray:
        """One draw of every report."""
        return self.take(np.ones(len(self.pos), dtype=np.int64))


class _Templates:
    """The ids of the lines a report may leave out (filler, the other sections' boilerplate and
    every keyword sentence), interned first: ids ``1 .. last_optional``. Every other line
    (headings, company lines, signature) is required; no optional text equals a required one."""

    def __init__(self, index: LineIndex) -> None:
        self.filler = np.array([index[s] for s in FILLER])
        self.other = np.array([index[s] for s in OTHER_SECTION_FILLER])
        self.sentences = {terms: (np.array([[index[t.format(k=k)] for t in AFFIRM] for k in terms]),
                                  np.array([[index[t.format(k=k)] for t in NEGATE] for k in terms]))
                          for terms in (INNOVATION_WORDS, DATA_WORDS, AI_WORDS)}
        self.last_optional = len(index.lines) - 1

    def keyword_lines(self, draws: _Draws, terms: tuple[str, ...], k: np.ndarray) -> np.ndarray:
        """``k[r]`` sentences of report ``r`` naming a term of ``terms``, about :data:`P_NEGATED`
        of them negated (three draws a sentence: term, negated or not, template), flat."""
        affirm, negate = self.sentences[terms]
        u = draws.take(3 * np.asarray(k)).reshape(-1, 3)
        term = (u[:, 0] * len(terms)).astype(np.int64)
        return np.where(u[:, 1] < P_NEGATED, negate[term, (u[:, 2] * len(NEGATE)).astype(np.int64)],
                        affirm[term, (u[:, 2] * len(AFFIRM)).astype(np.int64)])

    def other_section(self, draws: _Draws, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The body of an ordinary section in the reports where ``active``: 1-3 boilerplate lines
        (one draw for the count, one a line); (flat line ids, lines per report)."""
        k = np.zeros(len(active), dtype=np.int64)
        k[active] = 1 + (draws.take(active.astype(np.int64)) * 3).astype(np.int64)
        picks = (draws.take(k) * (len(OTHER_SECTION_FILLER) - 1)).astype(np.int64)
        return self.other[1 + picks], k


def _offsets(counts: np.ndarray) -> np.ndarray:
    """Start of each report's run in a flat array (and the end, last), from the runs' lengths."""
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


@numba.njit(cache=True, nogil=True)
def _draft_and_lay_out(opening, overview, overview_at, overview_filler, early, pre_heading, pre, pre_at,
                       mdna_head, n_head, fill, fill_at, keyword, keyword_at, places, main_business,
                       post_heads, n_post, post, post_at, closing, last_optional, key_of, n_keys, max_draft):
    """Draft every report and lay it out (see :func:`compose_reports` for the parts; ``*_at``:
    offsets of each report's run in the flat array before it, ``post_at`` per report and
    section). Returns the kept line ids (flat), their offsets per report, and per report the
    kept lines before the MD&A heading and before the next section's heading.

    The MD&A body is the filler with each keyword sentence inserted at its place as the body
    stands. Laying out: an optional line (id ≤ ``last_optional``) is left out where it would
    repeat one of the four lines kept before it (real reports do not, and pdfium drops a text
    run that repeats one drawn just above it), or stand at a PDF page edge (:data:`PDF_EDGE`
    lines of :data:`PDF_LINES_PER_PAGE`) when a line of the same edge key (``key_of``) stood at
    the edge of another page (in a 2-3 page report that looks like a running header/footer)."""
    n = opening.shape[0]
    kept = np.empty(n * max_draft, dtype=np.int64)
    kept_at = np.zeros(n + 1, dtype=np.int64)
    marks = np.zeros((n, 2), dtype=np.int64)
    draft = np.empty(max_draft, dtype=np.int64)
    body = np.empty(max_draft, dtype=np.int64)
    edge_page = np.full(n_keys, -1, dtype=np.int64)
    touched = np.empty(max_draft, dtype=np.int64)
    per_page, lo, hi = PDF_LINES_PER_PAGE, PDF_EDGE, PDF_LINES_PER_PAGE - PDF_EDGE
    out = 0
    for r in range(n):
        m = 0
        for j in range(opening.shape[1]):
            draft[m] = opening[r, j]
            m += 1
        for i in range(overview_at[r], overview_at[r + 1]):
            draft[m] = overview[i]
            m += 1
        draft[m] = overview_filler[r]
        m += 1
        if early[r]:
            draft[m] = pre_heading[r]
            m += 1
            for i in range(pre_at[r], pre_at[r + 1]):
                draft[m] = pre[i]
                m += 1
        mark0 = m
        for j in range(1 + n_head[r]):
            draft[m] = mdna_head[r, j]
            m += 1
        nb = 0
        for i in range(fill_at[r], fill_at[r + 1]):
            body[nb] = fill[i]
            nb += 1
        for i in range(keyword_at[r], keyword_at[r + 1]):
            q = places[i]
            for t in range(nb, q, -1):
                body[t] = body[t - 1]
            body[q] = keyword[i]
            nb += 1
        half = nb // 2
        for t in range(nb):
            if t == half:
                draft[m] = main_business
                m += 1
            draft[m] = body[t]
            m += 1
        if nb == half:  # an empty body (not drawn: at least three filler lines)
            draft[m] = main_business
            m += 1
        mark1 = m
        for s in range(n_post[r]):
            draft[m] = post_heads[r, s]
            m += 1
            for i in range(post_at[3 * r + s], post_at[3 * r + s + 1]):
                draft[m] = post[i]
                m += 1
        for j in range(closing.shape[1]):
            draft[m] = closing[r, j]
            m += 1
        start = out
        a = b = c = d = -1  # the last four kept lines
        slot = HEADER_LINES  # position of the next kept line among the lines drawn in the PDF body
        n_touched = 0
        for i in range(m):
            if i == mark0:
                marks[r, 0] = out - start
            if i == mark1:
                marks[r, 1] = out - start
            line = draft[i]
            optional = line <= last_optional
            if optional and (line == a or line == b or line == c or line == d):
                continue
            pos = slot % per_page
            if pos < lo or pos >= hi:
                key = key_of[line]
                first = edge_page[key]
                if first < 0:
                    edge_page[key] = slot // per_page
                    touched[n_touched] = key
                    n_touched += 1
                elif first != slot // per_page and optional:
                    continue
            a, b, c, d = b, c, d, line
            kept[out] = line
            out += 1
            slot += 1
        for t in range(n_touched):
            edge_page[touched[t]] = -1
        kept_at[r + 1] = out
    return kept[:out], kept_at, marks


@dataclass
class ComposedReports:
    """Reports composed together (:func:`compose_reports`): per report the header line ids and
    the kept body line ids (without the running-header and page-number lines, which
    :meth:`lines` inserts), and the summed line vectors of each MD&A body and whole report."""

    text: list[str]  # line id -> line
    header: list[list[int]]
    body: list[int]  # the kept body lines of all reports, report r's at body_at[r]:body_at[r + 1]
    body_at: list[int]
    dashed: list[bool]
    running: list[str]
    mdna: np.ndarray
    full: np.ndarray

    def lines(self, r: int) -> list[str]:
        """The lines of report ``r``: after every ten body lines a page number and the running header."""
        line = self.text.__getitem__
        body = list(map(line, self.body[self.body_at[r]:self.body_at[r + 1]]))
        page_line = "- {} -" if self.dashed[r] else "{}"
        for page in range(len(body) // 10, 0, -1):  # from the last page, so the earlier places hold
            body[10 * page:10 * page] = (page_line.format(page + 1), self.running[r])
        return [*map(line, self.header[r]), *body]

    def noise(self, r: int) -> set[int]:
        """Indices in :meth:`lines` of report ``r`` of its running-header and page-number lines."""
        pages = (self.body_at[r + 1] - self.body_at[r]) // 10
        return {HEADER_LINES + 12 * p + 10 + j for p in range(pages) for j in (0, 1)}


_HEADINGS: dict[int, tuple[list[str], list[str]]] = {}  # year -> (section headings, contents lines)


def _headings(year: int) -> tuple[list[str], list[str]]:
    got = _HEADINGS.get(year)
    if got is None:
        secs = _sections(year)
        got = _HEADINGS[year] = ([f"第{_NUM[j]}节 {s}" for j, s in enumerate(secs)],
                                 [f"第{_NUM[j]}节 {s} ...... {2 + 6 * j}" for j, s in enumerate(secs)])
    return got


def compose_reports(stkcd: list[str], year: list[int], full_name: list[str], short_name: list[str],
                    n_innov: list[int], n_data: list[int], n_ai: list[int], draws: np.ndarray) -> ComposedReports:
    """Compose reports (one entry of each list and one row of ``draws`` each): title and
    contents; the sections of :func:`_sections`: 重要提示 (one boilerplate line), 公司简介
    (company lines, about 30% of the data sentences, one filler line), in FY ≤ 2020 a section
    of 1-3 boilerplate lines, the MD&A (heading lines, then filler with the ``n_innov``
    innovation, remaining data and ``n_ai`` AI sentences at random places, split by
    "二、主营业务分析"), the later sections (1-3 boilerplate lines each); the signature page.
    ``draws``: each report's uniform draws, used in order (cycled); each step's draws are
    made for all reports at once, and the reports are drafted and laid out in one compiled pass."""
    index = LineIndex()
    tpl = _Templates(index)
    n = len(stkcd)
    n_innov, n_data, n_ai = (np.asarray(v, dtype=np.int64) for v in (n_innov, n_data, n_ai))
    early = np.asarray(year) <= 2020  # a section (会计数据 / 公司业务概要) before the MD&A
    d = _Draws(draws)
    dashed = (d.each() < P_DASHED_PAGE_NUMBERS).tolist()
    n_overview = np.rint(n_data * 0.3 * d.each()).astype(np.int64)  # data sentences in 公司简介
    overview = tpl.keyword_lines(d, DATA_WORDS, n_overview)
    overview_filler = tpl.filler[(d.each() * len(FILLER)).astype(np.int64)]
    pre, n_pre = tpl.other_section(d, early)
    # MD&A length roughly fixed: data/AI sentences replace filler (no dilution of the
    # innovation-keyword share by AI disclosure)
    n_fill = np.maximum(3, 6 + (d.each() * 8).astype(np.int64) - (n_data - n_overview + n_ai) // 2)
    fill = tpl.filler[(d.take(n_fill) * len(FILLER)).astype(np.int64)]
    kw_parts = [(tpl.keyword_lines(d, terms, k), k) for terms, k in
                ((INNOVATION_WORDS, n_innov), (DATA_WORDS, n_data - n_overview), (AI_WORDS, n_ai))]
    n_kw = sum(k for _, k in kw_parts)
    owner = np.concatenate([np.repeat(np.arange(n), k) for _, k in kw_parts])
    keyword = np.concatenate([ids for ids, _ in kw_parts])[np.argsort(owner, kind="stable")]
    # each keyword sentence is inserted at a random place of the body as it stands
    nth = np.arange(n_kw.sum()) - np.repeat(np.cumsum(n_kw) - n_kw, n_kw)
    places = (d.take(n_kw) * (np.repeat(n_fill, n_kw) + nth + 1)).astype(np.int64)
    post_parts = [tpl.other_section(d, active) for active in (np.ones(n, dtype=bool), np.ones(n, dtype=bool), ~early)]
    post_owner = np.concatenate([np.repeat(3 * np.arange(n) + s, k) for s, (_, k) in enumerate(post_parts)])
    post = np.concatenate([ids for ids, _ in post_parts])[np.argsort(post_owner, kind="stable")]
    n_post_lines = np.column_stack([k for _, k in post_parts]).ravel()  # per report and section
    # the lines of each report's own text
    info, main_business, contents = index["一、公司信息"], index["二、主营业务分析"], index["目录"]
    board_head = (index["一、管理层讨论与分析"], index["（一）概述"])  # inside 董事会报告 (FY ≤ 2015)
    own_head = (index["一、概述"], 0)
    opening = np.empty((n, 6), dtype=np.int64)
    closing = np.empty((n, 3), dtype=np.int64)
    header = np.empty((n, HEADER_LINES), dtype=np.int64)
    mdna_head = np.empty((n, 3), dtype=np.int64)
    post_heads = np.zeros((n, 3), dtype=np.int64)
    pre_heading = np.zeros(n, dtype=np.int64)
    by_year: dict[int, tuple[list[int], list[int]]] = {}
    running: list[str] = []
    for r in range(n):
        stk, yr, full = stkcd[r], year[r], full_name[r]
        got = by_year.get(yr)
        if got is None:
            sec_text, toc = _headings(yr)
            got = by_year[yr] = ([index[s] for s in sec_text],
                                 [index[f"{yr}年年度报告"], 0, contents, *(index[s] for s in toc), 0])
        sec, head_tail = got
        header[r, 0] = index[full]
        header[r, 1:] = head_tail
        opening[r] = (sec[0], tpl.other[0], sec[1], info, index[f"股票简称：{short_name[r]}  股票代码：{stk}"],
                      index[f"公司的中文名称：{full}"])
        mi = 3 if early[r] else 2  # the MD&A's section
        pre_heading[r] = sec[2]
        mdna_head[r, 0] = sec[mi]
        mdna_head[r, 1:] = board_head if yr <= 2015 else own_head
        post_heads[r, :5 - mi] = sec[mi + 1:]
        # closing lines (signature page), unique in the report: the last lines of the last PDF
        # page never repeat a line at another page's edge
        code = int(stk)
        closing[r] = (index[f"（本页无正文，为{full}{yr}年年度报告签字页）"], index[f"{full}董事会"],
                      index[f"{yr + 1}年{1 + (yr + code) % 4}月{10 + code % 19}日"])
        running.append(f"{full}{yr}年年度报告全文")
    keys: dict[str, int] = {}
    key_of = np.array([keys.setdefault(_edge_key(line), len(keys)) for line in index.lines], dtype=np.int64)
    n_head = np.where(np.asarray(year) <= 2015, 2, 1)
    draft_len = (6 + n_overview + 1 + early * (1 + n_pre) + 1 + n_head + n_fill + n_kw + 1
                 + n_post_lines.reshape(n, 3).sum(axis=1) + (5 - np.where(early, 3, 2)) + 3)
    kept, kept_at, marks = _draft_and_lay_out(
        opening, overview, _offsets(n_overview), overview_filler, early, pre_heading, pre, _offsets(n_pre),
        mdna_head, n_head, fill, _offsets(n_fill), keyword, _offsets(n_kw), places, main_business,
        post_heads, 5 - np.where(early, 3, 2), post, _offsets(n_post_lines), closing, tpl.last_optional,
        key_of, len(keys), int(draft_len.max(initial=0)))
    # truth: the MD&A body is the kept lines strictly between the two headings (header and
    # page-number lines add nothing: their vectors are not summed)
    body_owner = np.repeat(np.arange(n), np.diff(kept_at))
    at = np.arange(len(kept)) - kept_at[body_owner]
    in_mdna = (at > marks[body_owner, 0]) & (at < marks[body_owner, 1])
    full_owner = np.concatenate([np.repeat(np.arange(n), HEADER_LINES), body_owner])
    return ComposedReports(index.lines, header.tolist(), kept.tolist(), kept_at.tolist(), dashed, running,
                           index.sums(kept[in_mdna], body_owner[in_mdna], n),
                           index.sums(np.concatenate([header.ravel(), kept]), full_owner, n))

def write_pdf(lines: list[str], noise: set[int], running: str) -> bytes:
    """Render the report as a PDF with reportlab's CID font STSong-Light (no font file needed);
    running header and page number are drawn on every page. Returns the PDF bytes."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(running)
    w, h = A4
    body = [ln for i, ln in enumerate(lines) if i not in noise]
    per_page = PDF_LINES_PER_PAGE
    for pg, k in enumerate(range(0, len(body), per_page), start=1):
        c.setFont("STSong-Light", 9)
        c.drawString(50, h - 40, running)
        c.drawCentredString(w / 2, 30, str(pg))
        c.setFont("STSong-Light", 10)
        y = h - 70
        for ln in body[k:k + per_page]:
            if ln:
                c.drawString(50, y, ln)
            y -= 16
        c.showPage()
    c.save()
    return buf.getvalue()
