"""Read one export file (CSV/TXT, XLSX, Parquet) into a table of raw strings.

Every cell comes back as text exactly as written (types are converted later, by
:mod:`nqp.ingest.validate`, against the mapping), so that a bad cell can be reported with
the line the user sees in an editor or in Excel.

CSMAR layout (measurement-reference §7.1): the first row holds the field codes (``Stkcd``,
``Accper``, ...), and CSMAR's own exports add two descriptive rows below it (Chinese label,
unit/comment). The reader returns every record after the code row; which of them are
descriptive is decided by :func:`nqp.ingest.validate.count_descriptive_rows`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from nqp.errors import EmptyInputError, InputError, SchemaError, TruncatedInputError
from nqp.ingest.encoding import detect_encoding, utf8_by_sample

TEXT_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xls")
SUFFIXES = (".csv", ".txt", ".xlsx", ".xls", ".parquet")
EXCEL = ("xlsx", "xls")  # formats whose cells may hold Excel serial dates

Progress = Callable[[int], None]  # called with the number of bytes just processed


@dataclass
class RawExport:
    """One export file as text cells.

    ``records`` holds every record after the field-code header row (descriptive rows
    included), all columns ``string``, named ``c0, c1, ...`` by position; ``columns`` are the
    field codes of the header row in the same order.
    """

    path: Path
    name: str  # file name as shown to the user
    format: str  # csv | txt | xlsx | parquet
    columns: list[str]
    records: pa.Table
    sha256: str
    encoding: str | None = None
    separator: str | None = None
    _excel_rows: list[int] | None = field(default=None, repr=False)

    def line_of(self, record: int) -> int:
        """Line (CSV/TXT) or sheet row (XLSX) of ``record`` (0-based, after the header) as the
        user sees it, 1-based. For Parquet, the 1-based data row."""
        if self.format == "parquet":
            return record + 1
        if self._excel_rows is not None:
            return self._excel_rows[record]
        return _csv_line_of(self.path, self.encoding or "utf-8", self.separator or ",", record)

    @property
    def unit(self) -> str:
        """What :meth:`line_of` counts: ``'row'`` (sheet or data row) or ``'line'``."""
        return "row" if self.format in (*EXCEL, "parquet") else "line"

    def lines_of(self, records: list[int]) -> list[int]:
        """:meth:`line_of` of several records (one scan of a text file)."""
        if self.format == "parquet" or self._excel_rows is not None:
            return [self.line_of(r) for r in records]
        want = {r + 1 for r in records}
        found: dict[int, int] = {}
        text = self.path.read_bytes().decode(self.encoding or "utf-8")
        for i, (line, _) in enumerate(_csv_records(text, self.separator or ",")):
            if i in want:
                found[i] = line
                if len(found) == len(want):
                    break
        return [found.get(r + 1, -1) for r in records]

    def where(self, record: int) -> str:
        """``'line 7'`` / ``'row 7'`` for messages."""
        return f"{self.unit} {self.line_of(record)}"


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _csv_records(text: str, sep: str, *, strict: bool = False):
    """Yield (start line, fields) for every non-blank record, the header included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=strict)
    prev = 0
    for rec in reader:
        start, prev = prev + 1, reader.line_num
        if rec:
            yield start, rec


def _csv_line_of(path: Path, encoding: str, sep: str, record: int) -> int:
    """Slow path, used only to word an error: scan the file with the csv module."""
    text = path.read_bytes().decode(encoding)
    for i, (line, _) in enumerate(_csv_records(text, sep)):
        if i == record + 1:
            return line
    return -1


def _sniff_separator(first_line: str) -> str:
    """Tab if the header row has at least as many tabs as commas (outside quotes), else comma."""
    unquoted = first_line.split('"')[0::2]
    tabs = sum(s.count("\t") for s in unquoted)
    commas = sum(s.count(",") for s in unquoted)
    return "\t" if tabs and tabs >= commas else ","


def _check_structure(text: str, sep: str, n_cols: int, name: str) -> None:
    """Find the record that broke the parse and raise the matching error (slow path)."""
    records = []
    try:
        for line, rec in _csv_records(text, sep, strict=True):
            records.append((line, len(rec)))
    except csv.Error as exc:
        start = (records[-1][0] + 1) if records else 1
        if "unexpected end of data" in str(exc):
            raise TruncatedInputError(
                f"{name}: the file ends inside a quoted field that opens at line {start} or after: "
                "the export looks truncated (incomplete download?)", file=name, row=start) from None
        raise SchemaError(f"{name}: malformed quoting after line {start}: {exc}", file=name, row=start) from None
    for k, (line, n) in enumerate(records):
        if n == n_cols:
            continue
        if k == len(records) - 1 and n < n_cols:
            raise TruncatedInputError(
                f"{name}: the last line {line} has {n} fields but the header has {n_cols}: "
                "the export looks truncated (incomplete download?)", file=name, row=line)
        raise SchemaError(f"{name}: line {line} has {n} fields but the header has {n_cols}",
                          file=name, row=line)


def read_text_export(path: Path, progress: Progress | None = None) -> RawExport:
    """Read a CSV/TXT export: encoding detected, comma or tab sniffed, all cells as text.

    A file that is UTF-8 by its BOM or its first megabyte (:func:`utf8_by_sample`) is read as
    UTF-8 at once: pyarrow's reader validates every cell, and a file it finds anything wrong
    with (a bad byte, a bad record) is judged again by :func:`detect_encoding` over the whole
    file, which names a bad byte, or finds the encoding the file is read in after all. Any other
    file is judged by :func:`detect_encoding` first."""
    data = path.read_bytes()
    sha = _hash(data)
    guess = utf8_by_sample(data)
    if guess is not None:
        raw = _read_text(path, data, sha, guess, progress, confirmed=False)
        if raw is not None:
            return raw
    raw = _read_text(path, data, sha, detect_encoding(data, path.name), progress, confirmed=True)
    assert raw is not None  # a confirmed encoding never asks for a second reading
    return raw


def _read_text(path: Path, data: bytes, sha: str, encoding: str, progress: Progress | None, *,
               confirmed: bool) -> RawExport | None:
    """:func:`read_text_export` of ``data`` in ``encoding``. Unless the encoding is ``confirmed``
    (by :func:`detect_encoding`), a file Arrow cannot read cleanly (a bad cell or record, an odd
    number of quotes) returns None: the caller judges the encoding and reads again."""
    name = path.name
    head = data[: 1 << 16].decode(encoding, errors="ignore").lstrip("\ufeff")
    if not head.strip():
        if not confirmed:  # the whole file's encoding is judged before an input error
            return None
        raise EmptyInputError(f"{name}: the file is empty", file=name)
    first = next((line for line in head.splitlines() if line.strip()), "")
    sep = _sniff_separator(first)
    header = next(csv.reader([first], delimiter=sep), [])
    columns = [c.strip().lstrip("\ufeff") for c in header]
    n = len(columns)

    if encoding in ("utf-8", "utf-8-sig", "gb18030"):  # '"' is byte 0x22 and nothing else
        odd_quotes = int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 0x22)) % 2 == 1
    else:
        odd_quotes = data.decode(encoding).count('"') % 2 == 1
    if odd_quotes and not confirmed:
        return None
    invalid: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row.actual_columns)
        return "skip"

    names = [f"c{i}" for i in range(n)]
    buf = pa.BufferReader(data)  # Arrow reads the bytes in place (a BytesIO is copied block by block)
    batches, done, arrow_error = [], 0, ""
    try:
        reader = pacsv.open_csv(
            buf,
            read_options=pacsv.ReadOptions(column_names=names, encoding=encoding.replace("utf-8-sig", "utf8"),
                                           use_threads=False, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
        for batch in reader:
            batches.append(batch)
            if progress is not None:
                pos = buf.tell()
                progress(pos - done)
                done = pos
    except pa.ArrowInvalid as exc:
        invalid.append(-1)
        arrow_error = f": {exc}"
    if invalid and not confirmed:
        return None
    if progress is not None and len(data) > done:
        progress(len(data) - done)
    if invalid or odd_quotes:
        _check_structure(data.decode(encoding), sep, n, name)
        if invalid:  # pragma: no cover - pyarrow and the csv module disagree
            raise InputError(f"{name}: a record could not be parsed{arrow_error}", file=name)
    table = pa.Table.from_batches(batches, schema=pa.schema([(c, pa.string()) for c in names]))
    table = table.slice(1)  # record 0 is the field-code header
    if table.num_rows == 0:
        raise EmptyInputError(f"{name}: the file has a header but no data rows", file=name)
    return RawExport(path=path, name=name, format=path.suffix.lower().lstrip("."), columns=columns,
                     records=table, sha256=sha, encoding=encoding, separator=sep)


def _cell_text(v: object) -> str:
    """A workbook cell as the text a CSV export would hold (whole floats without ``.0``)."""
    kind = type(v)  # the common cell types first: this runs once per cell
    if kind is str:
        return v  # type: ignore[return-value]
    if kind is float:
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else str(v)  # type: ignore[attr-defined]
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return str(int(v))
    return str(v)


def _sheet_by_rows(values_by_row: list[list], name: str) -> tuple[list[str], dict[str, pa.Array], list[int]]:
    """A sheet's header, text columns ``c0, c1, ...`` and the sheet row of each record: the
    first non-blank row is the header (blank cells around it dropped), blank rows are skipped."""
    header: list[str] | None = None
    rows: list[list[str]] = []
    excel_rows: list[int] = []
    lead = 0
    for r, values in enumerate(values_by_row, start=1):
        cells = list(map(_cell_text, values))
        if not "".join(cells).strip():  # every cell blank
            continue
        if header is None:
            while cells and not cells[-1].strip():
                cells.pop()
            while lead < len(cells) and not cells[lead].strip():
                lead += 1
            header = [c.strip() for c in cells[lead:]]
            continue
        rows.append(cells[lead:])
        excel_rows.append(r)
    if header is None:
        raise EmptyInputError(f"{name}: the workbook's first sheet is empty", file=name)
    n = len(header)
    for cells, r in zip(rows, excel_rows):
        if len(cells) > n and "".join(cells[n:]).strip():
            raise SchemaError(f"{name}: row {r} has values beyond the {n} header columns", file=name, row=r)
    if not rows:
        raise EmptyInputError(f"{name}: the sheet has a header but no data rows", file=name)
    pad = [""] * n
    columns = zip(*((c + pad)[:n] if len(c) != n else c for c in rows))  # rows cut or padded to n cells
    return header, {f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)}, excel_rows


def _column_text(values: tuple) -> list[str]:
    """:func:`_cell_text` of every cell of a sheet column, the float cells converted together:
    a whole float below 2**53 as its integer (``str(int(v))``), any other as ``str(v)``; text
    cells are their own text (the cell types are told apart by C-level maps, not a loop)."""
    n = len(values)
    is_float = np.fromiter(map(operator.is_, map(type, values), repeat(float)), dtype=bool, count=n)
    if not is_float.any():
        if all(map(operator.is_, map(type, values), repeat(str))):
            return list(values)
        return list(map(_cell_text, values))
    cells = np.array(values, dtype=object)
    out = np.empty(n, dtype=object)
    f = cells[is_float].astype(float)
    whole = (f == np.trunc(f)) & (np.abs(f) < 2**53)  # float.is_integer(): finite and integral
    at = np.flatnonzero(is_float)
    out[at[whole]] = list(map(str, f[whole].astype(np.int64).tolist()))
    out[at[~whole]] = list(map(str, f[~whole].tolist()))
    other = np.flatnonzero(~is_float)
    out[other] = list(map(_cell_text, cells[other].tolist()))
    return out.tolist()


def _sheet_by_columns(values_by_row: list[list], name: str) -> tuple[list[str], dict[str, pa.Array], list[int]]:
    """:func:`_sheet_by_rows` of a rectangular sheet, column by column (the cells converted by
    :func:`_column_text`, blank cells found per column with ``str.strip`` as there): the same
    header, columns and rows."""
    texts = [_column_text(col) for col in zip(*values_by_row)]
    filled = np.array([np.fromiter(map(bool, map(str.strip, col)), dtype=bool, count=len(col)) for col in texts],
                      dtype=bool).reshape(len(texts), -1)
    kept = np.flatnonzero(filled.any(axis=0))  # rows with a non-blank cell
    if not len(kept):
        raise EmptyInputError(f"{name}: the workbook's first sheet is empty", file=name)
    head = int(kept[0])
    used = np.flatnonzero(filled[:, head])
    lead, end = int(used[0]), int(used[-1]) + 1  # blank cells before and after the header cells
    header = [texts[c][head].strip() for c in range(lead, end)]
    rows = kept[1:]
    beyond = filled[end:][:, rows].any(axis=0) if end < len(texts) else np.zeros(len(rows), dtype=bool)
    if beyond.any():
        r = int(rows[np.argmax(beyond)]) + 1
        raise SchemaError(f"{name}: row {r} has values beyond the {len(header)} header columns", file=name, row=r)
    if not len(rows):
        raise EmptyInputError(f"{name}: the sheet has a header but no data rows", file=name)
    picked = pa.array(rows)
    cols = {f"c{i}": pa.array(texts[c], pa.string()).take(picked) for i, c in enumerate(range(lead, end))}
    return header, cols, (rows + 1).tolist()


def read_excel_export(path: Path, progress: Progress | None = None) -> RawExport:
    """Read the first sheet of an ``.xlsx`` or legacy ``.xls`` export (python-calamine, the Rust
    calamine reader: both formats, fast, no formula evaluation); Excel dates become ISO text and
    every record keeps its sheet row number for messages."""
    import python_calamine

    name = path.name
    data = path.read_bytes()
    fmt = path.suffix.lower().lstrip(".")
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        values_by_row = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # CalamineError, zip errors, ... from a damaged workbook
        raise TruncatedInputError(f"{name}: not a readable {fmt} workbook ({exc}); truncated download?",
                                  file=name) from exc
    if progress is not None:
        progress(len(data))
    if values_by_row and len(set(map(len, values_by_row))) == 1:
        header, cols, excel_rows = _sheet_by_columns(values_by_row, name)
    else:
        header, cols, excel_rows = _sheet_by_rows(values_by_row, name)
    return RawExport(path=path, name=name, format=fmt, columns=header, records=pa.table(cols),
                     sha256=_hash(data), _excel_rows=excel_rows)


def read_parquet_export(path: Path, progress: Progress | None = None) -> RawExport:
    """Read a Parquet file; every column is cast to text (dates as ISO ``YYYY-MM-DD``)."""
    import pyarrow.parquet as pq

    name = path.name
    data = path.read_bytes()
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise TruncatedInputError(f"{name}: not a readable Parquet file ({exc}); truncated?", file=name) from exc
    if progress is not None:
        progress(len(data))
    if table.num_rows == 0:
        raise EmptyInputError(f"{name}: the file has no data rows", file=name)
    cols = {}
    for i, col in enumerate(table.columns):
        if pa.types.is_boolean(col.type):
            col = col.cast(pa.int8())
        if pa.types.is_timestamp(col.type):
            col = col.cast(pa.timestamp(col.type.unit))  # drop any time zone: keep the wall date
        cols[f"c{i}"] = col.cast(pa.string()).fill_null("")
    return RawExport(path=path, name=name, format="parquet", columns=[str(c).strip() for c in table.column_names],
                     records=pa.table(cols), sha256=_hash(data))


def read_export(path: Path | str, progress: Progress | None = None) -> RawExport:
    """Read one export file by its extension (``.csv``, ``.txt``, ``.xlsx``, ``.xls``, ``.parquet``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return read_text_export(path, progress)
    if suffix in EXCEL_SUFFIXES:
        return read_excel_export(path, progress)
    if suffix == ".parquet":
        return read_parquet_export(path, progress)
    raise InputError(f"{path.name}: unsupported file type {suffix!r} (use {', '.join(SUFFIXES)})", file=path.name)
