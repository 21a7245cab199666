"""The result of every index builder: :class:`IndexResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class IndexResult:
    """A composite index, its dimension scores and its weights.

    Attributes
    ----------
    index : Series aligned to the rows of the input frame that were used (``frame.index``
        labels; rows dropped by ``missing="drop"`` are absent, never NaN).
    dimensions : DataFrame, one column per dimension. For the entropy, equal-weight, CRITIC
        and PCA indices the columns add up to ``index`` (one-shot sub-scores); for TOPSIS they
        are per-dimension closeness scores and do not (``meta["additive_dimensions"]``).
    weights : Series over indicators, or a DataFrame (year × indicator) for ``method="yearly"``.
    entropy, redundancy : e_j and d_j = 1 − e_j (信息熵 / 信息熵冗余度), same shape as
        ``weights``; None for methods that do not compute them.
    standardized : DataFrame of the scaled indicators z_ij (same rows as ``index``).
    meta : method, shift, scale, n, score_on, … -- everything needed to say how it was made.
    """

    index: pd.Series
    dimensions: pd.DataFrame
    weights: pd.Series | pd.DataFrame
    entropy: pd.Series | pd.DataFrame | None
    redundancy: pd.Series | pd.DataFrame | None
    standardized: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def weights_table(self, labels: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """One row per indicator (per year and indicator for yearly weights).

        Columns: [year,] indicator, dimension, sign, entropy, redundancy, weight; with
        ``labels`` (the third value of :func:`nqp.index.load_indicator_system`) also
        ``label_zh``, ``label_en``, ``dimension_zh``, ``dimension_en``.
        """
        table = self._weights_table()
        if labels is not None:
            for col, key in (("label", "indicator"), ("dimension", "dimension")):
                for lang in ("zh", "en"):
                    table[f"{col}_{lang}"] = [
                        getattr(labels[k], lang) if k in labels else None for k in table[key]
                    ]
        return table

    def _weights_table(self) -> pd.DataFrame:
        signs: dict[str, int] = self.meta.get("signs", {})
        dim_of: dict[str, str] = self.meta.get("dimension_of", {})

        def frame_for(w: pd.Series, e: pd.Series | None, d: pd.Series | None) -> pd.DataFrame:
            cols = list(w.index)
            return pd.DataFrame(
                {
                    "indicator": cols,
                    "dimension": [dim_of.get(c) for c in cols],
                    "sign": [signs.get(c) for c in cols],
                    "entropy": e.reindex(cols).to_numpy(dtype=float) if e is not None else np.full(len(cols), np.nan),
                    "redundancy": d.reindex(cols).to_numpy(dtype=float) if d is not None else np.full(len(cols), np.nan),
                    "weight": w.to_numpy(dtype=float),
                }
            )

        if isinstance(self.weights, pd.Series):
            return frame_for(self.weights, self.entropy, self.redundancy)  # type: ignore[arg-type]
        parts = []
        for yr in self.weights.index:
            part = frame_for(
                self.weights.loc[yr],
                None if self.entropy is None else self.entropy.loc[yr],
                None if self.redundancy is None else self.redundancy.loc[yr],
            )
            part.insert(0, "year", yr)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)
