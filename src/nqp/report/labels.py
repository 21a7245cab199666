"""Labels of variables, fixed effects and the fixed words of a table, in Chinese or English (标签).

Variable labels come from the data dictionary of ``results.json`` (``dictionary``: name,
label_zh, label_en, unit); a user's label file overrides them (:func:`load_label_file`).
Coefficient rows print the variable *name* (``lnAI``, ``Size``), as the paper does, unless a
label file gives the name a label.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nqp.errors import ConfigError

LANGS = ("zh", "en")

# the fixed words of a table
WORDS: dict[str, dict[str, str]] = {
    "variable": {"zh": "变量", "en": "Variable"},
    "depvar": {"zh": "被解释变量：", "en": "Dependent variable: "},
    "controls": {"zh": "控制变量", "en": "Controls"},
    "constant": {"zh": "常数项", "en": "Constant"},
    "adj_r2": {"zh": "调整R²", "en": "Adjusted R²"},
    "r2": {"zh": "R²", "en": "R²"},
    "r2_within": {"zh": "组内R²", "en": "Within R²"},
    "nobs": {"zh": "N", "en": "N"},
    "n_clusters": {"zh": "聚类数", "en": "Clusters"},
    "fe": {"zh": "{}固定效应", "en": "{} FE"},
    "yes": {"zh": "√", "en": "√"},
    "table": {"zh": "表{} {}", "en": "Table {}: {}"},
    "first": {"zh": "第一阶段", "en": "First stage"},
    "second": {"zh": "第二阶段", "en": "Second stage"},
    "anderson_lm": {"zh": "Anderson canon. LM", "en": "Anderson canon. LM"},
    "anderson_lm_p": {"zh": "Anderson LM P 值", "en": "Anderson LM p-value"},
    "cragg_donald_f": {"zh": "Cragg-Donald Wald F", "en": "Cragg-Donald Wald F"},
    "wild_p": {"zh": "Wild bootstrap P 值（WCR）", "en": "Wild bootstrap p (WCR)"},
    "wild_ci": {"zh": "Wild bootstrap 95% 置信区间", "en": "Wild bootstrap 95% CI"},
    "kp_rk_lm": {"zh": "Kleibergen-Paap rk LM", "en": "Kleibergen-Paap rk LM"},
    "kp_rk_f": {"zh": "Kleibergen-Paap rk Wald F", "en": "Kleibergen-Paap rk Wald F"},
    "difference": {"zh": "组间差异", "en": "Difference"},
    "p_value": {"zh": "P 值", "en": "p-value"},
    "interaction": {"zh": "{}×调节变量", "en": "{} × moderator"},
    "note": {"zh": "注：", "en": "Note: "},
    "se_cluster": {"zh": "括号内为聚类到{}层面的稳健标准误", "en": "Standard errors clustered by {} in parentheses"},
    "se_robust": {"zh": "括号内为异方差稳健标准误", "en": "Heteroskedasticity-robust standard errors in parentheses"},
    "se_iid": {"zh": "括号内为标准误", "en": "Standard errors in parentheses"},
    "t_paren": {"zh": "括号内为 t 值", "en": "t statistics in parentheses"},
    "test_note": {"zh": "组间差异检验：{}", "en": "Between-group difference test: {}"},
    "synthetic": {"zh": "数据为 nqp 的合成数据（SYNTHETIC），不反映任何真实企业。",
                  "en": "SYNTHETIC DATA: nqp's synthetic data set; the numbers say nothing about real firms."},
    "failed": {"zh": "未能估计", "en": "not estimated"},
    "sep": {"zh": "；", "en": "; "},
    "end": {"zh": "。", "en": "."},
}

_FE_WORDS = {"year": {"zh": "年份", "en": "Year"}, "stkcd": {"zh": "企业", "en": "Firm"},
             "firm": {"zh": "企业", "en": "Firm"}, "industry": {"zh": "行业", "en": "Industry"},
             "province": {"zh": "省份", "en": "Province"}, "city": {"zh": "城市", "en": "City"}}


@dataclass(frozen=True)
class Labels:
    """Labels in one language: dictionary entries, overridden by a user's label file."""

    lang: str = "zh"
    dictionary: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    overrides: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ConfigError(f"lang must be one of {LANGS}, got {self.lang!r}", variable="lang")

    @classmethod
    def from_results(cls, results: Mapping, lang: str = "zh",
                     overrides: Mapping[str, str] | None = None) -> "Labels":
        entries = {d["name"]: d for d in results.get("dictionary") or [] if isinstance(d, Mapping) and "name" in d}
        return cls(lang, entries, dict(overrides or {}))

    def word(self, key: str, *args: object) -> str:
        text = WORDS[key][self.lang]
        return text.format(*args) if args else text

    def var(self, name: str) -> str:
        """A variable's label (dictionary), the name when it has none."""
        if name in self.overrides:
            return self.overrides[name]
        entry = self.dictionary.get(name) or {}
        return entry.get(f"label_{self.lang}") or entry.get("label_zh" if self.lang == "zh" else "label_en") or name

    def term(self, name: str) -> str:
        """A coefficient row: the name (the paper's convention) unless a label file renames it."""
        if name in self.overrides:
            return self.overrides[name]
        if name == "Intercept":
            return self.word("constant")
        return name

    def unit(self, name: str) -> str:
        return str((self.dictionary.get(name) or {}).get("unit") or "")

    def group_word(self, name: str) -> str:
        """A fixed-effect or cluster variable in words: ``year`` -> 年份, ``industry^year`` -> 行业×年份."""
        parts = [p for p in name.replace(":", "^").split("^") if p]
        words = []
        for p in parts:
            if p in self.overrides:
                words.append(self.overrides[p])
            elif p in _FE_WORDS:
                words.append(_FE_WORDS[p][self.lang])
            else:
                words.append(self.var(p))
        return "×".join(words)

    def fe(self, name: str) -> str:
        return self.word("fe", self.group_word(name))


def load_label_file(path: str | Path, known: Iterable[str], lang: str = "zh") -> dict[str, str]:
    """Read a label file (name -> label) and check every name is a known variable.

    TOML: ``lnAI = "人工智能技术创新"`` at the top level, or per language in ``[zh]`` / ``[en]``
    tables (the table of ``lang`` is used). CSV: columns ``name,label`` (or ``name,label_zh,
    label_en``). Unknown names -> :class:`nqp.errors.ConfigError` naming the file and every
    unknown key.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError("label file not found", file=str(path))
    raw = path.read_bytes()
    labels: dict[str, str] = {}
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(raw.decode("utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"label file is not valid UTF-8 TOML: {e}", file=str(path)) from None
        if any(k in data for k in LANGS) and all(isinstance(v, dict) for v in data.values()):
            data = data.get(lang, {})
        for k, v in data.items():
            if not isinstance(v, str):
                raise ConfigError(f"label of {k!r} must be a string, got {type(v).__name__}", file=str(path),
                                  variable=k)
            labels[k] = v
    elif path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
        col = "label" if "label" in (reader.fieldnames or []) else f"label_{lang}"
        if "name" not in (reader.fieldnames or []) or col not in (reader.fieldnames or []):
            raise ConfigError(f"label CSV needs columns 'name' and 'label' (or '{col}'), has {reader.fieldnames}",
                              file=str(path))
        for i, rec in enumerate(reader, start=2):
            if not rec["name"]:
                raise ConfigError("empty name", file=str(path), row=i)
            labels[rec["name"]] = rec[col] or ""
    else:
        raise ConfigError("label file must be .toml or .csv", file=str(path))
    known = set(known)
    unknown = sorted(k for k in labels if k not in known)
    if unknown:
        raise ConfigError(f"label file names unknown variable(s) {unknown}; known: {sorted(known)[:40]}",
                          file=str(path), variable=unknown[0])
    return labels
