"""Markdown (pipe tables): the title in bold above, the first header row as the table head,
a spanning cell's text in its first column, notes below."""

from __future__ import annotations

from collections.abc import Sequence

from nqp.report.grid import Grid


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table_markdown(grid: Grid) -> str:
    rows = grid.text_matrix()
    n = grid.n_cols
    align = [":---"] + [":---:"] * (n - 1)
    lines = [f"**{_esc(grid.title)}**", ""] if grid.title else []
    lines.append("| " + " | ".join(_esc(t) for t in rows[0]) + " |")
    lines.append("|" + "|".join(align) + "|")
    for r in rows[1:]:
        lines.append("| " + " | ".join(_esc(t) for t in r) + " |")
    if grid.notes:
        lines.append("")
        lines += [_esc(n) + "  " if i < len(grid.notes) - 1 else _esc(n) for i, n in enumerate(grid.notes)]
    return "\n".join(lines) + "\n"


def markdown_bytes(grids: Sequence[Grid]) -> bytes:
    return "\n".join(table_markdown(g) for g in grids).encode("utf-8")
