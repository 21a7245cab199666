"""The result of every index builder: :class:`IndexResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from nqp.results import ResultDisplay, json_ready, tidy_frame


@dataclass(frozen=True, repr=False)
class IndexResult(ResultDisplay):
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

    _repr_keys = ("method", "nobs", "n_indicators", "index_mean")

    @property
    def _repr_name(self) -> str:  # type: ignore[override]
        return "IndexResult"

    def tidy(self) -> pd.DataFrame:
        """One row per indicator (per year and indicator for yearly weights): ``estimate`` is
        the weight; the index has no sampling inference, so std_error ... conf_high are NaN.
        Extra columns after the common ones: dimension, sign, entropy, redundancy [, year]."""
        t = self._weights_table()
        out = tidy_frame(t["indicator"], t["weight"].to_numpy(dtype=float))
        for c in ("dimension", "sign", "entropy", "redundancy", "year"):
            if c in t:
                out[c] = t[c].to_numpy()
        return out

    def glance(self) -> dict[str, Any]:
        """method, nobs (rows scored), rows dropped, number of indicators and dimensions, and the
        index's mean, sd, min and max."""
        v = self.index.to_numpy(dtype=float)
        n_ind = self.weights.shape[-1] if isinstance(self.weights, pd.DataFrame) else len(self.weights)
        g = {"method": self.meta.get("method"), "nobs": int(v.size), "n_dropped": self.meta.get("n_dropped"),
             "n_indicators": int(n_ind), "n_dimensions": int(self.dimensions.shape[1]),
             "standardization": self.meta.get("standardization"),
             "index_mean": float(v.mean()) if v.size else None, "index_sd": float(v.std(ddof=1)) if v.size > 1 else None,
             "index_min": float(v.min()) if v.size else None, "index_max": float(v.max()) if v.size else None}
        return json_ready(g)

    def to_dict(self) -> dict[str, Any]:
        """glance() plus the weights (``{indicator: w}``, or ``{year: {indicator: w}}``), the
        dimension of each indicator and the scalar settings of ``meta`` (not the per-row values)."""
        if isinstance(self.weights, pd.DataFrame):
            w: Any = {str(y): {str(k): float(v) for k, v in row.items()} for y, row in self.weights.iterrows()}
        else:
            w = {str(k): float(v) for k, v in self.weights.items()}
        settings = {k: v for k, v in self.meta.items()
                    if isinstance(v, (str, int, float, bool, type(None), dict)) and k != "n_by_year"}
        return json_ready({**self.glance(), "weights": w, "meta": settings})

    def summary(self) -> str:
        """The weights table as text (indicator, dimension, entropy, weight)."""
        g = self.glance()
        head = (f"{g['method']} index of {g['n_indicators']} indicators in {g['n_dimensions']} dimension(s), "
                f"{g['nobs']:,} rows; mean {g['index_mean']:.4f}, sd {g['index_sd'] or float('nan'):.4f}")
        cols = [c for c in ("year", "indicator", "dimension", "entropy", "weight") if c in self._weights_table()]
        return head + "\n" + self._weights_table()[cols].to_string(index=False, float_format=lambda x: f"{x:.4f}")

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
