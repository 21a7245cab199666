"""Word (DOCX) three-line tables (三线表) with python-docx.

* Rules as cell borders (one ``w:tcBorders`` per cell): the top edge of the
  first header row 1.5 pt (``w:sz="12"``: eighths of a point), the bottom edge of the last
  header row 0.75 pt (``w:sz="6"``), the bottom edge of the last body row 1.5 pt
  (``w:sz="12"``); the table itself has no borders (no vertical lines).
* Fonts: every run sets ``w:ascii``/``w:hAnsi``/``w:cs`` to Times New Roman (Latin text and
  digits) and ``w:eastAsia`` to 宋体 (Chinese); python-docx's ``font.name`` sets only the first
  two, which is why Word otherwise shows Chinese in a fallback font (python-docx issue 1396).
* Sizes: body 五号 (10.5 pt), 小五 (9 pt) for wide tables, notes 小五; the title above in bold
  (黑体), notes below.

The body XML is written as text (python-docx's ``cell()`` and ``merge()`` re-scan the whole
table on every call: 8 tables took seconds) into python-docx's default package (styles,
settings, section), serialized once per process; python-docx reads the result back in the tests.

Sources: ``shared/spec/report-reference.md`` §2 (rule widths, size names, the tcBorders recipe).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from docx import Document
from docx.oxml.ns import qn

from nqp.report.grid import Grid
from nqp.report.render.ooxml import normalize_ooxml, pack, unpack


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
    text_width_twips: int = 9000


def _run(text: str, style: DocxStyle, size: float, *, bold: bool = False, east_asian: str | None = None) -> str:
    lat = quoteattr(style.latin)
    ea = quoteattr(east_asian or style.east_asian)
    half = int(round(size * 2))
    b = "<w:b/><w:bCs/>" if bold else ""
    return (f"<w:r><w:rPr><w:rFonts w:ascii={lat} w:hAnsi={lat} w:eastAsia={ea} w:cs={lat}/>{b}"
            f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')


def _para(text: str, style: DocxStyle, size: float, *, align: str = "left", bold: bool = False,
          east_asian: str | None = None, after: int = 0) -> str:
    jc = {"left": "left", "center": "center", "right": "right"}[align]
    return (f'<w:p><w:pPr><w:spacing w:before="0" w:after="{after}"/><w:jc w:val="{jc}"/></w:pPr>'
            f"{_run(text, style, size, bold=bold, east_asian=east_asian)}</w:p>")


def _border(side: str, sz: int) -> str:
    return f'<w:{side} w:val="single" w:sz="{sz}" w:space="0" w:color="000000"/>'


def table_xml(grid: Grid, style: DocxStyle = DocxStyle()) -> str:
    """Title paragraph, the three-line table and the notes as WordprocessingML (body content)."""
    size = style.body_pt if grid.n_cols <= style.wide else style.wide_body_pt
    rows = grid.rows
    n_head = len(grid.header)
    n = grid.n_cols
    first_w = style.text_width_twips // 4 if n > 1 else style.text_width_twips
    other_w = (style.text_width_twips - first_w) // max(n - 1, 1)
    widths = [first_w] + [other_w] * (n - 1)
    out = [_para(grid.title, style, style.body_pt, align="center", bold=True, east_asian=style.title_east_asian,
                 after=60) if grid.title else ""]
    nil = "".join(f'<w:{s} w:val="nil"/>' for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out.append(f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>'
               f'<w:tblBorders>{nil}</w:tblBorders><w:tblLayout w:type="autofit"/>'
               f'<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
               f'<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
               f'w:noHBand="1" w:noVBand="1"/></w:tblPr>')
    out.append("<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>")
    for i, r in enumerate(rows):
        edges = []
        if i == 0:
            edges.append(_border("top", style.heavy_sz))
        elif r.rule_above:
            edges.append(_border("top", style.light_sz))
        if i == len(rows) - 1:
            edges.append(_border("bottom", style.heavy_sz))
        elif i == n_head - 1:
            edges.append(_border("bottom", style.light_sz))
        borders = f"<w:tcBorders>{''.join(edges)}</w:tcBorders>" if edges else ""
        head = "<w:trPr><w:tblHeader/></w:trPr>" if i < n_head else ""
        cells = []
        for j, c in r.positions():
            w = sum(widths[j:j + c.span])
            span = f'<w:gridSpan w:val="{c.span}"/>' if c.span > 1 else ""
            cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{span}{borders}<w:vAlign w:val="center"/>'
                         f"</w:tcPr>{_para(c.text, style, size, align=c.align)}</w:tc>")
        out.append(f"<w:tr>{head}{''.join(cells)}</w:tr>")
    out.append("</w:tbl>")
    out += [_para(note, style, style.notes_pt, after=0) for note in grid.notes]
    return "".join(out)


@lru_cache(maxsize=4)
def _package(style: DocxStyle) -> tuple[tuple[tuple[str, bytes], ...], str, str, str]:
    """python-docx's default package with the Normal style set to TNR + 宋体, serialized once:
    (the other parts, document.xml up to ``<w:body>``, portrait sectPr, landscape sectPr)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = style.latin
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), style.east_asian)
    doc.core_properties.title = "nqp tables"
    doc.core_properties.author = "nqp"
    doc.core_properties.last_modified_by = "nqp"
    buf = io.BytesIO()
    doc.save(buf)
    parts = dict(unpack(normalize_ooxml(buf.getvalue())))
    xml = parts.pop("word/document.xml").decode("utf-8")
    head = xml[:xml.index("<w:body>") + len("<w:body>")]
    portrait = xml[xml.index("<w:sectPr"):xml.index("</w:body>")]
    w, h = re.search(r'<w:pgSz w:w="(\d+)" w:h="(\d+)"/>', portrait).groups()  # type: ignore[union-attr]
    landscape = portrait.replace(f'<w:pgSz w:w="{w}" w:h="{h}"/>', f'<w:pgSz w:w="{h}" w:h="{w}" w:orient="landscape"/>')
    return tuple(parts.items()), head, portrait, landscape


def docx_bytes(grids: Sequence[Grid], style: DocxStyle = DocxStyle()) -> bytes:
    """One document with every grid (a page break between tables): the package of
    :func:`_package` with a new ``word/document.xml``, zipped reproducibly."""
    parts, head, portrait, landscape = _package(style)
    brk = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    body = brk.join(table_xml(g, style) for g in grids)
    sect = landscape if any(g.n_cols > style.wide for g in grids) else portrait
    document = (head + body + sect + "</w:body></w:document>").encode("utf-8")
    return pack([*parts, ("word/document.xml", document)])
