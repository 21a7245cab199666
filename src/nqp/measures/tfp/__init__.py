"""Total factor productivity (全要素生产率): OLS, FE, Olley–Pakes, Levinsohn–Petrin, ACF.

``tfp(data, method, ...)`` is the entry point (``estimate.py``); ``panel_sim`` and ``fe_panel_sim``
simulate panels with known elasticities (``simulate.py``).
"""

from nqp.measures.tfp.estimate import METHODS, TFPResult, tfp
from nqp.measures.tfp.simulate import fe_panel_sim, panel_sim

__all__ = ["METHODS", "TFPResult", "fe_panel_sim", "panel_sim", "tfp"]
