"""The robustness analyses as validated data (稳健性检验设定): the ``[robustness]`` section of a study.

Every choice of the specification curve (multiverse) is a list in ``[robustness.choices]``; the
first entry of each list is the headline (baseline) choice, the paper's by default. Other
sections switch an analysis on and set its options. An unknown key, a wrong type or a value
outside the allowed set is a :class:`nqp.errors.ConfigError` naming the key, with a
did-you-mean (:mod:`nqp.config`); every problem of a table is listed at once.

```toml
[robustness]
analyses = ["curve", "null", "placebo", "oster", "leave_one_out", "wild"]
seed = 20240101
draws = 500                      # null-inference and placebo draws (>= 500)

[robustness.choices]
index = ["pooled", "yearly", "equal", "pca", "critic"]
shift = [0.0001]                 # entropy shift δ (pooled / yearly only)
winsorize = [0.01, 0, 0.025, 0.05]           # 0 = none; 0.01 = 1%/99%
fixed_effects = ["firm+year", "firm+industry^year", "firm+province^year"]
cluster = ["industry", "firm", "province", "firm+year"]
sample = ["baseline", "with_financial", "without_2020", "balanced"]
controls = ["paper", "none", "extended"]

[robustness.controls]            # the named control sets ("paper" = the study's controls)
extended = ["overseacountry", "finratio"]
```

``sample`` rules are ``"baseline"`` (the panel's own rules) or ``+``-joined modifications of
it: ``with_financial`` (keep CSRC section J), ``without_YYYY`` (drop one year), ``balanced``
(only firms observed in every remaining year), e.g. ``"with_financial+balanced"``.
Fixed effects and clusters are written with the logical names ``firm``, ``year``,
``industry``, ``province`` (mapped to columns by ``[robustness.columns]``); ``a^b`` is the
interaction, ``+`` separates effects (two-way clustering for ``cluster``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nqp.config import Key, check_keys, did_you_mean
from nqp.errors import ConfigError

ANALYSES = ("curve", "null", "placebo", "oster", "leave_one_out", "wild")
INDEX_CHOICES = ("pooled", "yearly", "equal", "pca", "critic")
ENTROPY_INDEX = ("pooled", "yearly")
SAMPLE_PARTS = ("with_financial", "balanced")
LOGICAL = ("firm", "year", "industry", "province")
PLACEBO_MODES = ("within_year", "pooled")
MIN_DRAWS = 500
_WITHOUT_YEAR = re.compile(r"^without_(\d{4})$")

TOP_KEYS = {
    "analyses": Key(list, default=list(ANALYSES), doc=f"which of {list(ANALYSES)} to run"),
    "seed": Key(int, default=20240101),
    "draws": Key(int, default=500, doc="null-inference and placebo draws"),
    "alpha": Key(float, default=0.05, doc="significance level of the curve"),
    "choices": Key(dict, default={}),
    "controls": Key(dict, default={}),
    "columns": Key(dict, default={}),
    "null": Key(dict, default={}),
    "placebo": Key(dict, default={}),
    "oster": Key(dict, default={}),
    "leave_one_out": Key(dict, default={}),
    "wild": Key(dict, default={}),
}
CHOICE_KEYS = {
    "index": Key(list, default=list(INDEX_CHOICES)),
    "shift": Key(list, default=[0.0001]),
    "winsorize": Key(list, default=[0.01, 0.0, 0.025, 0.05]),
    "fixed_effects": Key(list, default=["firm+year", "firm+industry^year", "firm+province^year"]),
    "cluster": Key(list, default=["industry", "firm", "province", "firm+year"]),
    "sample": Key(list, default=["baseline", "with_financial", "without_2020", "balanced"]),
    "controls": Key(list, default=["paper", "none", "extended"]),
}
COLUMN_KEYS = {name: Key(str, default={"firm": "stkcd"}.get(name, name)) for name in LOGICAL}
NULL_KEYS = {
    "draws": Key(int, default=None, doc="default: the top-level draws"),
    "unit": Key(str, default="industry", choices=LOGICAL,
                doc="the unit whose wild-bootstrap weight is shared by all its rows"),
    "direction": Key(str, default="dominant", choices=("dominant", "positive", "negative"),
                     doc="each curve's own dominant sign (two-sided), or a sign predicted in advance"),
}
PLACEBO_KEYS = {
    "draws": Key(int, default=None),
    "mode": Key(str, default="within_year", choices=PLACEBO_MODES),
}
OSTER_KEYS = {
    "r_max": Key((float, str), default="1.3", doc="a number, or 'k' meaning k x R-squared of the controlled model"),
    "r2": Key(str, default="within", choices=("within", "overall")),
    "delta": Key(float, default=1.0),
    "beta": Key(float, default=0.0, doc="target beta of delta*"),
}
LOO_KEYS = {"by": Key(list, default=["year", "industry", "province"])}
WILD_KEYS = {
    "reps": Key(int, default=999),
    "weights": Key(str, default="rademacher", choices=("rademacher", "webb")),
    "cluster": Key(str, default="industry"),
    "level": Key(float, default=0.95),
}


@dataclass(frozen=True)
class Choice:
    """One specification of the curve: one option of every choice."""

    index: str
    shift: float | None  # None for indices without a shift
    winsorize: float
    fixed_effects: str
    cluster: str
    sample: str
    controls: str

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "shift": self.shift, "winsorize": self.winsorize,
                "fixed_effects": self.fixed_effects, "cluster": self.cluster, "sample": self.sample,
                "controls": self.controls}


@dataclass(frozen=True)
class SampleRule:
    """A parsed sample rule: the panel's rules, modified."""

    name: str
    with_financial: bool = False
    without_years: tuple[int, ...] = ()
    balanced: bool = False


@dataclass(frozen=True)
class RobustnessSpec:
    """The validated ``[robustness]`` section (see the module docstring for the format)."""

    analyses: tuple[str, ...] = ANALYSES
    seed: int = 20240101
    draws: int = 500
    alpha: float = 0.05
    index: tuple[str, ...] = INDEX_CHOICES
    shift: tuple[float, ...] = (0.0001,)
    winsorize: tuple[float, ...] = (0.01, 0.0, 0.025, 0.05)
    fixed_effects: tuple[str, ...] = ("firm+year", "firm+industry^year", "firm+province^year")
    cluster: tuple[str, ...] = ("industry", "firm", "province", "firm+year")
    sample: tuple[str, ...] = ("baseline", "with_financial", "without_2020", "balanced")
    controls: tuple[str, ...] = ("paper", "none", "extended")
    control_sets: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: {"extended": ("overseacountry", "finratio")})
    columns: Mapping[str, str] = field(default_factory=lambda: {"firm": "stkcd", "year": "year",
                                                                 "industry": "industry", "province": "province"})
    null_draws: int = 500
    null_unit: str = "industry"
    null_direction: str = "dominant"
    placebo_draws: int = 500
    placebo_mode: str = "within_year"
    oster_r_max: float | str = "1.3"
    oster_r2: str = "within"
    oster_delta: float = 1.0
    oster_beta: float = 0.0
    loo_by: tuple[str, ...] = ("year", "industry", "province")
    wild_reps: int = 999
    wild_weights: str = "rademacher"
    wild_cluster: str = "industry"
    wild_level: float = 0.95

    @classmethod
    def from_dict(cls, table: Mapping[str, Any] | None, *, file: str | Path = "<robustness>",
                  min_draws: int = MIN_DRAWS) -> RobustnessSpec:
        """Validate a ``[robustness]`` table; every problem is named (ConfigError).

        ``min_draws``: the floor of the null/placebo draws (500, SSN's number) and, up to 99, of
        the wild bootstrap's replications; tests lower it for small Monte Carlo runs."""
        top = check_keys(table or {}, TOP_KEYS, file=file, where="[robustness]")
        ch = check_keys(top["choices"], CHOICE_KEYS, file=file, where="[robustness.choices]")
        cols = check_keys(top["columns"], COLUMN_KEYS, file=file, where="[robustness.columns]")
        nul = check_keys(top["null"], NULL_KEYS, file=file, where="[robustness.null]")
        pla = check_keys(top["placebo"], PLACEBO_KEYS, file=file, where="[robustness.placebo]")
        ost = check_keys(top["oster"], OSTER_KEYS, file=file, where="[robustness.oster]")
        loo = check_keys(top["leave_one_out"], LOO_KEYS, file=file, where="[robustness.leave_one_out]")
        wil = check_keys(top["wild"], WILD_KEYS, file=file, where="[robustness.wild]")
        problems: list[str] = []

        def members(where: str, values: list, allowed: tuple[str, ...]) -> None:
            for v in values:
                if v not in allowed:
                    problems.append(f"{where}: {v!r} is not one of {list(allowed)}{did_you_mean(str(v), allowed)}")

        members("analyses", top["analyses"], ANALYSES)
        members("choices.index", ch["index"], INDEX_CHOICES)
        members("leave_one_out.by", loo["by"], LOGICAL)
        for key, values in ch.items():
            if not values:
                problems.append(f"choices.{key} is empty; give at least one option")
            if len(set(map(str, values))) != len(values):
                problems.append(f"choices.{key} lists an option twice: {values}")
        for s in ch["shift"]:
            if isinstance(s, bool) or not isinstance(s, (int, float)) or not s >= 0:
                problems.append(f"choices.shift: {s!r} must be a number >= 0")
        for w in ch["winsorize"]:
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w < 0.5:
                problems.append(f"choices.winsorize: {w!r} must be a share in [0, 0.5) (0 = none, 0.01 = 1%/99%)")
        control_sets = {"extended": ("overseacountry", "finratio")}
        for name, cs in top["controls"].items():
            if name == "paper" or name == "none":
                problems.append(f"controls.{name}: {name!r} is built in (the study's controls / no controls)")
            elif not (isinstance(cs, list) and all(isinstance(c, str) for c in cs)):
                problems.append(f"controls.{name} must be a list of variable names")
            else:
                control_sets[name] = tuple(cs)
        members("choices.controls", ch["controls"], ("paper", "none", *control_sets))
        for fe in ch["fixed_effects"]:
            problems += _effect_problems("choices.fixed_effects", fe, allow_interaction=True)
        for cl in [*ch["cluster"], wil["cluster"]]:
            problems += _effect_problems("cluster", cl, allow_interaction=False)
        if isinstance(wil["cluster"], str) and len(split_effects(wil["cluster"])) != 1:
            problems.append(f"wild.cluster = {wil['cluster']!r}: the wild cluster bootstrap is one-way; name one of {list(LOGICAL)}")
        for rule in ch["sample"]:
            try:
                parse_sample_rule(rule)
            except ConfigError as err:
                problems.append(err.message)
        draws = {"draws": top["draws"], "null.draws": nul["draws"], "placebo.draws": pla["draws"]}
        for where, d in draws.items():
            if d is not None and d < min_draws:
                problems.append(f"{where} = {d}: at least {min_draws} draws are needed "
                                "(Simonsohn, Simmons & Nelson 2020 use 500)")
        if wil["reps"] < min(99, min_draws):
            problems.append(f"wild.reps = {wil['reps']}: use at least 99 (boottest's default is 999)")
        if not 0 < top["alpha"] < 1:
            problems.append(f"alpha = {top['alpha']} must be in (0, 1)")
        if not 0 < wil["level"] < 1:
            problems.append(f"wild.level = {wil['level']} must be in (0, 1)")
        try:
            r_max_of(ost["r_max"], 0.5)
        except ConfigError as err:
            problems.append(err.message)
        if problems:
            raise ConfigError("[robustness]: " + "; ".join(problems), file=str(file))
        return cls(
            analyses=tuple(top["analyses"]), seed=int(top["seed"]), draws=int(top["draws"]),
            alpha=float(top["alpha"]), index=tuple(ch["index"]), shift=tuple(float(s) for s in ch["shift"]),
            winsorize=tuple(float(w) for w in ch["winsorize"]), fixed_effects=tuple(ch["fixed_effects"]),
            cluster=tuple(ch["cluster"]), sample=tuple(ch["sample"]), controls=tuple(ch["controls"]),
            control_sets=control_sets, columns=dict(cols),
            null_draws=int(nul["draws"] or top["draws"]), null_unit=nul["unit"], null_direction=nul["direction"],
            placebo_draws=int(pla["draws"] or top["draws"]), placebo_mode=pla["mode"],
            oster_r_max=ost["r_max"], oster_r2=ost["r2"], oster_delta=float(ost["delta"]),
            oster_beta=float(ost["beta"]), loo_by=tuple(loo["by"]), wild_reps=int(wil["reps"]),
            wild_weights=wil["weights"], wild_cluster=wil["cluster"], wild_level=float(wil["level"]),
        )

    def runs(self, analysis: str) -> bool:
        return analysis in self.analyses

    def choices(self) -> list[Choice]:
        """Every specification: the cross product of the choices (shift only for entropy)."""
        index_opts = [(m, s) for m in self.index for s in (self.shift if m in ENTROPY_INDEX else (None,))]
        return [Choice(m, s, w, fe, cl, sa, co) for (m, s), w, fe, cl, sa, co in itertools.product(
            index_opts, self.winsorize, self.fixed_effects, self.cluster, self.sample, self.controls)]

    def baseline(self) -> Choice:
        """The headline specification: the first option of every choice."""
        return Choice(self.index[0], self.shift[0] if self.index[0] in ENTROPY_INDEX else None,
                      self.winsorize[0], self.fixed_effects[0], self.cluster[0], self.sample[0], self.controls[0])

    def to_dict(self) -> dict[str, Any]:
        return {"analyses": list(self.analyses), "seed": self.seed, "draws": self.draws, "alpha": self.alpha,
                "choices": {"index": list(self.index), "shift": list(self.shift),
                            "winsorize": list(self.winsorize), "fixed_effects": list(self.fixed_effects),
                            "cluster": list(self.cluster), "sample": list(self.sample),
                            "controls": list(self.controls)},
                "controls": {k: list(v) for k, v in self.control_sets.items()}, "columns": dict(self.columns),
                "null": {"draws": self.null_draws, "unit": self.null_unit, "direction": self.null_direction},
                "placebo": {"draws": self.placebo_draws, "mode": self.placebo_mode},
                "oster": {"r_max": self.oster_r_max, "r2": self.oster_r2, "delta": self.oster_delta,
                          "beta": self.oster_beta},
                "leave_one_out": {"by": list(self.loo_by)},
                "wild": {"reps": self.wild_reps, "weights": self.wild_weights, "cluster": self.wild_cluster,
                         "level": self.wild_level}}


def _effect_problems(where: str, text: object, *, allow_interaction: bool) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: {text!r} must be a non-empty string such as 'firm+year'"]
    out = []
    for term in split_effects(text):
        parts = term.split("^")
        if len(parts) > 1 and not allow_interaction:
            out.append(f"{where}: {text!r}: interactions ('^') are not clusters; use '+' for two-way clustering")
        for p in parts:
            if p not in LOGICAL:
                out.append(f"{where}: {p!r} in {text!r} is not one of {list(LOGICAL)}{did_you_mean(p, LOGICAL)}")
    return out


def split_effects(text: str) -> list[str]:
    """``"firm + industry^year"`` -> ``["firm", "industry^year"]``."""
    return [t.replace(" ", "") for t in text.split("+") if t.strip()]


def parse_sample_rule(rule: object) -> SampleRule:
    """``"with_financial+without_2020"`` -> SampleRule; ConfigError naming an unknown part."""
    if not isinstance(rule, str) or not rule.strip():
        raise ConfigError(f"choices.sample: {rule!r} must be a non-empty string")
    if rule == "baseline":
        return SampleRule("baseline")
    fin, bal, years = False, False, []
    for part in split_effects(rule):
        m = _WITHOUT_YEAR.match(part)
        if part == "with_financial":
            fin = True
        elif part == "balanced":
            bal = True
        elif m:
            years.append(int(m.group(1)))
        else:
            known = ("baseline", *SAMPLE_PARTS, "without_2020")
            raise ConfigError(f"choices.sample: {part!r} in {rule!r} is not 'baseline', 'with_financial', "
                              f"'balanced' or 'without_YYYY'{did_you_mean(part, known)}")
    return SampleRule(rule, fin, tuple(sorted(years)), bal)


def r_max_of(r_max: float | str, r2_controlled: float) -> float:
    """R_max of Oster (2019): a number in (0, 1], or ``"k"`` meaning min(1, k·R̃)."""
    if isinstance(r_max, str):
        try:
            k = float(r_max)
        except ValueError:
            raise ConfigError(f"oster.r_max = {r_max!r}: give a number (R_max) or a multiplier string such as '1.3'") from None
        if not k >= 1:
            raise ConfigError(f"oster.r_max = {r_max!r}: the multiplier of R-squared must be >= 1")
        return min(1.0, k * r2_controlled)
    if not 0 < float(r_max) <= 1:
        raise ConfigError(f"oster.r_max = {r_max!r} must be in (0, 1]")
    return float(r_max)
