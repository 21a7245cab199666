"""Source-field mappings: read and validate the TOML contract of ``nqp/ingest/mapping/README.md``.

One TOML file per source table maps a vendor export (CSMAR 国泰安 field codes such as
``Stkcd``, ``Accper``, ``A001000000``) to a warehouse table with semantic column names.
The shipped files live in the package (``nqp/ingest/mapping/*.toml``); a user's
``--mapping DIR`` overrides them table by table (same ``[table].name``) and may add tables.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from nqp.errors import ConfigError

TYPES = ("stkcd", "str", "int", "float", "date", "bool")
HEADER_ROWS = ("csmar", "plain")
_TABLE_KEYS = {
    "name", "source", "pattern", "label_zh", "label_en", "header_rows", "key", "provenance",
    "required", "description", "notes", "evidence", "aggregate",
}
_FIELD_KEYS = {"code", "name", "type", "label_zh", "label_en", "unit", "required", "description", "notes",
               "aliases", "codes", "fallback_sum", "category", "detail", "evidence"}
_LONG_KEYS = {"category", "detail", "value", "unit", "units", "label_zh", "description"}
AGGREGATES = ("", "sum")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FieldSpec:
    """One warehouse column ``name`` of ``type``.

    Read from the export column ``code`` (or one of ``aliases``, or its Chinese label
    ``label_zh``: CSMAR exports with 字段名称 headers); or, in a long table (``[long]``), spread
    from the rows whose category is one of ``category`` (and, if given, whose detail text
    contains one of ``detail``). ``codes`` lists the allowed values of a code column with
    their meaning; ``fallback_sum`` names the fields whose sum stands in for this one when an
    older export lacks its column (a subtotal that only newer vintages carry).
    """

    code: str
    name: str
    type: str
    label_zh: str = ""
    label_en: str = ""
    unit: str = ""
    required: bool = True
    aliases: tuple[str, ...] = ()
    codes: tuple[tuple[str, str], ...] = ()
    fallback_sum: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    detail: tuple[str, ...] = ()

    @property
    def spread(self) -> bool:
        """A column spread from a long table's category rows (no export column of its own)."""
        return bool(self.category or self.detail)

    def headers(self) -> tuple[str, ...]:
        """Header spellings that name this field in an export, in order of preference."""
        out = [self.code, *self.aliases, self.name, self.label_zh]
        return tuple(dict.fromkeys(h for h in out if h))


@dataclass(frozen=True)
class LongSpec:
    """A long table (CSMAR STK_CompanyStaff, FN_Fn060 notes): one row per firm, date and
    category; ``category``/``detail``/``value``/``unit`` are export column codes and ``units``
    the factor of each unit value (万人 = 10000 人)."""

    category: FieldSpec | None
    value: FieldSpec
    detail: FieldSpec | None = None
    unit: FieldSpec | None = None
    units: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class TableMapping:
    """One source table (e.g. CSMAR ``FS_Combas`` 资产负债表 -> ``balance_sheet``)."""

    name: str
    source: str
    pattern: str
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...] = ()
    header_rows: str = "csmar"
    label_zh: str = ""
    label_en: str = ""
    provenance: str = ""
    required: bool = True
    path: str = ""  # the TOML file it was read from (for messages)
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (export column, kept values)
    long: LongSpec | None = None
    aggregate: str = ""  # "sum": rows sharing the key are added up (numbers), e.g. interim + final
    evidence: str = ""  # what the field codes rest on (csmar-fields.md sources)

    @property
    def combines_rows(self) -> bool:
        """Rows sharing the key are combined (a long table, or ``aggregate = "sum"``)."""
        return self.long is not None or self.aggregate == "sum"

    @property
    def read_fields(self) -> tuple[FieldSpec, ...]:
        """Fields read from an export column (not spread from a long table)."""
        return tuple(f for f in self.fields if not f.spread)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def firm_field(self) -> FieldSpec | None:
        """The stock-code column (type ``stkcd``), preferring one named ``stkcd``."""
        cands = [f for f in self.fields if f.type == "stkcd"]
        named = [f for f in cands if f.name == "stkcd"]
        return (named or cands or [None])[0]

    @property
    def year_field(self) -> FieldSpec | None:
        """The key column that dates a row: a ``date`` key, else an ``int`` key named like
        ``year`` (for the year range of the load report)."""
        keyed = [self.field(k) for k in self.key]
        dates = [f for f in keyed if f.type == "date"]
        years = [f for f in keyed if f.type == "int" and "year" in f.name]
        return (dates or years or [None])[0]


def _str(value: Any, where: str, file: str, column: str | None = None) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {value!r}", file=file, column=column)
    return value


def _bool(value: Any, where: str, file: str, column: str | None = None) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {value!r}", file=file, column=column)
    return value


def parse_mapping(data: dict[str, Any], file: str) -> TableMapping:
    """Validate one parsed TOML document and build its :class:`TableMapping`.

    Raises :class:`ConfigError` naming ``file`` and the offending field for an unknown key,
    an unknown type, a duplicate field name or code, or a key that is not a field.
    """
    unknown_top = set(data) - {"table", "fields", "filter", "long"}
    if unknown_top:
        raise ConfigError(f"unknown section(s) {sorted(unknown_top)}; expected [table], [[fields]], "
                          "[filter] and [long]", file=file)
    table = data.get("table")
    if not isinstance(table, dict):
        raise ConfigError("missing [table] section", file=file)
    unknown = set(table) - _TABLE_KEYS
    if unknown:
        raise ConfigError(f"unknown key(s) {sorted(unknown)} in [table]; allowed: {sorted(_TABLE_KEYS)}", file=file)
    for req in ("name", "source", "pattern"):
        if req not in table:
            raise ConfigError(f"[table] lacks {req!r}", file=file)
    name = _str(table["name"], "[table].name", file)
    if not _IDENT.match(name):
        raise ConfigError(f"[table].name {name!r} must be snake_case (a-z, 0-9, _), not starting with _", file=file)
    header_rows = _str(table.get("header_rows", "csmar"), "[table].header_rows", file)
    if header_rows not in HEADER_ROWS:
        raise ConfigError(f"[table].header_rows {header_rows!r} must be one of {HEADER_ROWS}", file=file)

    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise ConfigError("no [[fields]] entries", file=file, table=name)
    fields: list[FieldSpec] = []
    seen_names: dict[str, int] = {}
    seen_codes: dict[str, int] = {}
    for i, fd in enumerate(raw_fields, start=1):
        where = f"[[fields]] #{i}"
        if not isinstance(fd, dict):
            raise ConfigError(f"{where} is not a table", file=file, table=name)
        col = fd.get("name") if isinstance(fd.get("name"), str) else None
        bad = set(fd) - _FIELD_KEYS
        if bad:
            raise ConfigError(f"{where}: unknown key(s) {sorted(bad)}; allowed: {sorted(_FIELD_KEYS)}",
                              file=file, table=name, column=col)
        spread = "category" in fd or "detail" in fd
        for req in ("name", "type") if spread else ("code", "name", "type"):
            if req not in fd:
                raise ConfigError(f"{where} lacks {req!r}", file=file, table=name, column=col)
        if spread and "code" in fd:
            raise ConfigError(f"{where}: a field spread from a [long] table (category/detail) has no 'code'",
                              file=file, table=name, column=col)
        code = "" if spread else _str(fd["code"], f"{where}.code", file, col).strip()
        fname = _str(fd["name"], f"{where}.name", file, col)
        ftype = _str(fd["type"], f"{where}.type", file, col)
        if not spread and not code:
            raise ConfigError(f"{where}.code is empty", file=file, table=name, column=fname)
        if not _IDENT.match(fname):
            raise ConfigError(f"{where}.name {fname!r} must be snake_case", file=file, table=name, column=fname)
        if ftype not in TYPES:
            raise ConfigError(f"field {fname!r}: unknown type {ftype!r}; use one of {', '.join(TYPES)}",
                              file=file, table=name, column=fname)
        if fname in seen_names:
            raise ConfigError(f"duplicate field name {fname!r} ([[fields]] #{seen_names[fname]} and #{i})",
                              file=file, table=name, column=fname)
        if code and code.lower() in seen_codes:
            raise ConfigError(f"duplicate field code {code!r} ([[fields]] #{seen_codes[code.lower()]} and #{i})",
                              file=file, table=name, column=fname)
        seen_names[fname] = i
        if code:
            seen_codes[code.lower()] = i
        codes = fd.get("codes", {})
        if not isinstance(codes, dict) or not all(isinstance(v, str) for v in codes.values()):
            raise ConfigError(f"{where}.codes must be a table of value = \"meaning\"", file=file, table=name,
                              column=fname)
        if spread and ftype not in ("float", "int"):
            raise ConfigError(f"{where}: a field spread from a [long] table must be float or int",
                              file=file, table=name, column=fname)
        fields.append(FieldSpec(
            code=code, name=fname, type=ftype,
            label_zh=_str(fd.get("label_zh", ""), f"{where}.label_zh", file, fname),
            label_en=_str(fd.get("label_en", ""), f"{where}.label_en", file, fname),
            unit=_str(fd.get("unit", ""), f"{where}.unit", file, fname),
            required=_bool(fd.get("required", True), f"{where}.required", file, fname),
            aliases=_strs(fd.get("aliases", []), f"{where}.aliases", file, fname),
            codes=tuple((str(k), v) for k, v in codes.items()),
            fallback_sum=_strs(fd.get("fallback_sum", []), f"{where}.fallback_sum", file, fname),
            category=_strs(fd.get("category", []), f"{where}.category", file, fname),
            detail=_strs(fd.get("detail", []), f"{where}.detail", file, fname),
        ))

    key = table.get("key", [])
    if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
        raise ConfigError("[table].key must be a list of field names", file=file, table=name)
    for k in key:
        if k not in seen_names:
            raise ConfigError(f"key {k!r} is not a field name (fields: {', '.join(seen_names)})",
                              file=file, table=name, column=k)
    if len(set(key)) != len(key):
        raise ConfigError(f"[table].key {key} repeats a field", file=file, table=name)
    by_name = {f.name: f for f in fields}
    for f in fields:
        for item in f.fallback_sum:
            if item not in by_name or by_name[item].spread or item == f.name:
                raise ConfigError(f"field {f.name!r}: fallback_sum item {item!r} is not another field of the table",
                                  file=file, table=name, column=f.name)
        if f.fallback_sum and f.required:
            raise ConfigError(f"field {f.name!r} has a fallback_sum: declare it required = false", file=file,
                              table=name, column=f.name)
    filters = _filters(data.get("filter", {}), file, name)
    long = _long(data.get("long"), file, name)
    if any(f.spread for f in fields) and long is None:
        raise ConfigError("fields with 'category' or 'detail' need a [long] section", file=file, table=name)
    for f in fields:
        if long is not None and ((f.category and long.category is None) or (f.detail and long.detail is None)):
            raise ConfigError(f"field {f.name!r} matches a [long] column the section does not name", file=file,
                              table=name, column=f.name)
    if long is not None and not key:
        raise ConfigError("a [long] table needs a [table].key (the columns rows are combined by)", file=file,
                          table=name)
    aggregate = _str(table.get("aggregate", ""), "[table].aggregate", file)
    if aggregate not in AGGREGATES:
        raise ConfigError(f"[table].aggregate {aggregate!r} must be one of {AGGREGATES[1:]}", file=file, table=name)
    if aggregate and not key:
        raise ConfigError("[table].aggregate needs a [table].key", file=file, table=name)

    return TableMapping(
        name=name,
        source=_str(table["source"], "[table].source", file),
        pattern=_str(table["pattern"], "[table].pattern", file),
        fields=tuple(fields),
        key=tuple(key),
        header_rows=header_rows,
        label_zh=_str(table.get("label_zh", ""), "[table].label_zh", file),
        label_en=_str(table.get("label_en", ""), "[table].label_en", file),
        provenance=_str(table.get("provenance", ""), "[table].provenance", file),
        required=_bool(table.get("required", True), "[table].required", file),
        path=file,
        filters=filters,
        long=long,
        aggregate=aggregate,
        evidence=_str(table.get("evidence", ""), "[table].evidence", file),
    )


def _strs(value: Any, where: str, file: str, column: str | None = None) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a string or a list of strings, got {value!r}", file=file, column=column)
    return tuple(value)


def _filters(raw: Any, file: str, table: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[filter]``: export column code = kept value(s) (compared as text, e.g. Typrep = "A")."""
    if not isinstance(raw, dict):
        raise ConfigError("[filter] must be a table of column = value(s)", file=file, table=table)
    out = []
    for code, vals in raw.items():
        if isinstance(vals, (int, float)) and not isinstance(vals, bool):
            vals = [vals]
        if isinstance(vals, list):
            vals = [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in vals]
        out.append((code, _strs(vals, f"[filter].{code}", file, code)))
    return tuple(out)


def _long(raw: Any, file: str, table: str) -> LongSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError("[long] must be a table", file=file, table=table)
    bad = set(raw) - _LONG_KEYS
    if bad:
        raise ConfigError(f"unknown key(s) {sorted(bad)} in [long]; allowed: {sorted(_LONG_KEYS)}", file=file,
                          table=table)
    if "value" not in raw or not ("category" in raw or "detail" in raw):
        raise ConfigError("[long] needs 'value' and 'category' or 'detail'", file=file, table=table)

    def col(key: str, ftype: str) -> FieldSpec | None:
        if key not in raw:
            return None
        codes = _strs(raw[key], f"[long].{key}", file, key)
        return FieldSpec(code=codes[0], name=f"_{key}", type=ftype, aliases=codes[1:])

    units = raw.get("units", {})
    if not isinstance(units, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                              for v in units.values()):
        raise ConfigError("[long].units must be a table of unit = factor", file=file, table=table)
    if "unit" in raw and not units:
        raise ConfigError("[long].unit needs [long].units (the factor of each unit value)", file=file, table=table)
    return LongSpec(category=col("category", "str"), value=col("value", "float"), detail=col("detail", "str"),
                    unit=col("unit", "str"), units=tuple((k, float(v)) for k, v in units.items()))


def load_mapping_file(path: Path | str) -> TableMapping:
    """Read and validate one mapping TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read mapping file: {exc}", file=str(path)) from exc
    return parse_mapping(data, path.name)


def _load_dir(files: list[tuple[str, str]]) -> dict[str, TableMapping]:
    """``files`` = (display name, text); one table name per directory."""
    out: dict[str, TableMapping] = {}
    for display, text in sorted(files):
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"not valid TOML: {exc}", file=display) from exc
        m = parse_mapping(data, display)
        if m.name in out:
            raise ConfigError(f"table {m.name!r} is defined twice (also in {out[m.name].path})",
                              file=display, table=m.name)
        out[m.name] = m
    return out


def default_mappings() -> dict[str, TableMapping]:
    """The mappings shipped with nqp (package data ``nqp/ingest/mapping/*.toml``)."""
    root = resources.files("nqp.ingest") / "mapping"
    files = [(e.name, e.read_text(encoding="utf-8")) for e in root.iterdir()
             if e.name.endswith(".toml") and e.is_file()]
    return _load_dir(files)


def load_mappings(mapping_dir: Path | str | None = None, *, defaults: bool = True) -> dict[str, TableMapping]:
    """All table mappings, by warehouse table name (sorted).

    ``mapping_dir``'s ``*.toml`` override the shipped ones with the same ``[table].name``;
    ``defaults=False`` uses ``mapping_dir`` alone.
    """
    out = default_mappings() if defaults else {}
    if mapping_dir is not None:
        d = Path(mapping_dir)
        if not d.is_dir():
            raise ConfigError("mapping directory does not exist", file=str(d))
        files = []
        for p in d.glob("*.toml"):
            try:
                files.append((p.name, p.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read mapping file: {exc}", file=p.name) from exc
        out.update(_load_dir(files))
    if not out:
        raise ConfigError("no table mappings found", file=str(mapping_dir) if mapping_dir else None)
    return dict(sorted(out.items()))
