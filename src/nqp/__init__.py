"""nqp -- enterprise new quality productive forces (企业新质生产力) and AI innovation, end to end.

Raw CSMAR-style exports, patent records and annual reports go in; the firm-year panel, the
entropy-method NQP index, fixed-effects / IV estimates and publication tables come out.

The public entry points are imported lazily so that ``import nqp`` stays fast and a part
that is not installed or not built yet does not break the others.
"""

from __future__ import annotations

from nqp._lazy import lazy_getattr

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "feols": "nqp.econometrics",
    "entropy_index": "nqp.index",
    "build_panel": "nqp.panel",
    "write_synthetic": "nqp.synth",
    "etable": "nqp.report",
    "write_report": "nqp.report",
}

__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = ["__version__", *_LAZY]
