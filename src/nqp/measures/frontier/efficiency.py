"""Technical efficiency (技术效率) of a fitted stochastic frontier: E[exp(−u)|ε] and relatives.

Given the composed error, u_it = h_it·u_i with u_i | ε_i ~ N⁺(μ*_i, σ*_i²) (h_it = η_it of the
Battese–Coelli 1992 model, 1 in a cross-section), three point estimators are offered:

- ``"bc"``   Battese & Coelli (1988): E[exp(−h u)|ε] = Φ(z − hσ*)/Φ(z) · exp(−hμ* + h²σ*²/2),
             z = μ*/σ*. This is what FRONTIER 4.1 and R ``frontier`` report.
- ``"jlms"`` Jondrow, Lovell, Materov & Schmidt (1982): exp(−E[hu|ε]),
             E[u|ε] = μ* + σ*·φ(z)/Φ(z).
- ``"mode"`` exp(−h·max(0, μ*)), the mode of u|ε (JLMS 1982).

Half/truncated normal: μ*_i = [μ(1−γ) − γη_i'e_i]/D_i, σ*_i² = γ(1−γ)σ²/D_i (see ``loglik``).
Exponential: μ*_i = −e_i − σ_v²/σ_u, σ* = σ_v (Kumbhakar & Lovell 2000, §3.2.2).
Ratios of CDFs are formed from log-CDFs so that nothing underflows.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr

from nqp.errors import ConfigError

from .loglik import mills

METHODS = ("bc", "jlms", "mode")


def technical_efficiency(
    mu_star: np.ndarray, sigma_star: np.ndarray, h: np.ndarray | float = 1.0, method: str = "bc"
) -> np.ndarray:
    """TE for each row from the conditional N⁺(μ*, σ*²) of u and the scale h (see module doc)."""
    mu_star = np.asarray(mu_star, dtype=float)
    sigma_star = np.asarray(sigma_star, dtype=float)
    h = np.asarray(h, dtype=float)
    z = mu_star / sigma_star
    if method == "bc":
        return np.exp(
            log_ndtr(z - h * sigma_star) - log_ndtr(z) - h * mu_star + 0.5 * (h * sigma_star) ** 2
        )
    if method == "jlms":
        return np.exp(-h * (mu_star + sigma_star * mills(z)))
    if method == "mode":
        return np.exp(-h * np.maximum(0.0, mu_star))
    raise ConfigError(f"unknown efficiency method {method!r}; use one of {METHODS}")
