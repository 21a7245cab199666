"""The patent files of a synth run, drawn and written in one worker job.

:func:`patent_job` draws the IncoPat records (:func:`nqp.synth.patents.build_patents`, the
run's largest single piece of work) and writes ``patents/`` and ``truth/patents.parquet``
in a worker process while the main process draws and queues the tables and the reports; it
sends back only the digests and the per-firm-year counts that ``truth/firm_year.parquet``
needs, not the 459k records. Its draws come from the generator it is given alone, so the
files are the same in any process.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from nqp.synth import patents
from nqp.synth.outfiles import Written

# the columns of the firm-year frame that build_patents reads (only these are sent to the worker)
PANEL_COLUMNS = ["in_sample", "firm", "year", "n_ai_inv", "n_ai_um"]


def patent_job(root: Path, p: pd.DataFrame, firms: pd.DataFrame, subs: pd.DataFrame,
               rng: np.random.Generator) -> tuple[dict[str, tuple[int, str]], pd.DataFrame, int]:
    """Draw and write the patent files under ``root``; return their digests, the credited
    counts by (stkcd, year) (:func:`credited_counts`) and the number of records."""
    recs, fnames, truth = patents.build_patents(p, firms, subs, rng)
    out = Written(root)
    write_incopat(out, recs, fnames)
    out.parquet("truth/patents.parquet", truth)
    return out.hashes, credited_counts(truth), recs.num_rows


def credited_counts(truth: pd.DataFrame) -> pd.DataFrame:
    """AI patents, AI inventions and all patents credited to each (stkcd, year) after
    de-duplication by 申请号 (what lnAI must count); indexed by (stkcd, year)."""
    pt = truth.dropna(subset=["stkcd"]).drop_duplicates(["申请号", "stkcd"])
    pt = pt.assign(ai_inv=pt["is_ai"] & (pt["type"] == "发明"), one=1)
    cnt = pt.groupby(["stkcd", "year"])[["is_ai", "ai_inv", "one"]].sum()
    cnt.columns = ["ai_patents", "ai_invention", "patents_all"]
    return cnt


def write_incopat(o: Written, recs: pa.Table, fnames: pd.DataFrame) -> None:
    """IncoPat exports (UTF-8 with BOM) split by application year into three files."""
    year = pc.cast(pc.utf8_slice_codeunits(recs["申请日"], 0, 4), pa.int64())
    for lo, hi in ((2010, 2014), (2015, 2018), (2019, 2022)):
        part = recs.filter(pc.and_(pc.greater_equal(year, lo), pc.less_equal(year, hi)))
        if lo == 2019:  # the newer IncoPat template: 标题 (中文) / 摘要 (中文) beside the English title
            part = part.rename_columns([{"标题": "标题 (中文)", "摘要": "摘要 (中文)"}.get(c, c) for c in part.column_names])
            part = part.add_column(part.column_names.index("标题 (中文)") + 1, "标题 (英文)",
                                   pa.array([""] * part.num_rows, pa.string()))
        buf = io.BytesIO()
        pacsv.write_csv(part, buf, write_options=pacsv.WriteOptions(quoting_style="needed"))
        o.put(f"patents/incopat_{lo}-{hi}.csv", b"\xef\xbb\xbf" + buf.getvalue())
    buf = io.StringIO()
    fnames.to_csv(buf, index=False, lineterminator="\n")
    o.put("patents/firm_names.csv", buf.getvalue().encode("utf-8"))
