"""Synthetic annual reports (年报): ``reports/<stkcd>_<year>.txt`` (UTF-8 or GBK) and a few PDFs.

Layout: title, table of contents (目录), sections 第一节 … with the board-report / MD&A
section named by vintage — 董事会报告 (FY ≤ 2015, with "一、管理层讨论与分析" inside it),
经营情况讨论与分析 (FY 2016-2020), 管理层讨论与分析 (FY ≥ 2021) — followed by 监事会报告
(FY ≤ 2012), 重要事项 (2013-2020) or 公司治理 (≥ 2021). Every ten text lines a running
header ("<公司全称><年>年年度报告全文") and a page-number line are inserted. One report at a
time: :mod:`nqp.synth.reports` draws, writes and sums the corpus.

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

import itertools
import re
from collections import deque
from collections.abc import Callable

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


def _sentence_table(terms: tuple[str, ...]) -> tuple[list[list[str]], list[list[str]]]:
    """Every affirming and every negated sentence of each term (``[term][template]``)."""
    table = _SENTENCES.get(terms)
    if table is None:
        table = _SENTENCES[terms] = ([[t.format(k=k) for t in AFFIRM] for k in terms],
                                     [[t.format(k=k) for t in NEGATE] for k in terms])
    return table


_SENTENCES: dict[tuple[str, ...], tuple[list[list[str]], list[list[str]]]] = {}


def _keyword_sentences(u: Callable[[], float], terms: tuple[str, ...], k: int, p_neg: float = 0.08) -> list[str]:
    """``k`` sentences naming a term of ``terms``, about ``p_neg`` of them negated; ``u`` gives
    the report's next uniform draw (three per sentence: term, negated or not, template)."""
    affirm, negate = _sentence_table(terms)
    nt, na, nn = len(terms), len(AFFIRM), len(NEGATE)
    out = []
    for _ in range(k):
        j = int(u() * nt)
        out.append(negate[j][int(u() * nn)] if u() < p_neg else affirm[j][int(u() * na)])
    return out


PDF_LINES_PER_PAGE = 42  # body lines per PDF page (write_pdf)
PDF_EDGE = 4  # lines at the top and bottom of a page that a reader may take for headers/footers
_DIGIT_RUN = re.compile(r"\d+")
_EDGE_KEYS: dict[str, str] = {}  # line -> its form compared at page edges (digits as #, no spaces)


def _edge_key(line: str) -> str:
    key = _EDGE_KEYS.get(line)
    if key is None:
        key = _EDGE_KEYS[line] = _DIGIT_RUN.sub("#", line.replace(" ", ""))
    return key


def compose_report(stkcd: str, year: int, full_name: str, short_name: str, n_innov: int, n_data: int,
                   n_ai: int, draws: list[float]) -> tuple[list[str], set[int], tuple[int, int]]:
    """Lines of one report, the indices of header/page lines, and the MD&A heading and
    next-heading line indices. ``draws``: the report's uniform draws, used in order (cycled)."""
    u = itertools.cycle(draws).__next__
    secs = _sections(year)
    h = mdna_heading(year)
    mi = secs.index(h)
    dash = u() < 0.3
    lines: list[str] = [full_name, f"{year}年年度报告", "", "目录"]
    for j, s in enumerate(secs):
        lines.append(f"第{_NUM[j]}节 {s} ...... {2 + 6 * j}")
    lines.append("")
    # the body as drafted (every line, with "required" flags), then laid out on pages
    draft: list[str] = []
    required: list[bool] = []
    marks = [0, 0]  # draft positions of the MD&A heading and of the next section's heading
    n_data_overview = int(round(n_data * 0.3 * u()))
    nf, no = len(FILLER), len(OTHER_SECTION_FILLER) - 1
    for j, s in enumerate(secs):
        if j == mi:
            marks[0] = len(draft)
        elif j == mi + 1:
            marks[1] = len(draft)
        draft.append(f"第{_NUM[j]}节 {s}")
        required.append(True)
        if j == 0:
            draft.append(OTHER_SECTION_FILLER[0])
            required.append(False)
        elif j == 1:
            draft += ("一、公司信息", f"股票简称：{short_name}  股票代码：{stkcd}", f"公司的中文名称：{full_name}")
            required += (True, True, True)
            kw = _keyword_sentences(u, DATA_WORDS, n_data_overview)
            kw.append(FILLER[int(u() * nf)])
            draft += kw
            required += [False] * len(kw)
        elif j == mi:
            # MD&A length roughly fixed: data/AI sentences replace filler (no dilution of
            # the innovation-keyword share by AI disclosure)
            n_fill = max(3, 6 + int(u() * 8) - (n_data - n_data_overview + n_ai) // 2)
            body = [FILLER[int(u() * nf)] for _ in range(n_fill)]
            kw = (_keyword_sentences(u, INNOVATION_WORDS, n_innov)
                  + _keyword_sentences(u, DATA_WORDS, n_data - n_data_overview)
                  + _keyword_sentences(u, AI_WORDS, n_ai))
            for ln in kw:
                body.insert(int(u() * (len(body) + 1)), ln)
            head = ("一、管理层讨论与分析", "（一）概述") if h == "董事会报告" else ("一、概述",)
            half = len(body) // 2
            draft += head
            required += (True,) * len(head)
            draft += body[:half]
            required += [False] * half
            draft.append("二、主营业务分析")
            required.append(True)
            draft += body[half:]
            required += [False] * (len(body) - half)
        else:
            k = 1 + int(u() * 3)
            draft += [OTHER_SECTION_FILLER[1 + int(u() * no)] for _ in range(k)]
            required += [False] * k
    # closing lines (signature page), unique in the report: the last lines of the last PDF
    # page never repeat a line at another page's edge
    draft += (f"（本页无正文，为{full_name}{year}年年度报告签字页）", f"{full_name}董事会",
              f"{year + 1}年{1 + (year + int(stkcd)) % 4}月{10 + int(stkcd) % 19}日")
    required += (True, True, True)
    noise, bounds = _lay_out(lines, draft, required, marks, f"{full_name}{year}年年度报告全文", dash)
    return lines, noise, bounds


def _lay_out(lines: list[str], draft: list[str], required: list[bool], marks: list[int], running: str,
             dash: bool) -> tuple[set[int], tuple[int, int]]:
    """Append the drafted body to ``lines``: a running header and a page number after every
    ten body lines, a line that is not ``required`` left out where it would repeat one of the
    four lines before it, or stand at a PDF page edge (:data:`PDF_EDGE` lines) when it stood at
    the edge of another page. Returns the header/page line indices and the ``lines`` indices
    of the drafted lines at ``marks``."""
    noise: set[int] = set()
    bounds = [0, 0]
    page = 1
    count = 0
    slot = len(lines)  # position of the next line among the lines drawn in the PDF body (no noise)
    recent: deque[str] = deque(maxlen=4)
    edge_page: dict[str, int] = {}
    per_page, lo, hi = PDF_LINES_PER_PAGE, PDF_EDGE, PDF_LINES_PER_PAGE - PDF_EDGE
    for seg, (start, stop) in enumerate(((0, marks[0]), (marks[0], marks[1]), (marks[1], len(draft)))):
        if seg:
            bounds[seg - 1] = len(lines)
        for i in range(start, stop):
            line = draft[i]
            req = required[i]
            # no sentence repeated within four lines: real reports do not, and pdfium drops a
            # text run that repeats one drawn just above it
            if not req and line in recent:
                continue
            # nor at a PDF page edge on two pages: in a 2-3 page report that looks like a
            # running header/footer (a line near the top or bottom of more than half of the pages)
            pos = slot % per_page
            if pos < lo or pos >= hi:
                pg = slot // per_page
                if edge_page.setdefault(_edge_key(line), pg) != pg and not req:
                    continue
            recent.append(line)
            lines.append(line)
            slot += 1
            count += 1
            if count % 10 == 0:
                page += 1
                lines.append(f"- {page} -" if dash else str(page))
                lines.append(running)
                noise.add(len(lines) - 2)
                noise.add(len(lines) - 1)
    return noise, (bounds[0], bounds[1])


def _nchars(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\u3000")


_ANY_TERM = re.compile("|".join(map(re.escape, ALL_TERMS)))


def line_vector(line: str) -> list[int]:
    """[characters without whitespace, count of each term, negated count of each term] of one
    line. Counts are additive over lines because no term spans a line break."""
    k = len(ALL_TERMS)
    v = [0] * (1 + 2 * k)
    v[0] = _nchars(line)
    if _ANY_TERM.search(line) is None:  # most lines: no term at all
        return v
    for j, term in enumerate(ALL_TERMS):
        c = line.count(term)
        if c:
            v[1 + j] = c
            v[1 + k + j] = negated_count(line, term)
    return v


_VECTORS: dict[str, list[int]] = {}  # line -> line_vector(line), for all the indexes of a process


class LineIndex(dict):
    """Interns lines (``index[line]`` is its id); the truth of a report is the sum of its
    lines' vectors. Id 0 is the empty line, whose vector is zero."""

    def __init__(self) -> None:
        super().__init__()
        self.vectors: list[list[int]] = []
        self[""]  # noqa: B018 -- interns the empty line as id 0

    def __missing__(self, line: str) -> int:
        i = self[line] = len(self.vectors)
        vec = _VECTORS.get(line)
        if vec is None:
            vec = _VECTORS[line] = line_vector(line)
        self.vectors.append(vec)
        return i

    def sums(self, ids: list[int], offsets: list[int]) -> np.ndarray:
        """Per report (rows delimited by ``offsets`` into ``ids``) the sum of its line vectors."""
        from scipy import sparse

        mat = np.array(self.vectors, dtype=np.int64)
        indptr = np.append(np.asarray(offsets, dtype=np.int64), len(ids))
        inc = sparse.csr_matrix((np.ones(len(ids), dtype=np.int64), np.asarray(ids, dtype=np.int64), indptr),
                                shape=(len(offsets), len(self.vectors)))
        return np.asarray(inc @ mat)


def report_line_ids(index: LineIndex, lines: list[str], noise: set[int],
                    bounds: tuple[int, int]) -> tuple[list[int], list[int]]:
    """Line ids of the MD&A body and of the full report; header/page lines count as the empty
    line (a zero vector, as empty lines are), so they add nothing to the sums."""
    start, end = bounds
    counted = lines.copy()
    for i in noise:
        counted[i] = ""
    full = [index[ln] for ln in counted]
    return full[start + 1:end], full


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
