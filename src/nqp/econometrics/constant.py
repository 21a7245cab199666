"""The constant of a fixed-effects regression as reghdfe and ``xtreg, fe`` report it (常数项).

With absorbed fixed effects the intercept is not identified separately from the FEs; reghdfe
"adds back the constant" after partialling out (reghdfe ``docs/Notes.md``: consistent with
``areg`` and ``xtreg, fe``): it regresses ỹ + ȳ on [X̃ + x̄, 1], which leaves the slopes b and
the residuals e unchanged and gives

    _cons = ȳ − x̄'b                       (weighted means with analytic weights).

Its variance follows from the same regression. Because Σ_i w_i x̃_i = 0 after demeaning, the
influence of observation i on _cons is

    ψ⁰_i = w_i e_i / Σ_j w_j − x̄'ψ_i,      ψ_i = D x̃_i w_i e_i  (the slopes' influence, D the bread),

so ``Var(_cons) = c · Σ_g (Σ_{i∈g} ψ⁰_i)²`` with the slopes' own small-sample factor c and
clusters g (one observation per g for HC1), and under iid errors
``Var(_cons) = σ²/Σw + x̄' V_b x̄``. The covariance with the slopes is ``Cov(b, _cons) = −V_b x̄``
(iid) or ``c · Σ_g S_g S⁰_g`` (robust/cluster). Checked against Stata 13 ``xtreg, fe`` output
(conventional, robust and firm-clustered; weighted and unweighted) in the tests.

Multi-way clustering has a factor per dimension and is not covered: there the constant is not
reported (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from nqp.econometrics.results import FeolsResult


@dataclass(frozen=True)
class AbsorbedConstant:
    """``_cons`` with its standard error, t, p (t distribution with the model's df)."""

    estimate: float
    std_error: float
    statistic: float
    p_value: float

    def to_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "se": self.std_error, "t": self.statistic, "p": self.p_value}


def absorbed_constant(res: FeolsResult) -> AbsorbedConstant | None:
    """reghdfe's ``_cons`` for a model with absorbed FEs; ``None`` when it is not defined (no FE,
    an explicit intercept, multi-way clusters, or a result without its sample)."""
    s = getattr(res, "_sample", None)
    if s is None or not s.mf.fe_names or "Intercept" in res.coef.index:
        return None
    kind = s.spec.kind
    mf = s.mf
    if kind == "CRV1" and (mf.clusters is None or mf.clusters.shape[1] != 1):
        return None
    if mf.regressor_means is None or any(n not in mf.regressor_means for n in res.coef.index):
        return None
    w = mf.weights if mf.weights is not None else np.ones(mf.nobs)
    sw = float(w.sum())
    xbar = np.array([mf.regressor_means[n] for n in res.coef.index])
    cons = float((w @ mf.y) / sw - xbar @ res.coef.to_numpy())
    V = res.vcov.to_numpy()
    if kind == "iid":
        var = res.rmse ** 2 / sw + float(xbar @ V @ xbar)
    else:
        psi = res.scores()
        psi0 = w * res.resid / sw - psi @ xbar
        if kind == "CRV1":
            g = mf.clusters[:, 0]
            G = int(g.max()) + 1
            S = np.column_stack([np.bincount(g, psi[:, j], G) for j in range(psi.shape[1])])
            S0 = np.bincount(g, psi0, G)
        else:  # heteroskedasticity-robust: each observation its own cluster
            S, S0 = psi, psi0
        meat = float(np.trace(S.T @ S))
        factor = float(np.trace(V)) / meat if meat > 0 else np.nan
        var = factor * float(S0 @ S0)
    se = float(np.sqrt(var)) if var >= 0 else np.nan
    t = cons / se if se > 0 else np.nan
    p = float(2 * stats.t.sf(abs(t), res.df_resid)) if np.isfinite(t) else np.nan
    return AbsorbedConstant(estimate=cons, std_error=se, statistic=float(t), p_value=p)
