"""Excel (XLSX) three-line tables with openpyxl: one sheet per table.

Row 1 holds the title (merged across the table), then the header rows (spanning cells merged),
the body and the notes. Rules as cell borders: ``medium`` (Excel's 1.5 pt-class line) on the
top edge of the first header row and the bottom edge of the last body row, ``thin`` (0.75 pt
class) under the last header row; no vertical lines. Numbers are right-aligned; a statistic
or count without stars is stored as a number (full precision) with a number format of the
printed decimals (so it shows as printed and stays a number in Excel), coefficients with stars and parenthesised SEs as text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from nqp.report.format import parse_number
from nqp.report.grid import Cell, Grid
from nqp.report.render.ooxml import normalize_ooxml

HEAVY, LIGHT = Side(style="medium", color="000000"), Side(style="thin", color="000000")
_BORDERS = {(t, b): Border(top=t or Side(), bottom=b or Side()) for t in (HEAVY, LIGHT, None)
            for b in (HEAVY, LIGHT, None)}
_ALIGNS = {a: Alignment(horizontal=a, vertical="center") for a in ("left", "center", "right")}
_FONT = Font(name="Times New Roman", size=10.5)
_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(grid: Grid) -> str:
    name = grid.id if not grid.id[:1].isdigit() else f"table{grid.id}"
    return _BAD.sub("_", name)[:31]


def _number(c: Cell) -> tuple[float, str] | None:
    """(value, number format) when the cell prints as a plain number (no stars, no parentheses)."""
    if c.kind not in ("stat", "count"):
        return None
    p = parse_number(c.text)
    if p is None or p.stars or c.text.startswith("("):
        return None
    value = float(c.value) if c.value is not None else p.value  # full precision; the format rounds
    if "e" in c.text.lower():
        digits = len(c.text.lower().split("e")[0].split(".")[1]) if "." in c.text else 0
        return value, ("0." + "0" * digits + "E+00") if digits else "0E+00"
    digits = len(c.text.split(".")[1]) if "." in c.text else 0
    return value, ("0." + "0" * digits) if digits else "0"


def add_sheet(wb: Workbook, grid: Grid) -> None:
    ws = wb.create_sheet(sheet_name(grid))
    n = grid.n_cols
    ws.cell(1, 1, grid.title).font = Font(name="Times New Roman", size=10.5, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    if n > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    rows = grid.rows
    n_head = len(grid.header)
    first = 2
    for i, r in enumerate(rows):
        x = first + i
        for j, c in r.positions():
            num = _number(c)
            cell = ws.cell(x, j + 1, num[0] if num else (c.text if c.text != "" else None))
            if num:
                cell.number_format = num[1]
            align = "right" if c.is_number else c.align
            cell.alignment = _ALIGNS[align]
            cell.font = _FONT
            if c.span > 1:
                ws.merge_cells(start_row=x, start_column=j + 1, end_row=x, end_column=j + c.span)
        for col in range(1, n + 1):
            top = HEAVY if i == 0 else (LIGHT if r.rule_above else None)
            bottom = LIGHT if i == n_head - 1 else (HEAVY if i == len(rows) - 1 else None)
            if top or bottom:
                ws.cell(x, col).border = _BORDERS[(top, bottom)]
    for k, note in enumerate(grid.notes):
        cell = ws.cell(first + len(rows) + k, 1, note)
        cell.font = Font(name="Times New Roman", size=9)
        cell.alignment = Alignment(horizontal="left", wrap_text=False)
    widths = [max((len(t) for t in col), default=4) for col in zip(*grid.text_matrix())]
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, w * 1.6 if j == 1 else w * 1.3), 40)


def xlsx_bytes(grids: Sequence[Grid]) -> bytes:
    """One workbook, a sheet per grid, as normalized bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    for g in grids:
        add_sheet(wb, g)
    wb.properties.creator = "nqp"
    buf = io.BytesIO()
    wb.save(buf)
    return normalize_ooxml(buf.getvalue())
