"""The report stage from stored results (nqp.report): all tables in all formats, the figures,
the whole ``write_report``; and one regression table side by side with maketables (the
table engine behind pyfixest.etable) on the same three models, in one process.

Goals (issue 10): all tables x formats < 1 s, figures < 5 s, the whole report < 10 s.

    python benchmarks/bench_report.py
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

from timing import median_seconds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from nqp.report import etable, render_report, write_report
    from tests.report.make_results import CTRL, build_results, simulated_panel

    results = build_results()
    n_tables = len(results["tables"]) + 3
    render_report(results)  # warm: imports, fonts, the DOCX package
    tables = median_seconds(lambda: render_report(results, figures=False, html=False), 5)
    figs = median_seconds(lambda: render_report(results, formats=(), html=False), 3)  # (+ ms of grid building)
    with tempfile.TemporaryDirectory() as tmp:
        whole = median_seconds(lambda: write_report(results, Path(tmp) / "out"), 3)
    print(f"{n_tables} tables x 6 formats (+ workbook, document): {tables:.3f} s   (goal < 1 s)")
    print(f"figures (PNG + SVG):                          {figs:.3f} s   (goal < 5 s)")
    print(f"write_report, everything:                     {whole:.3f} s   (goal < 10 s)")

    import pyfixest as pf
    from maketables import ETable

    df = simulated_panel()
    formulas = ["NQP ~ lnAI | stkcd + year", f"NQP ~ lnAI + {CTRL} | stkcd + year", f"TFP_FE ~ lnAI + {CTRL} | stkcd + year"]
    theirs = [pf.feols(f, df, vcov={"CRV1": "industry"}) for f in formulas]
    import nqp

    ours = [nqp.feols(f, df, cluster="industry") for f in formulas]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mt_tex = median_seconds(lambda: ETable(theirs).make(type="tex"), 5)
        mt_docx = median_seconds(lambda: ETable(theirs).save(type="docx", file_name=str(Path(tmp) / "mt.docx"), replace=True,
                                                             show=False), 5)
        nq_tex = median_seconds(lambda: etable(ours).to_latex(), 5)
        nq_docx = median_seconds(lambda: etable(ours).to_docx(Path(tmp) / "nq.docx"), 5)
    print("one table of 3 models        nqp.etable   maketables   ratio")
    print(f"  LaTeX                     {nq_tex * 1e3:8.1f} ms {mt_tex * 1e3:9.1f} ms {mt_tex / nq_tex:6.1f}x")
    print(f"  DOCX                      {nq_docx * 1e3:8.1f} ms {mt_docx * 1e3:9.1f} ms {mt_docx / nq_docx:6.1f}x")


if __name__ == "__main__":
    main()
