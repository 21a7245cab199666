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
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nqp.errors import DataWarning, DuplicateKeyError, EmptyInputError, SchemaError
from nqp.ingest.mapping import FieldSpec, TableMapping
from nqp.ingest.readers import RawExport

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


def parse_column(text: pa.Array, ftype: str, *, excel: bool = False) -> Parsed:
    """Parse a string column as mapping type ``ftype`` (vectorised with pyarrow.compute)."""
    text = pc.utf8_trim_whitespace(text.fill_null(""))
    empty = pc.equal(text, "")
    nonempty = pc.invert(empty)
    padded = 0
    if ftype == "str":
        values = pc.if_else(empty, pa.scalar(None, pa.string()), text)
        ok = nonempty
    elif ftype == "stkcd":
        ok = pc.match_substring_regex(text, r"^\d{1,6}(\.0*)?$")  # '1.0': a code once read as a float
        digits = pc.replace_substring_regex(text, r"\.0*$", "")
        values = pc.if_else(ok, pc.utf8_lpad(digits, 6, "0"), pa.scalar(None, pa.string()))
    elif ftype == "int":
        ok = pc.match_substring_regex(text, _INT)
        clean = pc.replace_substring_regex(pc.replace_substring_regex(text, r"\.0*$", ""), r"^\+", "")
        values = pc.cast(pc.if_else(ok, clean, pa.scalar(None, pa.string())), pa.int64())
    elif ftype == "float":
        ok = pc.match_substring_regex(text, _FLOAT)
        clean = pc.replace_substring_regex(text, r"^\+", "")
        values = pc.cast(pc.if_else(ok, clean, pa.scalar(None, pa.string())), pa.float64())
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
        padded = pc.sum(pc.or_(zero_m, zero_d).cast(pa.int64())).as_py() or 0
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
    return Parsed(values=values, bad=bad, empty=empty, padded=padded)


def _suggest(code: str, columns: list[str]) -> list[str]:
    lower = {c.lower(): c for c in columns}
    return [lower[c] for c in difflib.get_close_matches(code.lower(), list(lower), n=3, cutoff=0.6)]


def match_columns(raw: RawExport, mapping: TableMapping) -> dict[str, int | None]:
    """Position of each mapped field in the file's header (field code, case-insensitive; the
    warehouse name is accepted too). Missing required fields -> one :class:`SchemaError`
    listing each with close matches (difflib) as suggestions; missing optional -> None + warning."""
    positions: dict[str, int] = {}
    for i, c in enumerate(raw.columns):
        key = c.strip().lower()
        if key and key in positions:
            if any(key in (f.code.lower(), f.name) for f in mapping.fields):
                raise SchemaError(f"{raw.name}: column {c!r} appears twice in the header",
                                  file=raw.name, table=mapping.name, column=c, row=1)
            continue
        positions.setdefault(key, i)
    found: dict[str, int | None] = {}
    missing: list[FieldSpec] = []
    for f in mapping.fields:
        pos = positions.get(f.code.lower(), positions.get(f.name.lower()))
        if pos is None:
            if f.required:
                missing.append(f)
            else:
                warnings.warn(DataWarning(
                    f"{raw.name}: optional column {f.code!r} ({f.name}) is absent; it is loaded as NULL",
                    file=raw.name, table=mapping.name, column=f.code), stacklevel=2)
        found[f.name] = pos
    if missing:
        lines = []
        for f in missing:
            label = f", {f.label_zh}" if f.label_zh else ""
            sug = _suggest(f.code, raw.columns)
            hint = f"; did you mean {' or '.join(repr(s) for s in sug)}?" if sug else ""
            lines.append(f"{f.code!r} ({f.name}{label}){hint}")
        shown = ", ".join(raw.columns[:40]) + (" ..." if len(raw.columns) > 40 else "")
        raise SchemaError(
            f"{raw.name}: required column(s) missing from the header (line 1) for table {mapping.name}: "
            + "; ".join(lines) + f". Columns in the file: {shown}. If your export names the field "
            f"differently, edit 'code' in {mapping.path or 'the mapping'} or pass --mapping DIR",
            file=raw.name, table=mapping.name, column=missing[0].code, row=1)
    return found


def _typed(mapping: TableMapping, found: dict[str, int | None]) -> list[tuple[FieldSpec, int]]:
    return [(f, found[f.name]) for f in mapping.fields if f.type != "str" and found[f.name] is not None]


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
    d = 0
    for r in range(n):
        parsed_any, nonempty_any = False, False
        for f, pos in typed:
            p = parse_column(head.column(pos).slice(r, 1).combine_chunks(), f.type, excel=raw.format == "xlsx")
            if not p.empty[0].as_py():
                nonempty_any = True
                if not p.bad[0].as_py():
                    parsed_any = True
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
    """One file converted: typed columns in mapping order plus ``_rec`` (record index in file)."""

    table: pa.Table
    descriptive_rows: int
    padded_dates: int = 0
    absent_optional: list[str] = field(default_factory=list)


def convert_export(raw: RawExport, mapping: TableMapping) -> Converted:
    """Convert ``raw`` per ``mapping``; the first bad cell raises :class:`SchemaError`."""
    found = match_columns(raw, mapping)
    skip = count_descriptive_rows(raw, mapping, found)
    data = raw.records.slice(skip)
    recs = pa.array(np.arange(skip, skip + data.num_rows, dtype=np.int64))
    blank = None  # records whose every cell is empty (',,,,' lines Excel leaves) are skipped
    for col in data.columns:
        e = pc.equal(pc.utf8_trim_whitespace(col.fill_null("")), "")
        blank = e if blank is None else pc.and_(blank, e)
    if blank is not None and pc.any(blank).as_py():
        keep = pc.invert(blank)
        data, recs = data.filter(keep), recs.filter(pc.invert(blank.combine_chunks()))
    if data.num_rows == 0:
        raise EmptyInputError(f"{raw.name}: the file has header rows but no data rows",
                              file=raw.name, table=mapping.name)
    cols, padded, absent = {}, 0, []
    for f in mapping.fields:
        pos = found[f.name]
        if pos is None:
            cols[f.name] = pa.nulls(data.num_rows, ARROW_TYPES[f.type])
            absent.append(f.name)
            continue
        p = parse_column(data.column(pos).combine_chunks(), f.type, excel=raw.format == "xlsx")
        first_bad = pc.index(p.bad, True).as_py()
        if first_bad >= 0:
            rec = recs[first_bad].as_py()
            value = data.column(pos)[first_bad].as_py()
            raise SchemaError(
                f"{raw.name}: column {f.code!r} ({f.name}), {raw.where(rec)}: {value!r} is not "
                f"{_EXPECTED[f.type]}", file=raw.name, table=mapping.name, column=f.code, row=raw.line_of(rec))
        if f.name in mapping.key:
            first_empty = pc.index(p.empty, True).as_py()
            if first_empty >= 0:
                rec = recs[first_empty].as_py()
                raise SchemaError(
                    f"{raw.name}: key column {f.code!r} ({f.name}) is empty at {raw.where(rec)}",
                    file=raw.name, table=mapping.name, column=f.code, row=raw.line_of(rec))
        cols[f.name] = p.values
        padded += p.padded
    cols["_rec"] = recs
    return Converted(table=pa.table(cols), descriptive_rows=skip, padded_dates=padded, absent_optional=absent)


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
