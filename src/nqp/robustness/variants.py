"""The data behind each specification: sample rule → winsorizing → index (样本、缩尾与指数的变体).

:class:`PanelSource` is what the analyses need from a panel: every firm-year *before* the
sample rules and winsorizing (``Panel.firm_years``), which variables are indicators of the
index, key variables, winsorized, or estimated measures. :class:`Variants` rebuilds the
sample for each rule with the panel's own steps, in the panel's order
(:mod:`nqp.panel.build`):

1. drop ST/*ST/PT firm-years (if the panel did);
2. drop the financial industry (unless the rule is ``with_financial``);
3. estimate the measures that enter (capacity utilisation, TFP, ...) on those firm-years with
   :func:`nqp.panel.measures.estimate`, exactly as the panel does -- so ``with_financial``
   gets measures estimated with the financial firms, not missing values;
4. drop firm-years missing a key variable;
5. drop the years of ``without_YYYY``; with ``balanced`` keep only firms observed in every
   remaining year;
6. winsorize the panel's winsorized variables at the choice's share (Stata ``winsor2``
   convention, :func:`nqp.panel.winsorize`), on this sample;
7. the index (when the outcome is the index variable, e.g. NQP) over the winsorized indicators:
   pooled or yearly entropy with the choice's shift (:func:`nqp.index.entropy_index`),
   equal weights, PCA, CRITIC (:mod:`nqp.index.alternatives`). The PCA score is min-max
   rescaled to [0, 100] so that every index shares the entropy index's range and the
   coefficients of the curve are in comparable units (a monotone affine map of the score).

With the baseline rule, 1% winsorizing and the panel's index method this reproduces
``Panel.frame`` exactly (tested). Nothing here modifies its inputs.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqp.errors import InputError, SchemaError
from nqp.robustness.spec import SampleRule, parse_sample_rule

INDEX_SCALE = 100.0


@dataclass(frozen=True)
class PanelSource:
    """Firm-years before the sample rules, and what the panel does with them."""

    firm_years: pd.DataFrame
    indicators: Mapping[str, int] = field(default_factory=dict)  # column -> sign (+1/-1)
    dimensions: Mapping[str, str] = field(default_factory=dict)  # column -> dimension
    key_variables: tuple[str, ...] = ()
    winsorize_columns: tuple[str, ...] = ()
    index_name: str | None = "NQP"
    index_method: str = "pooled"
    measures: Mapping[str, Any] = field(default_factory=dict)  # column -> measure Variable (or its short name)
    drop_st: bool = True
    drop_financial: bool = True
    st_flag: str = "st_pt"
    financial_flag: str = "financial"
    winsorize_by: str | None = None
    firm: str = "stkcd"
    year: str = "year"

    @classmethod
    def from_panel(cls, panel: Any) -> PanelSource:
        """From an :class:`nqp.panel.Panel` (``firm_years``, ``sample_report``, ``index_result``)."""
        if isinstance(panel, PanelSource):
            return panel
        meta = getattr(getattr(panel, "index_result", None), "meta", None) or {}
        idx_var = next((v.name for v in panel.definitions.variables if v.kind == "index"), None)
        built = set(getattr(panel, "built", {}) or {})
        measures = {v.name: v for v in panel.definitions.variables
                    if v.kind == "measure" and v.name in built}
        opts = panel.options
        return cls(
            firm_years=panel.firm_years, indicators=dict(meta.get("signs", {})),
            dimensions=dict(meta.get("dimension_of", {})),
            key_variables=tuple(panel.sample_report.key_variables),
            winsorize_columns=tuple(panel.sample_report.winsorized),
            index_name=idx_var if meta else None, index_method=str(meta.get("method", opts.index_method)),
            measures=measures, drop_st=opts.drop_st, drop_financial=opts.drop_financial,
            winsorize_by=opts.winsorize_by,
        )


class Variants:
    """Cached sample frames, winsorized columns and index variants of one source."""

    def __init__(self, source: PanelSource, needed: Iterable[str]) -> None:
        self.source = source
        self.needed = list(dict.fromkeys(needed))
        fy = source.firm_years
        absent = [c for c in [source.firm, source.year, *self.needed]
                  if c not in fy.columns and c not in source.measures]
        if absent:
            raise SchemaError(f"robustness: variable(s) not in the panel's firm-years: {absent}", column=absent[0])
        self._frames: dict[str, pd.DataFrame] = {}
        self._measured: dict[bool, pd.DataFrame] = {}
        self._wins: dict[tuple[str, float], pd.DataFrame] = {}
        self._index: dict[tuple, np.ndarray] = {}
        self._codes: dict[tuple, np.ndarray] = {}
        self._columns: dict[tuple[str, float, str], np.ndarray] = {}
        self.notes: dict[str, list[str]] = {}

    @property
    def index_applies(self) -> bool:
        return bool(self.source.index_name and self.source.indicators)

    # -- step 1-5 ---------------------------------------------------------------------------
    def frame(self, rule_text: str) -> pd.DataFrame:
        """The sample of a rule, before winsorizing (rows reset to 0..n-1)."""
        if rule_text not in self._frames:
            self._frames[rule_text] = self._build(parse_sample_rule(rule_text))
        return self._frames[rule_text]

    def codes(self, rule_text: str, columns: Sequence[str]) -> np.ndarray:
        """:func:`nqp.robustness.fit.group_codes` of the rule's sample, computed once."""
        from nqp.robustness.fit import group_codes

        key = (rule_text, tuple(columns))
        if key not in self._codes:
            self._codes[key] = group_codes(self.frame(rule_text), columns)
        return self._codes[key]

    def _measured_frame(self, with_financial: bool) -> pd.DataFrame:
        """Steps 1-3, shared by every rule with the same financial-industry switch."""
        if with_financial in self._measured:
            return self._measured[with_financial]
        s = self.source
        notes = self.notes.setdefault("with_financial" if with_financial else "baseline", [])
        work = s.firm_years
        if s.drop_st and s.st_flag in work.columns:
            work = work[~work[s.st_flag].fillna(False).astype(bool)]
        if s.drop_financial and not with_financial and s.financial_flag in work.columns:
            work = work[~work[s.financial_flag].fillna(False).astype(bool)]
        wanted = set(self.needed) | set(s.key_variables) | set(s.indicators)
        for col, measure in s.measures.items():
            if col not in wanted:
                continue
            from nqp.panel.measures import estimate

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                vals, reason = estimate(measure, work)
            if reason:
                notes.append(f"{col} not estimable on this sample: {reason}")
                vals = pd.Series(np.nan, index=work.index)
            work = work.assign(**{col: vals})
        self._measured[with_financial] = work
        return work

    def _build(self, rule: SampleRule) -> pd.DataFrame:
        s = self.source
        work = self._measured_frame(rule.with_financial)
        keys = [k for k in s.key_variables if k in work.columns]
        if keys:
            work = work[~work[keys].isna().any(axis=1)]
        if rule.without_years:
            work = work[~work[s.year].isin(rule.without_years)]
        if rule.balanced and len(work):
            n_years = work[s.year].nunique()
            per_firm = work.groupby(s.firm)[s.year].transform("nunique")
            work = work[per_firm == n_years]
        cols = [c for c in dict.fromkeys([s.firm, s.year, *self.needed, *s.indicators,
                                          *([s.winsorize_by] if s.winsorize_by else [])]) if c in work.columns]
        out = work[cols].reset_index(drop=True)
        for c in cols:
            if c in (s.firm, s.year):
                continue
            if pd.api.types.is_bool_dtype(out[c]) or pd.api.types.is_numeric_dtype(out[c]):
                out[c] = pd.to_numeric(out[c]).astype(float)
        return out

    # -- step 6 -----------------------------------------------------------------------------
    def winsorized(self, rule_text: str, share: float) -> pd.DataFrame:
        key = (rule_text, float(share))
        if key not in self._wins:
            base = self.frame(rule_text)
            cols = [c for c in self.source.winsorize_columns if c in base.columns]
            if share > 0 and cols and len(base):
                from nqp.panel.winsorize import winsorize

                self._wins[key] = winsorize(base, cols, limits=(share, 1 - share), by=self.source.winsorize_by)
            else:
                self._wins[key] = base
        return self._wins[key]

    def column(self, rule_text: str, share: float, name: str) -> np.ndarray:
        """A variable of the winsorized sample as float64 (NaN where missing), converted once
        and shared by every caller (read-only)."""
        key = (rule_text, float(share), name)
        if key not in self._columns:
            f = self.winsorized(rule_text, share)
            if name not in f.columns:
                raise SchemaError(f"robustness: variable {name!r} is not in the sample", column=name)
            v = f[name].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
            v.flags.writeable = False
            self._columns[key] = v
        return self._columns[key]

    # -- step 7 -----------------------------------------------------------------------------
    def outcome(self, rule_text: str, share: float, outcome: str, method: str, shift: float | None) -> np.ndarray:
        """The outcome column; the index recomputed when the outcome is the index variable."""
        if outcome != self.source.index_name or not self.index_applies:
            return self.column(rule_text, share, outcome)
        key = (rule_text, float(share), method, shift)
        if key not in self._index:
            self._index[key] = self._compute_index(self.winsorized(rule_text, share), method, shift)
        return self._index[key]

    def _compute_index(self, frame: pd.DataFrame, method: str, shift: float | None) -> np.ndarray:
        from nqp.index import critic_index, entropy_index, equal_weight_index, pca_index

        s = self.source
        ind = {c: int(v) for c, v in s.indicators.items() if c in frame.columns}
        dims = {c: s.dimensions[c] for c in ind} if s.dimensions else None
        if len(frame) < 2:
            raise InputError(f"the sample has {len(frame)} firm-year(s); an index needs at least 2")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method in ("pooled", "yearly"):
                res = entropy_index(frame, ind, dimensions=dims, method=method, shift=float(shift or 0.0),
                                    year=s.year, missing="drop")
            elif method == "equal":
                res = equal_weight_index(frame, ind, dimensions=dims, missing="drop")
            elif method == "critic":
                res = critic_index(frame, ind, dimensions=dims, missing="drop")
            elif method == "pca":
                res = pca_index(frame, ind, dimensions=dims, missing="drop")
            else:
                raise InputError(f"unknown index method {method!r}")
        v = res.index.reindex(frame.index).to_numpy(dtype=np.float64, na_value=np.nan)
        if method == "pca":
            lo, hi = np.nanmin(v), np.nanmax(v)
            v = INDEX_SCALE * (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
        return v
