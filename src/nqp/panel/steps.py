"""The panel as a pipeline of named steps, each callable alone and returning data.

:func:`nqp.panel.build_panel` calls them in this order (``docs/panel.md``):

1. :func:`base_table` -- ``base.sql`` in DuckDB over the warehouse (attached read-only), one row
   per (stkcd, year), the year before ``first_year`` included for the ``prev_`` columns;
2. :func:`formula_variables` -- ``[positive_fields]`` cleaned, ``prev_`` columns, the formula and
   document variables in definition order; the listed firm-years ``first_year``–``last_year``;
3. :func:`add_lags` (:mod:`nqp.panel.lags`) -- ``L.x`` on this full firm-year panel, before any
   sample rule (as ``xtset stkcd year`` before ``keep if``);
4. :func:`apply_sample_rules` -- drop ST/*ST/PT firm-years and the financial industry;
5. :func:`estimate_measures` -- the ``kind = "measure"`` variables on those firm-years;
6. :func:`drop_missing_keys` -- drop firm-years missing a key variable (the measures are
   estimated before this step, because capacity utilisation is itself a key variable);
7. :func:`winsorize_panel` -- 1%/99% (Stata ``winsor2``); a lag of a winsorized variable is
   clipped at that variable's cut points;
8. :func:`add_index` -- the entropy NQP index over the winsorized Table 1 indicators.

Nothing here writes a file. :class:`PanelSteps` keeps each step's time and its warnings as
records (``{"where": "panel: TFP_LP", "message": ...}``); the warnings are emitted too.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from nqp.errors import ConfigError, DataWarning
from nqp.ingest.warehouse import quote_ident
from nqp.jobs.background import BackgroundJobs
from nqp.panel.base import Workspace, open_workspace, run_base
from nqp.panel.config import Definitions, Variable, fill, load_definitions, template_values
from nqp.panel.formulas import ROW, add_prev, clean_positive, eval_document, eval_formulas, fields_of, names_any, \
    referenced_prev
from nqp.panel.lags import Lag, add_lags
from nqp.panel.measures import estimate, load_estimators
from nqp.panel.sample import DEFAULT_KEYS_EXTRA, SampleOptions, SampleReport, as_float, drop_financial, \
    drop_missing, drop_st, numeric_columns
from nqp.panel.winsorize import clip, cut_points, winsorize

__all__ = ["BaseTable", "FirmYears", "PanelSteps", "add_index", "add_lags", "apply_sample_rules", "base_table",
           "definition_text", "drop_missing_keys", "estimate_measures", "formula_variables", "key_variables",
           "winsorize_panel"]


# --- records ------------------------------------------------------------------------------
@dataclass
class PanelSteps:
    """Per-step wall time (seconds, for logs and manifests, never for data files) and the
    warnings of the build as records ``{"where": "panel: <variable or step>", "message": ...}``."""

    timings: list[tuple[str, float]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block and record its warnings (each once), then emit them as usual."""
        t0 = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        self.timings.append((name, time.perf_counter() - t0))
        seen = {(w["where"], w["message"]) for w in self.warnings}
        for w in caught:
            where, text = getattr(w.message, "variable", None) or name, str(w.message)
            rec = {"where": f"panel: {where}", "message": text[len(where) + 2:] if text.startswith(f"{where}: ") else text}
            if (rec["where"], rec["message"]) not in seen:
                seen.add((rec["where"], rec["message"]))
                self.warnings.append(rec)
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.timings, columns=["step", "seconds"])


# --- 1. base table --------------------------------------------------------------------------
@dataclass(frozen=True)
class BaseTable:
    """The firm-year base table (``table``, Arrow: DuckDB's types kept exactly) and what the
    formula step needs to know of the warehouse."""

    table: pa.Table
    first_year: int
    last_year: int
    tables: tuple[str, ...]                 # warehouse tables present
    absent_tables: tuple[str, ...]          # known tables stood in by empty ones
    column_table: dict[str, str]            # field -> its warehouse table
    documents: dict[str, pa.Table]          # document-stage tables named by document variables

    @property
    def frame(self) -> pd.DataFrame:
        return self.table.to_pandas()

    @property
    def columns(self) -> list[str]:
        return list(self.table.column_names)


def _years(defs: Definitions, first_year: int | None, last_year: int | None) -> tuple[int, int]:
    fy = int(first_year if first_year is not None else defs.settings.get("first_year", 2010))
    ly = int(last_year if last_year is not None else defs.settings.get("last_year", 2022))
    return fy, ly


def base_table(warehouse: str | Path, definitions: Definitions | None = None, *, first_year: int | None = None,
               last_year: int | None = None) -> BaseTable:
    """Step 1: run ``base.sql`` over ``warehouse`` (read-only) and read the document tables."""
    defs = definitions or load_definitions()
    fy, ly = _years(defs, first_year, last_year)
    ws = open_workspace(warehouse)
    try:
        run_base(ws, fill(defs.base_sql, template_values(defs, fy, ly), where="base.sql"))
        table = ws.con.sql("SELECT * FROM base").to_arrow_table()
        docs = {}
        for v in defs.variables:
            if v.kind == "document" and v.table in ws.tables and v.table not in docs:
                docs[v.table] = ws.con.sql(f"SELECT * FROM {quote_ident(v.table)}").to_arrow_table()
        return BaseTable(table=table, first_year=fy, last_year=ly, tables=tuple(ws.tables),
                         absent_tables=tuple(ws.absent_tables), column_table=dict(ws.column_table),
                         documents=docs)
    finally:
        ws.close()


# --- 2. formula and document variables ---------------------------------------------------------
@dataclass
class FirmYears:
    """Listed firm-years first_year–last_year with the formula and document variables, before
    any sample rule; ``built``/``unbuilt``: variable -> definition / reason."""

    frame: pd.DataFrame
    built: dict[str, str]
    unbuilt: dict[str, str]
    first_year: int
    last_year: int


def definition_text(v: Variable) -> str:
    """The definition of ``v`` in words for the data dictionary."""
    if v.kind == "document":
        return f"{v.expr}  [table {v.table}" + (f"; {v.absent:g} if no row]" if v.absent is not None else "]")
    if v.kind == "index":
        return "entropy index x 100 over the Table 1 indicators (nqp.index.entropy_index)"
    if v.kind == "measure":
        return f"{v.measure}(" + "; ".join(f"{r} = {e}" for r, e in v.inputs) + ")"
    return " ".join(v.expr.split())


def formula_variables(base: BaseTable, definitions: Definitions | None = None) -> FirmYears:
    """Step 2: the formula and document variables over ``base``, in definition order (each
    maximal run of formulas none of which names another in one query, :func:`eval_formulas`)."""
    import duckdb
    defs = definitions or load_definitions()
    values = template_values(defs, base.first_year, base.last_year)
    con = duckdb.connect()
    ws = Workspace(con=con, tables=list(base.tables), absent_tables=list(base.absent_tables),
                   column_table=dict(base.column_table))
    built: dict[str, str] = {}
    unbuilt: dict[str, str] = {}
    try:
        con.register("_base", base.table)
        con.execute("CREATE TABLE base AS SELECT * FROM _base")
        con.unregister("_base")
        for name, t in base.documents.items():
            con.register(name, t)
        clean_positive(ws, defs.positive_fields)
        variables = list(defs.variables)
        add_prev(ws, referenced_prev(variables), variables)
        known = set(base.columns) | {f"prev_{c}" for c in base.columns}
        run: list[tuple[Variable, str]] = []  # formulas not yet evaluated, none naming another
        reasons: list[tuple[Variable, str | None]] = []  # why each variable is not built (None: built)
        for v in variables:
            if v.kind not in ("formula", "document"):
                continue
            try:
                expr = fill(v.expr, values, where=f"variable {v.name}", variable=v.name)
            except ConfigError:
                eval_formulas(ws, run)  # the formulas before it first, as one by one
                raise
            if v.kind == "document" or names_any(expr, [u.name for u, _ in run]):
                eval_formulas(ws, run)
                run = []
            if v.kind == "formula":
                run.append((v, expr))
                reasons.append((v, _absent_source(ws, fields_of(expr, known))))
            else:
                reasons.append((v, eval_document(ws, v, expr)))
            known.add(v.name)
        eval_formulas(ws, run)
        for v, reason in reasons:
            if reason:
                unbuilt[v.name] = reason
            else:
                built[v.name] = definition_text(v)
        listed = "AND listed" if "listed" in base.columns else ""
        full = con.execute(f"SELECT * EXCLUDE ({ROW}) FROM frame WHERE year >= {base.first_year} {listed} "
                           "ORDER BY stkcd, year").df()
    finally:
        con.close()
    for v in variables:
        if v.name in built and v.name in full.columns and len(full) and full[v.name].isna().all():
            del built[v.name]
            unbuilt[v.name] = "missing for every firm-year (its source fields hold no data)"
    return FirmYears(frame=full, built=built, unbuilt=unbuilt, first_year=base.first_year, last_year=base.last_year)


def _absent_source(ws: Workspace, fields: list[str]) -> str | None:
    """Reason a formula variable is not built: one of its fields comes from an absent table."""
    for f in fields:
        name = f[5:] if f.startswith("prev_") else f
        t = ws.column_table.get(name)
        if t in ws.absent_tables:
            return f"the warehouse has no table {t!r} (field {name})"
    return None


# --- 4. sample rules ------------------------------------------------------------------------
def apply_sample_rules(frame: pd.DataFrame, options: SampleOptions | None = None,
                       report: SampleReport | None = None) -> pd.DataFrame:
    """Step 4: drop ST/*ST/PT firm-years (by that year's short name) and the financial industry,
    as ``options`` says; each step is added to ``report``."""
    opts = options or SampleOptions()
    report = report if report is not None else SampleReport()
    out = frame
    if opts.drop_st:
        out = drop_st(out, report)
    if opts.drop_financial:
        out = drop_financial(out, report)
    return out


# --- 5. measures ----------------------------------------------------------------------------
def estimate_measures(frame: pd.DataFrame, definitions: Definitions | None = None, *, measures: bool = True,
                      built: dict[str, str] | None = None,
                      unbuilt: dict[str, str] | None = None, workers: int = 1,
                      jobs: BackgroundJobs | None = None) -> pd.DataFrame:
    """Step 5: every ``kind = "measure"`` variable estimated on ``frame``'s firm-years (a copy
    with one column per measure built). ``built``/``unbuilt`` are updated when given; a measure
    that cannot be estimated is unbuilt with the estimator's reason and a DataWarning.

    ``workers``: with 2 or more, measures whose inputs name no other measure are estimated on
    worker processes, each sent only the columns its inputs read; the values, reasons and
    warnings (re-emitted in declaration order) are those of estimating them one by one here.
    ``jobs``: those workers, started earlier by :func:`measure_workers` (used, then closed, when
    the measures are independent; ``workers`` is then ignored)."""
    defs = definitions or load_definitions()
    built = built if built is not None else {}
    unbuilt = unbuilt if unbuilt is not None else {}
    todo = [v for v in defs.variables if v.kind == "measure"]
    if not measures:
        unbuilt.update({v.name: "measures=False" for v in todo})
        return frame
    independent = measures_independent(todo)
    out = frame
    if independent:
        if jobs is None:
            jobs = measure_workers(defs, workers)
        try:
            for v in todo:
                jobs.submit(_estimate_recorded, v, _measure_columns(frame, v))
            found = jobs.results()
        finally:
            jobs.close()
    for i, v in enumerate(todo):
        if independent:
            vals, reason, caught = found[i]
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        else:  # a measure of a measure: one after the other, each seeing the columns before it
            vals, reason = estimate(v, out)
        if reason:
            unbuilt[v.name] = reason
            warnings.warn(DataWarning(f"{v.name} not built: {reason}", variable=v.name), stacklevel=2)
        else:
            out = out.assign(**{v.name: vals})
            built[v.name] = definition_text(v)
    return out


def measures_independent(variables: list[Variable]) -> bool:
    """Whether no measure's inputs name another measure (then they can be estimated at once)."""
    names = {v.name for v in variables}
    return not any(fields_of(expr, names) for v in variables for _, expr in v.inputs)


def measure_workers(definitions: Definitions, workers: int) -> BackgroundJobs:
    """The worker processes of step 5 for ``definitions``' measures, started now (at most one
    per measure; none -- the jobs then run in this process -- with one measure, ``workers <= 1``
    or dependent measures). Each worker first imports the estimators
    (:func:`nqp.panel.measures.load_estimators`, about a second of CPU), so started before the
    base table they do that while this process builds it."""
    todo = [v for v in definitions.variables if v.kind == "measure"]
    jobs = BackgroundJobs(min(workers, len(todo)) if len(todo) > 1 and measures_independent(todo) else 1)
    jobs.start(load_estimators, todo)
    return jobs


def _measure_columns(frame: pd.DataFrame, v: Variable) -> pd.DataFrame:
    """The columns of ``frame`` that measure ``v`` reads: its inputs' fields and the keys."""
    columns = {str(c) for c in frame.columns}
    used = [c for c in ("stkcd", "year") if c in columns]
    for _, expr in v.inputs:
        used += [c for c in fields_of(expr, columns) if c not in used]
    return frame[used]


def _estimate_recorded(v: Variable, frame: pd.DataFrame) -> tuple[pd.Series | None, str | None, list]:
    """``estimate(v, frame)`` and the warnings it raised (to re-emit where the result is used)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vals, reason = estimate(v, frame)
    return vals, reason, list(caught)


# --- 6. missing key variables -------------------------------------------------------------------
def key_variables(options: SampleOptions, indicators: Sequence[str]) -> list[str]:
    """The key variables of step 6: ``options.key_variables``, or the indicators + lnAI, Size, Age, Lev."""
    return list(options.key_variables) if options.key_variables is not None else [*indicators, *DEFAULT_KEYS_EXTRA]


def drop_missing_keys(frame: pd.DataFrame, keys: Sequence[str], report: SampleReport | None = None,
                      *, available: Sequence[str] | None = None, unbuilt: dict[str, str] | None = None) -> pd.DataFrame:
    """Step 6: drop firm-years missing one of ``keys``. A key not in ``available`` (not built)
    is left out, with a note in ``report`` naming the reason."""
    report = report if report is not None else SampleReport()
    avail = set(frame.columns if available is None else available)
    for k in keys:
        if k not in avail:
            report.notes.append(f"key variable {k} not built, so not used to drop firm-years: "
                                f"{(unbuilt or {}).get(k, 'not defined')}")
    report.key_variables = [k for k in keys if k in avail]
    return drop_missing(frame, report.key_variables, report)


# --- 7. winsorizing ---------------------------------------------------------------------------
def winsorize_panel(frame: pd.DataFrame, columns: Sequence[str], options: SampleOptions | None = None,
                    report: SampleReport | None = None, *, lags: Sequence[Lag] = (),
                    time: str = "year") -> pd.DataFrame:
    """Step 7: ``columns`` as floats, winsorized at ``options.winsorize_limits`` (pooled or by
    ``options.winsorize_by``; Stata ``winsor2 ..., cut(1 99)``) when ``options.winsorize``.

    A lag column (``lags``) of a winsorized variable is clipped at *that variable's* cut points
    (by year t − k when winsorizing by year): the lag of the winsorized variable, as a reghdfe
    user who runs ``winsor2`` and then ``L.x`` gets. The lag's own distribution is not cut."""
    opts = options or SampleOptions()
    report = report if report is not None else SampleReport()
    numeric = numeric_columns(frame, list(columns) + [g.name for g in lags])
    out = as_float(frame, numeric)
    wcols = [c for c in (opts.winsorize_columns if opts.winsorize_columns is not None else columns) if c in numeric]
    if not (opts.winsorize and wcols and len(out)):
        return out
    by = opts.winsorize_by
    clipped = [g for g in lags if g.variable in wcols and g.name in out.columns]
    cuts = {g.variable: _group_cuts(out, g.variable, opts.winsorize_limits, by) for g in clipped}
    out = winsorize(out, wcols, limits=opts.winsorize_limits, by=by)
    for g in clipped:
        out[g.name] = _clip_lag(out, g, cuts[g.variable], by, time)
    report.winsorized = wcols
    lo, hi = opts.winsorize_limits
    report.steps.append((f"winsorize {len(wcols)} continuous variables at {lo:.0%}/{hi:.0%}"
                         + (f" by {by}" if by else " (pooled)"), 0, len(out)))
    if clipped:
        report.notes.append(f"lags {', '.join(g.name for g in clipped)} clipped at the cut points of their variable")
    return out


def _group_cuts(frame: pd.DataFrame, column: str, limits: tuple[float, float],
                by: str | None) -> dict[object, tuple[float, float]]:
    v = frame[column].to_numpy(dtype=float, na_value=np.nan)
    if by is None:
        return {None: cut_points(v, limits)}
    return {g: cut_points(v[idx], limits) for g, idx in frame.groupby(by, sort=True).indices.items()}


def _clip_lag(frame: pd.DataFrame, g: Lag, cuts: dict, by: str | None, time: str) -> np.ndarray:
    v = frame[g.name].to_numpy(dtype=float, na_value=np.nan)
    if by is None:
        return clip(v, *cuts[None])
    key = frame[by].to_numpy() - g.k if by == time else frame[by].to_numpy()
    out = v.copy()
    for grp, (lo, hi) in cuts.items():
        m = key == grp
        out[m] = clip(v[m], lo, hi)
    return out


# --- 8. the index ---------------------------------------------------------------------------
def add_index(frame: pd.DataFrame, indicators: dict[str, int], dimensions: dict[str, str], *,
              name: str = "NQP", method: str = "pooled") -> tuple[pd.DataFrame, object]:
    """Step 8: the entropy index (×100) and its dimension scores ``<name>_<dimension>`` over
    ``indicators`` (column -> sign) on ``frame``'s firm-years; returns (frame, IndexResult).
    Rows missing an indicator (only when the key variables leave indicators out) get no value."""
    from nqp.index import entropy_index
    out = frame.reset_index(drop=True)
    res = entropy_index(out, indicators, dimensions={c: dimensions[c] for c in indicators}, method=method,
                        year="year", ids=("stkcd", "year"), missing="drop")
    out[name] = res.index.reindex(out.index)
    for d in res.dimensions.columns:
        out[f"{name}_{d}"] = res.dimensions[d].reindex(out.index)
    return out, res
