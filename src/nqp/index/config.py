"""Reading an indicator system (指标体系) from TOML: which columns, which way, which dimension.

The paper's system (表 1) ships as ``nqp/index/indicators/nqp_paper.toml``; users pass their
own file to add, drop or re-sign indicators. Format (``docs/index.md``)::

    [system]                      # optional: name, title_zh, title_en, source
    [[dimensions]]                # one table per dimension, in display order
    key = "labour"                #   identifier used as the dimension name
    zh = "新质劳动者"; en = "New-quality labourers"
    [[indicators]]                # one table per indicator
    column = "hightech_staff_share"; dimension = "labour"; sign = 1   # or -1
    zh = "高技能人才占比"; en = "High-skill talent share"
    definition_zh = "..."; definition_en = "..."                     # optional

This is the only place in :mod:`nqp.index` that reads a file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from nqp.errors import ConfigError, MissingFileError

PAPER_SYSTEM = "nqp_paper.toml"

_TOP = {"system", "dimensions", "indicators"}
_SYSTEM = {"name", "title_zh", "title_en", "source"}
_DIMENSION_REQUIRED = {"key", "zh", "en"}
_DIMENSION_OPTIONAL = {"definition_zh", "definition_en"}
_INDICATOR_REQUIRED = {"column", "dimension", "sign", "zh", "en"}
_INDICATOR_OPTIONAL = {"definition_zh", "definition_en"}


@dataclass(frozen=True)
class Label:
    """Display names of an indicator or a dimension, in Chinese and English."""

    zh: str
    en: str
    definition_zh: str = ""
    definition_en: str = ""


def _read(path: str | Path | None) -> tuple[str, dict[str, Any]]:
    if path is None:
        res = resources.files("nqp.index.indicators").joinpath(PAPER_SYSTEM)
        return PAPER_SYSTEM, tomllib.loads(res.read_text(encoding="utf-8"))
    p = Path(path)
    if not p.is_file():
        raise MissingFileError("indicator-system file not found", file=str(p))
    try:
        return str(p), tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(p)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text: {exc}", file=str(p)) from exc


def _check_table(entry: Any, where: str, required: set[str], optional: set[str], file: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table", file=file, variable=where)
    missing = sorted(required - set(entry))
    if missing:
        raise ConfigError(f"{where} lacks key(s) {missing}", file=file, variable=f"{where}.{missing[0]}")
    unknown = sorted(set(entry) - required - optional)
    if unknown:
        raise ConfigError(f"{where} has unknown key(s) {unknown}; allowed: {sorted(required | optional)}",
                          file=file, variable=f"{where}.{unknown[0]}")
    for k, v in entry.items():
        if k != "sign" and not (isinstance(v, str) and (v.strip() or k in optional)):
            raise ConfigError(f"{where}.{k} must be a non-empty string, got {v!r}", file=file, variable=f"{where}.{k}")
    return entry


def load_indicator_system(
    path: str | Path | None = None,
) -> tuple[dict[str, int], dict[str, str], dict[str, Label]]:
    """Load an indicator system; the paper's Table 1 system by default.

    Returns ``(indicators, dimensions, labels)``: column → sign (+1/−1); column → dimension
    key; and column *or* dimension key → :class:`Label` (keys are checked to be distinct).
    Every problem raises :class:`~nqp.errors.ConfigError` naming the file and the key.
    """
    file, doc = _read(path)
    unknown = sorted(set(doc) - _TOP)
    if unknown:
        raise ConfigError(f"unknown top-level key(s) {unknown}; allowed: {sorted(_TOP)}", file=file, variable=unknown[0])
    system = doc.get("system", {})
    if not isinstance(system, dict) or set(system) - _SYSTEM:
        raise ConfigError(f"[system] may only hold {sorted(_SYSTEM)}", file=file, variable="system")

    dims_raw = doc.get("dimensions")
    if not isinstance(dims_raw, list) or not dims_raw:
        raise ConfigError("no [[dimensions]] tables", file=file, variable="dimensions")
    labels: dict[str, Label] = {}
    dim_keys: list[str] = []
    for i, entry in enumerate(dims_raw):
        d = _check_table(entry, f"dimensions[{i}]", _DIMENSION_REQUIRED, _DIMENSION_OPTIONAL, file)
        if d["key"] in labels:
            raise ConfigError(f"dimension key {d['key']!r} appears twice", file=file, variable=f"dimensions[{i}].key")
        labels[d["key"]] = Label(d["zh"], d["en"], d.get("definition_zh", ""), d.get("definition_en", ""))
        dim_keys.append(d["key"])

    ind_raw = doc.get("indicators")
    if not isinstance(ind_raw, list) or not ind_raw:
        raise ConfigError("no [[indicators]] tables", file=file, variable="indicators")
    indicators: dict[str, int] = {}
    dimensions: dict[str, str] = {}
    for i, entry in enumerate(ind_raw):
        where = f"indicators[{i}]"
        d = _check_table(entry, where, _INDICATOR_REQUIRED, _INDICATOR_OPTIONAL, file)
        col = d["column"]
        if col in indicators:
            raise ConfigError(f"indicator column {col!r} appears twice", file=file, variable=f"{where}.column", column=col)
        if col in labels:
            raise ConfigError(f"indicator column {col!r} is also a dimension key", file=file, variable=f"{where}.column", column=col)
        sign = d["sign"]
        if isinstance(sign, bool) or sign not in (1, -1):
            raise ConfigError(f"{where}.sign must be 1 or -1, got {sign!r}", file=file, variable=f"{where}.sign", column=col)
        if d["dimension"] not in dim_keys:
            raise ConfigError(f"{where}.dimension {d['dimension']!r} is not a declared dimension key {dim_keys}",
                              file=file, variable=f"{where}.dimension", column=col)
        indicators[col] = int(sign)
        dimensions[col] = d["dimension"]
        labels[col] = Label(d["zh"], d["en"], d.get("definition_zh", ""), d.get("definition_en", ""))
    empty = [k for k in dim_keys if k not in dimensions.values()]
    if empty:
        raise ConfigError(f"dimension(s) {empty} have no indicators", file=file, variable="dimensions")
    # order indicators by dimension declaration order so that dimension scores come out in that order
    order = sorted(indicators, key=lambda c: dim_keys.index(dimensions[c]))
    return {c: indicators[c] for c in order}, {c: dimensions[c] for c in order}, labels
