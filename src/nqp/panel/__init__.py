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

from nqp.panel.build import Panel, build_panel
from nqp.panel.config import Definitions, Variable, load_definitions
from nqp.panel.describe import TABLE2, describe
from nqp.panel.lags import Lag, add_lags, parse_lags
from nqp.panel.sample import SampleOptions, SampleReport
from nqp.panel.steps import PanelSteps
from nqp.panel.winsorize import stata_pctile, winsorize

__all__ = ["TABLE2", "Definitions", "Lag", "Panel", "PanelSteps", "SampleOptions", "SampleReport", "Variable",
           "add_lags", "build_panel", "describe", "load_definitions", "parse_lags", "stata_pctile", "winsorize",
           "write_panel_files"]


def __getattr__(name: str):  # the file writer imports pyarrow/pandas I/O only when used
    if name == "write_panel_files":
        from nqp.panel.export import write_panel_files
        return write_panel_files
    raise AttributeError(name)
