"""Check raw export text against its mapping and convert it to typed columns.

Types (mapping README): ``stkcd`` (证券代码, text left-padded with zeros to 6 characters,
measurement-reference §7.1), ``str``, ``int``, ``float``, ``date`` (``YYYY-MM-DD``,
``YYYY/MM/DD`` or ``YYYYMMDD``; a trailing time is dropped; CSMAR's ``00`` for an unknown
month or day is read as ``01`` and counted, §7.3), ``bool`` (0/1, Y/N, 是/否). An empty
cell is NULL; any other cell that does not parse is a :class:`SchemaError` naming file,
column and the line (or sheet row) the user sees.
"""

from __future__ import annotations

import difflib
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nqp.errors import DataWarning, DuplicateKeyError, EmptyInputError, NqpWarning, SchemaError
from nqp.ingest.mapping import FieldSpec, TableMapping
from nqp.ingest.readers import EXCEL, RawExport

ARROW_TYPES = {
    "stkcd": pa.string(), "str": pa.string(), "int": pa.int64(), "float": pa.float64(),
    "date": pa.date32(), "bool": pa.bool_(),
}
SQL_TYPES = {"stkcd": "VARCHAR", "str": "VARCHAR", "int": "BIGINT", "float": "DOUBLE",
             "date": "DATE", "bool": "BOOLEAN"}
_EXPECTED = {
    "stkcd": "a stock code (1-6 digits)", "int": "an integer", "float": "a number",
    "date": "a date (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)", "bool": "a flag (0/1, Y/N, 是/否)",
}
Warn = Callable[[NqpWarning], None]  # receives a warning instead of warnings.warn
_INT = r"^[+-]?\d{1,18}(\.0*)?$"
_FLOAT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_DATE = (r"^(?P<y>\d{4})(?:[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})|(?P<m8>\d{2})(?P<d8>\d{2}))"
         r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EXCEL_SERIAL = r"^\d{1,5}(\.0+)?$"
_TRUE = ["1", "y", "yes", "true", "t", "是"]
_FALSE = ["0", "n", "no", "false", "f", "否"]


@dataclass
class Parsed:
    """One column parsed: ``values`` typed (NULL where empty or bad), ``bad`` marks cells that
    are not empty yet did not parse; ``padded`` counts CSMAR ``00`` month/day fixes."""

    values: pa.Array
    bad: pa.Array
    empty: pa.Array
    padded: int = 0
    zero_dates: int = 0  # 0000-00-00: no date (NULL), counted as empty


def parse_column(text: pa.Array, ftype: str, *, excel: bool = False) -> Parsed:
    """Parse a string column as mapping type ``ftype`` (vectorised with pyarrow.compute).

    Every step is cell by cell (:func:`_parse_cells`), so a column may be parsed in whichever
    way is cheapest, with the same result: a column whose every cell is already in the
    warehouse's form is taken as written (:func:`_cells_as_written`); a float or text column is
    parsed as it is (amounts are nearly all distinct, and trimming text costs less than hashing
    it); any other column once per *distinct* cell text (``dictionary_encode``), the results
    spread back to the rows with ``take`` (a date or stock-code column of 100,000 rows holds a
    few hundred or thousand distinct texts)."""
    text = _filled(text)
    written = _cells_as_written(text, ftype)
    if written is not None:
        values, bad, empty, padded, zero = written
    elif ftype in ("float", "str"):
        values, bad, empty, padded, zero = _parse_cells(text, ftype, excel=excel)
    else:
        coded = pc.dictionary_encode(text)
        values, *masks = _parse_cells(coded.dictionary, ftype, excel=excel)
        values = pc.take(values, coded.indices)
        bad, empty, padded, zero = (_mask_of_rows(m, coded.indices) for m in masks)
    return Parsed(values=values, bad=bad, empty=empty, padded=_count(padded), zero_dates=_count(zero))


def _cells_as_written(text: pa.Array, ftype: str) -> tuple[pa.Array, ...] | None:
    """:func:`_parse_cells` of a column whose every cell is already in the warehouse's form,
    judged by a few passes over the whole column; None for any other column. The forms:

    * ``float``: every cell empty or a number Arrow's cast reads as written
      (:func:`_float_cells_as_written`);
    * ``stkcd``: every cell six ASCII digits (the code itself, nothing to pad);
    * ``date``: every cell ``YYYY-MM-DD`` (10 bytes) of a real date of the years 1000-2999, which
      Arrow's cast to date32 reads as the same date the regex, ``strptime`` and print-back check
      of :func:`_parse_cells` give (it refuses any other text of 10 bytes, 2015-02-30 and
      2015-12-00 too); no cell is empty, padded or 0000-00-00.
    """
    no = pa.array(np.zeros(len(text), dtype=bool))
    if ftype == "float":
        return _float_cells_as_written(text, no)
    if ftype == "stkcd":
        if pc.all(pc.and_(pc.equal(pc.binary_length(text), 6), pc.ascii_is_decimal(text))).as_py() is not False:
            return text, no, no, no, no
        return None
    if ftype == "date" and len(text) and pc.all(pc.equal(pc.binary_length(text), 10)).as_py():
        try:
            dates = pc.cast(text, pa.date32())
        except pa.ArrowInvalid:
            return None
        bounds = pc.min_max(text)
        if bounds["min"].as_py() >= "1000" and bounds["max"].as_py() < "3000":
            return dates, no, no, no, no
    return None


def _filled(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``text`` with NULL as ``""`` (``fill_null`` copies even a column without NULLs: skip it then)."""
    return text.fill_null("") if text.null_count else text


def _mask_of_rows(mask: pa.Array, indices: pa.Array) -> pa.Array:
    """``take(mask, indices)``: a mask over the distinct texts spread to the rows; a mask that
    marks no text is all False without the take (the usual bad, empty and padded masks)."""
    if pc.any(mask).as_py():
        return pc.take(mask, indices)
    return pa.array(np.zeros(len(indices), dtype=bool))


def _count(mask: pa.Array) -> int:
    """How many cells ``mask`` marks."""
    return pc.sum(mask.cast(pa.int64())).as_py() or 0


def _parse_cells(text: pa.Array, ftype: str, *, excel: bool = False) -> tuple[pa.Array, ...]:
    """:func:`parse_column` cell by cell: (values, bad, empty, padded, zero) where ``padded``
    marks a CSMAR ``00`` month or day read as ``01`` and ``zero`` a ``0000-00-00`` (no date)."""
    text = pc.utf8_trim_whitespace(text)
    no = pa.array(np.zeros(len(text), dtype=bool))
    zero = no
    if ftype == "date":  # CSMAR's 0000-00-00 (and 00000000) means no date: NULL, not year 0
        zero = pc.match_substring_regex(text, r"^0{4}[-/]?0{1,2}[-/]?0{1,2}(?:[ T][0-9:.]*)?$")
        if pc.any(zero).as_py():
            text = pc.if_else(zero, "", text)
    empty = pc.equal(text, "")
    nonempty = pc.invert(empty)
    padded = no
    if ftype == "str":
        values = pc.if_else(empty, pa.scalar(None, pa.string()), text)
        ok = nonempty
    elif ftype == "stkcd":
        ok = pc.match_substring_regex(text, r"^\d{1,6}(\.0*)?$")  # '1.0': a code once read as a float
        digits = pc.replace_substring_regex(text, r"\.0*$", "")
        values = pc.if_else(ok, pc.utf8_lpad(digits, 6, "0"), pa.scalar(None, pa.string()))
    elif ftype == "int":
        ok = pc.match_substring_regex(text, _INT)
        clean = _strip_plus(pc.replace_substring_regex(text, r"\.0*$", ""))
        values = pc.cast(pc.if_else(ok, clean, pa.scalar(None, pa.string())), pa.int64())
    elif ftype == "float":
        cast = _cast_float(text, empty)
        if cast is not None:  # every cell empty or a number Arrow reads: the usual column
            finite = pc.is_finite(cast)  # NULL where empty
            ok = pc.fill_null(finite, False)
            values = pc.if_else(pc.fill_null(finite, True), cast, pa.scalar(None, pa.float64()))
        else:
            ok = _matches_float(text)
            values = pc.cast(pc.if_else(ok, _strip_plus(text), pa.scalar(None, pa.string())), pa.float64())
            finite = pc.fill_null(pc.is_finite(values), True)
            ok = pc.and_(ok, finite)
            values = pc.if_else(finite, values, pa.scalar(None, pa.float64()))
    elif ftype == "bool":
        low = pc.utf8_lower(text)
        is_true = pc.is_in(low, value_set=pa.array(_TRUE))
        is_false = pc.is_in(low, value_set=pa.array(_FALSE))
        ok = pc.or_(is_true, is_false)
        values = pc.if_else(ok, is_true, pa.scalar(None, pa.bool_()))
    elif ftype == "date":
        parts = pc.extract_regex(text, _DATE)  # null where no match
        matched = pc.is_valid(parts)
        y = pc.struct_field(parts, "y")
        # a group of the other alternative comes back as "" (not NULL)
        m = pc.binary_join_element_wise(pc.struct_field(parts, "m"), pc.struct_field(parts, "m8"), "")
        d = pc.binary_join_element_wise(pc.struct_field(parts, "d"), pc.struct_field(parts, "d8"), "")
        zero_m = pc.fill_null(pc.match_substring_regex(m, r"^0+$"), False)
        zero_d = pc.fill_null(pc.match_substring_regex(d, r"^0+$"), False)
        padded = pc.or_(zero_m, zero_d)
        m = pc.if_else(zero_m, "01", pc.utf8_lpad(m, 2, "0"))
        d = pc.if_else(zero_d, "01", pc.utf8_lpad(d, 2, "0"))
        iso = pc.binary_join_element_wise(y, m, d, "-")
        stamp = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
        # strptime rolls 2015-02-30 over to 03-02: keep only dates that print back unchanged
        real = pc.fill_null(pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), iso), False)
        values = pc.if_else(real, pc.cast(stamp, pa.date32()), pa.scalar(None, pa.date32()))
        if excel:  # a date typed into an xlsx cell as a serial day number (1899-12-30 = day 0)
            serial = pc.fill_null(pc.match_substring_regex(text, _EXCEL_SERIAL), False)
            days = pc.cast(pc.cast(pc.if_else(serial, text, pa.scalar(None, pa.string())), pa.float64()),
                           pa.int32())
            from_serial = pc.cast(pc.add(days, pa.scalar(-25569, pa.int32())), pa.date32())
            values = pc.if_else(serial, from_serial, values)
            matched = pc.or_(pc.fill_null(matched, False), serial)
        ok = pc.and_(pc.fill_null(matched, False), pc.is_valid(values))
    else:  # pragma: no cover - mapping validation rejects other types
        raise ValueError(ftype)
    ok = pc.fill_null(ok, False)
    bad = pc.and_(nonempty, pc.invert(ok))
    if ftype == "str":
        bad = pc.and_(nonempty, pc.invert(nonempty))  # all False: text is always valid
    return values, bad, empty, padded, zero


def _float_cells_as_written(text: pa.Array, no: pa.Array) -> tuple[pa.Array, ...] | None:
    """:func:`_parse_cells` of a float column whose cells need no trimming: every cell empty or a
    number Arrow's cast reads as written (the usual column), else None. Arrow reads no number
    with a space or tab around it, so where the cast succeeds the trimmed text is the same text
    and its result is that of the trimmed column; ``no`` is the all-False mask."""
    empty = pc.equal(text, "")
    cast = _cast_float(text, empty)
    if cast is None:
        return None
    finite = pc.is_finite(cast)  # NULL where empty
    values = pc.if_else(pc.fill_null(finite, True), cast, pa.scalar(None, pa.float64()))
    bad = pc.invert(pc.fill_null(finite, True))  # a non-empty cell that is not a finite number
    return values, bad, empty, no, no


def _cast_float(text: pa.Array, empty: pa.Array) -> pa.Array | None:
    """The non-empty cells of ``text`` read by Arrow's cast to float64 (empty cells NULL), or None
    when some cell is not such a number or starts with ``+`` (then the cells are judged one by one).
    Of the texts Arrow reads, the finite ones are exactly those ``_FLOAT`` accepts (an optional
    ``-``, decimal digits with at most one point, an optional exponent); "inf", "nan" and
    overflowing exponents come back non-finite, which the caller counts as bad, as ``_FLOAT`` does."""
    if pc.any(pc.starts_with(text, "+")).as_py():
        return None
    try:
        return pc.cast(pc.if_else(empty, pa.scalar(None, pa.string()), text) if pc.any(empty).as_py() else text,
                       pa.float64())
    except pa.ArrowInvalid:
        return None


def _strip_plus(text: pa.Array) -> pa.Array:
    """``text`` without one leading ``+`` (what ``replace_substring_regex(text, r"^\\+", "")`` gives)."""
    plus = pc.starts_with(text, "+")
    return pc.if_else(plus, pc.utf8_slice_codeunits(text, 1), text) if pc.any(plus).as_py() else text


def _matches_float(text: pa.Array) -> pa.Array:
    """``match_substring_regex(text, _FLOAT)``, the regex run only on the cells that are not plain
    decimals: a plain decimal is an optional sign, then digits with at most one ``.`` and at least
    one digit -- ``(\\d+\\.?\\d*|\\.\\d+)`` after ``[+-]?``, the common case, which _FLOAT accepts."""
    signed = pc.or_(pc.starts_with(text, "-"), pc.starts_with(text, "+"))
    body = pc.if_else(signed, pc.utf8_slice_codeunits(text, 1), text)
    plain = pc.ascii_is_decimal(pc.replace_substring(body, ".", "", max_replacements=1))
    rest = pc.invert(plain)
    if not pc.any(rest).as_py():
        return plain
    return pc.replace_with_mask(plain, rest, pc.match_substring_regex(text.filter(rest), _FLOAT))


def _suggest(code: str, columns: list[str]) -> list[str]:
    lower = {c.lower(): c for c in columns}
    return [lower[c] for c in difflib.get_close_matches(code.lower(), list(lower), n=3, cutoff=0.6)]


def header_key(text: str) -> str:
    """How header cells are compared: NFKC (full-width brackets and letters → half-width),
    no whitespace, lower case -- ``标题 (中文)``, ``标题（中文）`` and ``标题(中文)`` are one header."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower().lstrip("\ufeff")


def _columns_read(mapping: TableMapping) -> list[FieldSpec]:
    """The export columns a mapping reads: its read fields, then a long table's columns."""
    cols = list(mapping.read_fields)
    if mapping.long is not None:
        cols += [c for c in (mapping.long.category, mapping.long.detail, mapping.long.value, mapping.long.unit) if c]
    return cols


def match_columns(raw: RawExport, mapping: TableMapping, warn: Warn | None = None) -> dict[str, int | None]:
    """Position of each column the mapping reads in the file's header.

    A field is found by its code, an alias, its warehouse name or its Chinese label (exports
    with 字段名称 headers), compared by :func:`header_key`. Missing required fields -> one
    :class:`SchemaError` listing each with close matches (difflib) as suggestions; a missing
    optional field -> None and a warning (a field with ``fallback_sum`` -> None, computed later),
    issued by ``warn`` when given (a caller in another thread hands it on in order) -- else
    ``warnings.warn``.
    """
    positions: dict[str, int] = {}
    wanted = {header_key(h) for f in _columns_read(mapping) for h in f.headers()}
    for i, c in enumerate(raw.columns):
        key = header_key(c)
        if key and key in positions:
            if key in wanted:
                raise SchemaError(f"{raw.name}: column {c!r} appears twice in the header",
                                  file=raw.name, table=mapping.name, column=c, row=1)
            continue
        positions.setdefault(key, i)
    found: dict[str, int | None] = {}
    missing: list[FieldSpec] = []
    for f in _columns_read(mapping):
        pos = next((positions[header_key(h)] for h in f.headers() if header_key(h) in positions), None)
        if pos is None:
            if f.name.startswith("_") or f.required:
                missing.append(f)
            elif not f.fallback_sum:
                absent = DataWarning(f"{raw.name}: optional column {f.code!r} ({f.name}) is absent; it is loaded as NULL",
                                     file=raw.name, table=mapping.name, column=f.code)
                if warn is None:
                    warnings.warn(absent, stacklevel=2)
                else:
                    warn(absent)
        found[f.name] = pos
    if missing:
        lines = []
        for f in missing:
            label = f", {f.label_zh}" if f.label_zh else ""
            sug = _suggest(f.code, raw.columns)
            hint = f"; did you mean {' or '.join(repr(s) for s in sug)}?" if sug else ""
            what = f"[long] {f.name[1:]} column" if f.name.startswith("_") else f.name
            lines.append(f"{f.code!r} ({what}{label}){hint}")
        shown = ", ".join(raw.columns[:40]) + (" ..." if len(raw.columns) > 40 else "")
        raise SchemaError(
            f"{raw.name}: required column(s) missing from the header (line 1) for table {mapping.name}: "
            + "; ".join(lines) + f". Columns in the file: {shown}. If your export names the field "
            f"differently, edit 'code' in {mapping.path or 'the mapping'} or pass --mapping DIR",
            file=raw.name, table=mapping.name, column=missing[0].code, row=1)
    return found


def _typed(mapping: TableMapping, found: dict[str, int | None]) -> list[tuple[FieldSpec, int]]:
    return [(f, found[f.name]) for f in _columns_read(mapping) if f.type != "str" and found[f.name] is not None]


def count_descriptive_rows(raw: RawExport, mapping: TableMapping, found: dict[str, int | None]) -> int:
    """How many of the first records are CSMAR descriptive rows (Chinese label, unit).

    A record is a label row when none of its typed cells (stkcd, numbers, dates, flags)
    parses and at least one is non-empty; the row after a label row is a unit row when none
    of its typed cells parses. For a mapping declaring ``header_rows = "plain"`` a label row
    must also contain non-ASCII text (so a bad data row is reported, never skipped). With no
    typed column to judge by, the declared layout decides.
    """
    if raw.format == "parquet":  # typed columnar data: no descriptive rows
        return 0
    typed = _typed(mapping, found)
    n = min(2, raw.records.num_rows)
    if not typed:
        return min(2, n) if mapping.header_rows == "csmar" else 0
    head = raw.records.slice(0, n)
    # parse_column judges cell by cell: the first records of a column are parsed together
    judged = [parse_column(head.column(pos).combine_chunks(), f.type, excel=raw.format in EXCEL) for f, pos in typed]
    empty = [p.empty.to_pylist() for p in judged]
    bad = [p.bad.to_pylist() for p in judged]
    d = 0
    for r in range(n):
        nonempty_any = any(not e[r] for e in empty)
        parsed_any = any(not e[r] and not b[r] for e, b in zip(empty, bad))
        if parsed_any:
            break
        if r == 0:
            if not nonempty_any:
                break
            if mapping.header_rows == "plain":
                cells = [head.column(i)[0].as_py() or "" for i in range(head.num_columns)]
                if all(c.isascii() for c in cells):
                    break
        d += 1
    return d


@dataclass
class Converted:
    """One file converted: the warehouse columns in mapping order, for a long table also
    ``_cat``/``_det`` (the category and detail text, so distinct rows stay distinct until they
    are combined), and ``_rec`` (record index in the file)."""

    table: pa.Table
    descriptive_rows: int
    padded_dates: int = 0
    absent_optional: list[str] = field(default_factory=list)
    zero_dates: int = 0  # 0000-00-00 read as NULL
    filtered_rows: int = 0  # dropped by [filter]
    other_rows: int = 0  # long-table rows of categories no field takes
    notes: list[str] = field(default_factory=list)  # fallbacks computed, filters not applied


MAX_LISTED = 20
_KEY = "<key>"


@dataclass
class _BadCells:
    """Every bad cell of a file: (record, column as the user named it, value, what was expected)."""

    raw: RawExport
    mapping: TableMapping
    cells: list[tuple[int, int, str, str, str]] = field(default_factory=list)

    def add(self, recs: pa.Array, mask: pa.Array, order: int, column: str, values: pa.Array, why: str) -> None:
        if not pc.any(mask).as_py():  # the usual case: no bad cell
            return
        idx = np.flatnonzero(np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool))
        for i in idx[: MAX_LISTED]:
            self.cells.append((recs[int(i)].as_py(), order, column, values[int(i)].as_py(), why))
        for i in idx[MAX_LISTED:]:
            self.cells.append((recs[int(i)].as_py(), order, column, None, why))

    def raise_if_any(self) -> None:
        if not self.cells:
            return
        cells = sorted(self.cells, key=lambda c: (c[0], c[1]))
        shown = cells[:MAX_LISTED]
        lines = self.raw.lines_of([c[0] for c in shown])
        unit = self.raw.unit
        listed = "; ".join(f"{unit} {ln}: key column {col!r} is empty" if why == _KEY else
                           f"{unit} {ln}, column {col!r}: {val!r} is not {why}"
                           for (rec, _, col, val, why), ln in zip(shown, lines))
        more = f" (and {len(cells) - len(shown)} more)" if len(cells) > len(shown) else ""
        first = shown[0]
        raise SchemaError(
            f"{self.raw.name}: {len(cells)} bad cell(s) for table {self.mapping.name}: {listed}{more}",
            file=self.raw.name, table=self.mapping.name, column=first[2], row=lines[0])


def _text(data: pa.Table, pos: int) -> pa.Array:
    return pc.utf8_trim_whitespace(_filled(data.column(pos).combine_chunks()))


def _blank_records(data: pa.Table) -> pa.Array | None:
    """Mask of the records whose every cell is empty or whitespace (',,,,' lines Excel leaves),
    or None when there is none. Columns are judged one by one and only on the records still
    blank so far, so the usual file (a first column never blank) costs one column's pass."""
    blank: pa.Array | None = None  # over all records
    at: pa.Array | None = None  # positions of the records still blank (None: all of them)
    for col in data.columns:
        cells = col.combine_chunks() if at is None else pc.take(col, at).combine_chunks()
        empty = pc.equal(pc.utf8_trim_whitespace(_filled(cells)), "")
        if not pc.any(empty).as_py():
            return None
        if at is None:
            at = pa.array(np.flatnonzero(empty.to_numpy(zero_copy_only=False)))
        else:
            at = at.filter(empty)
    if at is None:  # a table without columns
        return None
    mask = np.zeros(data.num_rows, dtype=bool)
    mask[at.to_numpy()] = True
    return pa.array(mask)


def convert_export(raw: RawExport, mapping: TableMapping, warn: Warn | None = None) -> Converted:
    """Convert ``raw`` per ``mapping``: descriptive rows skipped, ``[filter]`` applied, every
    cell typed, a long table spread into its fields. Every bad cell of the file is collected
    and one :class:`SchemaError` lists the first 20 (line and the file's own column name) and
    the count. ``warn``: as in :func:`match_columns`."""
    found = match_columns(raw, mapping, warn)
    skip = count_descriptive_rows(raw, mapping, found)
    data = raw.records.slice(skip)
    recs = pa.array(np.arange(skip, skip + data.num_rows, dtype=np.int64))
    blank = _blank_records(data)
    if blank is not None:
        keep = pc.invert(blank)
        data, recs = data.filter(keep), recs.filter(keep)
    if data.num_rows == 0:
        raise EmptyInputError(f"{raw.name}: the file has header rows but no data rows",
                              file=raw.name, table=mapping.name)
    notes: list[str] = []
    filtered = 0
    header = {header_key(c): i for i, c in reversed(list(enumerate(raw.columns)))}
    for code, values in mapping.filters:
        pos = header.get(header_key(code))
        if pos is None:
            notes.append(f"{raw.name}: filter column {code!r} absent; rows not filtered on it")
            continue
        keep = pc.is_in(_text(data, pos), value_set=pa.array(list(values)))
        filtered += data.num_rows - pc.sum(keep.cast(pa.int64())).as_py()
        data, recs = data.filter(keep), recs.filter(keep)
    if data.num_rows == 0:
        raise EmptyInputError(f"{raw.name}: no rows left after the filter "
                              + ", ".join(f"{c} in {list(v)}" for c, v in mapping.filters),
                              file=raw.name, table=mapping.name)
    excel = raw.format in EXCEL
    bad = _BadCells(raw, mapping)
    parsed: dict[str, pa.Array] = {}
    cols, padded, zero, absent = {}, 0, 0, []
    for order, f in enumerate(_columns_read(mapping)):
        pos = found[f.name]
        if pos is None:
            parsed[f.name] = pa.nulls(data.num_rows, ARROW_TYPES[f.type])
            if not f.fallback_sum:
                absent.append(f.name)
            continue
        text = data.column(pos).combine_chunks()
        user = raw.columns[pos]
        p = parse_column(text, f.type, excel=excel)
        bad.add(recs, p.bad, order, user, text, _EXPECTED.get(f.type, f.type))
        if f.codes:
            allowed = pa.array([k for k, _ in f.codes])
            trimmed = pc.replace_substring_regex(pc.utf8_trim_whitespace(_filled(text)), r"\.0*$", "")
            off = pc.and_(pc.invert(p.empty), pc.invert(pc.is_in(trimmed, value_set=allowed)))
            listed = ", ".join(f"{k} = {v}" for k, v in f.codes)
            bad.add(recs, pc.and_(off, pc.invert(p.bad)), order, user, text, f"one of the codes ({listed})")
        if f.name in mapping.key:
            bad.add(recs, p.empty, order, user, text, _KEY)
        parsed[f.name] = p.values
        padded += p.padded
        zero += p.zero_dates
    if mapping.long is not None:
        cols.update(_spread(mapping, data, found, parsed, recs, bad, raw))
    bad.raise_if_any()
    for f in mapping.fields:
        if f.spread:
            continue
        if found.get(f.name) is None and f.fallback_sum:
            items = [parsed[i] for i in f.fallback_sum]
            valid = None
            total = None
            for a in items:
                a = pc.cast(a, pa.float64())
                v = pc.is_valid(a)
                valid = v if valid is None else pc.or_(valid, v)
                filled = pc.fill_null(a, 0.0)
                total = filled if total is None else pc.add(total, filled)
            parsed[f.name] = pc.cast(pc.if_else(valid, total, pa.scalar(None, pa.float64())), ARROW_TYPES[f.type])
            notes.append(f"{raw.name}: {f.code} ({f.name}) is not in this export (an older vintage); computed as "
                         f"{' + '.join(f.fallback_sum)}")
        cols[f.name] = parsed[f.name]
    other = 0
    if mapping.long is not None:
        matched = cols.pop("_matched")
        other = data.num_rows - pc.sum(matched.cast(pa.int64())).as_py()
        keep = matched
        cols = {k: (v.filter(keep) if isinstance(v, pa.Array) else v) for k, v in cols.items()}
        recs = recs.filter(keep)
    ordered = {f.name: cols[f.name] for f in mapping.fields}
    if mapping.long is not None:
        ordered["_cat"], ordered["_det"] = cols["_cat"], cols["_det"]
    ordered["_rec"] = recs
    return Converted(table=pa.table(ordered), descriptive_rows=skip, padded_dates=padded, absent_optional=absent,
                     zero_dates=zero, filtered_rows=filtered, other_rows=other, notes=notes)


def _spread(mapping: TableMapping, data: pa.Table, found: dict[str, int | None], parsed: dict[str, pa.Array],
            recs: pa.Array, bad: _BadCells, raw: RawExport) -> dict[str, pa.Array]:
    """A long table's spread fields: field = value × unit factor where the row's category is one
    of the field's ``category`` codes (and its detail text contains one of ``detail``), else NULL.
    Categories, details and units are judged once per distinct text (a long table repeats a few
    of each) and spread to the rows by their dictionary indices."""
    lg = mapping.long
    blank = pa.array([""] * data.num_rows)
    cat = _text(data, found[lg.category.name]) if lg.category is not None else blank
    det = _text(data, found[lg.detail.name]) if lg.detail is not None else blank
    value = parsed[lg.value.name]
    if lg.unit is not None:
        unit = _text(data, found[lg.unit.name])
        names = [u for u, _ in lg.units]
        factors = pa.array([f for _, f in lg.units], pa.float64())
        coded = pc.dictionary_encode(unit)
        idx = pc.index_in(coded.dictionary, value_set=pa.array(names))
        unknown = pc.and_(pc.is_null(idx), pc.not_equal(coded.dictionary, ""))
        bad.add(recs, _mask_of_rows(unknown, coded.indices), 99, raw.columns[found[lg.unit.name]], unit,
                f"a unit of [long].units ({', '.join(names)})")
        factor = pc.take(pc.fill_null(pc.take(factors, idx), 1.0), coded.indices)
        value = pc.multiply(value, factor)
    out: dict[str, pa.Array] = {"_cat": cat, "_det": det}
    cats, dets = pc.dictionary_encode(cat), pc.dictionary_encode(det)
    cat_at = cats.indices.to_numpy(zero_copy_only=False)
    det_at = dets.indices.to_numpy(zero_copy_only=False)
    matched = np.zeros(data.num_rows, dtype=bool)
    for f in mapping.fields:
        if not f.spread:
            continue
        rows = np.ones(data.num_rows, dtype=bool)
        if f.category:
            rows &= _as_bools(pc.is_in(cats.dictionary, value_set=pa.array(list(f.category))))[cat_at]
        if f.detail:
            hit = np.zeros(len(dets.dictionary), dtype=bool)
            for d in f.detail:
                hit |= _as_bools(pc.match_substring(dets.dictionary, d))
            rows &= hit[det_at]
        matched |= rows
        v = pc.if_else(pa.array(rows), value, pa.scalar(None, pa.float64()))
        out[f.name] = pc.cast(pc.round(v, 0), pa.int64()) if f.type == "int" else v
    out["_matched"] = pa.array(matched)
    return out


def _as_bools(mask: pa.Array) -> np.ndarray:
    """A boolean Arrow array without NULLs as a numpy bool array."""
    return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)


Locate = Callable[[int, int], tuple[str, str, int]]  # (file index, record) -> (file, 'line'|'row', n)


def check_keys(con, view: str, mapping: TableMapping, locate: Locate) -> int:
    """Raise :class:`DuplicateKeyError` if two rows share the key with different values.

    ``view`` is a DuckDB relation with the mapped columns plus ``_src`` (file index) and
    ``_rec`` (record index). Rows identical in every column (the same record exported twice,
    e.g. overlapping downloads) are not an error: returns how many such extra copies exist.
    """
    if not mapping.key:
        return 0
    keys = ", ".join(f'"{k}"' for k in mapping.key)
    allc = ", ".join(f'"{f.name}"' for f in mapping.fields)
    if con.execute(f"SELECT 1 FROM {view} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1").fetchone() is None:
        return 0  # the usual case: keys unique, no need to compare whole rows
    row = con.execute(
        f"SELECT {keys} FROM (SELECT DISTINCT {allc} FROM {view}) GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if row is not None:
        cond = " AND ".join(f'"{k}" IS NOT DISTINCT FROM ?' for k in mapping.key)
        hits = con.execute(f"SELECT _src, _rec FROM {view} WHERE {cond} ORDER BY _src, _rec", list(row)).fetchall()
        keytext = ", ".join(f"{k}={_show(v)}" for k, v in zip(mapping.key, row))
        spots = [locate(s, r) for s, r in hits[:2]]
        places = [f"{f} {kind} {n}" for f, kind, n in spots]
        more = f" (and {len(hits) - 2} more)" if len(hits) > 2 else ""
        firm = next((v for k, v in zip(mapping.key, row) if mapping.field(k).type == "stkcd"), None)
        raise DuplicateKeyError(
            f"table {mapping.name}: key ({keytext}) appears in {len(hits)} rows with different values: "
            f"{places[0]} and {places[1]}{more}; the key ({', '.join(mapping.key)}) must be unique",
            file=spots[0][0], table=mapping.name, column=", ".join(mapping.key), row=spots[0][2], firm=firm)
    total, distinct = con.execute(
        f"SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT {allc} FROM {view})) FROM {view}").fetchone()
    return int(total - distinct)


def _show(v: object) -> str:
    return repr(v.isoformat()) if hasattr(v, "isoformat") else repr(v)
