"""The LaTeX tables compile: XeLaTeX + xeCJK for Chinese, pdfLaTeX for English (each skipped,
with the reason, where the engine or package is absent)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from nqp.report.format import NumberFormat
from nqp.report.labels import Labels
from nqp.report.render.latex import latex_document, table_latex
from nqp.report.write import build_grids


def _need(engine: str, *packages: str) -> None:
    if shutil.which(engine) is None:
        pytest.skip(f"no {engine} (Debian texlive-xetex / texlive-latex-recommended)")
    for pkg in packages:
        if shutil.which("kpsewhich") is None or not subprocess.run(["kpsewhich", pkg], capture_output=True,
                                                                    text=True).stdout.strip():
            pytest.skip(f"LaTeX package {pkg} not installed")


def _compile(engine: str, tex: str, tmp_path) -> None:
    (tmp_path / "t.tex").write_text(tex, encoding="utf-8")
    p = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000
    log = (tmp_path / "t.log").read_text(errors="replace")
    assert "Missing character" not in log  # every glyph found (Chinese included)


def test_booktabs_rules(results):
    grids, _ = build_grids(results, Labels.from_results(results), NumberFormat())
    tex = table_latex(next(g for g in grids if g.id == "5"))
    assert tex.count(r"\toprule[1.5pt]") == 1 and tex.count(r"\bottomrule[1.5pt]") == 1
    assert tex.count(r"\midrule[0.75pt]") == 1 and r"\multicolumn{4}{c}" in tex and r"\cmidrule(lr)" not in tex.split(
        r"\midrule[0.75pt]")[1]
    assert r"L.lnAI" in tex and r"lnAI\_iv" in tex


def test_xelatex_chinese(results, tmp_path):
    _need("xelatex", "xeCJK.sty", "ctexhook.sty", "booktabs.sty")
    from nqp.report.figures import cjk_font

    if cjk_font() is None:
        pytest.skip("no CJK font installed")
    grids, _ = build_grids(results, Labels.from_results(results), NumberFormat())
    _compile("xelatex", latex_document(grids, cjk_font="Noto Serif CJK SC"), tmp_path)


def test_pdflatex_english(results, tmp_path):
    _need("pdflatex", "booktabs.sty")
    grids, _ = build_grids(results, Labels.from_results(results, "en"), NumberFormat())
    grids = [g for g in grids if g.id not in ("1", "2", "sample_construction")]  # (Chinese step names in the fixture)
    _compile("pdflatex", latex_document(grids), tmp_path)
