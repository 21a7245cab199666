"""nqp.report -- publication tables, figures and one HTML report (报告).

From results (results.json, or fitted models) to what a referee reads: Chinese-journal
three-line tables (三线表) of Tables 1-8 in Markdown, LaTeX, HTML, CSV, DOCX and XLSX,
matplotlib figures and a self-contained ``report.html``.

* :func:`write_report` -- a whole run's tables, figures and report.html from results.json;
* :func:`etable` -- one table for any models a user fits (:class:`Table` with to_docx,
  to_xlsx, to_latex, to_markdown, to_html, to_csv);
* :mod:`nqp.report.format` -- the only place in nqp that formats numbers.

Layers: ``build`` (results -> :class:`~nqp.report.grid.Grid`, format-free) -> ``render/*``
(one module per format) -> ``write`` (files, atomically). The report reads results through
:mod:`nqp.results` / results.json only; it never imports an estimator.
"""

from __future__ import annotations

from nqp._lazy import lazy_getattr

_LAZY = {
    "write_report": "nqp.report.write",
    "render_report": "nqp.report.write",
    "ReportSummary": "nqp.report.write",
    "load_results": "nqp.report.write",
    "etable": "nqp.report.model_table",
    "Table": "nqp.report.table",
    "NumberFormat": "nqp.report.format",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = list(_LAZY)
