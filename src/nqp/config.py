"""One schema checker for nqp's TOML files (studies, and any other configuration that wants it).

A schema is a mapping ``key -> Key(...)`` stated as data. :func:`check_keys` validates one TOML
table against it: an unknown key, a missing required key, a value of the wrong type or outside
its choices each raise :class:`nqp.errors.ConfigError` naming the file and the key's full path
(``[[tables]] id="3" > models[1].outcom``), with a did-you-mean from :mod:`difflib` where a
near spelling exists. Every problem of a table is listed in one error, not only the first.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nqp.errors import ConfigError, MissingFileError

_MISSING = object()


@dataclass(frozen=True)
class Key:
    """One allowed key: its type(s), whether it is required, its default and allowed values."""

    types: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    choices: tuple[Any, ...] | None = None
    doc: str = ""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(str(name), sorted(set(map(str, candidates))), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(types: type | tuple[type, ...]) -> str:
    ts = types if isinstance(types, tuple) else (types,)
    names = {bool: "true/false", int: "integer", float: "number", str: "string", list: "list", dict: "table"}
    return " or ".join(names.get(t, t.__name__) for t in ts)


def _type_ok(value: Any, types: type | tuple[type, ...]) -> bool:
    ts = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool):
        return bool in ts
    if isinstance(value, int) and float in ts:
        return True
    return isinstance(value, ts)


def check_keys(table: Mapping[str, Any], schema: Mapping[str, Key], *, file: str | Path, where: str) -> dict[str, Any]:
    """Validate ``table`` against ``schema``; return it with defaults filled in.

    ``where`` names the table in messages (``"[defaults]"``, ``"table 3, model t3_2"``)."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: expected a table, got {type(table).__name__}", file=str(file))
    problems = []
    for k in table:
        if k not in schema:
            problems.append(f"unknown key {k!r}{did_you_mean(k, schema)}")
    out: dict[str, Any] = {}
    for k, spec in schema.items():
        v = table.get(k, _MISSING)
        if v is _MISSING:
            if spec.required:
                problems.append(f"missing required key {k!r}" + (f" ({spec.doc})" if spec.doc else ""))
            out[k] = spec.default
            continue
        if not _type_ok(v, spec.types):
            problems.append(f"key {k!r} must be {_type_name(spec.types)}, got {v!r}")
        elif spec.choices is not None and v not in spec.choices:
            problems.append(f"key {k!r} = {v!r} is not one of {list(spec.choices)}"
                            + did_you_mean(str(v), map(str, spec.choices)))
        out[k] = v
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems), file=str(file))
    return out


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file; a missing file or a syntax error becomes an nqp error naming the file."""
    p = Path(path)
    if not p.is_file():
        raise MissingFileError("file does not exist", file=str(p))
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(p)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text: {exc}", file=str(p)) from None
