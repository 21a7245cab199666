"""Write tables the way CSMAR (国泰安) exports them, driven by the mapping TOMLs.

The TOML of a table (``nqp/ingest/mapping/<name>.toml``) is the single source of the field
codes, Chinese labels and units: a frame with *semantic* column names is renamed to the
export's field codes, and for ``header_rows = "csmar"`` written as three header rows
(field code, Chinese label, unit) followed by the data, like a real CSMAR export
(see measurement-reference §7.1). Encodings: UTF-8 with BOM (default), GBK, tab-separated
``.txt``, ``.xlsx``. A ``<TABLE>[DES][<fmt>].txt`` sidecar lists ``Code [中文名]`` per line.

Every file is written to a temporary name and moved into place (atomic), and byte-for-byte
deterministic (xlsx zip timestamps are fixed).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from nqp.atomic import atomic_write_bytes
from nqp.errors import ConfigError
from nqp.ingest.mapping import FieldSpec, TableMapping, default_mappings

FIXED_ZIP_TIME = (2024, 5, 1, 0, 0, 0)


@lru_cache(maxsize=1)
def _shipped() -> dict[str, TableMapping]:
    return default_mappings()


def load_spec(name: str) -> TableMapping:
    """The shipped mapping of warehouse table ``name`` (read and validated by nqp.ingest)."""
    try:
        return _shipped()[name]
    except KeyError as exc:
        raise ConfigError(f"no shipped mapping for table {name!r}", table=name) from exc



def fixed_decimals(x: np.ndarray, decimals: int) -> pa.Array:
    """Numbers as fixed-point strings (``-1234.50``), NaN as null; no scientific notation."""
    x = np.asarray(x, dtype=float)
    nan = np.isnan(x)
    scale = 10**decimals
    m = np.rint(np.abs(np.where(nan, 0.0, x)) * scale).astype(np.int64)
    s = pc.cast(pa.array(m // scale), pa.string())
    if decimals:
        frac = pc.utf8_lpad(pc.cast(pa.array(m % scale), pa.string()), decimals, "0")
        s = pc.binary_join_element_wise(s, frac, ".")
    neg = pa.array((x < 0) & (m > 0))
    s = pc.if_else(neg, pc.binary_join_element_wise(pa.scalar("-"), s, ""), s)
    return pc.if_else(pa.array(nan), pa.scalar(None, pa.string()), s)


def _decimals(f: FieldSpec) -> int:
    return 2 if f.unit in ("元", "万千瓦时", "吨", "万立方米", "亿千瓦时") else 4


def _as_strings(df: pd.DataFrame, spec: TableMapping) -> pa.Table:
    cols = {}
    for f in spec.fields:
        if f.name not in df.columns:
            raise ConfigError(f"synthetic frame lacks column {f.name!r}", table=spec.name, column=f.name)
        s = df[f.name]
        if f.type == "float":
            cols[f.code] = fixed_decimals(s.to_numpy(dtype=float, na_value=np.nan), _decimals(f))
        elif f.type == "int":
            cols[f.code] = pc.cast(pa.array(s.astype("Int64")), pa.string())
        elif f.type == "bool" and not pd.api.types.is_string_dtype(s):
            cols[f.code] = pa.array(np.where(s.to_numpy(dtype=bool), "1", "0"))
        else:
            cols[f.code] = pa.array(s.astype(object).where(s.notna(), None), type=pa.string())
    return pa.table(cols)


def _header_lines(spec: TableMapping, sep: str) -> str:
    codes = sep.join(f.code for f in spec.fields)
    if spec.header_rows != "csmar":
        return codes + "\n"
    labels = sep.join(f.label_zh for f in spec.fields)
    units = sep.join(f.unit or "没有单位" for f in spec.fields)
    return f"{codes}\n{labels}\n{units}\n"


def csv_bytes(df: pd.DataFrame, spec: TableMapping, *, sep: str = ",", encoding: str = "utf-8-sig") -> bytes:
    """The export file's bytes: header row(s) then data, in ``encoding``."""
    table = _as_strings(df, spec)
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, write_options=pacsv.WriteOptions(
        include_header=False, delimiter=sep, quoting_style="needed"))
    body = buf.getvalue()
    head = _header_lines(spec, sep).encode("utf-8")
    if encoding in ("utf-8", "utf-8-sig"):
        bom = b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b""
        return bom + head + body
    return (head + body).decode("utf-8").encode(encoding)


def xlsx_bytes(df: pd.DataFrame, spec: TableMapping) -> bytes:
    """An .xlsx export: field-code row, label row, unit row, then typed cells."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.source)
    ws.append([f.code for f in spec.fields])
    ws.append([f.label_zh for f in spec.fields])
    ws.append([f.unit or "没有单位" for f in spec.fields])
    cols = []
    for f in spec.fields:
        s = df[f.name]
        if f.type == "float":
            v = np.round(s.to_numpy(dtype=float, na_value=np.nan), _decimals(f))
            cols.append([None if np.isnan(x) else float(x) for x in v])
        elif f.type == "int":
            cols.append([None if pd.isna(x) else int(x) for x in s])
        else:
            cols.append([None if pd.isna(x) else str(x) for x in s])
    for row in zip(*cols):
        ws.append(list(row))
    import datetime as _dt

    fixed = _dt.datetime(*FIXED_ZIP_TIME)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    raw = io.BytesIO()
    wb.save(raw)
    return _fix_zip_times(raw.getvalue())


def _fix_zip_times(data: bytes) -> bytes:
    """Rewrite a zip with constant entry timestamps so identical content gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock
                stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % FIXED_ZIP_TIME
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data)
            dst.writestr(zi, data)
    return out.getvalue()


def des_bytes(spec: TableMapping) -> bytes:
    """CSMAR's ``[DES]`` sidecar: one ``FieldCode [中文名]`` line per field (UTF-8 with BOM)."""
    lines = [f"{f.code} [{f.label_zh}]" + (f" - 单位: {f.unit}" if f.unit else "") for f in spec.fields]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class FileFormat:
    """How one table is exported: extension, separator, encoding."""

    ext: str = "csv"           # csv | txt | xlsx
    encoding: str = "utf-8-sig"
    sep: str = ","


def write_table(df: pd.DataFrame, name: str, out_dir: Path, fmt: FileFormat = FileFormat(),
                *, sidecar: bool = True) -> list[Path]:
    """Write warehouse table ``name`` (semantic columns) as its vendor export in ``out_dir``.

    Returns the paths written (data file, and the ``[DES]`` sidecar for CSMAR tables)."""
    spec = load_spec(name)
    path = out_dir / f"{spec.source}.{fmt.ext}"
    if fmt.ext == "xlsx":
        data = xlsx_bytes(df, spec)
    else:
        data = csv_bytes(df, spec, sep=fmt.sep, encoding=fmt.encoding)
    atomic_write_bytes(path, data)
    written = [path]
    if sidecar and spec.header_rows == "csmar":
        side = out_dir / f"{spec.source}[DES][{fmt.ext}].txt"
        atomic_write_bytes(side, des_bytes(spec))
        written.append(side)
    return written
