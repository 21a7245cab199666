"""One renderer per format: a :class:`nqp.report.grid.Grid` in, text or bytes out (no I/O).

:func:`renderer` gives the ``(grids) -> bytes`` function of a file extension for the report writer;
the per-format modules also export single-table functions used by :class:`nqp.report.Table`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nqp.report.grid import Grid


def renderer(ext: str) -> Callable[[Sequence[Grid]], bytes]:
    """The ``(grids) -> bytes`` renderer of a file extension (md, tex, html, csv, docx, xlsx)."""
    from nqp.report.render import csv, docx, html, latex, markdown, xlsx

    table = {"md": markdown.markdown_bytes, "tex": latex.latex_bytes, "html": html.html_bytes,
             "csv": csv.csv_bytes, "docx": docx.docx_bytes, "xlsx": xlsx.xlsx_bytes}
    if ext not in table:
        raise ValueError(f"unknown table format {ext!r}; known: {sorted(table)}")
    return table[ext]


FORMATS = ("md", "tex", "html", "csv", "docx", "xlsx")
