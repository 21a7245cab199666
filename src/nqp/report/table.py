"""A rendered-on-demand table: what :func:`nqp.etable` returns and the report writes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nqp.atomic import atomic_write_bytes
from nqp.report.grid import Grid
from nqp.report.render import renderer


@dataclass(frozen=True)
class Table:
    """One publication table. ``to_*`` return text; ``to_docx``/``to_xlsx`` write a file
    (atomically) and return its path."""

    grid: Grid

    @property
    def title(self) -> str:
        return self.grid.title

    def to_markdown(self) -> str:
        from nqp.report.render.markdown import table_markdown

        return table_markdown(self.grid)

    def to_latex(self) -> str:
        from nqp.report.render.latex import table_latex

        return table_latex(self.grid)

    def to_html(self) -> str:
        from nqp.report.render.html import table_html

        return table_html(self.grid)

    def to_csv(self) -> str:
        from nqp.report.render.csv import table_csv

        return table_csv(self.grid)

    def to_docx(self, path: str | Path) -> Path:
        return self._write(path, "docx")

    def to_xlsx(self, path: str | Path) -> Path:
        return self._write(path, "xlsx")

    def _write(self, path: str | Path, ext: str) -> Path:
        path = Path(path)
        atomic_write_bytes(path, renderer(ext)([self.grid]))
        return path

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return f"<Table {self.grid.title!r}: {len(self.grid.body)} rows x {self.grid.n_cols} columns>"
