"""nqp.index -- the entropy-method NQP index (熵值法企业新质生产力指数) and its alternatives.

Pure computation on a firm-year frame (the only file read is an indicator-system TOML):

* :func:`entropy_index` -- pooled / yearly / time-augmented entropy weights, one-shot or
  two-stage dimension scores (``docs/index.md``);
* :func:`equal_weight_index`, :func:`pca_index`, :func:`critic_index`,
  :func:`topsis_index` -- robustness alternatives;
* :func:`load_indicator_system` -- the paper's Table 1 system, or a user's TOML;
* :func:`figure2_data` -- yearly means for the paper's Figure 2.
"""

from nqp.index.alternatives import critic_index, equal_weight_index, pca_index, topsis_index
from nqp.index.config import Label, load_indicator_system
from nqp.index.entropy import entropy_index, entropy_weights
from nqp.index.figure import figure2_data
from nqp.index.result import IndexResult

__all__ = [
    "IndexResult",
    "Label",
    "critic_index",
    "entropy_index",
    "entropy_weights",
    "equal_weight_index",
    "figure2_data",
    "load_indicator_system",
    "pca_index",
    "topsis_index",
]
