"""Write tables the way CSMAR (国泰安) exports them, driven by the mapping TOMLs.

The TOML of a table (``nqp/ingest/mapping/<name>.toml``) is the single source of the field
codes, Chinese labels and units: a frame with *semantic* column names is renamed to the
export's field codes, and for ``header_rows = "csmar"`` written as three header rows
(field code, Chinese label, unit) followed by the data, like a real CSMAR export
(see measurement-reference §7.1). Encodings: UTF-8 with BOM (default), GBK, tab-separated
``.txt``, ``.xlsx``. A ``<TABLE>[DES][<fmt>].txt`` sidecar lists ``Code [中文名]`` per line.

Every file's bytes are byte-for-byte deterministic (xlsx zip timestamps are fixed);
:class:`nqp.synth.outfiles.Written` writes them (atomically: temporary name, then moved into place).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

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
    """Numbers as fixed-point strings (``-1234.50``), NaN as null; no scientific notation.

    The numbers rounded to ``decimals`` places (half to even) become the unscaled values of an
    Arrow decimal128 array, which Arrow's cast prints in fixed-point notation (scientific only
    where the exponent is below -6, never at these scales); a number that rounds to zero
    prints without a sign."""
    x = np.asarray(x, dtype=float)
    nan = np.isnan(x)
    unscaled = np.rint(np.where(nan, 0.0, x) * 10**decimals).astype(np.int64)
    words = np.empty((len(x), 2), dtype=np.int64)  # little-endian 128-bit integers: low word, sign word
    words[:, 0] = unscaled
    words[:, 1] = unscaled >> 63
    valid = pa.py_buffer(np.packbits(~nan, bitorder="little")) if nan.any() else None
    numbers = pa.Array.from_buffers(pa.decimal128(38, decimals), len(x), [valid, pa.py_buffer(words)])
    return pc.cast(numbers, pa.string())


def _decimals(f: FieldSpec) -> int:
    return 2 if f.unit in ("元", "万千瓦时", "吨", "万立方米", "亿千瓦时") else 4


# values that a mapping's [filter] drops: decoy rows carry them (母公司 statements, IPO-prospectus rows)
DECOY_VALUES = {"StateTypeCode": "2", "Source": "1", "Typrep": "B"}
FILTER_LABELS = {"StateTypeCode": "报表类型编码", "Source": "数据来源", "Typrep": "报表类型"}


def export_frame(df: pd.DataFrame, spec: TableMapping) -> tuple[list[FieldSpec], pd.DataFrame]:
    """The columns a real export of ``spec`` has and its rows, from a frame of semantic columns.

    - a ``[long]`` table is melted: one row per firm, date and spread field (category code,
      detail text = the field's Chinese label, value, unit), missing values left out; every
      40th head count is written in 万人 (value / 10000) and every 10th firm-date gets one row of
      a category no field takes, as real exports have;
    - ``aggregate = "sum"``: every 6th row is split in two (interim and final: 40% + 60%) and
      every 9th row gets an extra row with empty amounts (a 送转-only plan);
    - ``[filter]`` columns are added with their kept value, and every 5th row is repeated with
      a value the filter drops (numbers × 0.7) so that reading without the filter goes wrong.
    The frame's columns are the returned specs' names."""
    read = list(spec.read_fields)
    if spec.long is not None:
        cols, out = _melt(df, spec)
    else:
        cols, out = read, df[[f.name for f in read]].reset_index(drop=True)
    if spec.aggregate == "sum":
        out = _split_rows(out, spec)
    for code, kept in spec.filters:
        name = f"_filter_{code}"
        out[name] = kept[0]
        decoy = out.iloc[::5].copy()
        decoy[name] = DECOY_VALUES.get(code, "9")
        for f in cols:
            if f.type == "float" and f.name not in spec.key:
                decoy[f.name] = decoy[f.name] * 0.7
        out = pd.concat([out, decoy]).sort_index(kind="stable").reset_index(drop=True)
        cols = cols + [FieldSpec(code=code, name=name, type="str", label_zh=FILTER_LABELS.get(code, code))]
    return cols, out


def export_columns(df: pd.DataFrame, spec: TableMapping) -> pd.DataFrame:
    """The columns of ``df`` that the export of ``spec`` reads (the fields of its mapping),
    e.g. to send a table to a worker process without the rest of a wide frame."""
    wanted = {f.name for f in spec.fields}
    return df[[c for c in df.columns if c in wanted]]


def _melt(df: pd.DataFrame, spec: TableMapping) -> tuple[list[FieldSpec], pd.DataFrame]:
    lg = spec.long
    keys = [f for f in spec.read_fields]
    base = df[[f.name for f in keys]].reset_index(drop=True)
    parts = []
    for order, f in enumerate(f for f in spec.fields if f.spread):
        part = base.copy()
        part["_category"] = f.category[0] if f.category else ""
        part["_detail"] = f.label_zh if any(d in f.label_zh for d in f.detail) else (f.detail[0] if f.detail else f.label_zh)
        part["_value"] = df[f.name].to_numpy(dtype=float, na_value=np.nan)
        part["_order"], part["_row"] = order, np.arange(len(part))
        parts.append(part[part["_value"].notna()])
    if lg.category is not None:  # a category no field takes (e.g. P5702 离退休人员)
        other = base.iloc[::10].copy()
        other["_category"], other["_detail"], other["_value"] = "P5702", "离退休人员", 3.0
        other["_order"], other["_row"] = len(parts), np.arange(0, len(base), 10)
        parts.append(other)
    elif lg.detail is not None:  # an item no field takes
        other = base.iloc[::10].copy()
        other["_category"], other["_detail"], other["_value"] = "", "折旧与摊销", 1000.0
        other["_order"], other["_row"] = len(parts), np.arange(0, len(base), 10)
        parts.append(other)
    out = pd.concat(parts, ignore_index=True).sort_values(["_row", "_order"], kind="stable").reset_index(drop=True)
    cols = list(keys)
    if lg.category is not None:
        cols.append(FieldSpec(code=lg.category.code, name="_category", type="str", label_zh="类别编码"))
    if lg.detail is not None and (lg.category is None or lg.detail.code != lg.category.code):
        cols.append(FieldSpec(code=lg.detail.code, name="_detail", type="str", label_zh="明细"))
    unit_name = next((u for u, _ in lg.units if _ == 1.0), "")
    value_unit = next((f.unit for f in spec.fields if f.spread and f.unit), "")
    cols.append(FieldSpec(code=lg.value.code, name="_value", type="float", label_zh="数量/金额", unit=value_unit))
    if lg.unit is not None:
        big = next(((u, k) for u, k in lg.units if k > 1), None)
        out["_unit"] = unit_name
        if big is not None:
            pick = (np.arange(len(out)) % 40 == 7) & (out["_value"].to_numpy() % big[1] != 0)
            out.loc[pick, "_value"] = out.loc[pick, "_value"] / big[1]
            out.loc[pick, "_unit"] = big[0]
        cols.append(FieldSpec(code=lg.unit.code, name="_unit", type="str", label_zh="单位"))
    return cols, out.drop(columns=["_order", "_row"])


def _split_rows(out: pd.DataFrame, spec: TableMapping) -> pd.DataFrame:
    num = [f for f in spec.read_fields if f.type == "float" and f.name not in spec.key]
    first = out.iloc[::6].copy()
    second = first.copy()
    for f in num:
        d = _decimals(f)
        v = first[f.name].to_numpy(dtype=float)
        a = np.round(v * 0.4, d)
        first[f.name], second[f.name] = a, np.round(v - a, d)
    rest = out.drop(index=first.index)
    empty = out.iloc[::9].copy()
    for f in num:
        empty[f.name] = np.nan
    parts = pd.concat([rest, first, second.set_axis(second.index + 0.5), empty.set_axis(empty.index + 0.75)])
    return parts.sort_index(kind="stable").reset_index(drop=True)


def _as_strings(df: pd.DataFrame, cols: list[FieldSpec]) -> pa.Table:
    out = {}
    for f in cols:
        if f.name not in df.columns:
            raise ConfigError(f"synthetic frame lacks column {f.name!r}", column=f.name)
        s = df[f.name]
        if f.type == "float":
            out[f.code] = fixed_decimals(s.to_numpy(dtype=float, na_value=np.nan), _decimals(f))
        elif f.type == "int":
            out[f.code] = pc.cast(pa.array(s.astype("Int64")), pa.string())
        elif f.type == "bool" and not pd.api.types.is_string_dtype(s):
            out[f.code] = pa.array(np.where(s.to_numpy(dtype=bool), "1", "0"))
        elif isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
            out[f.code] = pc.cast(pa.array(s.array), pa.string())  # the Arrow strings as they are
        else:
            out[f.code] = pa.array(s.astype(object).where(s.notna(), None), type=pa.string())
    return pa.table(out)


def _header_lines(spec: TableMapping, cols: list[FieldSpec], sep: str, header: str) -> str:
    if header == "labels":  # CSMAR's export with 字段名称 (Chinese field names) as the one header row
        return sep.join(f.label_zh or f.code for f in cols) + "\n"
    codes = sep.join(f.code for f in cols)
    if spec.header_rows != "csmar":
        return codes + "\n"
    labels = sep.join(f.label_zh for f in cols)
    units = sep.join(f.unit or "没有单位" for f in cols)
    return f"{codes}\n{labels}\n{units}\n"


def csv_bytes(df: pd.DataFrame, spec: TableMapping, *, sep: str = ",", encoding: str = "utf-8-sig",
              header: str = "codes") -> bytes:
    """The export file's bytes: header row(s) then data, in ``encoding``."""
    cols, frame = export_frame(df, spec)
    table = _as_strings(frame, cols)
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, write_options=pacsv.WriteOptions(
        include_header=False, delimiter=sep, quoting_style="needed"))
    body = buf.getvalue()
    head = _header_lines(spec, cols, sep, header).encode("utf-8")
    if encoding in ("utf-8", "utf-8-sig"):
        bom = b"\xef\xbb\xbf" if encoding == "utf-8-sig" else b""
        return bom + head + body
    return (head + body).decode("utf-8").encode(encoding)


def _typed_columns(frame: pd.DataFrame, cols: list[FieldSpec]) -> list[list]:
    """Each column's cells as Python values (float, int or str; None where missing)."""
    out = []
    for f in cols:
        s = frame[f.name]
        if f.type == "float":
            v = np.round(s.to_numpy(dtype=float, na_value=np.nan), _decimals(f))
            out.append([None if x != x else x for x in v.tolist()])  # x != x: NaN
        else:
            missing = s.isna().to_numpy().tolist()
            convert = int if f.type == "int" else str
            out.append([None if m else convert(x) for x, m in zip(s.tolist(), missing)])
    return out


def xlsx_bytes(df: pd.DataFrame, spec: TableMapping) -> bytes:
    """An .xlsx export: field-code row, label row, unit row, then typed cells."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    cols, frame = export_frame(df, spec)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.source)
    ws.append([f.code for f in cols])
    ws.append([f.label_zh for f in cols])
    ws.append([f.unit or "没有单位" for f in cols])
    for row in zip(*_typed_columns(frame, cols)):
        ws.append(list(row))
    import datetime as _dt

    fixed = _dt.datetime(*FIXED_ZIP_TIME)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    raw = io.BytesIO()
    # openpyxl's own writer into an uncompressed zip: _fix_zip_times compresses each part once
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    return _fix_zip_times(raw.getvalue())


def xls_bytes(df: pd.DataFrame, spec: TableMapping) -> bytes:
    """A legacy .xls (BIFF8) export, as older CSMAR downloads are: the three header rows, then
    typed cells (xlwt writes no timestamps: the bytes are deterministic)."""
    import xlwt

    cols, frame = export_frame(df, spec)
    if len(frame) + 3 > 65536:
        raise ConfigError(f"{spec.source}: {len(frame)} rows do not fit an .xls sheet", table=spec.name)
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(spec.source[:31])
    for j, f in enumerate(cols):
        ws.write(0, j, f.code)
        ws.write(1, j, f.label_zh)
        ws.write(2, j, f.unit or "没有单位")
    _write_xls_cells(wb, ws, _typed_columns(frame, cols), first_row=3)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_xls_cells(wb, ws, columns: list[list], first_row: int) -> None:
    """Write the cells of ``columns`` (None: no cell) column by column, as ``ws.write(row, col,
    value)`` would, with the default style: the last cell of each row goes through xlwt's
    ``Row.write`` (which sets the row's column bounds and height), the others are inserted as
    xlwt's own cell objects with the default style's XF index, without ``Row.write``'s per-cell
    style lookup and type dispatch. Rows are created in the same order and strings enter the
    shared string table in the same order, so the file's bytes are those of ``ws.write``."""
    from xlwt import Style
    from xlwt.Cell import BlankCell, NumberCell, StrCell

    xf = wb.add_style(Style.default_style)
    last = [-1] * max((len(c) for c in columns), default=0)
    for j, values in enumerate(columns):
        for i, v in enumerate(values):
            if v is not None:
                last[i] = j
    rows = [None] * len(last)  # xlwt's Row of each data row, made (by ws.row) at its first cell
    for j, values in enumerate(columns):
        for i, v in enumerate(values):
            if v is None:
                continue
            rowx = first_row + i
            row = rows[i]
            if row is None:
                row = rows[i] = ws.row(rowx)
            if last[i] == j:
                row.write(j, v)
            elif isinstance(v, str):
                row.insert_cell(j, StrCell(rowx, j, xf, wb.add_str(v)) if v else BlankCell(rowx, j, xf))
            else:
                row.insert_cell(j, NumberCell(rowx, j, xf, v))


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
    """CSMAR's ``[DES]`` sidecar: one ``FieldCode [中文名]`` line per column (UTF-8 with BOM)."""
    cols = list(spec.read_fields)
    if spec.long is not None:
        cols += [c for c in (spec.long.category, spec.long.detail, spec.long.value, spec.long.unit) if c]
    cols += [FieldSpec(code=c, name=c, type="str", label_zh=FILTER_LABELS.get(c, c)) for c, _ in spec.filters]
    lines = [f"{f.code} [{f.label_zh}]" + (f" - 单位: {f.unit}" if f.unit else "") for f in cols]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class FileFormat:
    """How one table is exported: extension, separator, encoding, header (field codes with
    CSMAR's descriptive rows, or one row of Chinese field names)."""

    ext: str = "csv"           # csv | txt | xlsx | xls
    encoding: str = "utf-8-sig"
    sep: str = ","
    header: str = "codes"      # codes | labels


def table_files(df: pd.DataFrame, name: str, fmt: FileFormat = FileFormat(), *,
                sidecar: bool = True) -> list[tuple[str, bytes]]:
    """The files of warehouse table ``name`` (semantic columns) as its vendor export: (file
    name, bytes) of the data file, and of the ``[DES]`` sidecar for CSMAR tables."""
    spec = load_spec(name)
    if fmt.ext == "xlsx":
        data = xlsx_bytes(df, spec)
    elif fmt.ext == "xls":
        data = xls_bytes(df, spec)
    else:
        data = csv_bytes(df, spec, sep=fmt.sep, encoding=fmt.encoding, header=fmt.header)
    files = [(f"{spec.source}.{fmt.ext}", data)]
    if sidecar and spec.header_rows == "csmar":
        files.append((f"{spec.source}[DES][{fmt.ext}].txt", des_bytes(spec)))
    return files
