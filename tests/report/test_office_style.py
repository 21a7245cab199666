"""The three-line style in the Office files: DOCX rules at the right rows with w:sz 12/6/12, no
table borders, Times New Roman + 宋体 in the East-Asian slot on every run with Chinese text,
五号/小五 sizes; XLSX the same rules as cell borders (medium/thin/medium), numbers right-aligned."""

from __future__ import annotations

import re

import docx
from docx.oxml.ns import qn

from nqp.report.format import NumberFormat
from nqp.report.labels import Labels
from nqp.report.write import build_grids

from .readback import xlsx_rows

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def _edges(tc) -> dict[str, str]:
    pr = tc.tcPr
    b = pr.find(qn("w:tcBorders")) if pr is not None else None
    if b is None:
        return {}
    assert len(pr.findall(qn("w:tcBorders"))) == 1  # one tcBorders per cell, not appended twice
    return {child.tag.split("}")[1]: child.get(qn("w:sz")) for child in b}


def _n_header(results, table_id):
    grids, _ = build_grids(results, Labels.from_results(results), NumberFormat())
    return len(next(g for g in grids if g.id == table_id).header)


def test_docx_three_rules(results, report_dir):
    for table_id in ("3", "5", "6", "2"):
        d = docx.Document(str(report_dir / "tables" / f"table{table_id}.docx"))
        tbl = d.tables[0]._tbl
        rows = tbl.tr_lst
        n_head = _n_header(results, table_id)
        for i, tr in enumerate(rows):
            for tc in tr.tc_lst:
                e = _edges(tc)
                want = {}
                if i == 0:
                    want["top"] = "12"
                if i == n_head - 1:
                    want["bottom"] = "6"
                if i == len(rows) - 1:
                    want["bottom"] = "12"
                assert e == want, f"table {table_id} row {i}: {e} != {want}"
        borders = tbl.tblPr.find(qn("w:tblBorders"))
        assert {c.get(qn("w:val")) for c in borders} == {"nil"}  # no vertical (or any table) lines
        assert {c.tag.split("}")[1] for c in borders} >= {"insideV", "left", "right"}


def test_docx_fonts_and_sizes(report_dir):
    d = docx.Document(str(report_dir / "tables" / "table3.docx"))
    runs = [r for p in d.paragraphs for r in p.runs]
    runs += [r for row in d.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs]
    chinese = [r for r in runs if CJK.search(r.text)]
    assert len(chinese) > 5
    for r in runs:
        fonts = r._r.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:hAnsi")) == "Times New Roman"
        assert fonts.get(qn("w:eastAsia")) in ("宋体", "黑体"), r.text
    title = d.paragraphs[0]
    assert title.text == "表3 基准回归结果" and title.runs[0].bold
    assert title.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    body = [r for row in d.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert {r.font.size.pt for r in body} == {10.5}  # 五号
    notes = d.paragraphs[1:]
    assert notes[0].text.startswith("注：括号内为聚类到行业层面的稳健标准误")
    assert {r.font.size.pt for p in notes for r in p.runs} == {9.0}  # 小五


def test_docx_wide_table_is_landscape_xiaowu(results, tmp_path):
    from nqp.report import etable

    ms = [m for m in results["models"] if m["table"] == "3"] * 3  # 9 model columns
    t = etable({f"m{i}": m for i, m in enumerate(ms)}, keep=["lnAI"])
    t.to_docx(tmp_path / "wide.docx")
    d = docx.Document(str(tmp_path / "wide.docx"))
    assert d.sections[0].page_width > d.sections[0].page_height
    body = [r for row in d.tables[0].rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert {r.font.size.pt for r in body} == {9.0}


def test_xlsx_borders_and_alignment(results, report_dir):
    rows, ws = xlsx_rows(report_dir / "tables" / "table3.xlsx")
    n_head = _n_header(results, "3")
    grids, _ = build_grids(results, Labels.from_results(results), NumberFormat())
    n_rows = len(next(g for g in grids if g.id == "3").rows)
    last = None
    for i in range(1, ws.max_row + 1):
        if ws.cell(i, 1).border.bottom.style == "medium":
            last = i
    assert last is not None
    for col in range(1, ws.max_column + 1):
        assert ws.cell(2, col).border.top.style == "medium"
        assert ws.cell(1 + n_head, col).border.bottom.style == "thin"
        assert ws.cell(last, col).border.bottom.style == "medium"
        for side in (ws.cell(2, col).border.left, ws.cell(2, col).border.right):  # no vertical lines
            assert side is None or side.style is None
    assert last == 1 + n_rows
    for i in range(2 + n_head, last + 1):  # body rows
        for col in range(2, ws.max_column + 1):
            c = ws.cell(i, col)
            if c.value not in (None, "√"):
                assert c.alignment.horizontal == "right", (i, col, c.value)
    # the N row: a number shown as an integer, adjusted R² with 3 decimals
    labels = [ws.cell(i, 1).value for i in range(1, last + 1)]
    assert ws.cell(labels.index("N") + 1, 2).number_format == "0"
    assert isinstance(ws.cell(labels.index("N") + 1, 2).value, int | float)
    assert ws.cell(labels.index("调整R²") + 1, 2).number_format == "0.000"


def test_workbook_has_a_sheet_per_table(results, report_dir):
    import openpyxl

    wb = openpyxl.load_workbook(report_dir / "tables" / "tables.xlsx")
    ids = [t["id"] for t in results["tables"]]
    assert wb.sheetnames == ["sample_construction", "table1", "table2", *[f"table{i}" for i in ids]]
    assert wb["table3"]["A1"].value == "表3 基准回归结果"
    d = docx.Document(str(report_dir / "tables" / "tables.docx"))
    assert len(d.tables) == len(wb.sheetnames)
