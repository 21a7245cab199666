"""Stochastic frontier analysis (随机前沿分析) and capacity utilisation (产能利用率).

``frontier(formula, data, ...)`` fits cross-section (half-normal, truncated-normal,
exponential) and Battese–Coelli (1992) panel frontiers by maximum likelihood;
``capacity_utilisation(data, ...)`` turns a revenue frontier into the paper's 产能利用率.
"""

from .capacity import capacity_utilisation
from .model import frontier
from .result import FrontierResult

__all__ = ["FrontierResult", "capacity_utilisation", "frontier"]
