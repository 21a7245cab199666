"""``build_panel``: warehouse → firm-year panel → sample → NQP index (the paper's §3, Tables 1–2).

1. ``base.sql`` in DuckDB over the warehouse (read-only), one row per (stkcd, year);
2. ``[positive_fields]`` cleaned, ``prev_`` columns added, formula and document variables
   evaluated in definition order (:mod:`nqp.panel.formulas`);
3. sample steps 1–2 (ST/PT, financial industry), then the measures (:mod:`nqp.panel.measures`)
   on those firm-years, then step 3 (missing key variables), step 4 (winsorizing) and the
   entropy index over the winsorized Table 1 indicators (:mod:`nqp.panel.sample`).

Variables that cannot be built (a warehouse table or a pipeline stage absent, a measure that
cannot be estimated) are listed in ``Panel.unbuilt`` with the reason, never invented; an
unbuilt key variable or indicator is left out of the sample rule and the index, with a note
in the sample report.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nqp.errors import DataWarning
from nqp.panel.base import open_workspace, run_base
from nqp.panel.config import Definitions, Variable, fill, load_definitions, template_values
from nqp.panel.formulas import add_prev, clean_positive, eval_document, eval_formula, fields_of, referenced_prev
from nqp.panel.measures import estimate
from nqp.panel.sample import (DEFAULT_KEYS_EXTRA, SampleOptions, SampleReport, as_float, drop_financial,
                              drop_missing, drop_st, numeric_columns)
from nqp.panel.winsorize import winsorize


@dataclass
class Panel:
    """The firm-year panel of the study.

    ``frame``: the estimation sample, one row per firm-year (stkcd, year, then every built
    variable; winsorized; NQP and its dimension scores ``NQP_<dimension>``).
    ``firm_years``: all firm-years of the base table with the formula and document variables,
    before any sample step or winsorizing. ``built`` / ``unbuilt``: variable → definition /
    reason. ``index_result``: the :class:`nqp.index.IndexResult` (None if not computed).
    """

    frame: pd.DataFrame
    firm_years: pd.DataFrame
    definitions: Definitions
    built: dict[str, str]
    unbuilt: dict[str, str]
    sample_report: SampleReport
    index_result: object | None = None
    options: SampleOptions = field(default_factory=SampleOptions)

    def dictionary(self) -> pd.DataFrame:
        """The data dictionary: name, label_zh, label_en, unit, role, kind, definition, built."""
        rows = []
        for v in self.definitions.variables:
            rows.append({"name": v.name, "label_zh": v.label_zh, "label_en": v.label_en, "unit": v.unit,
                         "role": v.role, "kind": v.kind, "definition": _definition(v),
                         "winsorized": v.name in self.sample_report.winsorized,
                         "built": v.name in self.built, "reason": self.unbuilt.get(v.name, "")})
        return pd.DataFrame(rows)


def _definition(v: Variable) -> str:
    if v.kind == "document":
        return f"{v.expr}  [table {v.table}" + (f"; {v.absent:g} if no row]" if v.absent is not None else "]")
    if v.kind == "index":
        return "entropy index x 100 over the Table 1 indicators (nqp.index.entropy_index)"
    return " ".join(v.expr.split())


def build_panel(warehouse: str | Path, *, definitions: str | Path | Definitions | None = None,
                first_year: int | None = None, last_year: int | None = None, measures: bool = True,
                sample: SampleOptions | None = None, indicator_system: str | Path | None = None) -> Panel:
    """Build the firm-year panel, the sample and the NQP index from a warehouse (DuckDB file).

    ``definitions``: a directory with base.sql / variables.toml / groups.toml (each falls back to
    the shipped one) or loaded :class:`Definitions`. ``first_year``/``last_year`` override
    ``[settings]``. ``measures=False`` skips the estimated variables (reported unbuilt).
    ``sample``: the sample switches. ``indicator_system``: an indicator TOML for the index
    (default: the paper's Table 1, :func:`nqp.index.load_indicator_system`).
    """
    defs = definitions if isinstance(definitions, Definitions) else load_definitions(definitions)
    opts = sample or SampleOptions()
    fy = int(first_year if first_year is not None else defs.settings.get("first_year", 2010))
    ly = int(last_year if last_year is not None else defs.settings.get("last_year", 2022))
    values = template_values(defs, fy, ly)
    built: dict[str, str] = {}
    unbuilt: dict[str, str] = {}

    ws = open_workspace(warehouse)
    try:
        base_cols = run_base(ws, fill(defs.base_sql, values, where="base.sql"))
        clean_positive(ws, defs.positive_fields)
        variables = list(defs.variables)
        add_prev(ws, referenced_prev(variables), variables)
        known = set(base_cols) | {f"prev_{c}" for c in base_cols}
        for v in variables:
            if v.kind == "formula":
                expr = fill(v.expr, values, where=f"variable {v.name}", variable=v.name)
                eval_formula(ws, v, expr)
                reason = _absent_source(ws, fields_of(expr, known))
                if reason:
                    unbuilt[v.name] = reason
                else:
                    built[v.name] = _definition(v)
                known.add(v.name)
            elif v.kind == "document":
                reason = eval_document(ws, v, fill(v.expr, values, where=f"variable {v.name}", variable=v.name))
                if reason:
                    unbuilt[v.name] = reason
                else:
                    built[v.name] = _definition(v)
                known.add(v.name)
        listed = "AND listed" if "listed" in base_cols else ""
        full = ws.con.execute(f"SELECT * FROM frame WHERE year >= {fy} {listed} ORDER BY stkcd, year").df()
    finally:
        ws.close()

    for v in variables:
        if v.name in built and v.name in full.columns and len(full) and full[v.name].isna().all():
            del built[v.name]
            unbuilt[v.name] = "missing for every firm-year (its source fields hold no data)"
    var_names = [v.name for v in variables if v.name in full.columns and v.name not in unbuilt]
    report = SampleReport()
    report.steps.append((f"listed firm-years {fy}-{ly} (consolidated statements, fiscal year-end)", 0, len(full)))
    work = full
    if opts.drop_st:
        work = drop_st(work, report)
    if opts.drop_financial:
        work = drop_financial(work, report)

    for v in variables:
        if v.kind != "measure":
            continue
        if not measures:
            unbuilt[v.name] = "measures=False"
            continue
        vals, reason = estimate(v.measure, work)
        if reason:
            unbuilt[v.name] = reason
            warnings.warn(DataWarning(f"{v.name} not built: {reason}", variable=v.name), stacklevel=2)
        else:
            work = work.assign(**{v.name: vals})
            built[v.name] = _definition(v)
            var_names.append(v.name)

    from nqp.index import load_indicator_system
    indicators, dimensions, labels = load_indicator_system(indicator_system)
    usable = {c: s for c, s in indicators.items() if c in var_names}
    for c in indicators:
        if c not in usable:
            why = unbuilt.get(c, "not defined in variables.toml")
            report.notes.append(f"indicator {c} not in the index: {why}")
            warnings.warn(DataWarning(f"indicator {c} is not in the NQP index: {why}", variable=c), stacklevel=2)

    keys = list(opts.key_variables) if opts.key_variables is not None else [*indicators, *DEFAULT_KEYS_EXTRA]
    for k in keys:
        if k not in var_names:
            report.notes.append(f"key variable {k} not built, so not used to drop firm-years: "
                                f"{unbuilt.get(k, 'not defined')}")
    report.key_variables = [k for k in keys if k in var_names]
    work = drop_missing(work, report.key_variables, report)

    numeric = numeric_columns(work, var_names)
    work = as_float(work, numeric)
    wcols = (list(opts.winsorize_columns) if opts.winsorize_columns is not None
             else [v.name for v in variables if v.winsorize])
    wcols = [c for c in wcols if c in numeric]
    if opts.winsorize and wcols and len(work):
        work = winsorize(work, wcols, limits=opts.winsorize_limits, by=opts.winsorize_by)
        report.winsorized = wcols
        lo, hi = opts.winsorize_limits
        report.steps.append((f"winsorize {len(wcols)} continuous variables at {lo:.0%}/{hi:.0%}"
                             + (f" by {opts.winsorize_by}" if opts.winsorize_by else " (pooled)"), 0, len(work)))

    index_result = None
    idx_var = next((v for v in variables if v.kind == "index"), None)
    if idx_var is not None and usable and len(work):
        from nqp.index import entropy_index
        work = work.reset_index(drop=True)
        # rows missing an indicator exist only when key_variables leaves indicators out; they
        # get no index value (the index warns with the count)
        index_result = entropy_index(work, usable, dimensions={c: dimensions[c] for c in usable},
                                     method=opts.index_method, year="year", ids=("stkcd", "year"),
                                     missing="drop")
        work[idx_var.name] = index_result.index.reindex(work.index)
        for d in index_result.dimensions.columns:
            work[f"{idx_var.name}_{d}"] = index_result.dimensions[d].reindex(work.index)
        built[idx_var.name] = _definition(idx_var)
        var_names.append(idx_var.name)
        report.steps.append((f"NQP index ({opts.index_method} entropy) over {len(usable)} indicators", 0, len(work)))
    elif idx_var is not None:
        unbuilt[idx_var.name] = "no Table 1 indicator could be built" if not usable else "empty sample"

    cols = ["stkcd", "year"] + [c for c in var_names if c not in ("stkcd", "year")]
    cols += [c for c in work.columns if idx_var is not None and c.startswith(f"{idx_var.name}_")]
    frame = work[cols].reset_index(drop=True)
    return Panel(frame=frame, firm_years=full, definitions=defs, built=built, unbuilt=unbuilt,
                 sample_report=report, index_result=index_result, options=opts)


def _absent_source(ws, fields: list[str]) -> str | None:
    """Reason a formula variable is not built: one of its fields comes from an absent table."""
    for f in fields:
        base = f[5:] if f.startswith("prev_") else f
        t = ws.column_table.get(base)
        if t in ws.absent_tables:
            return f"the warehouse has no table {t!r} (field {base})"
    return None
