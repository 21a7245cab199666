"""``write_synthetic``: draw the synthetic data set and write it as raw exports.

Output folder (all SYNTHETIC, see README_SYNTHETIC.txt written there):

- CSMAR-style tables in the folder root, one file per table (names = vendor table codes),
  with ``[DES]`` sidecars; regional tables (plain header) also in the root;
- ``patents/incopat_*.csv`` and ``patents/firm_names.csv``;
- ``reports/<stkcd>_<year>.txt|pdf``;
- ``truth/``: the answers (latent variables, keyword counts, AI-patent flags) for tests;
- ``manifest.json``: seed, scale, version and every file with its sha256.

Deterministic: each component draws from ``default_rng([seed, k])`` with a fixed ``k``.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from nqp import __version__
from nqp.errors import InputError
from nqp.synth import assetnotes, documents, economics, firmdata, latent, patents, regional, reports, statements
from nqp.synth.patentfiles import PANEL_COLUMNS, patent_job
from nqp.synth.calibration import FIRMS_AT_SCALE_1
from nqp.atomic import atomic_write_bytes
from nqp.synth.outfiles import Written, manifest_bytes, table_job
from nqp.synth.pool import default_workers, job_pool
from nqp.synth.writers import FileFormat, export_columns, load_spec

DEFAULT_SEED = 20240501
STREAMS = {"regional": 1, "firms": 2, "subs": 3, "economics": 4, "statements": 5, "firmdata": 6,
           "patents": 7, "reports": 8, "asset_notes": 9}

# export format of each table (default: UTF-8 with BOM, comma-separated .csv)
FORMATS = {
    "company_profile": FileFormat("csv", "gbk"),
    "cash_flow_indirect": FileFormat("txt", "utf-8-sig", "\t"),
    "energy_use": FileFormat("txt", "utf-8-sig", "\t"),
    "dividends": FileFormat("xlsx"),
    "valuation": FileFormat("xls"),  # older CSMAR downloads come as .xls (FI_T10.xls)
    # CSMAR's export with Chinese field names (字段名称) as the header row
    "income_statement": FileFormat("csv", header="labels"),
    "short_name_annual": FileFormat("csv", header="labels"),
}


@dataclass
class SynthSummary:
    """What ``write_synthetic`` wrote."""

    out_dir: Path
    seed: int
    scale: float
    firms: int
    firm_years: int
    firm_years_clean: int
    patents: int
    reports: int
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # none today; the stage-report interface


def _check_out_dir(out: Path) -> None:
    if out.exists() and any(out.iterdir()) and not (out / "manifest.json").exists():
        raise InputError("output folder is not empty and holds no synthetic manifest.json; "
                         "refusing to write into it", file=str(out))


def _step(progress, task, msg: str) -> None:
    if progress is not None:
        progress.update(task, advance=1, description=msg)


def write_synthetic(out_dir: str | os.PathLike, *, scale: float = 1.0, seed: int = DEFAULT_SEED,
                    pdf_reports: int = 8, progress: bool = True, workers: int | None = None) -> SynthSummary:
    """Write the synthetic raw exports to ``out_dir``; deterministic for ``(scale, seed)``.

    ``scale`` multiplies the number of firms (4,600 at 1.0: ≈38,000 raw firm-years 2010-2022).
    ``workers``: processes that draw and write the patents and write the tables and the annual
    reports while this one draws the data (default: one per CPU; 1 = all in this process). The
    files are the same for any number of workers.
    """
    if not (scale > 0):
        raise InputError(f"scale must be positive, got {scale!r}", variable="scale")
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, got {workers!r}", variable="workers")
    t0 = time.perf_counter()
    out = Path(out_dir)
    _check_out_dir(out)
    out.mkdir(parents=True, exist_ok=True)

    def rng(name: str) -> np.random.Generator:
        return np.random.default_rng([int(seed), STREAMS[name]])

    bar = None
    task = None
    if progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("[bold]nqp synth[/bold] {task.description}"), BarColumn(), TimeElapsedColumn())
        bar.start()
        task = bar.add_task("latent traits", total=8)
    n_workers = default_workers() if workers is None else workers
    reports.load_compiled()  # before the workers are forked: they inherit the compiled composer
    pool = job_pool(n_workers)
    try:
        o = Written(out)
        pending: list[Future] = []

        def table(df: pd.DataFrame, name: str) -> None:
            df = export_columns(df, load_spec(name))  # less to send to the worker
            pending.append(pool.submit(table_job, out, df, name, FORMATS.get(name, FileFormat())))

        n = max(20, int(round(FIRMS_AT_SCALE_1 * scale)))
        reg = regional.regional_tables(rng("regional"))
        r = rng("firms")
        firms = latent.draw_firms(n, r)
        panel = latent.build_panel(firms)
        subs = latent.draw_subsidiaries(firms, rng("subs"))
        p = economics.firm_year_variables(firms, panel, subs, reg, rng("economics"))
        # the largest job first: a worker draws and writes the patents while this process goes on
        patent_future = pool.submit(patent_job, out, p[PANEL_COLUMNS], firms, subs, rng("patents"))
        _step(bar, task, "financial statements")

        rs = rng("statements")
        acc = statements.accounts(p, firms, rs)
        rows = statements.statement_rows(acc, firms, rs)
        opening = statements.opening_rows(acc, firms, rs)
        table(rows[rows["typrep"] == "A"], "valuation")  # the slowest table file (.xls): next in the queue
        table(pd.concat([rows, opening], ignore_index=True).sort_values(["stkcd", "accper", "typrep"],
                                                                       kind="stable"), "balance_sheet")
        table(rows, "income_statement")
        table(rows, "cash_flow_direct")
        table(rows, "cash_flow_indirect")
        ann = statements.report_dates(panel, firms, rs)
        table(ann, "report_dates")
        _step(bar, task, "firm tables")

        rf = rng("firmdata")
        stk = firms["stkcd"].to_numpy()[p["firm"].to_numpy()]
        names = firmdata.year_end_names(firms, p, rf)
        table(firmdata.company_profile(firms, names), "company_profile")
        table(firmdata.name_changes(firms), "name_changes")
        table(names.sort_values(["stkcd", "end_date"], kind="stable"), "short_name_annual")
        rd = firmdata.rd_spending(p, acc, stk, rf)
        table(rd, "rd_spending")
        table(rd.rename(columns={"end_date": "accper"}), "rd_expense_items")
        emp = firmdata.employee_structure(p, acc, stk, rf)
        table(emp, "employee_structure")
        table(firmdata.management_shareholding(p, stk, rf), "management_shareholding")
        table(firmdata.institutional_ownership(p, stk, rf), "institutional_ownership")
        seg = firmdata.revenue_by_region(p, acc, stk, rf)
        table(seg, "revenue_by_region")
        table(firmdata.dividends(p, acc, stk), "dividends")
        sub_rows = firmdata.subsidiary_rows(p, subs, firms["stkcd"].to_numpy())
        table(sub_rows, "subsidiaries")
        energy = firmdata.energy_use(p, firms, stk, rf)
        table(energy, "energy_use")
        items, aiinvest = assetnotes.asset_items(p, acc, stk, rng("asset_notes"))
        table(items, "asset_items")
        for name, df in reg.items():
            table(df, name)

        # the reports after the tables: many small jobs last keep the workers evenly busy
        chunk = min(1000, max(50, int(p["in_sample"].sum()) // (8 * n_workers)))  # ~8 jobs a worker
        plan = reports.plan_reports(p, firms, names, rng("reports"), pdf_count=pdf_reports, announce=ann,
                                    chunk_size=chunk)
        staging = _fresh_folder(out / ".reports.tmp")
        chunks = [pool.submit(reports.render_chunk, c, staging) for c in plan.chunks]
        _step(bar, task, "patents")

        # the truth that needs no report text while the workers write the reports
        patent_hashes, patent_counts, n_patents = patent_future.result()
        o.hashes.update(patent_hashes)
        fy_truth, n_clean = _firm_year_truth(p, firms, acc, names, rd, emp, energy, seg, patent_counts, plan.meta,
                                             aiinvest)
        o.parquet("truth/firm_year.parquet", fy_truth)
        o.put("truth/dictionaries.json", json.dumps(
            {"reports": documents.DICTIONARIES, "patent_ai_keywords": patents.AI_KEYWORDS,
             "patent_ai_ipc_main_groups": patents.AI_IPC_PREFIXES,
             "energy_tce_per_unit": firmdata.TCE_FACTORS}, ensure_ascii=False, indent=1).encode("utf-8"))
        o.put("README_SYNTHETIC.txt", _readme(seed, scale).encode("utf-8"))
        for f in pending:
            o.hashes.update(f.result())
        _step(bar, task, "annual reports")

        results = [f.result() for f in chunks]
        for res in results:
            o.hashes.update(res.hashes)
        _swap_in(staging, out / "reports")
        o.parquet("truth/report_keywords.parquet", reports.report_truth(plan.meta, results))
        _step(bar, task, "truth and manifest")

        summary = SynthSummary(out, int(seed), float(scale), n, int(p["in_sample"].sum()), n_clean,
                               n_patents, len(plan.meta), sorted(o.hashes) + ["manifest.json"])
        fields = {"synthetic": True, "generator": "nqp synth", "version": __version__, "seed": int(seed),
                  "scale": float(scale), "firms": n, "firm_years_raw": summary.firm_years,
                  "firm_years_clean": n_clean, "patent_records": n_patents, "reports": len(plan.meta)}
        atomic_write_bytes(out / "manifest.json", manifest_bytes(fields, o.hashes))
        _step(bar, task, "done")
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        if bar is not None:
            bar.stop()
    summary.seconds = time.perf_counter() - t0
    return summary


def _fresh_folder(path: Path) -> Path:
    """``path`` as a new empty folder (a leftover of an interrupted run is removed)."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
    return path


def _swap_in(staging: Path, final: Path) -> None:
    """Move the finished folder ``staging`` to ``final``, replacing a previous one whole."""
    if final.exists():
        old = final.with_name(".reports.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(final, old)
        os.replace(staging, final)
        shutil.rmtree(old)
    else:
        os.replace(staging, final)


def _firm_year_truth(p, firms, acc, names, rd, emp, energy, seg, patent_counts, report_meta,
                     aiinvest) -> tuple[pd.DataFrame, int]:
    """One row per raw firm-year: latent variables, true AI counts, indicators and sample flags;
    ``patent_counts``: :func:`nqp.synth.patentfiles.credited_counts`; ``report_meta``: one row
    (stkcd, year) per report written; ``aiinvest``: the true AI share of fixed + intangible asset
    items (NaN: no asset notes)."""
    s = p[p["in_sample"]].reset_index(drop=True)
    fi = s["firm"].to_numpy()
    stk = firms["stkcd"].to_numpy()[fi]
    t = pd.DataFrame({"stkcd": stk, "year": s["year"].to_numpy()})
    keep_cols = ["ai_latent", "ai_true", "ai_effect", "mod_mult", "n_ai", "n_ai_inv", "n_ai_um", "size",
                 "equity_multiplier", "finratio", "overseacountry", "irobot", "aicitynew", "smartcity", "newenergy",
                 "us_robot", "laborprod", "ln_employees", "roa", "rd_staff_share", "edu_share", "tech_share",
                 "intangible_share", "fixed_share", "rd_intensity", "mshare", "inst", "over_rev", "cu_true", "ln_frontier"]
    for c in keep_cols:
        t[c] = s[c].to_numpy()
    t["aiinvest"] = aiinvest[p["in_sample"].to_numpy()]
    for c in ["ai_cap", "innov", "prod", "het", "soe", "heavy", "hightech", "region", "industry_code"]:
        t[c] = firms[c].to_numpy()[fi]
    st = names.set_index(["firm", "year"])["st"].reindex(pd.MultiIndex.from_arrays([fi, s["year"].to_numpy()]))
    t["st_or_pt"] = (st.fillna("").to_numpy() != "")
    t["financial"] = t["industry_code"].str.startswith("J")
    t = t.merge(patent_counts.reset_index(), how="left", on=["stkcd", "year"])
    for c in ["ai_patents", "ai_invention", "patents_all"]:
        t[c] = t[c].fillna(0).astype(np.int64)
    t["ai_utility"] = t["ai_patents"] - t["ai_invention"]
    key = pd.MultiIndex.from_arrays([t["stkcd"], t["year"]])

    def has(df: pd.DataFrame, col: str) -> np.ndarray:
        k = pd.MultiIndex.from_arrays([df["stkcd"].to_numpy(), df[col].astype(str).str[:4].astype(int).to_numpy()])
        return key.isin(k)

    t["has_rd"] = has(rd, "end_date")
    t["has_employees"] = has(emp, "end_date")
    t["has_energy"] = has(energy, "year")
    t["has_segment"] = has(seg, "accper")
    t["has_report"] = key.isin(pd.MultiIndex.from_arrays([report_meta["stkcd"], report_meta["year"]]))
    e = energy.set_index(["stkcd", "year"])["energy_tce"]
    t["energy_tce"] = e.reindex(key).to_numpy()
    t["clean_sample"] = (~t["st_or_pt"] & ~t["financial"] & t["has_rd"] & t["has_employees"] & t["has_energy"]
                         & t["has_segment"] & t["has_report"])
    return t, int(t["clean_sample"].sum())


def _readme(seed: int, scale: float) -> str:
    return f"""SYNTHETIC DATA — NOT REAL FIRMS, NOT REAL CSMAR / IncoPat / CNINFO DATA
=========================================================================

Written by `nqp synth` (nqp {__version__}), seed {seed}, scale {scale}.

Every firm, stock code, name, number, patent and annual report in this folder is
simulated. Stock codes and company names may coincide with real ones by chance only.
The files have the *layout* of CSMAR (国泰安) exports, an IncoPat patent export and
CNINFO annual reports so that nqp can be tried, tested and demonstrated without a
licence. Results computed from these files say nothing about real firms.

The data-generating process (latent variables, equations, planted effects, calibration
targets and tolerances) is documented in docs/synthetic-data.md of the nqp source.
Ground truth for tests is in truth/. manifest.json lists every file with its sha256.
"""
