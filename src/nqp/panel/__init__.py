"""nqp.panel -- the firm-year panel (企业-年度面板), the sample and Table 2.

* :func:`build_panel` -- warehouse → variables (``definitions/``) → sample → NQP index;
* :class:`Panel` -- ``frame``, ``built``/``unbuilt``, ``dictionary()``, ``sample_report``,
  ``index_result``;
* :func:`winsorize` -- Stata winsor2 convention (1%/99%, pooled or by year);
* :func:`describe` -- Table 2 descriptive statistics;
* :func:`load_definitions`, :class:`SampleOptions`, :class:`SampleReport`;
* :mod:`nqp.panel.steps` -- the named steps ``build_panel`` runs, each callable alone;
* :func:`add_lags` -- Stata ``L.x`` / ``F.x`` by year value (:mod:`nqp.panel.lags`);
* :func:`write_panel_files` -- panel.parquet, panel.csv, panel.dta (:mod:`nqp.panel.export`).

See ``docs/panel.md``.
"""

from nqp._lazy import lazy_getattr

_LAZY = {
    "Panel": "nqp.panel.build",
    "build_panel": "nqp.panel.build",
    "Definitions": "nqp.panel.config",
    "Variable": "nqp.panel.config",
    "load_definitions": "nqp.panel.config",
    "TABLE2": "nqp.panel.describe",
    "describe": "nqp.panel.describe",
    "Lag": "nqp.panel.lags",
    "add_lags": "nqp.panel.lags",
    "parse_lags": "nqp.panel.lags",
    "SampleOptions": "nqp.panel.sample",
    "SampleReport": "nqp.panel.sample",
    "PanelSteps": "nqp.panel.steps",
    "stata_pctile": "nqp.panel.winsorize",
    "winsorize": "nqp.panel.winsorize",
    "write_panel_files": "nqp.panel.export",
}

# imported when first used: checking a study's lags (nqp.panel.lags) does not load DuckDB and
# the estimators of the panel's measures
__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
