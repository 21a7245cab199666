"""nqp.measures -- the study's estimated variables (pure computation, no I/O).

- stochastic frontier and capacity utilisation (产能利用率): :mod:`nqp.measures.frontier`
- total factor productivity (全要素生产率; FE, OLS, OP, LP, ACF): :mod:`nqp.measures.tfp`
- financing-constraint indices (融资约束; SA, WW, KZ, FC): :mod:`nqp.measures.finance`
"""

from __future__ import annotations

from nqp._lazy import lazy_getattr

_LAZY = {
    "frontier": "nqp.measures.frontier",
    "capacity_utilisation": "nqp.measures.frontier",
    "FrontierResult": "nqp.measures.frontier",
    "tfp": "nqp.measures.tfp",
    "sa_index": "nqp.measures.finance",
    "ww_index": "nqp.measures.finance",
    "kz_index": "nqp.measures.finance",
    "fc_index": "nqp.measures.finance",
}

__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = list(_LAZY)
