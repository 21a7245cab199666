"""Variable definitions of the firm-year panel, read from ``definitions/`` (data, not code).

Three files, each replaceable by a user's copy in a directory passed as ``definitions=``:

* ``base.sql`` -- the firm-year base table (one row per stkcd, year) as SQL over the warehouse;
* ``variables.toml`` -- every variable once: ``name``, ``expr``, ``kind``, ``role``, labels, unit,
  ``winsorize``; plus ``[settings]``, ``[energy_factors]`` and ``[positive_fields]``;
* ``groups.toml`` -- industry lists and the province → East/Central/West map;
* ``ai_asset_keywords.toml`` -- the item-name keywords of AIinvest (人工智能投资).

Template placeholders ``{first_year}``, ``{last_year}``, ``{hightech_industries}``,
``{heavy_polluting_industries}``, ``{region_case}``, ``{energy_expr}``, ``{ai_asset_match}`` and
``{ai_asset_classes}`` are filled here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from nqp.errors import ConfigError

KINDS = ("formula", "measure", "document", "index")
ROLES = ("outcome", "indicator", "regressor", "control", "moderator", "channel", "group", "instrument", "id")
#: estimator -> (required inputs, optional inputs); ``fc`` takes any further inputs as logit regressors
ESTIMATORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "capacity_utilisation": (("revenue", "assets", "employees"), ()),
    "tfp": (("output", "free", "state"), ("proxy",)),
    "fc": (("size", "age", "payout"), ()),
}
TFP_METHODS = ("fe", "lp", "op", "acf", "ols")
_KEYS = {"name", "expr", "kind", "role", "label_zh", "label_en", "unit", "winsorize", "table", "absent",
         "estimator", "method", "inputs", "value_labels"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Variable:
    """One panel variable (a ``[[variable]]`` table of variables.toml)."""

    name: str
    expr: str
    kind: str = "formula"
    role: str = ""
    label_zh: str = ""
    label_en: str = ""
    unit: str = ""
    winsorize: bool = False
    table: str | None = None      # document variables: the warehouse table read
    absent: float | None = None   # document variables: value for a firm-year with no row (e.g. 0 patents)
    estimator: str | None = None  # measure variables: which nqp.measures estimator (ESTIMATORS)
    method: str | None = None     # measure variables: the estimator's method (tfp: fe, lp, ...)
    inputs: tuple[tuple[str, str], ...] = ()   # measure variables: (role, DuckDB expression), in order
    value_labels: tuple[tuple[int, str], ...] = ()  # coded groups: (code, label) for the Stata file

    @property
    def measure(self) -> str | None:
        """Short name of a measure's estimator, e.g. ``"tfp_lp"`` (None for other kinds)."""
        if self.estimator is None:
            return None
        return f"{self.estimator}_{self.method}" if self.method else self.estimator


@dataclass(frozen=True)
class Definitions:
    """Everything the panel builder reads from ``definitions/``."""

    base_sql: str
    variables: tuple[Variable, ...]
    settings: dict[str, Any]
    energy_factors: dict[str, float]
    positive_fields: tuple[str, ...]
    groups: dict[str, Any]
    source: str = "nqp (shipped)"
    extra: dict[str, Any] = field(default_factory=dict)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise ConfigError(f"no variable {name!r} in the definitions", variable=name)

    @property
    def names(self) -> list[str]:
        return [v.name for v in self.variables]


def _read_text(directory: Path | None, name: str) -> tuple[str, str]:
    if directory is not None and (directory / name).is_file():
        return (directory / name).read_text(encoding="utf-8"), str(directory / name)
    return (resources.files("nqp.panel") / "definitions" / name).read_text(encoding="utf-8"), name


def _toml(directory: Path | None, name: str) -> tuple[dict[str, Any], str]:
    text, file = _read_text(directory, name)
    try:
        return tomllib.loads(text), file
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot parse {name}: {exc}", file=file) from exc


def _variable(entry: dict[str, Any], i: int, file: str) -> Variable:
    name = entry.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError(f"[[variable]] #{i + 1} needs a name that is an identifier, got {name!r}", file=file)
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ConfigError(f"unknown key(s) {unknown}; allowed: {sorted(_KEYS)}", file=file, variable=name)
    kind = entry.get("kind", "formula")
    if kind not in KINDS:
        raise ConfigError(f"kind must be one of {KINDS}, got {kind!r}", file=file, variable=name)
    role = entry.get("role", "")
    if role and role not in ROLES:
        raise ConfigError(f"role must be one of {ROLES}, got {role!r}", file=file, variable=name)
    if kind not in ("index", "measure") and not isinstance(entry.get("expr"), str):
        raise ConfigError("expr (a string) is required", file=file, variable=name)
    if kind == "document" and not isinstance(entry.get("table"), str):
        raise ConfigError("a document variable needs table = \"<warehouse table>\"", file=file, variable=name)
    estimator, method, inputs = _measure(entry, kind, name, file) if kind == "measure" else (None, None, ())
    return Variable(name=name, expr=entry.get("expr", ""), kind=kind, role=role,
                    label_zh=entry.get("label_zh", ""), label_en=entry.get("label_en", ""),
                    unit=entry.get("unit", ""), winsorize=bool(entry.get("winsorize", False)),
                    table=entry.get("table"), absent=entry.get("absent"), estimator=estimator, method=method,
                    inputs=inputs, value_labels=_value_labels(entry.get("value_labels"), name, file))


def _measure(entry: dict[str, Any], kind: str, name: str, file: str) -> tuple[str, str | None, tuple]:
    """estimator, method and inputs of a ``kind = "measure"`` variable, checked."""
    est = entry.get("estimator")
    if est not in ESTIMATORS:
        raise ConfigError(f"a measure variable needs estimator = one of {sorted(ESTIMATORS)}, got {est!r}",
                          file=file, variable=name)
    method = entry.get("method")
    if est == "tfp" and method not in TFP_METHODS:
        raise ConfigError(f"estimator tfp needs method = one of {TFP_METHODS}, got {method!r}",
                          file=file, variable=name)
    if est != "tfp" and method is not None:
        raise ConfigError(f"estimator {est} takes no method", file=file, variable=name)
    inputs = entry.get("inputs")
    if not isinstance(inputs, dict) or not all(isinstance(v, str) and v.strip() for v in inputs.values()):
        raise ConfigError("a measure variable needs inputs = {role = \"DuckDB expression\", ...}",
                          file=file, variable=name)
    required, optional = ESTIMATORS[est]
    if est == "tfp" and method in ("lp", "op", "acf"):
        required = (*required, "proxy")
    missing = [r for r in required if r not in inputs]
    unknown = [k for k in inputs if k not in (*required, *optional)] if est != "fc" else []
    if missing or unknown:
        raise ConfigError(f"estimator {est} needs inputs {list(required)}"
                          + (f" (optional {list(optional)})" if optional else "")
                          + (f"; missing {missing}" if missing else "") + (f"; unknown {unknown}" if unknown else ""),
                          file=file, variable=name)
    if est == "fc" and len(inputs) == len(required):
        raise ConfigError("estimator fc needs at least one logit regressor among its inputs "
                          "(inputs other than size, age, payout)", file=file, variable=name)
    return est, method, tuple((k, " ".join(v.split())) for k, v in inputs.items())


def _value_labels(raw: Any, name: str, file: str) -> tuple[tuple[int, str], ...]:
    """``value_labels = {"0" = "...", "1" = "..."}`` -> ((0, "..."), (1, "...")), in file order."""
    if raw is None:
        return ()
    out = []
    for k, v in raw.items() if isinstance(raw, dict) else [(None, None)]:
        try:
            code = int(k)
        except (TypeError, ValueError):
            code = None
        if code is None or not isinstance(v, str) or not v:
            raise ConfigError(f"value_labels must map whole-number codes to labels, e.g. {{\"1\" = \"East\"}}; "
                              f"got {raw!r}", file=file, variable=name)
        out.append((code, v))
    return tuple(out)


def load_definitions(directory: str | Path | None = None) -> Definitions:
    """Read base.sql, variables.toml and groups.toml from ``directory`` (each file falls back to
    the shipped one when absent). Problems raise :class:`ConfigError` naming file and variable."""
    d = Path(directory) if directory is not None else None
    if d is not None and not d.is_dir():
        raise ConfigError(f"definitions directory {d} does not exist", file=str(d))
    base_sql, _ = _read_text(d, "base.sql")
    doc, file = _toml(d, "variables.toml")
    groups, _ = _toml(d, "groups.toml")
    ai_kw, kw_file = _toml(d, "ai_asset_keywords.toml")
    for key in ("keywords", "asset_classes"):
        val = ai_kw.get(key)
        if not isinstance(val, list) or not val or not all(isinstance(x, str) and x for x in val):
            raise ConfigError(f"{key} must be a non-empty list of non-empty strings", file=kw_file, variable=key)
    entries = doc.get("variable", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError("no [[variable]] tables", file=file)
    variables = tuple(_variable(e, i, file) for i, e in enumerate(entries))
    seen: set[str] = set()
    for v in variables:
        if v.name in seen:
            raise ConfigError("variable defined twice", file=file, variable=v.name)
        seen.add(v.name)
    return Definitions(
        base_sql=base_sql, variables=variables, settings=dict(doc.get("settings", {})),
        energy_factors={k: float(x) for k, x in doc.get("energy_factors", {}).items()},
        positive_fields=tuple(doc.get("positive_fields", {}).get("fields", [])),
        groups=groups, source=str(d) if d is not None else "nqp (shipped)",
        extra={"ai_asset_keywords": list(ai_kw["keywords"]), "ai_asset_classes": list(ai_kw["asset_classes"])},
    )


def _sql_str(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _sql_list(items: list[str]) -> str:
    return "[" + ", ".join(_sql_str(x) for x in items) + "]"


def region_case(regions: dict[str, list[str]], column: str = "province") -> str:
    """CASE expression mapping a province name (by its start) to its region, NULL if unmatched."""
    arms = []
    for region, provinces in regions.items():
        cond = " OR ".join(f"starts_with({column}, {_sql_str(p)})" for p in provinces)
        arms.append(f"WHEN {cond} THEN {_sql_str(region)}")
    return "CASE " + " ".join(arms) + " ELSE NULL END" if arms else "NULL"


def energy_expr(factors: dict[str, float]) -> str:
    """Σ factor × quantity over the energy sources (吨标准煤); a source not reported counts 0,
    and the total is missing only when no source is reported."""
    if not factors:
        return "NULL"
    none = " AND ".join(f"{f} IS NULL" for f in factors)
    total = " + ".join(f"coalesce({f}, 0) * {float(x)!r}" for f, x in factors.items())
    return f"CASE WHEN {none} THEN NULL ELSE {total} END"


def keyword_match(keywords: list[str], column: str = "item") -> str:
    """SQL condition: ``column`` contains any of ``keywords`` (plain substring, case-sensitive)."""
    if not keywords:
        return "false"
    return "(" + " OR ".join(f"contains({column}, {_sql_str(k)})" for k in keywords) + ")"


def template_values(defs: Definitions, first_year: int, last_year: int) -> dict[str, str]:
    ind = defs.groups.get("industries", {})
    return {
        "first_year": str(int(first_year)),
        "last_year": str(int(last_year)),
        "hightech_industries": _sql_list(ind.get("hightech", [])),
        "heavy_polluting_industries": _sql_list(ind.get("heavy_polluting", [])),
        "region_case": region_case(defs.groups.get("regions", {})),
        "energy_expr": energy_expr(defs.energy_factors),
        "ai_asset_match": keyword_match(defs.extra.get("ai_asset_keywords", [])),
        "ai_asset_classes": _sql_list(defs.extra.get("ai_asset_classes", [])),
    }


def fill(template: str, values: dict[str, str], *, where: str, variable: str | None = None) -> str:
    """Replace ``{name}`` placeholders; an unknown one is a ConfigError naming it."""
    def sub(m: re.Match) -> str:
        if m.group(1) not in values:
            raise ConfigError(f"unknown placeholder {{{m.group(1)}}} in {where}; known: {sorted(values)}",
                              variable=variable)
        return values[m.group(1)]
    return _PLACEHOLDER.sub(sub, template)
