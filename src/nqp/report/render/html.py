"""HTML: a three-line table with inline styles (so it looks right anywhere: the report, a
notebook, an e-mail): 1.5 pt rules above the head and below the body, 0.75 pt under the head,
no vertical lines; caption above, notes in the table's foot."""

from __future__ import annotations

import html
from collections.abc import Sequence

from nqp.report.grid import Grid

HEAVY, LIGHT = "1.5pt solid #000", "0.75pt solid #000"
_FONT = "font-family:'Times New Roman','SimSun','Songti SC','Noto Serif CJK SC',serif"


def table_html(grid: Grid) -> str:
    e = html.escape
    n_head = len(grid.header)
    rows = grid.rows
    out = [f'<table class="nqp-table" id="table-{e(grid.id)}" data-table="{e(grid.id)}" '
           f'style="border-collapse:collapse;border-top:{HEAVY};{_FONT};'
           f'font-size:10.5pt;margin:0.5em auto">',
           *([f'<caption style="caption-side:top;font-weight:bold;padding:0.3em">{e(grid.title)}</caption>']
             if grid.title else [])]
    for i, r in enumerate(rows):
        if i == 0:
            out.append("<thead>")
        if i == n_head:
            out.append("<tbody>")
        tag = "th" if i < n_head else "td"
        border = f"border-bottom:{LIGHT};" if i == n_head - 1 else ""
        if i == len(rows) - 1:
            border += f"border-bottom:{HEAVY};"
        if r.rule_above:
            border += f"border-top:{LIGHT};"
        cells = []
        for c in r.cells:
            span = f' colspan="{c.span}"' if c.span > 1 else ""
            cls = f' class="{c.kind}"' if c.kind != "text" else ""
            style = f"text-align:{c.align};padding:0.15em 0.6em;font-weight:normal;white-space:nowrap;{border}"
            cells.append(f'<{tag}{span}{cls} style="{style}">{e(c.text)}</{tag}>')
        out.append("<tr>" + "".join(cells) + "</tr>")
        if i == n_head - 1:
            out.append("</thead>")
    out.append("</tbody>")
    if grid.notes:
        notes = "<br>".join(e(x) for x in grid.notes)
        out.append(f'<tfoot><tr><td colspan="{grid.n_cols}" style="text-align:left;font-size:9pt;'
                   f'padding:0.3em 0.2em">{notes}</td></tr></tfoot>')
    out.append("</table>")
    return "\n".join(out) + "\n"


def html_bytes(grids: Sequence[Grid]) -> bytes:
    body = "\n".join(table_html(g) for g in grids)
    title = html.escape(grids[0].title if grids else "")
    lang = grids[0].lang if grids else "zh"
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head><body>\n{body}</body></html>\n").encode("utf-8")
