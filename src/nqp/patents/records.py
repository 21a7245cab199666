"""Reading patent records (IncoPat exports: CSV, XLSX, XLS or Parquet) into one Arrow table.

Columns (``nqp/ingest/mapping/README.md``, "Documents"): 申请号, 申请日, 标题 (or 标题 (中文)),
摘要 (or 摘要 (中文)), IPC主分类, IPC, 专利类型, 申请人, 公开（公告）号 -- renamed here to app_no, app_date, title, abstract,
ipc_main, ipc, ptype, applicants, pub_no (the English names are accepted as they are). Every
value is read as text; the record's position (``rec``, from 0 over all files) lets problems
be traced to a row. Duplicates by normalised application number (upper case, no spaces, dots
or leading "CN") are removed, the first one kept, and counted.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nqp.errors import EmptyInputError, InputError, MissingFileError, SchemaError

# Header spellings of each column (compared by nqp.ingest.validate.header_key: NFKC, no
# spaces, lower case), first the user-facing name used in messages. Newer IncoPat templates
# write 标题 (中文) / 摘要 (中文) beside 标题 (英文) / 摘要 (英文); older ones 标题 / 摘要.
HEADERS = {
    "app_no": ("申请号",), "app_date": ("申请日",), "title": ("标题", "标题 (中文)"),
    "abstract": ("摘要", "摘要 (中文)"), "ipc_main": ("IPC主分类",), "ipc": ("IPC",), "ptype": ("专利类型",),
    "applicants": ("申请人",), "pub_no": ("公开（公告）号", "公开(公告)号"),
}
REQUIRED = ("app_no", "app_date", "title", "ipc_main", "ipc", "ptype", "applicants")
OPTIONAL = ("abstract", "pub_no")
SUFFIXES = (".csv", ".xlsx", ".xls", ".parquet")


def _renames(columns: list[str]) -> dict[str, str]:
    """File column -> internal name (the English names are accepted as they are)."""
    from nqp.ingest.validate import header_key

    keys = {header_key(c): c for c in reversed(columns)}
    out: dict[str, str] = {}
    for name, spellings in HEADERS.items():
        for h in (*spellings, name):
            col = keys.get(header_key(h))
            if col is not None and col not in out:
                out[col] = name
                break
    return out


def patent_files(path: str | Path) -> list[Path]:
    """The input files: ``path`` itself, or in a folder every incopat_*.csv|xlsx|xls|parquet."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.name.lower().startswith("incopat_")
                       and f.suffix.lower() in SUFFIXES)
        if not files:
            raise MissingFileError("no incopat_*.csv/.xlsx/.xls/.parquet files in the folder", file=str(p))
        return files
    if not p.exists():
        raise MissingFileError("patent file does not exist", file=str(p))
    return [p]


def _read_one(f: Path) -> pa.Table:
    ext = f.suffix.lower()
    if ext == ".parquet":
        import pyarrow.parquet as pq

        t = pq.read_table(f)
    elif ext in (".xlsx", ".xls"):
        from nqp.ingest.readers import read_excel_export

        raw = read_excel_export(f)
        t = raw.records.rename_columns(raw.columns)
    else:
        import pyarrow.csv as pcsv

        from nqp.ingest.encoding import detect_encoding

        with open(f, "rb") as fh:
            head = fh.read(1 << 20)
        enc = detect_encoding(head[: head.rfind(b"\n") + 1] or head, str(f))
        first = head.split(b"\n", 1)[0].decode(enc, errors="replace").lstrip("\ufeff").rstrip("\r")
        names = next(csv.reader([first]))
        # Arrow decodes UTF-8 itself (and skips a byte-order mark); a codec name such as
        # "utf-8-sig" would send every byte through Python's decoder, twice as slow
        arrow_enc = "utf8" if enc in ("utf-8", "utf-8-sig") else enc
        try:
            t = pcsv.read_csv(f, read_options=pcsv.ReadOptions(encoding=arrow_enc, block_size=1 << 22),
                              convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                                  strings_can_be_null=False))
        except pa.ArrowInvalid as exc:
            # the encoding was judged on the first megabyte: a bad byte further on is named by
            # detect_encoding (offset and line) from the whole file; otherwise Arrow's reason
            detect_encoding(f.read_bytes(), str(f))
            raise InputError(f"{f.name}: the CSV could not be read: {exc}", file=str(f)) from None
    rename = _renames(t.column_names)
    missing = [HEADERS[c][0] for c in REQUIRED if c not in rename.values()]
    if missing:
        raise SchemaError(f"{f.name}: the patent export lacks column(s) {', '.join(missing)} (accepted spellings: "
                          + "; ".join(" / ".join(HEADERS[c]) for c in REQUIRED if HEADERS[c][0] in missing)
                          + f"). Columns in the file: {', '.join(t.column_names[:30])}", file=str(f),
                          column=missing[0])
    keep = [c for c in t.column_names if c in rename]
    t = t.select(keep).rename_columns([rename[c] for c in keep])
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
        t = t.append_column("file", pa.array(np.full(t.num_rows, i, dtype=np.int32)))
        tables.append(t)
    t = pa.concat_tables(tables).combine_chunks()
    if t.num_rows == 0:
        raise EmptyInputError("no patent records", file=str(path))
    return t.append_column("rec", pa.array(np.arange(t.num_rows, dtype=np.int64)))


def normalize_app_no(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Application numbers compared upper case without spaces, dots and a leading "CN"."""
    s = pc.utf8_upper(col)
    for ch in (" ", ".", "．", "\t"):
        if pc.any(pc.match_substring(s, ch)).as_py():  # a pass only for the characters present
            s = pc.replace_substring(s, ch, "")
    return pc.if_else(pc.starts_with(s, "CN"), pc.utf8_slice_codeunits(s, 2), s)


def drop_duplicates(t: pa.Table) -> tuple[pa.Table, pa.Table]:
    """(first record of each application number, the dropped duplicates): of the records sharing
    a normalised number the one with the lowest ``rec`` is kept; records without a number are
    all kept (and reported) rather than merged."""
    key = normalize_app_no(t["app_no"])
    if isinstance(key, pa.ChunkedArray):
        key = key.combine_chunks()
    t = t.append_column("app_key", key)
    codes = key.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    rec = t["rec"].to_numpy()
    by_key = np.lexsort((rec, codes))  # each number's records, lowest rec first
    first = np.ones(len(by_key), dtype=bool)
    first[1:] = codes[by_key][1:] != codes[by_key][:-1]
    keep = np.zeros(t.num_rows, dtype=bool)
    keep[by_key[first]] = True
    keep |= pc.equal(key, "").to_numpy(zero_copy_only=False)
    if keep.all():
        return t, t.slice(0, 0)
    mask = pa.array(keep)
    return t.filter(mask), t.filter(pc.invert(mask))
