"""LaTeX with booktabs: ``\\toprule[1.5pt]``, ``\\midrule[0.75pt]`` under the head,
``\\bottomrule[1.5pt]``; ``\\multicolumn`` for spanning cells and ``\\cmidrule`` under column
groups; title above and notes below the tabular. :func:`latex_document` wraps tables in a
document that compiles with XeLaTeX (xeCJK for Chinese) or, for English tables, pdfLaTeX."""

from __future__ import annotations

from collections.abc import Sequence

from nqp.report.grid import Grid

_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
            "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
            "²": r"\textsuperscript{2}", "×": r"$\times$", "√": r"$\surd$", "−": r"$-$", "<": r"$<$", ">": r"$>$"}


def escape(text: str) -> str:
    return "".join(_SPECIAL.get(ch, ch) for ch in text)


def table_latex(grid: Grid) -> str:
    n = grid.n_cols
    n_head = len(grid.header)
    title = [rf"{{\bfseries {escape(grid.title)}\par}}\medskip"] if grid.title else []
    lines = [r"\begin{table}[htbp]", r"\centering", *title,
             r"\begin{tabular}{l" + "c" * (n - 1) + "}", r"\toprule[1.5pt]"]
    for i, r in enumerate(grid.rows):
        if r.rule_above and i > 0:
            lines.append(r"\midrule[0.4pt]")
        cells, rules, col = [], [], 0
        for c in r.cells:
            t = escape(c.text)
            if c.span > 1:
                cells.append(rf"\multicolumn{{{c.span}}}{{c}}{{{t}}}")
                if i < n_head - 1 and c.text:
                    rules.append(rf"\cmidrule(lr){{{col + 1}-{col + c.span}}}")
            else:
                cells.append(t)
            col += c.span
        lines.append(" & ".join(cells) + r" \\")
        lines += rules
        if i == n_head - 1:
            lines.append(r"\midrule[0.75pt]")
    lines += [r"\bottomrule[1.5pt]", r"\end{tabular}"]
    if grid.notes:
        notes = r"\\ ".join(escape(x) for x in grid.notes)
        lines.append(r"\par\smallskip\begin{minipage}{0.95\linewidth}\footnotesize " + notes + r"\end{minipage}")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def latex_document(grids: Sequence[Grid], cjk_font: str = "Noto Serif CJK SC") -> str:
    """A whole document around the tables: XeLaTeX + xeCJK (``cjk_font``, e.g. SimSun) when any
    text is Chinese, else pdfLaTeX."""
    body = "\n".join(table_latex(g) for g in grids)
    cjk = any(ord(ch) > 0x2E80 for g in grids for ch in g.title + "".join(g.notes) + str(g.text_matrix()))
    pre = [r"\documentclass[10pt]{article}", r"\usepackage[margin=1.5cm,landscape]{geometry}",
           r"\usepackage{booktabs}"]
    if cjk:
        pre += [r"\usepackage{xeCJK}", rf"\setCJKmainfont{{{cjk_font}}}"]
    else:
        pre += [r"\usepackage[T1]{fontenc}", r"\usepackage[utf8]{inputenc}"]
    return "\n".join(pre + [r"\begin{document}", body, r"\end{document}"]) + "\n"


def latex_bytes(grids: Sequence[Grid]) -> bytes:
    return "\n".join(table_latex(g) for g in grids).encode("utf-8")
