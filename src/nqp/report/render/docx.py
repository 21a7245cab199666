"""Word (DOCX) three-line tables (三线表) with python-docx.

* Rules as cell borders (``w:tcBorders``, one per cell, edited in place): the top edge of the
  first header row 1.5 pt (``w:sz="12"``: eighths of a point), the bottom edge of the last
  header row 0.75 pt (``w:sz="6"``), the bottom edge of the last body row 1.5 pt
  (``w:sz="12"``); the table itself has no borders (no vertical lines).
* Fonts: every run sets ``w:ascii``/``w:hAnsi``/``w:cs`` to Times New Roman (Latin text and
  digits) and ``w:eastAsia`` to 宋体 (Chinese); python-docx's ``font.name`` sets only the first
  two, which is why Word otherwise shows Chinese in a fallback font (python-docx issue 1396).
* Sizes: body 五号 (10.5 pt), 小五 (9 pt) for wide tables, notes 小五; the title above in bold
  (黑体), notes below.

Sources: ``shared/spec/report-reference.md`` §2 (rule widths, size names, the tcBorders recipe).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from nqp.report.grid import Grid
from nqp.report.render.ooxml import normalize_ooxml

_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


@dataclass(frozen=True)
class DocxStyle:
    latin: str = "Times New Roman"
    east_asian: str = "宋体"
    title_east_asian: str = "黑体"
    body_pt: float = 10.5  # 五号
    wide_body_pt: float = 9.0  # 小五, tables with more than `wide` columns
    notes_pt: float = 9.0  # 小五
    wide: int = 7
    heavy_sz: int = 12  # 1.5 pt
    light_sz: int = 6  # 0.75 pt


def _fonts(run, style: DocxStyle, size: float, *, east_asian: str | None = None, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), style.latin)
    fonts.set(qn("w:eastAsia"), east_asian or style.east_asian)


def _edge(tc, side: str, sz: int) -> None:
    """Set one edge of one cell: fetch-or-create its single ``w:tcBorders`` and the side in it."""
    pr = tc.get_or_add_tcPr()
    borders = pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        # CT_TcPr order: tcW, gridSpan, vMerge/hMerge, tcBorders, shd, ..., vAlign
        after = [pr.find(qn(t)) for t in ("w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge")]
        after = [a for a in after if a is not None]
        if after:
            after[-1].addnext(borders)
        else:
            pr.insert(0, borders)
    order = ("top", "left", "bottom", "right")
    e = borders.find(qn(f"w:{side}"))
    if e is None:
        e = OxmlElement(f"w:{side}")
        later = [borders.find(qn(f"w:{s}")) for s in order[order.index(side) + 1:]]
        later = [x for x in later if x is not None]
        if later:
            later[0].addprevious(e)
        else:
            borders.append(e)
    for k, v in (("val", "single"), ("sz", str(sz)), ("space", "0"), ("color", "000000")):
        e.set(qn(f"w:{k}"), v)


def _no_table_borders(table) -> None:
    tblpr = table._tbl.tblPr
    borders = tblpr.find(qn("w:tblBorders"))
    if borders is None:
        borders = OxmlElement("w:tblBorders")
        tblpr.append(borders)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = borders.find(qn(f"w:{side}"))
        if e is None:
            e = OxmlElement(f"w:{side}")
            borders.append(e)
        e.set(qn("w:val"), "nil")


def _paragraph(doc, text: str, style: DocxStyle, size: float, *, align=WD_ALIGN_PARAGRAPH.LEFT,
               bold: bool = False, east_asian: str | None = None) -> None:
    p = doc.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(2)
    _fonts(p.add_run(text), style, size, bold=bold, east_asian=east_asian)


def add_table(doc, grid: Grid, style: DocxStyle = DocxStyle()) -> None:
    """Append the grid to ``doc``: title paragraph, three-line table, notes."""
    size = style.body_pt if grid.n_cols <= style.wide else style.wide_body_pt
    _paragraph(doc, grid.title, style, style.body_pt, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True,
               east_asian=style.title_east_asian)
    rows = grid.rows
    table = doc.add_table(rows=len(rows), cols=grid.n_cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_table_borders(table)
    for i, r in enumerate(rows):
        for j, c in r.positions():
            cell = table.cell(i, j)
            if c.span > 1:
                cell = cell.merge(table.cell(i, j + c.span - 1))
            p = cell.paragraphs[0]
            p.alignment = _ALIGN[c.align]
            p.paragraph_format.space_after = Pt(0)
            _fonts(p.add_run(c.text), style, size)
    n_head = len(grid.header)
    for i, tr in enumerate(table._tbl.tr_lst):
        for tc in tr.tc_lst:
            if i == 0:
                _edge(tc, "top", style.heavy_sz)
            if i == n_head - 1:
                _edge(tc, "bottom", style.light_sz)
            if i == len(rows) - 1:
                _edge(tc, "bottom", style.heavy_sz)
            if rows[i].rule_above and i > 0:
                _edge(tc, "top", style.light_sz)
    for note in grid.notes:
        _paragraph(doc, note, style, style.notes_pt)


def docx_bytes(grids: Sequence[Grid], style: DocxStyle = DocxStyle()) -> bytes:
    """One document with every grid (a page break between tables), as normalized bytes."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = style.latin
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), style.east_asian)
    if any(g.n_cols > style.wide for g in grids):
        sec = doc.sections[0]
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    for k, g in enumerate(grids):
        if k:
            doc.add_page_break()
        add_table(doc, g, style)
    doc.core_properties.title = grids[0].title if len(grids) == 1 else "nqp tables"
    doc.core_properties.author = "nqp"
    buf = io.BytesIO()
    doc.save(buf)
    return normalize_ooxml(buf.getvalue())
