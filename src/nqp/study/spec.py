"""A study as a declarative TOML file (研究设定): load, expand macros, validate.

A study holds ``[study]`` (name, titles, years), ``[defaults]`` (fixed effects, cluster,
small-sample convention, whether models use the control macro), ``[macros]`` (strings used as
``{name}``), ``[sample]`` (the sample rules and lags), ``[index]`` (the NQP index method),
``[[tables]]`` each with ``[[tables.models]]`` and ``[[tables.tests]]``, and an optional
``[robustness]`` section. The paper ships as ``nqp/study/studies/ai_nqp.toml``.

Everything is validated on load, before any data are touched: an unknown key, table type,
test method, variable or model id is a :class:`nqp.errors.ConfigError` that names the file,
the table and the key, with a did-you-mean. Variables are checked against the panel's data
dictionary (``variables.toml``) plus the keys of the panel.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from nqp.config import Key, check_keys, did_you_mean, load_toml
from nqp.econometrics.formula import Formula, parse_formula
from nqp.errors import ConfigError, FormulaError
from nqp.panel.lags import check_lag_variables, parse_lags

STUDIES_DIR = Path(__file__).with_name("studies")
TABLE_TYPES = ("regression", "iv", "heterogeneity", "moderation", "channel")
TEST_METHODS = ("permutation", "suest", "chow")
LAG_CONVENTIONS = ("full_panel", "sample")
INDEX_METHODS = ("pooled", "yearly")
PANEL_KEYS = ("stkcd", "year", "industry", "province", "city")
_MACRO = re.compile(r"\{([^{}]+)\}")

STUDY_KEYS = {
    "name": Key(str, required=True, doc="a short identifier"),
    "title_zh": Key(str, default=""), "title_en": Key(str, default=""),
    "first_year": Key(int, default=None), "last_year": Key(int, default=None),
    "definitions": Key(str, default=None, doc="folder of base.sql/variables.toml/groups.toml"),
}
DEFAULTS_KEYS = {
    "fixed_effects": Key(list, default=["stkcd", "year"]),
    "cluster": Key((str, list), default=None),
    "ssc": Key(str, default="reghdfe", choices=("reghdfe", "fixest")),
    "controls": Key(bool, default=True, doc="models use the {controls} macro unless they say otherwise"),
    "panel": Key(list, default=["stkcd", "year"], doc="(unit, time) for lags"),
}
SAMPLE_KEYS = {
    "drop_st": Key(bool, default=True), "drop_financial": Key(bool, default=True),
    "winsorize": Key((list, bool), default=[0.01, 0.99]),
    "winsorize_by": Key(str, default=""),
    "lags": Key(list, default=[]),
    "lag_convention": Key(str, default="full_panel", choices=LAG_CONVENTIONS),
}
INDEX_KEYS = {
    "method": Key(str, default="pooled", choices=INDEX_METHODS),
    "indicators": Key(str, default=None, doc="an indicator-system TOML (default: the paper's Table 1)"),
}
TABLE_KEYS = {
    "id": Key(str, required=True), "type": Key(str, required=True, choices=TABLE_TYPES),
    "title_zh": Key(str, default=""), "title_en": Key(str, default=""),
    "depvar": Key(str, default=None), "keep": Key(list, default=None),
    "show_controls": Key(bool, default=False), "stats": Key(list, default=None),
    "notes_zh": Key(str, default=""), "notes_en": Key(str, default=""),
    "interaction_label_zh": Key(str, default=None), "interaction_label_en": Key(str, default=None),
    "models": Key(list, required=True), "tests": Key(list, default=[]),
    "wild_bootstrap": Key(dict, default=None, doc="wild cluster bootstrap (WCR) p-values beside the clustered ones"),
}
WILD_KEYS = {
    "reps": Key(int, default=999), "weights": Key(str, default="webb", choices=("rademacher", "webb")),
    "seed": Key(int, default=20240101), "term": Key(str, default=None, doc="default: each model's first regressor"),
}
MODEL_KEYS = {
    "id": Key(str, required=True), "outcome": Key(str, required=True),
    "regressors": Key(str, default=""), "controls": Key((bool, str), default=None),
    "fixed_effects": Key(list, default=None), "cluster": Key((str, list), default=None),
    "sample": Key(str, default=None), "label_zh": Key(str, default=None), "label_en": Key(str, default=None),
    "iv": Key(dict, default=None), "first_stage": Key(bool, default=False),
    "vcov": Key(str, default=None, choices=("iid", "hc1", "hetero")),
}
IV_KEYS = {"endog": Key(str, required=True), "instruments": Key(str, required=True)}
TEST_KEYS = {
    "id": Key(str, required=True), "method": Key(str, required=True, choices=TEST_METHODS),
    "models": Key(list, required=True), "term": Key(str, default=None),
    "reps": Key(int, default=1000), "seed": Key(int, default=1), "unit": Key(str, default=None),
}
TOP_KEYS = {
    "study": Key(dict, required=True), "defaults": Key(dict, default={}), "macros": Key(dict, default={}),
    "sample": Key(dict, default={}), "index": Key(dict, default={}), "tables": Key(list, required=True),
    "robustness": Key(dict, default=None),
}
STAT_ROWS = ("nobs", "adj_r2", "r2", "r2_within", "n_clusters", "anderson_lm", "cragg_donald_f",
             "kp_rk_lm", "kp_rk_f", "constant", "wild_p", "wild_ci")


@dataclass(frozen=True)
class ModelDef:
    """One column of a table: ``outcome ~ regressors + controls | fixed_effects`` on ``sample``."""

    id: str
    table: str
    column: str
    outcome: str
    regressors: tuple[str, ...]
    controls: tuple[str, ...]
    fixed_effects: tuple[str, ...]
    cluster: tuple[str, ...]
    sample: str | None
    label_zh: str | None
    label_en: str | None
    endog: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    first_stage: bool = False
    vcov: str | None = None

    @property
    def is_iv(self) -> bool:
        return bool(self.endog)

    @property
    def formula(self) -> str:
        """fixest syntax: ``y ~ x + controls | fe1 + fe2`` (IV: ``… | endog ~ instruments``)."""
        rhs = " + ".join([*self.regressors, *self.controls]) or "1"
        fe = " + ".join(self.fixed_effects) or "0"
        text = f"{self.outcome} ~ {rhs} | {fe}"
        if self.is_iv:
            text += f" | {' + '.join(self.endog)} ~ {' + '.join(self.instruments)}"
        elif not self.fixed_effects:
            text = f"{self.outcome} ~ {rhs}"
        return text

    @cached_property
    def parsed(self) -> Formula:
        """The formula as :mod:`nqp.econometrics.formula` reads it (the one formula parser)."""
        return parse_formula(self.formula)

    def variables(self) -> set[str]:
        """Every data column the model reads: the formula's columns (a lag ``L2.x`` by ``x``,
        ``log(x)`` by ``x``, FE and interacted FE by their parts), the cluster and sample columns."""
        names = {*self.parsed.columns(), *self.cluster}
        if self.sample:
            names.update(sample_names(self.sample))
        return names

    def lags(self) -> list[str]:
        """The lag and lead terms the model uses (``L.lnAI``, ``L2.lnAI``), in order."""
        terms = (*self.parsed.exog, *self.parsed.endog, *self.parsed.instruments)
        return list(dict.fromkeys(v.label for t in terms for v in t.factors if v.lag != 0))


@dataclass(frozen=True)
class TestDef:
    """A between-group difference test of ``term`` between two models of one table."""

    __test__ = False

    id: str
    table: str
    method: str
    models: tuple[str, str]
    term: str
    reps: int
    seed: int
    unit: str | None = None


@dataclass(frozen=True)
class TableDef:
    id: str
    type: str
    title_zh: str
    title_en: str
    depvar: str | None
    keep: tuple[str, ...] | None
    show_controls: bool
    stats: tuple[str, ...]
    notes_zh: str
    notes_en: str
    interaction_label_zh: str | None
    interaction_label_en: str | None
    models: tuple[ModelDef, ...]
    tests: tuple[TestDef, ...]
    wild_bootstrap: dict[str, Any] | None = None


@dataclass(frozen=True)
class Study:
    """A loaded, validated study."""

    name: str
    title_zh: str
    title_en: str
    path: Path
    sha256: str
    first_year: int | None
    last_year: int | None
    definitions: Path | None
    defaults: dict[str, Any]
    macros: dict[str, str]
    sample: dict[str, Any]
    index: dict[str, Any]
    tables: tuple[TableDef, ...]
    robustness: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def models(self) -> list[ModelDef]:
        return [m for t in self.tables for m in t.models]

    @property
    def tests(self) -> list[TestDef]:
        return [x for t in self.tables for x in t.tests]

    def model(self, model_id: str) -> ModelDef:
        for m in self.models:
            if m.id == model_id:
                return m
        raise KeyError(model_id)

    def variables(self) -> set[str]:
        """Every variable a model reads (the study's data requirements)."""
        out: set[str] = set()
        for m in self.models:
            out |= m.variables()
        return out

    @property
    def lags(self) -> tuple[str, ...]:
        """``[sample] lags`` plus every lag term a model uses: all built on the panel."""
        terms = list(self.sample.get("lags") or ())
        return tuple(dict.fromkeys([*terms, *(lag for m in self.models for lag in m.lags())]))


def sample_names(expr: str) -> set[str]:
    """The column names a subsample expression reads (``SOE == 1`` -> {"SOE"})."""
    tree = ast.parse(expr, mode="eval")
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


_ALLOWED_NODES = (ast.Expression, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Name, ast.Constant,
                  ast.Load, ast.And, ast.Or, ast.Not, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
                  ast.In, ast.NotIn, ast.List, ast.Tuple, ast.BitAnd, ast.BitOr, ast.Invert, ast.USub,
                  ast.Add, ast.Sub, ast.Mult, ast.Div)


def check_sample_expression(expr: str, *, file: str, where: str) -> None:
    """A subsample is a boolean expression of columns, constants and comparisons, nothing else."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise ConfigError(f"{where}: sample = {expr!r} is not a valid expression ({exc.msg})", file=file) from None
    bad = [type(n).__name__ for n in ast.walk(tree) if not isinstance(n, _ALLOWED_NODES)]
    if bad:
        raise ConfigError(f"{where}: sample = {expr!r} may use only columns, constants, comparisons and "
                          f"and/or/not (found {', '.join(sorted(set(bad)))})", file=file)


def _expand(text: str, macros: dict[str, str], *, file: str, where: str) -> str:
    def sub(m: re.Match) -> str:
        name = m.group(1).strip()
        if name not in macros:
            raise ConfigError(f"{where}: unknown macro {{{name}}}{did_you_mean(name, macros)}", file=file)
        return macros[name]

    for _ in range(5):  # macros may use macros
        new = _MACRO.sub(sub, text)
        if new == text:
            return new
        text = new
    return text


def _terms(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split("+") if t.strip())


def _names(value: str | list | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return _terms(value.replace(",", "+"))
    return tuple(str(v) for v in value)


def resolve_study_path(study: str | Path) -> Path:
    """A study file path, or the name of a shipped study (``ai_nqp``)."""
    p = Path(study)
    if p.is_file():
        return p
    shipped = STUDIES_DIR / (p.name if p.suffix == ".toml" else f"{p.name}.toml")
    if not p.exists() and shipped.is_file() and len(p.parts) == 1:
        return shipped
    return p


def load_study(path: str | Path, *, known_variables: Iterable[str] | None = None) -> Study:
    """Load and validate a study TOML. ``known_variables``: the panel's variable names (default:
    the data dictionary of the study's ``definitions``, or the shipped ``variables.toml``)."""
    p = resolve_study_path(path)
    raw = load_toml(p)
    file = str(p)
    top = check_keys(raw, TOP_KEYS, file=file, where="study file")
    st = check_keys(top["study"], STUDY_KEYS, file=file, where="[study]")
    defaults = check_keys(top["defaults"], DEFAULTS_KEYS, file=file, where="[defaults]")
    sample = check_keys(top["sample"], SAMPLE_KEYS, file=file, where="[sample]")
    index = check_keys(top["index"], INDEX_KEYS, file=file, where="[index]")
    macros = top["macros"]
    for k, v in macros.items():
        if not isinstance(v, str):
            raise ConfigError(f"[macros]: {k!r} must be a string, got {v!r}", file=file)
    definitions = None
    if st["definitions"]:
        definitions = (p.parent / st["definitions"]).resolve()
    if known_variables is None:
        from nqp.panel.config import load_definitions

        known_variables = [v.name for v in load_definitions(definitions).variables]
    known = set(known_variables) | set(PANEL_KEYS)

    fe_default = tuple(defaults["fixed_effects"])
    cluster_default = _names(defaults["cluster"])
    tables: list[TableDef] = []
    seen_tables: set[str] = set()
    seen_models: dict[str, str] = {}
    if not top["tables"]:
        raise ConfigError("the study has no [[tables]]", file=file)
    for ti, traw in enumerate(top["tables"], start=1):
        t = check_keys(traw, TABLE_KEYS, file=file, where=f"[[tables]] #{ti}")
        tid = str(t["id"])
        where_t = f"table {tid}"
        if tid in seen_tables:
            raise ConfigError(f"{where_t}: a second table with id {tid!r}", file=file)
        seen_tables.add(tid)
        if not t["models"]:
            raise ConfigError(f"{where_t}: the table has no models ([[tables.models]])", file=file)
        models: list[ModelDef] = []
        col = 0
        for mi, mraw in enumerate(t["models"], start=1):
            m = check_keys(mraw, MODEL_KEYS, file=file, where=f"{where_t}, model #{mi}")
            mid = m["id"]
            where_m = f"{where_t}, model {mid}"
            if mid in seen_models:
                raise ConfigError(f"{where_m}: model id {mid!r} is used twice (also in table "
                                  f"{seen_models[mid]})", file=file)
            seen_models[mid] = tid
            use_controls = defaults["controls"] if m["controls"] is None else m["controls"]
            if isinstance(use_controls, str):
                controls = _terms(_expand(use_controls, macros, file=file, where=where_m))
            elif use_controls and "controls" in macros:
                controls = _terms(_expand(macros["controls"], macros, file=file, where=where_m))
            elif m["controls"] is True:
                raise ConfigError(f"{where_m}: controls = true needs a 'controls' macro in [macros]", file=file)
            else:
                controls = ()
            regressors = _terms(_expand(m["regressors"], macros, file=file, where=where_m))
            endog: tuple[str, ...] = ()
            instruments: tuple[str, ...] = ()
            if m["iv"] is not None:
                iv = check_keys(m["iv"], IV_KEYS, file=file, where=f"{where_m}, iv")
                endog = _terms(_expand(iv["endog"], macros, file=file, where=where_m))
                instruments = _terms(_expand(iv["instruments"], macros, file=file, where=where_m))
                if not instruments:
                    raise ConfigError(f"{where_m}: the IV part has no excluded instruments (iv.instruments)", file=file)
                if not endog:
                    raise ConfigError(f"{where_m}: the IV part has no endogenous regressor (iv.endog)", file=file)
            elif not regressors:
                raise ConfigError(f"{where_m}: no regressors (key 'regressors')", file=file)
            if m["first_stage"] and m["iv"] is None:
                raise ConfigError(f"{where_m}: first_stage = true needs an iv part", file=file)
            if m["sample"] is not None:
                check_sample_expression(m["sample"], file=file, where=where_m)
            n_cols = 2 if m["first_stage"] else 1
            col += n_cols
            md = ModelDef(
                id=mid, table=tid, column=f"({col})", outcome=m["outcome"], regressors=regressors,
                controls=controls, fixed_effects=tuple(m["fixed_effects"]) if m["fixed_effects"] is not None
                else fe_default, cluster=_names(m["cluster"]) if m["cluster"] is not None else cluster_default,
                sample=m["sample"], label_zh=m["label_zh"], label_en=m["label_en"], endog=endog,
                instruments=instruments, first_stage=m["first_stage"], vcov=m["vcov"])
            try:
                used = md.variables()
            except FormulaError as exc:
                raise ConfigError(f"{where_m}: {exc.message}", file=file) from None
            unknown = sorted(v for v in used if v not in known)
            if unknown:
                raise ConfigError(f"{where_m}: unknown variable(s) " + ", ".join(
                    f"{v!r}{did_you_mean(v, known)}" for v in unknown), file=file)
            models.append(md)
        ids = {m.id for m in models}
        tests: list[TestDef] = []
        for xi, xraw in enumerate(t["tests"], start=1):
            x = check_keys(xraw, TEST_KEYS, file=file, where=f"{where_t}, test #{xi}")
            where_x = f"{where_t}, test {x['id']}"
            pair = tuple(x["models"])
            if len(pair) != 2:
                raise ConfigError(f"{where_x}: models must name exactly two models of the table, got {list(pair)}",
                                  file=file)
            for mid in pair:
                if mid not in ids:
                    raise ConfigError(f"{where_x}: no model {mid!r} in table {tid}{did_you_mean(mid, ids)}", file=file)
            a, b = (next(m for m in models if m.id == i) for i in pair)
            if a.formula != b.formula:
                raise ConfigError(f"{where_x}: the two models must have the same formula "
                                  f"({a.formula!r} vs {b.formula!r}); only the sample may differ", file=file)
            if not a.sample or not b.sample:
                raise ConfigError(f"{where_x}: both models need a sample expression (the two groups)", file=file)
            term = x["term"] or (a.regressors[0] if a.regressors else a.endog[0])
            if term not in a.regressors:
                raise ConfigError(f"{where_x}: term {term!r} is not a regressor of {a.id}"
                                  f"{did_you_mean(term, a.regressors)}", file=file)
            if x["reps"] < 1:
                raise ConfigError(f"{where_x}: reps must be at least 1", file=file)
            tests.append(TestDef(id=x["id"], table=tid, method=x["method"], models=(pair[0], pair[1]), term=term,
                                 reps=int(x["reps"]), seed=int(x["seed"]), unit=x["unit"]))
        wild = None
        if t["wild_bootstrap"] is not None:
            wild = check_keys(t["wild_bootstrap"], WILD_KEYS, file=file, where=f"{where_t}, wild_bootstrap")
            if wild["reps"] < 99:
                raise ConfigError(f"{where_t}, wild_bootstrap: reps must be at least 99", file=file)
        stats = tuple(t["stats"] or (("anderson_lm", "cragg_donald_f", "nobs") if t["type"] == "iv"
                                     else ("constant", "adj_r2", "nobs") + (("wild_p",) if wild else ())))
        for s in stats:
            if s not in STAT_ROWS:
                raise ConfigError(f"{where_t}: unknown stats row {s!r}{did_you_mean(s, STAT_ROWS)}", file=file)
        tables.append(TableDef(
            id=tid, type=t["type"], title_zh=t["title_zh"], title_en=t["title_en"], depvar=t["depvar"],
            keep=tuple(t["keep"]) if t["keep"] is not None else None, show_controls=t["show_controls"],
            stats=stats, notes_zh=t["notes_zh"], notes_en=t["notes_en"],
            interaction_label_zh=t["interaction_label_zh"], interaction_label_en=t["interaction_label_en"],
            models=tuple(models), tests=tuple(tests), wild_bootstrap=wild))
    try:  # the panel's own lag grammar and check
        check_lag_variables(parse_lags(sample["lags"]), known)
    except ConfigError as exc:
        raise ConfigError(f"[sample] lags: {exc.message}", file=file) from None
    robustness = top["robustness"]
    if robustness is not None:
        robustness = dict(robustness)
        headline = robustness.get("model") or ("t3_2" if "t3_2" in seen_models else next(iter(seen_models)))
        if headline not in seen_models:
            raise ConfigError(f"[robustness]: model = {headline!r} is not a model of the study"
                              f"{did_you_mean(headline, seen_models)}", file=file)
        if study_model_is_iv(tables, headline):
            raise ConfigError(f"[robustness]: model {headline!r} is an IV model; the robustness analyses take an "
                              "OLS model", file=file)
        robustness["model"] = headline
        from nqp.robustness import RobustnessSpec

        RobustnessSpec.from_dict({k: v for k, v in robustness.items() if k != "model"}, file=file)
    return Study(name=st["name"], title_zh=st["title_zh"], title_en=st["title_en"], path=p,
                 sha256=hashlib.sha256(p.read_bytes()).hexdigest(), first_year=st["first_year"],
                 last_year=st["last_year"], definitions=definitions, defaults=defaults, macros=dict(macros),
                 sample=sample, index=index, tables=tuple(tables), robustness=robustness, raw=raw)


def study_model_is_iv(tables: list[TableDef], model_id: str) -> bool:
    return any(m.is_iv for t in tables for m in t.models if m.id == model_id)
