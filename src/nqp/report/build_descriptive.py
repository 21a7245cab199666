"""Tables that are not regressions: Table 1 (the indicator system with its entropy weights),
Table 2 (definitions and descriptive statistics), the sample-construction table and the data
dictionary, from ``index``, ``table2``, ``sample_construction`` and ``dictionary`` of results.json.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nqp.errors import ReportError
from nqp.report.format import NumberFormat, fmt_count, fmt_number
from nqp.report.grid import Cell, Grid, Row
from nqp.report.labels import Labels

TITLES = {
    "1": {"zh": "企业新质生产力指标体系", "en": "The NQP indicator system and its entropy weights"},
    "2": {"zh": "主要变量定义及描述性统计", "en": "Variable definitions and descriptive statistics"},
    "sample_construction": {"zh": "样本构建", "en": "Sample construction"},
    "dictionary": {"zh": "数据字典", "en": "Data dictionary"},
}
ROLES = {"outcome": {"zh": "被解释变量", "en": "Outcome"}, "regressor": {"zh": "解释变量", "en": "Regressor"},
         "control": {"zh": "控制变量", "en": "Controls"}, "moderator": {"zh": "调节变量", "en": "Moderators"},
         "channel": {"zh": "中介变量", "en": "Channels"}}
_HEAD = {
    "1": {"zh": ("一级指标", "二级指标", "属性", "权重", "维度权重"),
          "en": ("Dimension", "Indicator", "Sign", "Weight", "Dimension weight")},
    "2": {"zh": ("变量类别", "变量名称", "定义", "观测值", "均值", "标准差", "最小值", "最大值"),
          "en": ("Role", "Variable", "Definition", "N", "Mean", "SD", "Min", "Max")},
    "sample_construction": {"zh": ("步骤", "删除", "剩余"), "en": ("Step", "Dropped", "Remaining")},
    "dictionary": {"zh": ("变量", "中文标签", "英文标签", "单位", "角色"),
                   "en": ("Variable", "Label (zh)", "Label (en)", "Unit", "Role")},
}
_SIGN = {"+": {"zh": "正", "en": "+"}, "-": {"zh": "负", "en": "−"}, "−": {"zh": "负", "en": "−"}}


def _title(key: str, labels: Labels) -> str:
    t = TITLES[key][labels.lang]
    return labels.word("table", key, t) if key in ("1", "2") else t


def _header(key: str, labels: Labels) -> tuple[Row, ...]:
    heads = _HEAD[key][labels.lang]
    return (Row(tuple(Cell(h, align="left" if i == 0 else "center", kind="header") for i, h in enumerate(heads))),)


def _notes(labels: Labels, synthetic: bool, extra: Sequence[str] = ()) -> tuple[str, ...]:
    out = list(extra)
    if synthetic:
        out.append(labels.word("synthetic"))
    return tuple(out)


def _rows_of(results: Mapping, key: str) -> list[Mapping]:
    rows = results.get(key)
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise ReportError(f"results.{key} must be a list of records", table=key)
    return rows


def table1_grid(results: Mapping, labels: Labels, nf: NumberFormat, synthetic: bool = False) -> Grid:
    """Table 1: dimension, indicator, sign, entropy weight (and the dimension's weight)."""
    index = results.get("index") or {}
    rows = index.get("table1")
    if rows is None:  # only the weights: one row per indicator, no dimensions
        weights = results.get("index_weights") or {}
        rows = [{"indicator": k, "weight": v} for k, v in weights.items()]
        source_key = None
    else:
        source_key = ("index", "table1")
    lang = labels.lang
    body: list[Row] = []
    last_dim = object()
    for i, r in enumerate(rows):
        dim = r.get(f"dimension_{lang}") or r.get("dimension") or ""
        label = r.get(f"label_{lang}") or r.get("label_zh") or labels.var(str(r.get("indicator", "")))
        sign = _SIGN.get(str(r.get("sign")), {}).get(lang, str(r.get("sign") or ""))
        src = (*source_key, str(i)) if source_key else ("index_weights", str(r["indicator"]))
        w = r.get("weight")
        dw = r.get("dimension_weight")
        show_dim = dim != last_dim
        body.append(Row((
            Cell(str(dim) if show_dim else "", align="left", kind="label"),
            Cell(str(label), align="left", kind="label"),
            Cell(sign),
            Cell(fmt_number(w, nf.decimals, sig=nf.sig), value=w, source=(*src, "weight") if source_key else src,
                 kind="stat", align="right"),
            Cell(fmt_number(dw, nf.decimals, sig=nf.sig) if show_dim and dw is not None else "",
                 value=dw if show_dim else None, source=(*src, "dimension_weight") if show_dim and source_key else None,
                 kind="stat" if show_dim and dw is not None else "text", align="right"),
        )))
        last_dim = dim
    method = index.get("method")
    extra = [labels.word("note") + (f"熵值法（{method}）权重" if lang == "zh" else f"Entropy weights ({method})")
             + labels.word("end")] if method else []
    return Grid("1", _title("1", labels), _header("1", labels), tuple(body), _notes(labels, synthetic, extra), lang)


def table2_grid(results: Mapping, labels: Labels, nf: NumberFormat, synthetic: bool = False) -> Grid:
    """Table 2: role, variable, definition, N, mean, sd, min, max."""
    rows = _rows_of(results, "table2")
    lang = labels.lang
    roles = {d.get("name"): d.get("role") for d in results.get("dictionary") or []}
    body: list[Row] = []
    last_role = object()
    for i, r in enumerate(rows):
        name = str(r.get("name", ""))
        role = r.get("role") or roles.get(name)
        role_text = ROLES.get(str(role), {}).get(lang, str(role or ""))
        label = labels.overrides.get(name) or r.get(f"label_{lang}") or labels.var(name)
        cells = [Cell(role_text if role != last_role else "", align="left", kind="label"),
                 Cell(name, align="left", kind="label"), Cell(str(label), align="left", kind="label")]
        for k in ("N", "mean", "sd", "min", "max"):
            v = r.get(k)
            src = ("table2", str(i), k)
            if v is None:
                cells.append(Cell(""))
            elif k == "N":
                cells.append(Cell(fmt_count(v), value=v, source=src, kind="count", align="right"))
            else:
                cells.append(Cell(fmt_number(v, nf.decimals, sig=nf.sig), value=v, source=src, kind="stat",
                                  align="right"))
        body.append(Row(tuple(cells)))
        last_role = role
    return Grid("2", _title("2", labels), _header("2", labels), tuple(body), _notes(labels, synthetic), lang)


def sample_grid(results: Mapping, labels: Labels, synthetic: bool = False) -> Grid:
    rows = _rows_of(results, "sample_construction")
    body = []
    for i, r in enumerate(rows):
        cells = [Cell(str(r.get("step", "")), align="left", kind="label")]
        for k in ("dropped", "remaining"):
            v = r.get(k)
            cells.append(Cell(fmt_count(v), value=v, source=("sample_construction", str(i), k), kind="count",
                              align="right") if v is not None else Cell(""))
        body.append(Row(tuple(cells)))
    return Grid("sample_construction", _title("sample_construction", labels), _header("sample_construction", labels),
                tuple(body), _notes(labels, synthetic), labels.lang)


def dictionary_grid(results: Mapping, labels: Labels, synthetic: bool = False) -> Grid:
    rows = _rows_of(results, "dictionary")
    body = []
    for r in rows:
        role = r.get("role")
        body.append(Row((Cell(str(r.get("name", "")), align="left", kind="label"),
                         Cell(str(r.get("label_zh") or ""), align="left"), Cell(str(r.get("label_en") or ""), align="left"),
                         Cell(str(r.get("unit") or "")),
                         Cell(ROLES.get(str(role), {}).get(labels.lang, str(role or ""))))))
    return Grid("dictionary", _title("dictionary", labels), _header("dictionary", labels), tuple(body),
                _notes(labels, synthetic), labels.lang)
