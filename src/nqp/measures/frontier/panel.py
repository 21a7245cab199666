"""Battese–Coelli (1992) panel frontiers: time-varying decay and time-invariant inefficiency.

u_it = η_it·u_i, η_it = exp(−η(t − T)), u_i ~ N⁺(μ, σ_u²) (half-normal: μ = 0). With η = 0
(``time_varying=False``) inefficiency is constant within a firm: the "error components" model
of Pitt & Lee (1981) / Battese & Coelli (1988). Conventions of FRONTIER 4.1 and R ``frontier``:
t is the period index 1…T of the whole panel and T its **last** period, so η_iT = 1 for every
firm and η > 0 means inefficiency falls over time. Integer periods (years) are used as they are
(t − T = year − last year); other period labels are ranked. Unbalanced panels are allowed.
Log-likelihood and score: ``loglik.ec_score``; efficiency per firm-year: ``efficiency``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nqp.errors import DuplicateKeyError

from .design import py_scalar


@dataclass(frozen=True)
class PanelIndex:
    firm_codes: np.ndarray  # 0-based firm code of each row
    n_firms: int
    t_minus_T: np.ndarray  # period index minus the last period of the panel (≤ 0)


def panel_index(firm: pd.Series, period: pd.Series) -> PanelIndex:
    """Firm codes and t − T for each row; duplicate firm-periods raise ``DuplicateKeyError``."""
    dup = pd.DataFrame({"f": firm.to_numpy(), "t": period.to_numpy()}).duplicated(keep=False)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise DuplicateKeyError(
            f"{int(dup.sum())} rows share a firm-period; a panel frontier needs one row per "
            "firm and period", firm=py_scalar(firm.iloc[i]), year=py_scalar(period.iloc[i]))
    codes, uniques = pd.factorize(firm, sort=True)
    if pd.api.types.is_integer_dtype(period) or (
        pd.api.types.is_float_dtype(period) and np.all(np.mod(period, 1) == 0)
    ):
        t = period.to_numpy(dtype=float)
        tmt = t - t.max()
    else:
        pc, levels = pd.factorize(period, sort=True)
        tmt = (pc - (len(levels) - 1)).astype(float)
    return PanelIndex(firm_codes=codes.astype(np.intp), n_firms=len(uniques), t_minus_T=tmt)
