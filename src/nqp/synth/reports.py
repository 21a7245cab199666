"""The annual-report corpus (``reports/``) and its truth, rendered in chunks on worker processes.

:func:`plan_reports` makes every random draw of every report up front, from the one
``reports`` generator and in firm-year order (in the main process), so that the reports of a
chunk are a function of the chunk alone: the files do not depend on how the reports are cut
into chunks or on how many processes render them. :func:`render_chunk` composes a chunk's
reports (:mod:`nqp.synth.documents`), writes their files and returns their hashes and truth
sums; :func:`report_truth` puts the chunks' sums into ``truth/report_keywords.parquet``'s frame.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nqp.synth.documents import (AI_WORDS, ALL_TERMS, DATA_WORDS, INNOVATION_WORDS, compose_reports, mdna_heading,
                                 next_heading, write_pdf)
from nqp.synth.outfiles import digest

DRAWS_PER_REPORT = 192
META_COLUMNS = ["stkcd", "year", "file", "format", "encoding", "mdna_heading", "next_heading"]


@dataclass
class ReportChunk:
    """The inputs of consecutive reports: one entry per report in each list."""

    stkcd: list[str]
    year: list[int]
    full_name: list[str]
    short_name: list[str]
    n_innov: list[int]
    n_data: list[int]
    n_ai: list[int]
    draws: np.ndarray  # (reports, DRAWS_PER_REPORT) uniform draws
    file: list[str]  # name in reports/
    encoding: list[str]  # "utf-8" or "gbk"; "" for a PDF


@dataclass
class ChunkResult:
    """What :func:`render_chunk` wrote: ``hashes`` by relative path, and per report the summed
    line vectors of the MD&A body and of the whole report (see :func:`documents.line_counts`)."""

    hashes: dict[str, tuple[int, str]]
    mdna: np.ndarray
    full: np.ndarray


@dataclass
class ReportPlan:
    """The chunks to render and the truth's descriptive columns (one row per report)."""

    chunks: list[ReportChunk]
    meta: pd.DataFrame


def plan_reports(p: pd.DataFrame, firms: pd.DataFrame, names: pd.DataFrame, rng: np.random.Generator, *,
                 pdf_count: int = 8, announce: pd.DataFrame | None = None, chunk_size: int = 1000) -> ReportPlan:
    """Draw every report of the in-sample firm-years (about 0.4% are missing, 20% are GBK,
    ``pdf_count`` are PDFs) and cut them into chunks of ``chunk_size`` reports."""
    s = p[p["in_sample"]].reset_index(drop=True)
    fi = s["firm"].to_numpy()
    years = s["year"].to_numpy()
    n = len(s)
    n_innov = rng.poisson(s["lam_innov"].to_numpy())
    n_data = rng.poisson(s["lam_data"].to_numpy())
    n_ai = rng.poisson(s["lam_aiword"].to_numpy())
    draws = rng.random((n, DRAWS_PER_REPORT))
    gbk = rng.random(n) < 0.2
    missing = rng.random(n) < 0.004
    pdf_idx = set(rng.choice(np.flatnonzero(~missing), size=min(pdf_count, int((~missing).sum())), replace=False).tolist())
    stk = firms["stkcd"].to_numpy()[fi]
    cy = firms["name_change_year"].to_numpy()[fi]
    full = np.where((cy > 0) & (years < cy), firms["former_full_name"].to_numpy()[fi], firms["full_name"].to_numpy()[fi])
    nm = names.set_index(["firm", "year"])["short_name"]
    short = nm.reindex(pd.MultiIndex.from_arrays([fi, years])).to_numpy()
    ann = {}
    if announce is not None:
        a = announce[announce["report_type"] == 4]  # IAR_Rept: 4 = 年报
        ann = dict(zip(zip(a["stkcd"].tolist(), a["accper"].str[:4].astype(int).tolist()), a["announce_date"].tolist()))
    kept = np.flatnonzero(~missing)
    stk_kept, year_kept = stk[kept].astype(object), years[kept]
    year_text = year_kept.astype(str).astype(object)
    files = (stk_kept + "_" + year_text + ".txt").tolist()
    encodings = np.where(gbk[kept], "gbk", "utf-8").astype(object).tolist()
    formats = ["txt"] * len(kept)
    for at in np.flatnonzero(np.isin(kept, sorted(pdf_idx))).tolist():  # the few PDFs
        i = int(kept[at])
        if len(pdf_idx) > 1 and i % 2 == 0 and (stk[i], int(years[i])) in ann:
            files[at] = (f"{stk[i]}_{years[i]}_{short[i].replace('*', '')}_{years[i]}年年度报告_"
                         f"{ann[(stk[i], int(years[i]))]}.pdf")
        else:
            files[at] = f"{stk[i]}_{years[i]}.pdf"
        formats[at], encodings[at] = "pdf", ""
    headings = {int(y): (mdna_heading(int(y)), next_heading(int(y))) for y in np.unique(year_kept)}
    meta = pd.DataFrame({"stkcd": stk_kept, "year": year_kept.astype(np.int64),
                         "file": ["reports/" + f for f in files], "format": formats, "encoding": encodings,
                         "mdna_heading": [headings[y][0] for y in year_kept.tolist()],
                         "next_heading": [headings[y][1] for y in year_kept.tolist()]}, columns=META_COLUMNS)
    chunks = []
    for lo in range(0, len(kept), chunk_size):
        rows = kept[lo:lo + chunk_size]
        chunks.append(ReportChunk(stk[rows].tolist(), years[rows].tolist(), full[rows].tolist(), short[rows].tolist(),
                                  n_innov[rows].tolist(), n_data[rows].tolist(), n_ai[rows].tolist(), draws[rows],
                                  files[lo:lo + chunk_size], encodings[lo:lo + chunk_size]))
    return ReportPlan(chunks, meta)


def load_compiled() -> None:
    """Compile the report composer's numba loops, or load them from numba's on-disk cache (about
    half a CPU second a process even when cached), in this process: forked workers inherit them
    instead of each loading (or on a first run compiling) them again."""
    compose_reports(["000001"], [2021], ["示例股份有限公司"], ["示例"], [1], [1], [1], np.zeros((1, DRAWS_PER_REPORT)))


def render_chunk(chunk: ReportChunk, folder: Path) -> ChunkResult:
    """Compose the chunk's reports and write each as ``folder/<file>`` (TXT in its encoding,
    or PDF); the hashes are keyed ``reports/<file>``."""
    composed = compose_reports(chunk.stkcd, chunk.year, chunk.full_name, chunk.short_name, chunk.n_innov,
                               chunk.n_data, chunk.n_ai, chunk.draws)
    hashes: dict[str, tuple[int, str]] = {}
    folder_fd = os.open(folder, os.O_RDONLY)  # files created relative to it: no path lookup each
    try:
        for r, name in enumerate(chunk.file):
            lines = composed.lines(r)
            enc = chunk.encoding[r]
            if enc:
                data = ("\n".join(lines) + "\n").encode(enc)
            else:
                data = write_pdf(lines, composed.noise(r), composed.running[r])
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666, dir_fd=folder_fd)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            hashes[f"reports/{name}"] = digest(data)
    finally:
        os.close(folder_fd)
    return ChunkResult(hashes, composed.mdna, composed.full)


def report_truth(meta: pd.DataFrame, results: list[ChunkResult]) -> pd.DataFrame:
    """The truth frame: ``meta`` and, per report, characters and (negated) term counts of
    the MD&A body and of the whole report, from the chunks' sums (in chunk order)."""
    width = 1 + 2 * len(ALL_TERMS)
    ms = np.vstack([r.mdna for r in results]) if results else np.zeros((0, width), dtype=np.int64)
    fs = np.vstack([r.full for r in results]) if results else np.zeros((0, width), dtype=np.int64)
    tr = meta.copy()
    tr["mdna_chars"], tr["full_chars"] = ms[:, 0], fs[:, 0]
    k = len(ALL_TERMS)
    for j, term in enumerate(ALL_TERMS):
        tr[f"mdna:{term}"] = ms[:, 1 + j]
        tr[f"full:{term}"] = fs[:, 1 + j]
        tr[f"mdna_neg:{term}"] = ms[:, 1 + k + j]
    tr["innov_kw_chars_mdna"] = sum(tr[f"mdna:{w}"] * len(w) for w in INNOVATION_WORDS)
    tr["data_kw_count_full"] = sum(tr[f"full:{w}"] for w in DATA_WORDS)
    tr["ai_kw_count_full"] = sum(tr[f"full:{w}"] for w in AI_WORDS)
    return tr
