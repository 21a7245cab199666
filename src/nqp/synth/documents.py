"""Synthetic annual reports (年报): ``reports/<stkcd>_<year>.txt`` (UTF-8 or GBK) and a few PDFs.

Layout: title, table of contents (目录), sections 第一节 … with the board-report / MD&A
section named by vintage — 董事会报告 (FY ≤ 2015, with "一、管理层讨论与分析" inside it),
经营情况讨论与分析 (FY 2016-2020), 管理层讨论与分析 (FY ≥ 2021) — followed by 监事会报告
(FY ≤ 2012), 重要事项 (2013-2020) or 公司治理 (≥ 2021). Every ten text lines a running
header ("<公司全称><年>年年度报告全文") and a page-number line are inserted.

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

import numpy as np
import pandas as pd

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


class _Draws:
    """Uniform draws for one report, consumed in order (pre-drawn with numpy for speed)."""

    def __init__(self, row: list[float]) -> None:
        self.u = itertools.cycle(row).__next__

    def pick(self, seq):
        return seq[int(self.u() * len(seq))]


def _keyword_sentences(d: _Draws, terms: tuple[str, ...], k: int, p_neg: float = 0.08) -> list[str]:
    out = []
    for _ in range(k):
        term = d.pick(terms)
        tpl = d.pick(NEGATE) if d.u() < p_neg else d.pick(AFFIRM)
        out.append(tpl.format(k=term))
    return out


PDF_LINES_PER_PAGE = 42  # body lines per PDF page (write_pdf)
PDF_EDGE = 4  # lines at the top and bottom of a page that a reader may take for headers/footers
_DIGIT_RUN = re.compile(r"\d+")


def compose_report(stkcd: str, year: int, full_name: str, short_name: str, n_innov: int, n_data: int,
                   n_ai: int, draws: list[float]) -> tuple[list[str], set[int], tuple[int, int]]:
    """Lines of one report, the indices of header/page lines, and the MD&A heading and
    next-heading line indices."""
    d = _Draws(draws)
    secs = _sections(year)
    h = mdna_heading(year)
    mi = secs.index(h)
    running = f"{full_name}{year}年年度报告全文"
    dash = d.u() < 0.3
    lines: list[str] = [full_name, f"{year}年年度报告", "", "目录"]
    for j, s in enumerate(secs):
        lines.append(f"第{_NUM[j]}节 {s} ...... {2 + 6 * j}")
    lines.append("")
    noise: set[int] = set()
    page = [1]
    body_count = [0]

    recent: list[str] = []
    edge_page: dict[str, int] = {}

    def add(line: str, required: bool = False) -> None:
        # no sentence repeated within four lines: real reports do not, and pdfium drops a
        # text run that repeats one drawn just above it
        if line in recent and not required:
            return
        # nor at a PDF page edge on two pages: in a 2-3 page report that looks like a running
        # header/footer (a line near the top or bottom of more than half of the pages)
        slot = len(lines) - len(noise)  # position among the lines drawn in the PDF body
        pos, pg = slot % PDF_LINES_PER_PAGE, slot // PDF_LINES_PER_PAGE
        if pos < PDF_EDGE or pos >= PDF_LINES_PER_PAGE - PDF_EDGE:
            key = _DIGIT_RUN.sub("#", line.replace(" ", ""))
            if edge_page.setdefault(key, pg) != pg and not required:
                return
        recent.append(line)
        del recent[:-4]
        lines.append(line)
        body_count[0] += 1
        if body_count[0] % 10 == 0:
            page[0] += 1
            lines.append(f"- {page[0]} -" if dash else str(page[0]))
            noise.add(len(lines) - 1)
            lines.append(running)
            noise.add(len(lines) - 1)

    n_data_overview = int(round(n_data * 0.3 * d.u()))
    bounds = [0, 0]
    for j, s in enumerate(secs):
        if j == mi:
            bounds[0] = len(lines)
        elif j == mi + 1:
            bounds[1] = len(lines)
        add(f"第{_NUM[j]}节 {s}", required=True)
        if j == 0:
            add(OTHER_SECTION_FILLER[0])
        elif j == 1:
            add("一、公司信息", required=True)
            add(f"股票简称：{short_name}  股票代码：{stkcd}", required=True)
            add(f"公司的中文名称：{full_name}", required=True)
            for ln in _keyword_sentences(d, DATA_WORDS, n_data_overview):
                add(ln)
            add(d.pick(FILLER))
        elif j == mi:
            # MD&A length roughly fixed: data/AI sentences replace filler (no dilution of
            # the innovation-keyword share by AI disclosure)
            n_fill = max(3, 6 + int(d.u() * 8) - (n_data - n_data_overview + n_ai) // 2)
            body = [d.pick(FILLER) for _ in range(n_fill)]
            kw = (_keyword_sentences(d, INNOVATION_WORDS, n_innov)
                  + _keyword_sentences(d, DATA_WORDS, n_data - n_data_overview)
                  + _keyword_sentences(d, AI_WORDS, n_ai))
            for ln in kw:
                body.insert(int(d.u() * (len(body) + 1)), ln)
            head = ["一、管理层讨论与分析", "（一）概述"] if h == "董事会报告" else ["一、概述"]
            for ln in head:
                add(ln, required=True)
            for ln in body[: len(body) // 2]:
                add(ln)
            add("二、主营业务分析", required=True)
            for ln in body[len(body) // 2:]:
                add(ln)
        else:
            for _ in range(1 + int(d.u() * 3)):
                add(d.pick(OTHER_SECTION_FILLER[1:]))
    # closing lines (signature page), unique in the report: the last lines of the last PDF
    # page never repeat a line at another page's edge
    add(f"（本页无正文，为{full_name}{year}年年度报告签字页）", required=True)
    add(f"{full_name}董事会", required=True)
    add(f"{year + 1}年{1 + (year + int(stkcd)) % 4}月{10 + int(stkcd) % 19}日", required=True)
    return lines, noise, (bounds[0], bounds[1])


def _nchars(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t") - text.count("\u3000")


def line_vector(line: str) -> np.ndarray:
    """[characters without whitespace, count of each term, negated count of each term] of one
    line. Counts are additive over lines because no term spans a line break."""
    v = np.zeros(1 + 2 * len(ALL_TERMS), dtype=np.int64)
    v[0] = _nchars(line)
    for j, term in enumerate(ALL_TERMS):
        c = line.count(term)
        if c:
            v[1 + j] = c
            v[1 + len(ALL_TERMS) + j] = negated_count(line, term)
    return v


class _LineIndex:
    """Interns lines; the truth of a report is the sum of its lines' vectors."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.vectors: list[np.ndarray] = []

    def id(self, line: str) -> int:
        i = self.ids.get(line)
        if i is None:
            i = self.ids[line] = len(self.vectors)
            self.vectors.append(line_vector(line))
        return i

    def sums(self, ids: list[int], offsets: list[int]) -> np.ndarray:
        """Per report (rows delimited by ``offsets`` into ``ids``) the sum of its line vectors."""
        from scipy import sparse

        mat = np.vstack(self.vectors)
        indptr = np.append(np.asarray(offsets, dtype=np.int64), len(ids))
        inc = sparse.csr_matrix((np.ones(len(ids), dtype=np.int64), np.asarray(ids, dtype=np.int64), indptr),
                                shape=(len(offsets), len(self.vectors)))
        return np.asarray(inc @ mat)


def report_line_ids(index: _LineIndex, lines: list[str], noise: set[int],
                    bounds: tuple[int, int]) -> tuple[list[int], list[int]]:
    """Line ids of the MD&A body and of the full report (header/page/empty lines excluded)."""
    start, end = bounds
    full = [index.id(ln) if ln and i not in noise else -1 for i, ln in enumerate(lines)]
    body = [k for k in full[start + 1:end] if k >= 0]
    return body, [k for k in full if k >= 0]


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


def build_reports(p: pd.DataFrame, firms: pd.DataFrame, names: pd.DataFrame, rng: np.random.Generator,
                  *, pdf_count: int = 8, announce: pd.DataFrame | None = None) -> tuple[list[tuple[str, bytes]], pd.DataFrame]:
    """All reports as (relative path, bytes) and the truth frame (one row per report)."""
    s = p[p["in_sample"]].reset_index(drop=True)
    fi = s["firm"].to_numpy()
    years = s["year"].to_numpy()
    n = len(s)
    n_innov = rng.poisson(s["lam_innov"].to_numpy())
    n_data = rng.poisson(s["lam_data"].to_numpy())
    n_ai = rng.poisson(s["lam_aiword"].to_numpy())
    draws = rng.random((n, 192))
    gbk = rng.random(n) < 0.2
    missing = rng.random(n) < 0.004
    pdf_idx = set(rng.choice(np.flatnonzero(~missing), size=min(pdf_count, int((~missing).sum())), replace=False).tolist())
    stk = firms["stkcd"].to_numpy()[fi]
    cy = firms["name_change_year"].to_numpy()[fi]
    full = np.where((cy > 0) & (years < cy), firms["former_full_name"].to_numpy()[fi], firms["full_name"].to_numpy()[fi])
    nm = names.set_index(["firm", "year"])["short_name"]
    short = nm.reindex(pd.MultiIndex.from_arrays([fi, years])).to_numpy()
    ann = {}
    if announce is not None:
        a = announce[announce["report_type"] == 4]  # IAR_Rept: 4 = 年报
        ann = dict(zip(zip(a["stkcd"], a["accper"].str[:4].astype(int)), a["announce_date"]))
    files: list[tuple[str, bytes]] = []
    meta: list[tuple] = []
    index = _LineIndex()
    m_ids: list[int] = []
    m_off: list[int] = []
    f_ids: list[int] = []
    f_off: list[int] = []
    for i in range(n):
        if missing[i]:
            continue
        lines, noise, bounds = compose_report(stk[i], int(years[i]), full[i], short[i], int(n_innov[i]),
                                              int(n_data[i]), int(n_ai[i]), draws[i].tolist())
        body, whole = report_line_ids(index, lines, noise, bounds)
        m_off.append(len(m_ids))
        m_ids += body
        f_off.append(len(f_ids))
        f_ids += whole
        if i in pdf_idx:
            running = f"{full[i]}{years[i]}年年度报告全文"
            if len(pdf_idx) > 1 and i % 2 == 0 and (stk[i], int(years[i])) in ann:
                name = f"{stk[i]}_{years[i]}_{short[i].replace('*', '')}_{years[i]}年年度报告_{ann[(stk[i], int(years[i]))]}.pdf"
            else:
                name = f"{stk[i]}_{years[i]}.pdf"
            files.append((f"reports/{name}", write_pdf(lines, noise, running)))
            fmt, enc = "pdf", ""
        else:
            text = "\n".join(lines) + "\n"
            enc = "gbk" if gbk[i] else "utf-8"
            name = f"{stk[i]}_{years[i]}.txt"
            files.append((f"reports/{name}", text.encode(enc)))
            fmt = "txt"
        meta.append((stk[i], int(years[i]), f"reports/{name}", fmt, enc, mdna_heading(int(years[i])),
                     next_heading(int(years[i]))))
    tr = pd.DataFrame(meta, columns=["stkcd", "year", "file", "format", "encoding", "mdna_heading", "next_heading"])
    ms, fs = index.sums(m_ids, m_off), index.sums(f_ids, f_off)
    tr["mdna_chars"], tr["full_chars"] = ms[:, 0], fs[:, 0]
    k = len(ALL_TERMS)
    for j, term in enumerate(ALL_TERMS):
        tr[f"mdna:{term}"] = ms[:, 1 + j]
        tr[f"full:{term}"] = fs[:, 1 + j]
        tr[f"mdna_neg:{term}"] = ms[:, 1 + k + j]
    tr["innov_kw_chars_mdna"] = sum(tr[f"mdna:{w}"] * len(w) for w in INNOVATION_WORDS)
    tr["data_kw_count_full"] = sum(tr[f"full:{w}"] for w in DATA_WORDS)
    tr["ai_kw_count_full"] = sum(tr[f"full:{w}"] for w in AI_WORDS)
    return files, tr
