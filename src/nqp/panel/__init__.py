"""nqp.panel -- the firm-year panel (企业-年度面板), the sample and Table 2.

* :func:`build_panel` -- warehouse → variables (``definitions/``) → sample → NQP index;
* :class:`Panel` -- ``frame``, ``built``/``unbuilt``, ``dictionary()``, ``sample_report``,
  ``index_result``;
* :func:`winsorize` -- Stata winsor2 convention (1%/99%, pooled or by year);
* :func:`describe` -- Table 2 descriptive statistics;
* :func:`load_definitions`, :class:`SampleOptions`, :class:`SampleReport`.

See ``docs/panel.md``.
"""

from nqp.panel.build import Panel, build_panel
from nqp.panel.config import Definitions, Variable, load_definitions
from nqp.panel.describe import TABLE2, describe
from nqp.panel.sample import SampleOptions, SampleReport
from nqp.panel.winsorize import stata_pctile, winsorize

__all__ = ["TABLE2", "Definitions", "Panel", "SampleOptions", "SampleReport", "Variable", "build_panel",
           "describe", "load_definitions", "stata_pctile", "winsorize"]
