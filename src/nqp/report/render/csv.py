"""CSV: the title (when there is one), the header rows, the body and the notes, one table row per line; a spanning
cell's text in its first column. UTF-8 with a byte-order mark so that Excel shows Chinese."""

from __future__ import annotations

import csv as _csv
import io
from collections.abc import Sequence

from nqp.report.grid import Grid


def table_csv(grid: Grid) -> str:
    buf = io.StringIO()
    w = _csv.writer(buf, lineterminator="\n")
    n = grid.n_cols
    if grid.title:
        w.writerow([grid.title] + [""] * (n - 1))
    for r in grid.text_matrix():
        w.writerow(r)
    for note in grid.notes:
        w.writerow([note] + [""] * (n - 1))
    return buf.getvalue()


def csv_bytes(grids: Sequence[Grid]) -> bytes:
    return ("\ufeff" + "\n".join(table_csv(g) for g in grids)).encode("utf-8")
