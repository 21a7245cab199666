"""The text stage over a corpus: reports → one row per firm-year, checkpointed, local or on Dask.

Work is cut into partitions of ``partition_size`` reports. On one machine the reports go to
worker processes in batches of up to ``BATCH``, each report under a hard time and memory limit
(``nqp.jobs.pool``: a report that breaks a limit is the only one of its batch to fail); on a
Dask cluster each partition is one task (``nqp.jobs.cluster``). Every finished partition is
checkpointed (``nqp.jobs.checkpoint``); a run started again skips reports already done.
"""

from __future__ import annotations

import os
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from nqp.atomic import atomic_write_parquet
from nqp.jobs.checkpoint import PartStore
from nqp.jobs.cluster import run_dask
from nqp.jobs.pool import Failure, Workers, run_local
from nqp.jobs.progress import progress_bar
from nqp.text.document import TextConfig, failed_row, process_report
from nqp.text.reports import ReportFile, Skipped

KEY = ["stkcd", "year"]
FRONT = ["stkcd", "year", "file", "format", "status", "reason", "section_found", "section_heading", "pages",
         "report_chars", "section_chars", "exec_innovation", "data_assets", "aiword", "lnaiword"]
INT_COLS = {"pages", "report_chars", "section_chars", "data_assets", "aiword", "table_chars",
            "header_lines_removed"}
BACK = ["table_chars", "header_lines_removed", "message"]
TIMING = "seconds"  # per-document wall time: kept in TextRun.timings, never in the data file
PARTITION = 512  # reports per checkpointed partition (and per Dask task), by default
BATCH = 64  # at most this many reports per message to a local worker process


def _doc_key(r: ReportFile) -> str:
    return f"{r.doc_id}:{os.path.basename(r.path)}"


def process_partition(reports: list[ReportFile], cfg: TextConfig) -> list[dict[str, object]]:
    """Rows of a list of reports, in order (the Dask task)."""
    return [process_report(r, cfg) for r in reports]


@dataclass
class TextRun:
    rows: pd.DataFrame
    done: int = 0  # processed in this run
    failed: int = 0  # failure rows in the output (this run or earlier checkpoints)
    resumed: int = 0  # skipped because a checkpoint had them
    skipped_files: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    timings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["stkcd", "year", "file", TIMING]))
    discarded_checkpoints: bool = False

    @property
    def failures(self) -> pd.DataFrame:
        if self.rows.empty:
            return self.rows
        return self.rows.loc[self.rows["status"] != "ok", ["stkcd", "year", "file", "reason", "message"]]


def _part_table(rows: list[dict[str, object]], keys: list[str]) -> pa.Table:
    """The checkpoint of ``rows`` (one dict per report) and their ``keys``: a column per row key
    in order of first appearance, null where a row lacks it (what ``pd.DataFrame(rows)`` would
    hold and write), then ``_key``. Built by Arrow from the values, without a pandas frame."""
    shapes = {tuple(r): None for r in rows}  # rows of one kind (ok, failed) have the same keys
    if len(shapes) == 1:  # one kind: the columns are the rows' values, transposed
        data = {c: pa.array(values) for c, values in zip(next(iter(shapes)), zip(*map(dict.values, rows)))}
    else:
        columns = dict.fromkeys(c for shape in shapes for c in shape)
        data = {c: pa.array([r.get(c) for r in rows]) for c in columns}
    data["_key"] = pa.array(keys, pa.string())
    return pa.table(data)


def run_text(
    reports: list[ReportFile],
    cfg: TextConfig,
    out: str | Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    partition_size: int = PARTITION,
    doc_timeout: float | None = None,
    memory_mb: float | None = 4096,
    quiet: bool = True,
    keep_parts: bool = False,
    started: Workers | None = None,
    stop: Any = None,
) -> TextRun:
    """Process ``reports`` and write ``out`` (Parquet, atomically); returns the rows and counts.
    ``started``: the local workers, started beforehand (:class:`nqp.jobs.pool.Workers`);
    ``stop``: a ``threading.Event`` that ends the local run when set (``run_local``)."""
    t0 = time.perf_counter()
    out = Path(out)
    store = PartStore(out, cfg.fingerprint())
    done_keys = store.done_keys()
    all_keys = [_doc_key(r) for r in reports]
    todo = [r for r, k in zip(reports, all_keys) if k not in done_keys]
    keys = [k for k in all_keys if k not in done_keys]
    resumed = len(reports) - len(todo)
    parts = [todo[i : i + partition_size] for i in range(0, len(todo), partition_size)]
    timeout = doc_timeout if doc_timeout is not None else cfg.limits.seconds * 1.5 + 5
    with progress_bar("annual reports", len(todo), "docs", quiet) as bar:
        if scheduler:
            for i, res in run_dask(process_partition, parts, address=scheduler, context=cfg):
                part = parts[i]
                if isinstance(res, Failure):
                    res = [failed_row(r, res.reason, res.message) for r in part]
                part_keys = keys[i * partition_size : (i + 1) * partition_size]
                store.write(_part_table(res, part_keys), part_keys)
                bar.advance(len(part))
        else:
            left = [len(part) for part in parts]  # documents of each partition not back yet
            buffers: dict[int, dict[int, dict[str, object]]] = {}
            for i, res in run_local(process_report, todo, context=cfg, workers=workers, timeout=timeout,
                                    memory_mb=memory_mb, batch_size=min(partition_size, BATCH), started=started,
                                    stop=stop):
                if isinstance(res, Failure):
                    res = failed_row(todo[i], res.reason, res.message)
                p = i // partition_size
                buffers.setdefault(p, {})[i] = res
                left[p] -= 1
                bar.advance()
                if not left[p]:
                    done = buffers.pop(p)
                    idx = sorted(done)
                    store.write(_part_table([done[j] for j in idx], [keys[j] for j in idx]), [keys[j] for j in idx])
    rows = store.read_all()
    wanted = set(all_keys)
    timings = pd.DataFrame(columns=["stkcd", "year", "file", TIMING])
    if not rows.empty:
        rows = rows[[k in wanted for k in rows["_key"]]].drop_duplicates("_key")  # (faster than Series.isin)
        rows = rows.sort_values(KEY, kind="stable").drop(columns="_key").reset_index(drop=True)
        rows["year"] = rows["year"].astype("int64")
        if TIMING in rows:  # timings belong in the run's report, not in the (byte-reproducible) output
            timings = rows[["stkcd", "year", "file", TIMING]].reset_index(drop=True)
            rows = rows.drop(columns=TIMING)
        if "section_found" in rows:
            rows["section_found"] = rows["section_found"].astype("boolean")
        for c in rows.columns:
            if c in INT_COLS or c.endswith(("_hits", "_chars", "_negated")):
                rows[c] = rows[c].astype("Int64")
        front = [c for c in FRONT if c in rows.columns]
        rows = rows[front + [c for c in rows.columns if c not in front and c not in BACK] +
                    [c for c in BACK if c in rows.columns]]
    atomic_write_parquet(rows, out)
    if not keep_parts:
        store.remove()
    failed = int((rows["status"] != "ok").sum()) if not rows.empty else 0
    return TextRun(rows, done=len(todo), failed=failed, resumed=resumed, seconds=time.perf_counter() - t0,
                   timings=timings, discarded_checkpoints=store.discarded)


@dataclass
class TextStageReport:
    """What :func:`text_stage` did: the run, the files not used, the problem list and warnings."""

    run: TextRun
    out: Path
    problems_path: Path
    problems: pd.DataFrame
    reports: int  # report files found (after de-duplication)
    skipped: list[Skipped] = field(default_factory=list)
    db: Path | None = None
    unknown_firms: int | None = None  # reports of firms not in the warehouse (None: not checked)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> pd.DataFrame:
        return self.run.rows

    @property
    def ok(self) -> int:
        return int((self.rows["status"] == "ok").sum()) if not self.rows.empty else 0

    @property
    def without_section(self) -> int:
        """Reports processed whole because no MD&A heading was found."""
        if self.rows.empty or "section_found" not in self.rows:
            return 0
        return int((~self.rows["section_found"].fillna(False).astype(bool)).sum() - self.run.failed)


PROBLEM_COLUMNS = ["stkcd", "year", "file", "reason", "message"]


def text_config(*, dicts: Sequence[str | Path] = (), negation: bool = False, negation_scope: str = "adjacent",
                jieba: bool = False, timeout: float = 120.0, max_pages: int = 2000) -> TextConfig:
    """The :class:`TextConfig` of :func:`text_stage`'s options (the same defaults)."""
    from nqp.text.dictionary import load_dictionaries
    from nqp.text.extract import Limits
    from nqp.text.measures import CountingOptions

    return TextConfig(
        dictionaries=tuple(load_dictionaries(list(dicts))),
        counting=CountingOptions(negation=negation, negation_scope=negation_scope, jieba=jieba),
        limits=Limits(seconds=timeout, max_pages=max_pages),
    )


def start_text_workers(workers: int | None = None) -> Workers:
    """The report workers of a :func:`text_stage` run with the default options, started now (a
    caller with a second of one core to spare before the reports exist: ``nqp demo`` while it
    writes them); hand them to ``text_stage(started=...)``."""
    return Workers(process_report, text_config(), _local_workers(workers))


def _local_workers(workers: int | None) -> int:
    """The local worker processes of a run: ``workers``, or one per CPU."""
    return workers or os.cpu_count() or 1


def text_stage(
    reports: str | Path | None,
    out: str | Path,
    *,
    db: str | Path | None = None,
    index: str | Path | None = None,
    dicts: Sequence[str | Path] = (),
    negation: bool = False,
    negation_scope: str = "adjacent",
    jieba: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    partition_size: int | None = None,
    timeout: float = 120.0,
    memory_mb: float = 4096.0,
    max_pages: int = 2000,
    keep_parts: bool = False,
    quiet: bool = True,
    window: tuple[int, int] | None = None,
    before_warehouse: Callable[[], None] | None = None,
    started: Workers | None = None,
    stop: Any = None,
) -> TextStageReport:
    """The ``nqp text`` stage: annual reports in ``reports`` (or those named by ``index``, a CSV
    of ``stkcd, year, file``) → ``out`` (Parquet, one row per firm-year) and
    ``<out>.problems.csv``; with ``db`` (an existing warehouse) also table ``text_measures``.

    Reports of fiscal years outside ``window`` (default: the study years of the panel
    definitions, 2010-2022) are processed but listed in the problems and the warnings.
    Raises :class:`MissingFileError` when the reports folder or the warehouse does not exist
    (a misspelt ``db`` never creates a new warehouse). ``before_warehouse``: called once the
    reports are processed and before ``db`` is checked and read -- ``nqp run`` processes the
    reports while the exports are still being ingested and waits there for the warehouse.
    ``started``: workers from :func:`start_text_workers`, used when their options are these
    (and no ``scheduler`` is given), else stopped; once the reports are processed they are
    stopped (should an error come before, the caller stops them: ``Workers.close``). ``stop``:
    see :func:`run_text`.
    """
    from nqp.atomic import atomic_write_csv
    from nqp.errors import MissingFileError
    from nqp.text.reports import read_index, scan_reports

    if reports is None and index is None:
        raise MissingFileError("give a reports folder or an index CSV", file=None)
    folder = Path(reports or ".")
    if reports is not None and not folder.is_dir():
        raise MissingFileError("reports folder does not exist", file=str(folder))
    def check_db() -> None:
        if db is not None and not Path(db).is_file():
            raise MissingFileError(f"warehouse {Path(db).name} does not exist (--db must name a warehouse that "
                                   "`nqp ingest` built); nothing was written", file=str(db))

    if before_warehouse is None:
        check_db()
    cfg = text_config(dicts=dicts, negation=negation, negation_scope=negation_scope, jieba=jieba, timeout=timeout,
                      max_pages=max_pages)
    n_workers = _local_workers(workers)
    if started is not None and (scheduler is not None or started.context != cfg):
        started.close()  # started for other options: not these
        started = None
    if started is not None:
        cfg = started.context
    elif scheduler is None:  # the local workers start (spawn, imports: ~1 s each) while the reports are listed
        started = Workers(process_report, cfg, n_workers)
    with started if started is not None else nullcontext():
        if index is not None:
            found, skipped = read_index(index, folder), []
        else:
            found, skipped = scan_reports(folder)
        res = run_text(found, cfg, out, workers=n_workers, scheduler=scheduler,
                       partition_size=partition_size or PARTITION, doc_timeout=timeout * 1.5 + 5, memory_mb=memory_mb,
                       quiet=quiet, keep_parts=keep_parts, started=started, stop=stop)
    rows = res.rows
    unknown = None
    if before_warehouse is not None:
        before_warehouse()
        if stop is not None and stop.is_set():  # the run was interrupted meanwhile: write nothing more
            raise KeyboardInterrupt("text_stage: stopped")
        check_db()
    if db is not None:
        from nqp.jobs.store import known_firms, upsert_table

        firms = known_firms(db)
        if firms is not None and not rows.empty:
            rows["firm_in_warehouse"] = rows["stkcd"].isin(firms)
            unknown = int((~rows["firm_in_warehouse"]).sum())
        if not rows.empty:
            upsert_table(db, "text_measures", rows, KEY)
    problems = [{"stkcd": r.stkcd, "year": r.year, "file": r.file, "reason": r.reason, "message": r.message}
                for r in res.failures.itertuples()]
    problems += [{"stkcd": "", "year": None, "file": s.path, "reason": "skipped: " + s.reason, "message": ""}
                 for s in skipped]
    if "firm_in_warehouse" in rows:
        problems += [{"stkcd": r.stkcd, "year": r.year, "file": r.file, "reason": "firm_not_in_warehouse",
                      "message": "report processed; no such firm in the warehouse"}
                     for r in rows.loc[~rows["firm_in_warehouse"]].itertuples()]
    if window is None:
        from nqp.panel.config import load_definitions

        st = load_definitions().settings
        window = (int(st["first_year"]), int(st["last_year"]))
    outside = [r for r in found if not window[0] <= r.year <= window[1]]
    problems += [{"stkcd": r.stkcd, "year": r.year, "file": Path(r.path).name, "reason": "outside_study_window",
                  "message": f"fiscal year {r.year} is outside the study years {window[0]}-{window[1]}"}
                 for r in outside]
    problems_path = Path(out).with_suffix(".problems.csv")
    frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    atomic_write_csv(frame, problems_path)
    warnings = []
    if res.failed:
        warnings.append(f"text: {res.failed} reports failed (listed in {problems_path.name})")
    if skipped:
        warnings.append(f"text: {len(skipped)} files in the reports folder not used (listed in {problems_path.name})")
    if outside:
        warnings.append(f"text: {len(outside)} reports of fiscal years outside {window[0]}-{window[1]} "
                        f"(listed in {problems_path.name})")
    if unknown:
        warnings.append(f"text: {unknown} reports of firms not in the warehouse")
    if db is not None and unknown is None:
        warnings.append("text: firms not checked (no company_profile in the warehouse)")
    if res.discarded_checkpoints:
        warnings.append("text: checkpoints of a run with other options were discarded")
    return TextStageReport(run=res, out=Path(out), problems_path=problems_path, problems=frame,
                           reports=len(found), skipped=list(skipped), db=Path(db) if db else None,
                           unknown_firms=unknown, warnings=warnings)
