"""nqp.robustness -- how fragile is the finding? (稳健性检验)

* :class:`RobustnessSpec` -- the ``[robustness]`` section of a study as validated data;
* :func:`run_robustness` -- every analysis switched on, one :class:`RobustnessResult`;
* :func:`specification_curve` -- the multiverse of index, winsorizing, fixed effects,
  clustering, sample and control choices (Simonsohn, Simmons & Nelson 2020);
* :func:`curve_null_inference` -- SSN's joint tests under the null (median, share significant,
  Stouffer's Z) from wild-bootstrap draws that reuse the absorbed columns;
* :func:`placebo_test` -- the treatment permuted within year (or pooled);
* :func:`oster_delta` -- Oster (2019) δ* and β* with R_max stated;
* :func:`leave_one_out` -- dropping one year / industry / province at a time;
* :func:`wild_bootstrap_table` -- WCR p-values and intervals beside the clustered ones.

See ``docs/robustness.md``.
"""

from __future__ import annotations

from nqp._lazy import lazy_getattr

_LAZY = {
    "RobustnessSpec": "nqp.robustness.spec",
    "Choice": "nqp.robustness.spec",
    "PanelSource": "nqp.robustness.variants",
    "SpecCurve": "nqp.robustness.multiverse",
    "specification_curve": "nqp.robustness.multiverse",
    "NullInference": "nqp.robustness.null_inference",
    "curve_null_inference": "nqp.robustness.null_inference",
    "PlaceboResult": "nqp.robustness.placebo",
    "placebo_test": "nqp.robustness.placebo",
    "OsterResult": "nqp.robustness.oster",
    "oster_delta": "nqp.robustness.oster",
    "LeaveOneOut": "nqp.robustness.leave_one_out",
    "leave_one_out": "nqp.robustness.leave_one_out",
    "WildTable": "nqp.robustness.wild",
    "wild_bootstrap_table": "nqp.robustness.wild",
    "RobustnessResult": "nqp.robustness.run",
    "run_robustness": "nqp.robustness.run",
}

__getattr__ = lazy_getattr(__name__, _LAZY)

__all__ = sorted(_LAZY)
