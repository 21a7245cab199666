"""``build_panel``: warehouse → firm-year panel → sample → NQP index (the paper's §3, Tables 1–2).

The named steps of :mod:`nqp.panel.steps`, in order: base table, formula and document
variables, lags on the full firm-year panel, sample rules (ST/PT, financial industry),
estimated measures, missing key variables, winsorizing, the entropy index.

Variables that cannot be built (a warehouse table or a pipeline stage absent, a measure that
cannot be estimated) are listed in ``Panel.unbuilt`` with the reason, never invented; an
unbuilt key variable or indicator is left out of the sample rule and the index, with a note
in the sample report.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from nqp.errors import ConfigError, DataWarning
from nqp.jobs.background import BackgroundJobs
from nqp.panel.config import Definitions, load_definitions
from nqp.panel.lags import CONVENTIONS, Lag, add_lags, check_lag_variables, parse_lags
from nqp.panel.sample import SampleOptions, SampleReport
from nqp.panel.steps import (PanelSteps, add_index, apply_sample_rules, base_table, definition_text,
                             drop_missing_keys, estimate_measures, formula_variables, key_variables, measure_workers,
                             winsorize_panel)


@dataclass
class Panel:
    """The firm-year panel of the study.

    ``frame``: the estimation sample, one row per firm-year (stkcd, year, then every built
    variable; winsorized; NQP and its dimension scores ``NQP_<dimension>``).
    ``firm_years``: all firm-years of the base table with the formula and document variables,
    before any sample step or winsorizing. ``built`` / ``unbuilt``: variable → definition /
    reason. ``index_result``: the :class:`nqp.index.IndexResult` (None if not computed).
    ``lags``: the lag columns of ``frame`` (``L.lnAI`` ...), formed as ``lag_convention`` says.
    ``steps``: per-step timings and the warnings as records.
    """

    frame: pd.DataFrame
    firm_years: pd.DataFrame
    definitions: Definitions
    built: dict[str, str]
    unbuilt: dict[str, str]
    sample_report: SampleReport
    index_result: object | None = None
    options: SampleOptions = field(default_factory=SampleOptions)
    lags: tuple[Lag, ...] = ()
    lag_convention: str = "full_panel"
    steps: PanelSteps = field(default_factory=PanelSteps)

    def dictionary(self) -> pd.DataFrame:
        """The data dictionary: name, label_zh, label_en, unit, role, kind, definition, built."""
        rows = []
        for v in self.definitions.variables:
            rows.append({"name": v.name, "label_zh": v.label_zh, "label_en": v.label_en, "unit": v.unit,
                         "role": v.role, "kind": v.kind, "definition": definition_text(v),
                         "winsorized": v.name in self.sample_report.winsorized,
                         "built": v.name in self.built, "reason": self.unbuilt.get(v.name, "")})
        for g in self.lags:
            v = self.definitions.variable(g.variable)
            when = f"t{-g.k:+d}"
            where = ("the full firm-year panel before the sample rules" if self.lag_convention == "full_panel"
                     else "the estimation sample")
            rows.append({"name": g.name, "label_zh": f"{v.label_zh}（{when}期）" if v.label_zh else "",
                         "label_en": f"{v.label_en} ({when})" if v.label_en else "", "unit": v.unit,
                         "role": "lag", "kind": "lag",
                         "definition": f"{g.variable} of the firm in year {when} (by year value; missing "
                                       f"when that year is absent), formed on {where}",
                         "winsorized": g.variable in self.sample_report.winsorized,
                         "built": g.name in self.frame.columns, "reason": self.unbuilt.get(g.name, "")})
        return pd.DataFrame(rows)


def build_panel(warehouse: str | Path, *, definitions: str | Path | Definitions | None = None,
                first_year: int | None = None, last_year: int | None = None, measures: bool = True,
                sample: SampleOptions | None = None, indicator_system: str | Path | None = None,
                lags: Sequence[str] = (), lag_convention: str = "full_panel", workers: int = 1) -> Panel:
    """Build the firm-year panel, the sample and the NQP index from a warehouse (DuckDB file).

    ``definitions``: a directory with base.sql / variables.toml / groups.toml (each falls back to
    the shipped one) or loaded :class:`Definitions`. ``first_year``/``last_year`` override
    ``[settings]``. ``measures=False`` skips the estimated variables (reported unbuilt).
    ``sample``: the sample switches. ``indicator_system``: an indicator TOML for the index
    (default: the paper's Table 1, :func:`nqp.index.load_indicator_system`).

    ``lags``: Stata lags/leads of panel variables kept as columns named like the operator
    (``("L.lnAI", "L2.lnAI")``). ``lag_convention="full_panel"`` (default) forms them on every
    listed firm-year before the sample rules, as ``xtset stkcd year`` before ``keep if``, so a
    firm-year dropped by the ST, financial or missing-value rule still gives the next year its
    lag; a measure is lagged on the firm-years it is estimated on, the index on the sample.
    ``workers``: processes for the estimated measures (the panel is the same for any number).
    ``"sample"`` forms every lag on the final sample (as ``L.x`` in a formula with ``panel=``).
    Either way a gap year gives a missing lag, and a lag of a winsorized variable is the lag of
    the winsorized variable (clipped at its cut points).
    """
    if lag_convention not in CONVENTIONS:
        raise ConfigError(f"lag_convention must be one of {CONVENTIONS}, got {lag_convention!r}",
                          variable="lag_convention")
    defs = definitions if isinstance(definitions, Definitions) else load_definitions(definitions)
    opts = sample or SampleOptions()
    lag_list = parse_lags(lags)
    check_lag_variables(lag_list, defs.names)
    # the measures' workers start now and import their estimators while the base table is built
    jobs = measure_workers(defs, workers) if measures else None
    try:
        return _build(warehouse, defs, opts, lag_list, lag_convention, first_year, last_year, measures,
                      indicator_system, jobs)
    finally:
        if jobs is not None:
            jobs.close()


def _build(warehouse: str | Path, defs: Definitions, opts: SampleOptions, lag_list: list[Lag], lag_convention: str,
           first_year: int | None, last_year: int | None, measures: bool, indicator_system: str | Path | None,
           jobs: BackgroundJobs | None) -> Panel:
    """The steps of :func:`build_panel`, in order (``jobs``: the measures' started workers)."""
    steps = PanelSteps()

    with steps.step("base table"):
        base = base_table(warehouse, defs, first_year=first_year, last_year=last_year)
    with steps.step("formula variables"):
        fy = formula_variables(base, defs)
    full, built, unbuilt = fy.frame, fy.built, fy.unbuilt
    kind = {v.name: v.kind for v in defs.variables}
    early = [g for g in lag_list if kind[g.variable] in ("formula", "document")] if lag_convention == "full_panel" else []
    for g in lag_list:
        if g.variable in unbuilt:
            unbuilt[g.name] = f"{g.variable} not built: {unbuilt[g.variable]}"
    early = [g for g in early if g.name not in unbuilt]
    var_names = [v.name for v in defs.variables if v.name in full.columns and v.name not in unbuilt]
    with steps.step("lags on the full firm-year panel"):
        work = add_lags(full, early)

    report = SampleReport()
    report.steps.append((f"listed firm-years {fy.first_year}-{fy.last_year} (consolidated statements, "
                         "fiscal year-end)", 0, len(work)))
    with steps.step("sample rules"):
        work = apply_sample_rules(work, opts, report)
    with steps.step("estimated measures"):
        work = estimate_measures(work, defs, measures=measures, built=built, unbuilt=unbuilt, jobs=jobs)
        var_names += [v.name for v in defs.variables if v.kind == "measure" and v.name in built]
        measured = [g for g in lag_list if lag_convention == "full_panel" and kind[g.variable] == "measure"
                    and g.variable in built]
        if measured:
            work = add_lags(work, measured)
            report.notes.append(f"lags {', '.join(g.name for g in measured)} formed on the firm-years the "
                                "measure is estimated on (after the ST and financial-industry steps)")

    from nqp.index import load_indicator_system
    indicators, dimensions, _ = load_indicator_system(indicator_system)
    usable = {c: s for c, s in indicators.items() if c in var_names}
    with steps.step("missing key variables"):
        for c in indicators:
            if c not in usable:
                why = unbuilt.get(c, "not defined in variables.toml")
                report.notes.append(f"indicator {c} not in the index: {why}")
                warnings.warn(DataWarning(f"indicator {c} is not in the NQP index: {why}", variable=c), stacklevel=3)
        work = drop_missing_keys(work, key_variables(opts, list(indicators)), report, available=var_names,
                                 unbuilt=unbuilt)

    early_lags = [g for g in (*early, *measured) if g.name in work.columns]
    with steps.step("winsorizing"):
        wcols = (list(opts.winsorize_columns) if opts.winsorize_columns is not None
                 else [v.name for v in defs.variables if v.winsorize])
        work = winsorize_panel(work, [c for c in var_names if c in work.columns],
                               replace(opts, winsorize_columns=tuple(wcols)), report,
                               lags=early_lags)

    index_result = None
    idx_var = next((v for v in defs.variables if v.kind == "index"), None)
    if idx_var is not None and usable and len(work):
        with steps.step("index"):
            work, index_result = add_index(work, usable, dimensions, name=idx_var.name, method=opts.index_method)
        built[idx_var.name] = definition_text(idx_var)
        var_names.append(idx_var.name)
        report.steps.append((f"NQP index ({opts.index_method} entropy) over {len(usable)} indicators", 0, len(work)))
    elif idx_var is not None:
        unbuilt[idx_var.name] = "no Table 1 indicator could be built" if not usable else "empty sample"

    late = [g for g in lag_list if g.name not in work.columns and g.name not in unbuilt and g.variable in work.columns]
    if late:
        with steps.step("lags on the sample"):
            work = add_lags(work, late)
        if lag_convention == "full_panel":
            report.notes.append(f"lags {', '.join(g.name for g in late)} formed on the sample "
                                "(the index exists only there)")
    for g in lag_list:
        if g.name not in work.columns and g.name not in unbuilt:
            unbuilt[g.name] = f"{g.variable} not built: {unbuilt.get(g.variable, 'empty sample')}"

    cols = ["stkcd", "year"] + [c for c in var_names if c not in ("stkcd", "year")]
    cols += [c for c in work.columns if idx_var is not None and c.startswith(f"{idx_var.name}_")]
    cols += [g.name for g in lag_list if g.name in work.columns]
    frame = work[cols].reset_index(drop=True)
    return Panel(frame=frame, firm_years=full, definitions=defs, built=built, unbuilt=unbuilt,
                 sample_report=report, index_result=index_result, options=opts, lags=tuple(lag_list),
                 lag_convention=lag_convention, steps=steps)
