"""A format-free table (表格网格): title, header rows with spanning cells, body rows, notes.

Builders (:mod:`nqp.report.build`) turn results into a :class:`Grid`; one renderer per format
(:mod:`nqp.report.render`) turns a grid into Markdown, LaTeX, HTML, CSV, DOCX or XLSX. Every cell
is already text (formatted once, in :mod:`nqp.report.format`), so all formats print the same
numbers. A cell keeps the number behind it (``value``) and where it came from (``source``: a
path into ``results.json`` such as ``("models", "t3_2", "coefficients", "lnAI", "estimate")``),
which the XLSX renderer uses for numeric cells and the tests use to check every printed number
against ``results.json``.

Three-line layout (三线表): a heavy rule above the first header row, a light rule under the
last header row, a heavy rule under the last body row; ``Row.rule_above`` asks for an extra
light rule (e.g. above the statistics block) where a style wants one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Cell:
    text: str = ""
    span: int = 1
    align: Align = "center"
    value: float | None = None
    source: tuple[str, ...] | None = None
    kind: str = "text"  # text | label | header | coef | paren | stat | count | mark | pvalue

    @property
    def is_number(self) -> bool:
        return self.kind in ("coef", "paren", "stat", "count", "pvalue") and self.text != ""


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    rule_above: bool = False

    @property
    def width(self) -> int:
        return sum(c.span for c in self.cells)

    def positions(self) -> list[tuple[int, Cell]]:
        """(first column, cell) for every cell of the row."""
        out, col = [], 0
        for c in self.cells:
            out.append((col, c))
            col += c.span
        return out


@dataclass(frozen=True)
class Grid:
    id: str  # "3", "sample_construction", ...
    title: str  # "表3 基准回归结果"
    header: tuple[Row, ...]
    body: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    lang: str = "zh"
    meta: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        widths = {r.width for r in (*self.header, *self.body)}
        if len(widths) > 1:
            raise ValueError(f"table {self.id}: rows of different widths {sorted(widths)}")

    @property
    def n_cols(self) -> int:
        rows = (*self.header, *self.body)
        return rows[0].width if rows else 0

    @property
    def rows(self) -> tuple[Row, ...]:
        return (*self.header, *self.body)

    def numbers(self) -> list[tuple[int, int, Cell]]:
        """(row, first column, cell) of every numeric cell, rows counted over header + body."""
        return [(i, j, c) for i, r in enumerate(self.rows) for j, c in r.positions() if c.is_number]

    def text_matrix(self) -> list[list[str]]:
        """Rows x columns of text, a spanning cell's text in its first column and "" after it."""
        out = []
        for r in self.rows:
            line: list[str] = []
            for c in r.cells:
                line += [c.text] + [""] * (c.span - 1)
            out.append(line)
        return out
