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

    def sums(self, ids: list[int], offsets: list[int]) -> np.ndarray:
        """Per report (rows delimited by ``offsets`` into ``ids``) the sum of its line vectors."""
        from scipy import sparse

        ids_ = np.asarray(ids, dtype=np.int64)
        bounds = np.append(np.asarray(offsets, dtype=np.int64), len(ids_))
        out = np.zeros((len(offsets), 1 + 2 * len(ALL_TERMS)), dtype=np.int64)
        running = np.concatenate([[0], np.cumsum(np.asarray(self.chars, dtype=np.int64)[ids_])])
        out[:, 0] = running[bounds[1:]] - running[bounds[:-1]]
        rows = np.asarray(self.term_row, dtype=np.int64)[ids_]
        hit = rows >= 0
        if hit.any():
            owner = np.repeat(np.arange(len(offsets)), np.diff(bounds))[hit]
            inc = sparse.csr_matrix((np.ones(int(hit.sum()), dtype=np.int64), (owner, rows[hit])),
                                    shape=(len(offsets), len(self.term_counts)))
            out[:, 1:] = inc @ np.array(self.term_counts, dtype=np.int64)
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


def _per_report(flat: np.ndarray, counts: np.ndarray) -> list[list[int]]:
    """``flat`` (values of consecutive reports, ``counts[r]`` of report ``r``) cut into one list a report."""
    values = flat.tolist()
    ends = np.cumsum(counts).tolist()
    return [values[lo:hi] for lo, hi in zip([0] + ends[:-1], ends)]


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


def _layout_keep(draft: list[int], marks: tuple[int, int], last_optional: int,
                 text: list[str]) -> tuple[list[int], int, int]:
    """The drafted lines that stay in the report and how many of them precede each of the two
    ``marks``. An optional line (id ≤ ``last_optional``) is left out where it would repeat one
    of the four lines kept before it (real reports do not, and pdfium drops a text run that
    repeats one drawn just above it), or stand at a PDF page edge (:data:`PDF_EDGE` lines) when
    a line of the same :func:`_edge_key` stood at the edge of another page (in a 2-3 page
    report that looks like a running header/footer)."""
    kept: list[int] = []
    before: list[int] = []
    edge_page: dict[str, int] = {}
    a = b = c = d = -1  # the last four kept lines
    per_page, lo, hi = PDF_LINES_PER_PAGE, PDF_EDGE, PDF_LINES_PER_PAGE - PDF_EDGE
    slot = HEADER_LINES  # position of the next kept line among the lines drawn in the PDF body
    start = 0
    for stop in (*marks, len(draft)):
        before.append(len(kept))
        for line in draft[start:stop]:
            optional = line <= last_optional
            if optional and (line == a or line == b or line == c or line == d):
                continue
            pos = slot % per_page
            if (pos < lo or pos >= hi) and edge_page.setdefault(_edge_key(text[line]), slot // per_page) \
                    != slot // per_page and optional:
                continue
            a, b, c, d = b, c, d, line
            kept.append(line)
            slot += 1
        start = stop
    return kept, before[1], before[2]


@dataclass
class ComposedReports:
    """Reports composed together (:func:`compose_reports`): per report the header line ids and
    the kept body line ids (without the running-header and page-number lines, which
    :meth:`lines` inserts), and the summed line vectors of each MD&A body and whole report."""

    text: list[str]  # line id -> line
    header: list[list[int]]
    body: list[list[int]]
    dashed: list[bool]
    running: list[str]
    mdna: np.ndarray
    full: np.ndarray

    def lines(self, r: int) -> list[str]:
        """The lines of report ``r``: after every ten body lines a page number and the running header."""
        text, body = self.text, self.body[r]
        out = [text[i] for i in self.header[r]]
        page_line = "- {} -" if self.dashed[r] else "{}"
        for k in range(0, len(body), 10):
            out += [text[i] for i in body[k:k + 10]]
            if k + 10 <= len(body):
                out.append(page_line.format(2 + k // 10))
                out.append(self.running[r])
        return out

    def noise(self, r: int) -> set[int]:
        """Indices in :meth:`lines` of report ``r`` of its running-header and page-number lines."""
        pages = len(self.body[r]) // 10
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
    contents, the sections of :func:`_sections` with keyword sentences (``n_innov``, ``n_data``,
    ``n_ai`` mentions) among filler, and the signature page. ``draws``: each report's uniform
    draws, used in order (cycled); all reports' draws of a step are made at once."""
    index = LineIndex()
    tpl = _Templates(index)
    n = len(stkcd)
    n_innov, n_data, n_ai = (np.asarray(v, dtype=np.int64) for v in (n_innov, n_data, n_ai))
    early = np.asarray(year) <= 2020  # a section (会计数据 / 公司业务概要) before the MD&A
    d = _Draws(draws)
    dashed = (d.each() < P_DASHED_PAGE_NUMBERS).tolist()
    n_overview = np.rint(n_data * 0.3 * d.each()).astype(np.int64)  # data sentences in 公司简介
    overview = _per_report(tpl.keyword_lines(d, DATA_WORDS, n_overview), n_overview)
    overview_filler = tpl.filler[(d.each() * len(FILLER)).astype(np.int64)].tolist()
    before_mdna = _per_report(*tpl.other_section(d, early))
    # MD&A length roughly fixed: data/AI sentences replace filler (no dilution of the
    # innovation-keyword share by AI disclosure)
    n_fill = np.maximum(3, 6 + (d.each() * 8).astype(np.int64) - (n_data - n_overview + n_ai) // 2)
    fill = _per_report(tpl.filler[(d.take(n_fill) * len(FILLER)).astype(np.int64)], n_fill)
    kw_parts = [(tpl.keyword_lines(d, terms, k), k) for terms, k in
                ((INNOVATION_WORDS, n_innov), (DATA_WORDS, n_data - n_overview), (AI_WORDS, n_ai))]
    n_kw = sum(k for _, k in kw_parts)
    owner = np.concatenate([np.repeat(np.arange(n), k) for _, k in kw_parts])
    keyword = _per_report(np.concatenate([ids for ids, _ in kw_parts])[np.argsort(owner, kind="stable")], n_kw)
    # each keyword sentence inserted at a random place of the body as it stands
    nth = np.arange(n_kw.sum()) - np.repeat(np.cumsum(n_kw) - n_kw, n_kw)
    places = _per_report((d.take(n_kw) * (np.repeat(n_fill, n_kw) + nth + 1)).astype(np.int64), n_kw)
    after_mdna = [_per_report(*tpl.other_section(d, active))
                  for active in (np.ones(n, dtype=bool), np.ones(n, dtype=bool), ~early)]
    info, main_business = index["一、公司信息"], index["二、主营业务分析"]
    board_head = [index["一、管理层讨论与分析"], index["（一）概述"]]  # inside 董事会报告 (FY ≤ 2015)
    own_head = [index["一、概述"]]
    text = index.lines
    header: list[list[int]] = []
    kept_body: list[list[int]] = []
    running: list[str] = []
    m_ids: list[int] = []
    m_off: list[int] = []
    f_ids: list[int] = []
    f_off: list[int] = []
    for r in range(n):
        stk, yr, full = stkcd[r], year[r], full_name[r]
        sec_text, toc = _headings(yr)
        sec = [index[s] for s in sec_text]
        head = [index[full], index[f"{yr}年年度报告"], 0, index["目录"], *(index[s] for s in toc), 0]
        draft = [sec[0], tpl.other[0], sec[1], info, index[f"股票简称：{short_name[r]}  股票代码：{stk}"],
                 index[f"公司的中文名称：{full}"], *overview[r], overview_filler[r]]
        if early[r]:
            draft += (sec[2], *before_mdna[r])
        mi = 3 if early[r] else 2  # the MD&A's section number
        body = fill[r]
        for line, place in zip(keyword[r], places[r]):
            body.insert(place, line)
        half = len(body) // 2
        m0 = len(draft)
        draft.append(sec[mi])
        draft += board_head if yr <= 2015 else own_head
        draft += body[:half]
        draft.append(main_business)
        draft += body[half:]
        m1 = len(draft)
        for j, part in zip(range(mi + 1, 6), after_mdna):
            draft.append(sec[j])
            draft += part[r]
        # closing lines (signature page), unique in the report: the last lines of the last PDF
        # page never repeat a line at another page's edge
        draft += (index[f"（本页无正文，为{full}{yr}年年度报告签字页）"], index[f"{full}董事会"],
                  index[f"{yr + 1}年{1 + (yr + int(stk)) % 4}月{10 + int(stk) % 19}日"])
        kept, c0, c1 = _layout_keep(draft, (m0, m1), tpl.last_optional, text)
        header.append(head)
        kept_body.append(kept)
        running.append(f"{full}{yr}年年度报告全文")
        m_off.append(len(m_ids))
        m_ids += kept[c0 + 1:c1]
        f_off.append(len(f_ids))
        f_ids += head
        f_ids += kept
    return ComposedReports(text, header, kept_body, dashed, running, index.sums(m_ids, m_off),
                           index.sums(f_ids, f_off))


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
