"""The synth's batch code paths keep the documented output: the chunk-wide report composer
(cycled draws read for all reports at once, the layout rules), the Arrow fixed-point printing
of numbers, the .xls cell insertion (the bytes of writing cell by cell with xlwt) and the
manifest's file list (the bytes of json's indenting encoder)."""

from __future__ import annotations

import io
import itertools
import json
import re

import numpy as np
import pytest

from nqp.synth import documents
from nqp.synth.outfiles import manifest_bytes
from nqp.synth.writers import _write_xls_cells, fixed_decimals


def test_draws_read_each_report_in_order_and_cycled():
    rng = np.random.default_rng(3)
    draws = rng.random((4, 5))
    d = documents._Draws(draws)
    steps = [np.array([1, 0, 2, 3]), np.array([6, 1, 0, 4]), np.ones(4, dtype=np.int64)]
    taken = [d.take(k) for k in steps]
    readers = [itertools.cycle(row.tolist()).__next__ for row in draws]
    for k, got in zip(steps, taken):
        want = [readers[r]() for r in range(4) for _ in range(int(k[r]))]
        assert got.tolist() == want


@pytest.fixture(scope="module")
def composed():
    rng = np.random.default_rng(11)
    n = 60
    years = rng.integers(2010, 2023, n).tolist()
    stk = [f"{600000 + i}" for i in range(n)]
    full = [f"测试{i}科技股份有限公司" for i in range(n)]
    short = [f"测试{i}" for i in range(n)]
    counts = [rng.poisson(lam, n).tolist() for lam in (8.0, 3.0, 2.0)]
    draws = rng.random((n, 192))
    return (years, stk, full, short, counts,
            documents.compose_reports(stk, years, full, short, *counts, draws))


def test_composed_reports_follow_the_layout(composed):
    years, stk, full, short, counts, rep = composed
    optional = set(documents.FILLER) | set(documents.OTHER_SECTION_FILLER)
    for terms in (documents.INNOVATION_WORDS, documents.DATA_WORDS, documents.AI_WORDS):
        optional |= {t.format(k=k) for t in documents.AFFIRM + documents.NEGATE for k in terms}
    for r, year in enumerate(years):
        lines = rep.lines(r)
        noise = rep.noise(r)
        running = f"{full[r]}{year}年年度报告全文"
        assert lines[0] == full[r] and lines[1] == f"{year}年年度报告" and lines[3] == "目录"
        body = [ln for i, ln in enumerate(lines) if i not in noise][documents.HEADER_LINES:]
        # a page number and the running header after every ten body lines
        assert len(noise) == 2 * (len(body) // 10)
        for i in sorted(noise)[1::2]:
            assert lines[i] == running and re.fullmatch(r"(- )?\d+( -)?", lines[i - 1])
        # every required line is kept, in the section order of the year
        headings = [ln for ln in body if ln.startswith("第") and "节 " in ln]
        assert [h.split(" ", 1)[1] for h in headings] == documents._sections(year)
        assert f"股票简称：{short[r]}  股票代码：{stk[r]}" in body
        assert body[-3] == f"（本页无正文，为{full[r]}{year}年年度报告签字页）"
        # no optional line repeats one of the four lines before it
        for i, ln in enumerate(body):
            if ln in optional:
                assert ln not in body[max(0, i - 4):i]


def test_composed_truth_recounts_the_text(composed):
    years, stk, full, short, counts, rep = composed
    for r, year in enumerate(years):
        lines = rep.lines(r)
        counted = ["" if i in rep.noise(r) else ln for i, ln in enumerate(lines)]
        text = "\n".join(counted)
        assert rep.full[r, 0] == sum(documents._nchars(ln) for ln in counted)
        for j, term in enumerate(documents.ALL_TERMS):
            assert rep.full[r, 1 + j] == text.count(term)
        start = counted.index(f"第{documents._NUM[documents._sections(year).index(documents.mdna_heading(year))]}节 "
                              f"{documents.mdna_heading(year)}", documents.HEADER_LINES)
        nxt = documents.next_heading(year)
        end = next(i for i in range(start + 1, len(counted)) if counted[i].endswith(f"节 {nxt}"))
        mdna = "\n".join(counted[start + 1:end])
        k = len(documents.ALL_TERMS)
        for j, term in enumerate(documents.ALL_TERMS):
            assert rep.mdna[r, 1 + j] == mdna.count(term)
            assert rep.mdna[r, 1 + k + j] == documents.negated_count(mdna, term)


@pytest.mark.parametrize("decimals", [0, 2, 4])
def test_fixed_decimals_prints_like_python(decimals):
    rng = np.random.default_rng(decimals)
    x = np.concatenate([rng.normal(0, 1, 2000) * 10.0 ** rng.integers(-5, 9, 2000),
                        [0.0, -0.0, -1e-9, 1e-9, 12.5, -12.5, np.nan, 123456789.0123]])
    got = fixed_decimals(x, decimals).to_pylist()
    for v, s in zip(x, got):
        if np.isnan(v):
            assert s is None
        else:
            want = f"{np.rint(v * 10**decimals) / 10**decimals:.{decimals}f}"
            assert s == (want[1:] if re.fullmatch(r"-0\.?0*", want) else want)


def test_xls_cells_match_cell_by_cell_writes():
    xlwt = pytest.importorskip("xlwt")
    columns = [["a", None, "", "b", None], [1.5, 2.0, None, -3.25, None], [None, 7, 8, None, None],
               ["x", "a", None, "y", None]]

    def book(fill) -> bytes:
        wb = xlwt.Workbook(encoding="utf-8")
        ws = wb.add_sheet("S")
        for j in range(len(columns)):
            ws.write(0, j, f"h{j}")
        fill(wb, ws)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def cell_by_cell(wb, ws):
        for j, values in enumerate(columns):
            for i, v in enumerate(values, start=1):
                if v is not None:
                    ws.write(i, j, v)

    assert book(lambda wb, ws: _write_xls_cells(wb, ws, columns, first_row=1)) == book(cell_by_cell)


@pytest.mark.parametrize("hashes", [{}, {"b.csv": (3, "ab12"), 'reports/a"\\\n中文\u2028\x01.txt': (0, "cd")}])
def test_manifest_bytes_are_jsons_indented_dump(hashes):
    fields = {"synthetic": True, "generator": "nqp synth", "seed": 1, "scale": 0.5, "note": "合成"}
    files = [{"path": k, "bytes": v[0], "sha256": v[1]} for k, v in sorted(hashes.items())]
    want = json.dumps({**fields, "files": files}, ensure_ascii=False, indent=1).encode("utf-8")
    assert manifest_bytes(fields, hashes) == want
