"""Which export tables a study needs, and a check that a data folder has them.

A variable's tables follow from its definition (``nqp.panel`` ``variables.toml``): the base
columns its expression (or a measure's inputs) reads, through the variables it uses, and the
warehouse table of each column (the mappings' field names). The NQP index needs its indicators
(``nqp.index`` indicator system). Document variables need a document stage's input: annual
reports (``text_measures``) or IncoPat records (``patent_counts``).

``check_exports(data_dir, variables)`` raises one :class:`MissingFileError` listing every
missing table with the variables that need it, so ``nqp run`` stops before any work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from nqp.errors import MissingFileError
from nqp.ingest.mapping import TableMapping, load_mappings

# Columns base.sql derives from a table under another name (keep in step with base.sql).
DERIVED = {
    "year": "balance_sheet", "short_name_year": "short_name_annual", "overseas_countries": "subsidiaries",
    "asset_items_amount": "asset_items", "ai_asset_items_amount": "asset_items",
    "short_name_now": "company_profile", "soe_flag": "company_profile", "listed": "company_profile",
    "smart_city_listed": "smart_city_pilot", "total_pay": "cash_flow_direct",
}
# document-stage tables: what the data folder must hold for them
DOCUMENTS = {"text_measures": "reports/ (annual reports)", "patent_counts": "patents/ (IncoPat incopat_* files)"}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _column_tables(mappings: dict[str, TableMapping]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, m in mappings.items():
        for f in m.fields:
            if f.name not in ("stkcd", "accper", "end_date", "typrep", "fiscal_year"):
                out.setdefault(f.name, name)
    out.update(DERIVED)
    return out


def required_tables(variables: Iterable[str], *, mappings: dict[str, TableMapping] | None = None,
                    definitions=None) -> dict[str, list[str]]:
    """``{table: [variables that need it]}`` for the panel ``variables`` (names of
    ``variables.toml``); tables sorted, variables in the order asked. An unknown variable name
    is a :class:`~nqp.errors.ConfigError` naming it."""
    from nqp.errors import ConfigError
    from nqp.panel.config import load_definitions, template_values

    defs = definitions or load_definitions()
    templates = template_values(defs, 2010, 2022)  # {energy_expr}, {ai_asset_match}, ...: the columns they read
    maps = mappings or load_mappings()
    by_name = {v.name: v for v in defs.variables}
    col_table = _column_tables(maps)

    def tables_of(name: str, seen: set[str]) -> set[str]:
        if name in seen:
            return set()
        seen.add(name)
        v = by_name[name]
        if v.kind == "document" and v.table:
            return {v.table}
        if v.kind == "index":
            from nqp.index import load_indicator_system

            exprs = list(load_indicator_system()[0])
        else:
            exprs = [v.expr, *(e for _, e in v.inputs)]
        out: set[str] = set()
        for expr in exprs:
            for k, v in templates.items():
                expr = (expr or "").replace("{" + k + "}", str(v))
            for tok in _IDENT.findall(expr or ""):
                base = tok[5:] if tok.startswith("prev_") else tok
                for t in (tok, base):
                    if t in by_name and t != name:
                        out |= tables_of(t, seen)
                    elif t in col_table:
                        out.add(col_table[t])
        return out

    need: dict[str, list[str]] = {}
    for name in variables:
        if name not in by_name:
            import difflib

            close = difflib.get_close_matches(name, list(by_name), n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise ConfigError(f"unknown variable {name!r}{hint}", variable=name)
        for t in sorted(tables_of(name, set())):
            need.setdefault(t, [])
            if name not in need[t]:
                need[t].append(name)
    return dict(sorted(need.items()))


def check_exports(data_dir: str | Path, variables: Iterable[str], *,
                  mapping_dir: str | Path | None = None) -> dict[str, list[str]]:
    """Check that ``data_dir`` holds an export of every table the ``variables`` need (and of the
    tables every panel needs: the mappings marked required). Returns ``required_tables``;
    raises one :class:`MissingFileError` listing each missing table, its export file name and
    the variables that need it."""
    from nqp.ingest.load import discover_files

    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise MissingFileError(f"data folder {data_dir} does not exist", file=str(data_dir))
    maps = load_mappings(mapping_dir)
    need = required_tables(list(variables), mappings=maps)
    for name, m in maps.items():
        if m.required:
            need.setdefault(name, []).insert(0, "(every panel)")
    files, _ = discover_files(data_dir, maps)
    missing = []
    for table, users in sorted(need.items()):
        if table in DOCUMENTS:
            sub = "reports" if table == "text_measures" else "patents"
            if not (data_dir / sub).is_dir() or not any((data_dir / sub).iterdir()):
                missing.append(f"{DOCUMENTS[table]} for {', '.join(users)}")
            continue
        if table in maps and not files.get(table):
            m = maps[table]
            missing.append(f"{table} ({m.source} {m.label_zh}, files {m.pattern}.csv/.txt/.xlsx/.xls/.parquet) "
                           f"for {', '.join(users)}")
    if missing:
        raise MissingFileError(f"{data_dir.name} lacks {len(missing)} export(s) the study needs: "
                               + "; ".join(missing), file=str(data_dir))
    return need
