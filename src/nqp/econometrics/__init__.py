"""nqp.econometrics -- fixed-effects OLS and IV that reproduce reghdfe / ivreghdfe (and fixest
with ``ssc="fixest"``): absorption of any number of fixed effects, iid / HC1 / one- and
multi-way CRV1 standard errors, multiple estimation on one sample.

Main entry points: :func:`feols` (one model), :func:`feols_multi` (many models -- formulas or
:class:`ModelSpec` with :class:`FitOptions` and a subsample -- each variable partialled out once
per sample), ``result.with_vcov(...)`` (other standard errors without refitting),
:func:`nqp.econometrics.demean.demean` (the absorption step alone). Every result answers
``tidy()``, ``glance()``, ``to_dict()``, ``summary()`` (:mod:`nqp.results`).
"""

from __future__ import annotations

from nqp._lazy import lazy_getattr

_LAZY = {
    "parse_formula": "nqp.econometrics.formula",
    "feols_multi": "nqp.econometrics.multi",
    "feols": "nqp.econometrics.ols",
    "FeolsResult": "nqp.econometrics.results",
    "IVResult": "nqp.econometrics.results",
    "FailedFit": "nqp.econometrics.spec",
    "FitOptions": "nqp.econometrics.spec",
    "ModelSpec": "nqp.econometrics.spec",
}

# imported when first used: ``nqp.econometrics.formula`` (what a study file is checked with)
# does not pull in the estimators and scipy.stats
__getattr__ = lazy_getattr(__name__, _LAZY)

# ``demean`` is deliberately not re-exported: ``nqp.econometrics.demean`` stays the module,
# so ``nqp.econometrics.demean.demean(...)`` works as documented.
__all__ = sorted(_LAZY)
