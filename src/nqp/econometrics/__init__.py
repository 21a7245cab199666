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

from nqp.econometrics.formula import parse_formula
from nqp.econometrics.multi import feols_multi
from nqp.econometrics.ols import feols
from nqp.econometrics.results import FeolsResult, IVResult
from nqp.econometrics.spec import FailedFit, FitOptions, ModelSpec

# ``demean`` is deliberately not re-exported: ``nqp.econometrics.demean`` stays the module,
# so ``nqp.econometrics.demean.demean(...)`` works as documented.
__all__ = ["FailedFit", "FeolsResult", "FitOptions", "IVResult", "ModelSpec", "feols", "feols_multi", "parse_formula"]
