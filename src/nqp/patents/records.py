"""Reading patent records (IncoPat exports: CSV, XLSX or Parquet) into one Arrow table.

Columns (``nqp/ingest/mapping/README.md``, "Documents"): 申请号, 申请日, 标题, 摘要, IPC主分类,
IPC, 专利类型, 申请人, 公开（公告）号 -- renamed here to app_no, app_date, title, abstract,
ipc_main, ipc, ptype, applicants, pub_no (the English names are accepted as they are). Every
value is read as text; the record's position (``rec``, from 0 over all files) lets problems
be traced to a row. Duplicates by normalised application number (upper case, no spaces, dots
or leading "CN") are removed, the first one kept, and counted.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from nqp.errors import EmptyInputError, MissingFileError, SchemaError

COLUMNS = {
    "申请号": "app_no", "申请日": "app_date", "标题": "title", "摘要": "abstract", "IPC主分类": "ipc_main",
    "IPC": "ipc", "专利类型": "ptype", "申请人": "applicants", "公开（公告）号": "pub_no", "公开(公告)号": "pub_no",
}
REQUIRED = ("app_no", "app_date", "title", "ipc_main", "ipc", "ptype", "applicants")
OPTIONAL = ("abstract", "pub_no")


def patent_files(path: str | Path) -> list[Path]:
    """The input files: ``path`` itself, or in a folder every incopat_*.csv|xlsx|parquet."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.name.lower().startswith("incopat_")
                       and f.suffix.lower() in (".csv", ".xlsx", ".parquet"))
        if not files:
            raise MissingFileError("no incopat_*.csv/.xlsx/.parquet files in the folder", file=str(p))
        return files
    if not p.exists():
        raise MissingFileError("patent file does not exist", file=str(p))
    return [p]


def _read_one(f: Path) -> pa.Table:
    ext = f.suffix.lower()
    if ext == ".parquet":
        import pyarrow.parquet as pq

        t = pq.read_table(f)
    elif ext == ".xlsx":
        import pandas as pd

        t = pa.Table.from_pandas(pd.read_excel(f, dtype=str).fillna(""), preserve_index=False)
    else:
        import pyarrow.csv as pcsv

        from nqp.ingest.encoding import detect_encoding

        with open(f, "rb") as fh:
            head = fh.read(1 << 20)
        enc = detect_encoding(head[: head.rfind(b"\n") + 1] or head, str(f))
        first = head.split(b"\n", 1)[0].decode(enc, errors="replace").lstrip("\ufeff").rstrip("\r")
        names = next(csv.reader([first]))
        t = pcsv.read_csv(f, read_options=pcsv.ReadOptions(encoding=enc, block_size=1 << 24),
                          convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                              strings_can_be_null=False))
    rename = {c: COLUMNS.get(c.strip().lstrip("\ufeff"), c.strip().lstrip("\ufeff")) for c in t.column_names}
    t = t.rename_columns([rename[c] for c in t.column_names])
    for col in REQUIRED:
        if col not in t.column_names:
            raise SchemaError("patent file lacks a column (see nqp/ingest/mapping/README.md)", file=str(f),
                              column=col)
    cols = {}
    for col in REQUIRED + OPTIONAL:
        if col in t.column_names:
            cols[col] = pc.fill_null(t[col].cast(pa.string()), "")
        else:
            cols[col] = pa.array([""] * t.num_rows, pa.string())
    return pa.table(cols)


def read_patents(path: str | Path) -> pa.Table:
    """All records of the input, with ``rec`` (position) and ``file`` columns."""
    tables = []
    for i, f in enumerate(patent_files(path)):
        t = _read_one(f)
        t = t.append_column("file", pa.array([i] * t.num_rows, pa.int32()))
        tables.append(t)
    t = pa.concat_tables(tables).combine_chunks()
    if t.num_rows == 0:
        raise EmptyInputError("no patent records", file=str(path))
    return t.append_column("rec", pa.array(range(t.num_rows), pa.int64()))


def normalize_app_no(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Application numbers compared upper case without spaces, dots and a leading "CN"."""
    s = pc.utf8_upper(col)
    for ch in (" ", ".", "．", "\t"):
        s = pc.replace_substring(s, ch, "")
    return pc.if_else(pc.starts_with(s, "CN"), pc.utf8_slice_codeunits(s, 2), s)


def drop_duplicates(t: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(first record of each application number, the dropped duplicates)."""
    key = normalize_app_no(t["app_no"])
    t = t.append_column("app_key", key)
    firsts = t.group_by("app_key", use_threads=False).aggregate([("rec", "min")])
    keep = pc.is_in(t["rec"], value_set=firsts["rec_min"])
    empty = pc.equal(key, "")
    keep = pc.or_(keep, empty)  # records without a number are kept (and reported) rather than merged
    return t.filter(keep), t.filter(pc.invert(keep))
