"""The patent stage: records → AI flags → firms → firm-year counts, checkpointed, local or Dask.

Records are read, de-duplicated by application number (globally, so partitions are
disjoint and the same on every run), then cut into partitions of ``partition_size`` records,
processed on threads (one machine) or as Dask tasks (``--scheduler``).
Each partition yields firm-year counts, applicant match statistics and a problem list; each is
checkpointed (``nqp.jobs.checkpoint``) and the partitions are summed at the end.

Output columns (one row per matched firm and application year, 申请年):
``patents``, ``patents_invention``, ``patents_utility`` (all applications), ``ai_patents``
(lnAI = ln(1 + ai_patents)), ``ai_invention`` (lnaifm), ``ai_utility`` (lnaixx),
``ai_by_ipc`` and ``ai_by_keyword`` (which definition fired). A listed firm with no row in
a year had no matched application that year (count 0).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nqp.atomic import atomic_write_parquet
from nqp.jobs.checkpoint import PartStore
from nqp.jobs.cluster import run_dask
from nqp.jobs.pool import Failure
from nqp.jobs.progress import progress_bar
from nqp.patents.classify import Classifier, classify
from nqp.patents.match import FirmIndex, match_records, merge_reports
from nqp.patents.records import drop_duplicates, patent_files, read_patents

COUNT_COLUMNS = ["patents", "patents_invention", "patents_utility", "ai_patents", "ai_invention", "ai_utility",
                 "ai_by_ipc", "ai_by_keyword"]
PROBLEM_COLUMNS = ["rec", "app_no", "problem", "value"]


@dataclass(frozen=True)
class PatentContext:
    classifier: Classifier
    firms: FirmIndex


def process_chunk(t: pa.Table, ctx: PatentContext) -> dict[str, pd.DataFrame]:
    """Counts, match report and problems of one partition of de-duplicated records."""
    f = classify(t, ctx.classifier)
    pairs, report = match_records(t["applicants"].combine_chunks(), f["year"], ctx.firms)
    rows = pairs["row"].to_numpy()
    inv, uti = f["kind"] == "invention", f["kind"] == "utility"
    d = pd.DataFrame({
        "stkcd": pairs["stkcd"], "year": f["year"][rows],
        "patents": 1, "patents_invention": inv[rows], "patents_utility": uti[rows],
        "ai_patents": f["ai"][rows], "ai_invention": (f["ai"] & inv)[rows], "ai_utility": (f["ai"] & uti)[rows],
        "ai_by_ipc": f["ai_ipc"][rows], "ai_by_keyword": f["ai_kw"][rows],
    })
    d = d[d["year"] > 0]
    counts = d.groupby(["stkcd", "year"], as_index=False)[COUNT_COLUMNS].sum()
    probs = []
    no_number = pc.equal(pc.utf8_trim_whitespace(t["app_no"]), "").to_numpy(zero_copy_only=False)
    for flag, problem, col in ((f["year"] == 0, "bad application date: record not counted", "app_date"),
                               (f["bad_ipc"], "malformed IPC code", "ipc_all"),
                               (f["no_ipc"] & (f["kind"] != "design"), "no IPC code", None),  # designs have none
                               (f["empty_text"], "empty title", None),
                               (f["kind"] == "unknown", "unknown patent type", "ptype"),
                               (no_number, "no application number", None)):
        idx = np.flatnonzero(flag)
        if len(idx):
            sub = t.take(pa.array(idx))
            if col == "ipc_all":
                vals = pc.binary_join_element_wise(sub["ipc_main"], sub["ipc"], "; ")
            else:
                vals = sub[col] if col else pa.array([""] * len(idx))
            probs.append(pa.table({"rec": sub["rec"], "app_no": sub["app_no"], "problem": [problem] * len(idx),
                                   "value": vals}).to_pandas())
    problems = pd.concat(probs, ignore_index=True) if probs else pd.DataFrame(columns=PROBLEM_COLUMNS)
    return {"counts": counts, "report": report, "problems": problems}


def _threaded(slices: list[pa.Table], ctx: PatentContext, workers: int):
    """Partitions on threads: Arrow kernels release the GIL, and the records are not copied to
    other processes (pickling a million records costs more than classifying them)."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    with ThreadPoolExecutor(max_workers=workers) as ex:
        futs = {ex.submit(process_chunk, s, ctx): j for j, s in enumerate(slices)}
        for fut in as_completed(futs):
            exc = fut.exception()
            yield futs[fut], (Failure(type(exc).__name__, str(exc)[:500]) if exc else fut.result())


@dataclass
class PatentRun:
    counts: pd.DataFrame
    report: pd.DataFrame
    problems: pd.DataFrame
    records: int = 0
    duplicates: int = 0
    partitions: int = 0
    done: int = 0
    resumed: int = 0
    failed: int = 0
    seconds: float = 0.0


def _fingerprint(path: str | Path, ctx: PatentContext, partition_size: int) -> str:
    h = hashlib.sha256()
    for f in patent_files(path):
        st = f.stat()
        h.update(f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
    h.update(repr((ctx.classifier.definitions, ctx.classifier.keywords, ctx.classifier.rule,
                   ctx.classifier.scope, partition_size)).encode())
    h.update(ctx.firms.fingerprint().encode())
    return h.hexdigest()[:16]


def run_patents(
    path: str | Path,
    ctx: PatentContext,
    out: str | Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    partition_size: int = 1_000_000,
    quiet: bool = True,
    keep_parts: bool = False,
) -> PatentRun:
    t0 = time.perf_counter()
    out = Path(out)
    fp = _fingerprint(path, ctx, partition_size)
    stores = {k: PartStore(out.with_name(f"{out.stem}.{k}{out.suffix}"), fp) for k in ("report", "problems")}
    stores["counts"] = PartStore(out, fp)
    table = read_patents(path)
    kept, dups = drop_duplicates(table)
    n = kept.num_rows
    keys = [f"p{i:06d}" for i in range(0, n, partition_size)]
    done = stores["counts"].done_keys()
    todo = [i for i, k in enumerate(keys) if k not in done]
    slices = [kept.slice(i * partition_size, partition_size) for i in todo]
    failed = 0

    def save(j: int, res: object) -> None:
        nonlocal failed
        k = keys[todo[j]]
        if isinstance(res, Failure):
            failed += 1
            res = {"counts": pd.DataFrame(columns=["stkcd", "year"] + COUNT_COLUMNS),
                   "report": pd.DataFrame(),
                   "problems": pd.DataFrame({"rec": [-1], "app_no": [""], "value": [res.message],
                                             "problem": [f"partition {k} failed ({res.reason})"]})}
        for name in ("report", "problems", "counts"):  # counts last: it is the ledger
            stores[name].write(res[name], [k], name=k)

    with progress_bar("patent partitions", len(todo), "parts", quiet) as bar:
        if scheduler:
            it = run_dask(process_chunk, slices, address=scheduler, context=ctx)
        elif workers <= 1:
            it = ((j, process_chunk(s, ctx)) for j, s in enumerate(slices))
        else:
            it = _threaded(slices, ctx, workers)
        for j, res in it:
            save(j, res)
            bar.advance()

    counts = stores["counts"].read_all()
    if counts.empty:
        counts = pd.DataFrame(columns=["stkcd", "year"] + COUNT_COLUMNS)
    counts = counts.groupby(["stkcd", "year"], as_index=False)[COUNT_COLUMNS].sum()
    counts["year"] = counts["year"].astype("int64")
    for c in COUNT_COLUMNS:
        counts[c] = counts[c].astype("int64")
    counts = counts.sort_values(["stkcd", "year"]).reset_index(drop=True)
    r = stores["report"].read_all()
    report = merge_reports([r] if not r.empty else [])
    problems = stores["problems"].read_all()
    dup = dups.select(["rec", "app_no"]).to_pandas()
    dup["problem"], dup["value"] = "duplicate application number: dropped", ""
    problems = pd.concat([x for x in (problems, dup) if not x.empty], ignore_index=True) if (
        not problems.empty or not dup.empty) else pd.DataFrame(columns=PROBLEM_COLUMNS)
    if not problems.empty:
        problems = problems.sort_values(["rec", "problem"], kind="stable").reset_index(drop=True)
    atomic_write_parquet(counts, out)
    if not keep_parts:
        for s in stores.values():
            s.remove()
    return PatentRun(counts, report, problems, records=table.num_rows, duplicates=dups.num_rows,
                     partitions=len(keys), done=len(todo), resumed=len(keys) - len(todo), failed=failed,
                     seconds=time.perf_counter() - t0)


@dataclass
class PatentStageReport:
    """What :func:`patents_stage` did: the run, the files written, the name sources, warnings."""

    run: PatentRun
    out: Path
    report_path: Path
    problems_path: Path
    name_sources: dict[str, int] = field(default_factory=dict)  # where the firm names came from
    db: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def status_counts(self) -> dict[str, int]:
        """Applicants matched / ambiguous / out_of_period / unmatched."""
        r = self.run.report
        return {k: int(v) for k, v in r["status"].value_counts().items()} if not r.empty else {}


def patents_stage(
    patents: str | Path,
    out: str | Path,
    *,
    db: str | Path | None = None,
    firms: str | Path | None = None,
    ipc: str | Path | None = None,
    keywords: str | Path | None = None,
    rule: str = "either",
    ipc_scope: str = "any",
    workers: int | None = None,
    scheduler: str | None = None,
    partition_size: int = 1_000_000,
    keep_parts: bool = False,
    quiet: bool = True,
) -> PatentStageReport:
    """The ``nqp patents`` stage: IncoPat records → AI patents → listed firms → firm-year counts.

    Firm names come from the warehouse ``db`` (current and former full names, subsidiaries:
    :func:`nqp.patents.firm_table.warehouse_firm_names`) and/or a name file ``firms``
    (``stkcd, name, kind, valid_from, valid_to``); with both, the file's rows are added.
    Writes ``out`` (Parquet), ``<out>.match_report.csv``, ``<out>.problems.csv`` and, with
    ``db``, tables ``patent_counts`` and ``patent_match_report`` into the warehouse.
    Raises :class:`MissingFileError` when ``db`` does not exist (it is never created here).
    """
    import os

    from nqp.atomic import atomic_write_csv
    from nqp.errors import MissingFileError
    from nqp.patents.classify import load_keywords
    from nqp.patents.firm_table import combine, warehouse_firm_names
    from nqp.patents.ipc import load_ipc_definitions
    from nqp.patents.names import read_firm_names

    if db is not None and not Path(db).is_file():
        raise MissingFileError(f"warehouse {Path(db).name} does not exist (--db must name a warehouse that "
                               "`nqp ingest` built); nothing was written", file=str(db))
    if db is None and firms is None:
        raise MissingFileError("no firm names to match applicants to: give the warehouse (--db) or a name "
                               "file (--firms)", file=None)
    warnings: list[str] = []
    tables, sources = [], {}
    if db is not None:
        fn = warehouse_firm_names(db)
        tables.append(fn.names)
        sources.update(fn.sources)
        warnings += [f"patents: the warehouse has no {t} table; its names are not used for matching"
                     for t in fn.missing]
    if firms is not None:
        own = read_firm_names(firms)
        tables.append(own)
        sources[Path(firms).name] = len(own)
    names = combine(*tables)
    if names.empty:
        from nqp.errors import InputError

        raise InputError("no firm names to match patent applicants to: the warehouse has no company_profile "
                         "(TRD_Co) and no --firms file was given", file=str(db) if db else None)
    clf = Classifier(tuple(load_ipc_definitions(ipc)), load_keywords(keywords), rule, ipc_scope)
    ctx = PatentContext(clf, FirmIndex(names))
    res = run_patents(patents, ctx, out, workers=workers or os.cpu_count() or 1, scheduler=scheduler,
                      partition_size=partition_size, quiet=quiet, keep_parts=keep_parts)
    out = Path(out)
    report_path, problems_path = out.with_suffix(".match_report.csv"), out.with_suffix(".problems.csv")
    atomic_write_csv(res.report, report_path)
    atomic_write_csv(res.problems, problems_path)
    if db is not None:
        from nqp.jobs.store import upsert_tables

        upsert_tables(db, [("patent_counts", res.counts, ["stkcd", "year"]),
                           ("patent_match_report", res.report, ["applicant"])])
    if not res.problems.empty:
        by = res.problems["problem"].value_counts()
        warnings.append(f"patents: {len(res.problems)} record problems ({problems_path.name}): "
                        + "; ".join(f"{k}: {v}" for k, v in by.items()))
    if res.failed:
        warnings.append(f"patents: {res.failed} partitions failed")
    return PatentStageReport(run=res, out=out, report_path=report_path, problems_path=problems_path,
                             name_sources=sources, db=Path(db) if db else None, warnings=warnings)
