"""Read rendered tables back (independently of nqp.report's renderers): a grid of cell texts
per format, a spanning cell's text repeated over the columns it spans (as python-docx does)."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path


def resolve(results: dict, source: tuple) -> object:
    """Follow a cell's source path into results.json; models/tests are looked up by id."""
    head, *rest = source
    node: object = results[head]
    if head in ("models", "tests") and rest:
        node = next(x for x in node if x["id"] == rest[0])  # type: ignore[union-attr]
        rest = rest[1:]
    for k in rest:
        node = node[int(k)] if isinstance(node, list) else node[k]  # type: ignore[index]
    return node


def docx_rows(path: Path, table: int = 0) -> list[list[str]]:
    import docx

    t = docx.Document(str(path)).tables[table]
    return [[c.text for c in row.cells] for row in t.rows]


def xlsx_rows(path: Path, sheet: str | None = None) -> tuple[list[list[object]], object]:
    """Values of the table part (below the title row), spanning cells repeated; and the sheet."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=1)]
    for rng in ws.merged_cells.ranges:
        v = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                values[r - 1][c - 1] = v
    return values[1:], ws


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._cur: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._span = 1
        self._in_foot = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("data-table") is not None:
            self._cur = self.tables.setdefault(a["data-table"], [])
        elif tag == "tfoot":
            self._in_foot = True
        elif tag == "tr" and self._cur is not None and not self._in_foot:
            self._cur.append([])
        elif tag in ("td", "th") and self._cur is not None and not self._in_foot:
            self._cell, self._span = [], int(a.get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._cur is not None:
            self._cur[-1].extend(["".join(self._cell)] * self._span)
            self._cell = None
        elif tag == "tfoot":
            self._in_foot = False
        elif tag == "table":
            self._cur = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(text: str) -> dict[str, list[list[str]]]:
    p = _Tables()
    p.feed(text)
    return p.tables


def markdown_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|:"):
            cells = [c.strip().replace("\\|", "|") for c in line.strip()[1:-1].split(" | ")]
            rows.append(cells)
    return rows


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
