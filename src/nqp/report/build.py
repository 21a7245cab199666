"""Regression tables (Tables 3-8) as grids, from the ``tables``/``models``/``tests`` of results.json.

Layout (the paper's, and the Chinese-journal convention):

* title above: ``表3 基准回归结果``;
* header: ``变量`` and a cell spanning the model columns ``被解释变量：企业新质生产力（NQP）``
  (when the table has one dependent variable), column groups (``第一阶段``/``第二阶段``), the
  models' labels when they differ (outcomes, groups), then ``(1)``...``(n)``;
* per coefficient two rows: the estimate with stars, the SE (or t) in parentheses;
  in a ``moderation`` table the interaction terms of different moderators share one row
  ``lnAI×调节变量``;
* ``控制变量 √`` (the table's ``controls`` collapsed), one ``…固定效应 √`` row per fixed effect
  (year first, then firm, then others), ``常数项``;
* statistics: ``调整R²`` and ``N``; IV tables ``Anderson canon. LM``, ``Cragg-Donald Wald F``,
  and the Kleibergen-Paap rk LM / Wald F rows when the models report them (clustered SEs);
* heterogeneity tables: ``组间差异`` (difference b0 - b1 with the test's stars) and ``P 值`` rows;
* notes below: the study's note, what is in parentheses, the star thresholds, the test method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from nqp.errors import ReportError
from nqp.report.format import NumberFormat, fmt_coef, fmt_count, fmt_number, fmt_paren, fmt_pvalue, star_note
from nqp.report.grid import Cell, Grid, Row
from nqp.report.labels import Labels
from nqp.report.models import iv_value

INTERACTION = "__interaction__"
_IV_ROWS = ("anderson_lm", "cragg_donald_f", "kp_rk_lm", "kp_rk_f")
_DEFAULT_STATS = {"iv": ("anderson_lm", "cragg_donald_f", "nobs")}
_KP_BESIDE = {"anderson_lm": "kp_rk_lm", "cragg_donald_f": "kp_rk_f"}


def _expand_stats(stats: Sequence[str], cols: Sequence[Mapping]) -> list[str]:
    """``iv`` -> the four IV rows; the Kleibergen-Paap rk row after the Anderson LM / Cragg-Donald
    row whenever a model reports it (robust or clustered SEs), unless listed already."""
    out: list[str] = []
    for s in stats:
        out += ["anderson_lm", "cragg_donald_f"] if s == "iv" else [s]
    for base, kp in _KP_BESIDE.items():
        if base in out and kp not in out and any(iv_value(m.get("iv_diagnostics"), kp) is not None
                                                 for m in cols if _ok(m)):
            out.insert(out.index(base) + 1, kp)
    return out


def _ok(m: Mapping) -> bool:
    return m.get("status", "ok") == "ok"


def _coef(m: Mapping, term: str) -> Mapping | None:
    """A coefficient; for ``Intercept`` of a model with absorbed FE, its ``constant`` (reghdfe's _cons)."""
    if not _ok(m):
        return None
    c = (m.get("coefficients") or {}).get(term)
    return m.get("constant") if c is None and term == "Intercept" else c


def _coef_source(m: Mapping, term: str) -> tuple:
    if term == "Intercept" and term not in (m.get("coefficients") or {}):
        return ("models", m["id"], "constant")
    return ("models", m["id"], "coefficients", term)


def _interaction_base(terms: Sequence[str]) -> str | None:
    """The factor shared by all interaction terms (``lnAI`` of ``lnAI:irobot``, ``lnAI:finratio``)."""
    sets = [set(t.split(":")) for t in terms]
    common = set.intersection(*sets) if sets else set()
    if len(common) == 1:
        return common.pop()
    return None


def _term_rows(table: Mapping, cols: Sequence[Mapping]) -> list[tuple[str, dict[str, str]]]:
    """(row key, {model id: term}) in print order. Interactions collapse in moderation tables."""
    tid = table.get("id")
    controls = set(table.get("controls") or [])
    keep = table.get("keep")
    seen: list[str] = []
    for m in cols:
        for t in (m.get("coefficients") or {}):
            if t not in seen:
                seen.append(t)
    if keep is not None:
        order, missing = [], []
        for k in keep:
            hits = [t for t in seen if fnmatchcase(t, k)] if any(ch in k for ch in "*?[") else \
                ([k] if k in seen else [])
            if not hits:
                missing.append(k)
            order += [t for t in hits if t not in order]
        if missing:
            raise ReportError(f"table {tid}: keep names term(s) {missing} that no model of the table has "
                              f"(terms: {seen})", table=str(tid), variable=missing[0])
    else:
        order = [t for t in seen if t not in controls and t != "Intercept"]
    collapse = table.get("type") == "moderation"
    rows: list[tuple[str, dict[str, str]]] = []
    inter: dict[str, str] = {}
    for t in order:
        if collapse and ":" in t:
            if not inter:
                rows.append((INTERACTION, inter))
            for m in cols:
                if t in (m.get("coefficients") or {}):
                    if m["id"] in inter:
                        raise ReportError(f"table {tid}: model {m['id']!r} has two interaction terms "
                                          f"({inter[m['id']]!r}, {t!r}) for one shared row", table=str(tid),
                                          variable=t)
                    inter[m["id"]] = t
        else:
            rows.append((t, {m["id"]: t for m in cols}))
    return rows


def _fe_order(cols: Sequence[Mapping]) -> list[str]:
    fes: list[str] = []
    for m in cols:
        for f in m.get("fixed_effects") or []:
            if f not in fes:
                fes.append(f)
    rank = {"year": 0, "stkcd": 1, "firm": 1}
    return sorted(fes, key=lambda f: (rank.get(f, 2), fes.index(f)))


def _has_controls(m: Mapping, controls: Sequence[str]) -> bool:
    if m.get("controls") is not None:
        return bool(m["controls"])
    return any(c in (m.get("coefficients") or {}) for c in controls)


def _se_note(cols: Sequence[Mapping], labels: Labels, nf: NumberFormat) -> str:
    if nf.se == "t":
        return labels.word("t_paren")
    clusters = []
    for m in cols:
        c = m.get("cluster")
        c = "+".join(c) if isinstance(c, (list, tuple)) else c
        if c and c not in clusters:
            clusters.append(c)
    if clusters:
        words = "/".join(labels.group_word(c) for c in clusters)
        return labels.word("se_cluster", words if labels.lang == "zh" else words.lower())
    vt = " ".join(str(m.get("vcov_type") or "") for m in cols).lower()
    if "hc" in vt or "hetero" in vt or "robust" in vt:
        return labels.word("se_robust")
    return labels.word("se_iid")


_METHODS = {"permutation": {"zh": "费舍尔组合检验（Fisher permutation, bdiff）", "en": "Fisher permutation test (bdiff)"},
            "suest": {"zh": "似无相关估计检验（SUEST）", "en": "seemingly unrelated estimation (SUEST)"},
            "chow": {"zh": "邹检验（Chow）", "en": "Chow test"}}


def _method_words(method: str, reps: int | None, lang: str) -> str:
    words = _METHODS.get(method, {}).get(lang, method)
    if reps:
        words += f"，抽样 {reps} 次" if lang == "zh" else f", {reps} draws"
    return words


def _test_rows(table: Mapping, tests: Mapping[str, Mapping], col_of: Mapping[str, int], n: int,
               labels: Labels, nf: NumberFormat, models: Mapping[str, Mapping]) -> tuple[list[Row], list[str]]:
    """组间差异 / P 值 row pairs. A test of two adjacent columns spans them; otherwise it sits in the
    column of its second model. Tests that would overlap go to further row pairs, labelled with
    the two groups they compare."""
    tid = str(table.get("id"))
    lines: list[list[tuple[int, int, Mapping]]] = []  # per row pair: (first column, span, test)
    methods: list[str] = []
    for test_id in table.get("tests") or []:
        if test_id not in tests:
            raise ReportError(f"table {tid}: test {test_id!r} is not in results.tests", table=tid, variable=test_id)
        t = dict(tests[test_id], id=test_id)
        ids = list(t.get("models") or [])
        if len(ids) != 2 or any(i not in col_of for i in ids):
            raise ReportError(f"table {tid}: test {test_id!r} must name two models of the table, has {ids}",
                              table=tid, variable=test_id)
        a, b = sorted(col_of[i] for i in ids)
        start, span = (a, 2) if b - a == 1 else (b, 1)
        for line in lines:  # a test of non-adjacent columns gets a row pair of its own, labelled
            if span == 2 and all(w0 == 2 and (start + span <= s0 or start >= s0 + w0) for s0, w0, _ in line):
                line.append((start, span, t))
                break
        else:
            lines.append([(start, span, t)])
        m = _method_words(str(t.get("method") or ""), t.get("reps"), labels.lang)
        if m and m not in methods:
            methods.append(m)
    rows: list[Row] = []
    for k, line in enumerate(lines):
        suffix = ""
        if len(line) == 1 and (k > 0 or line[0][1] == 1):
            names = [str(models[i].get("label") or i) for i in line[0][2]["models"]]
            suffix = f"（{names[0]}−{names[1]}）" if labels.lang == "zh" else f" ({names[0]} − {names[1]})"
        for what in ("difference", "p_value"):
            cells = [Cell(labels.word(what) + suffix, align="left", kind="label")]
            col = 0
            for start, span, t in sorted(line, key=lambda x: x[0]):
                cells += [Cell("") for _ in range(start - col)]
                src = ("tests", str(t["id"]), what)
                if what == "difference":
                    cells.append(Cell(fmt_coef(t.get("difference"), t.get("p_value"), nf), span=span,
                                      value=t.get("difference"), source=src, kind="coef"))
                else:
                    cells.append(Cell(fmt_pvalue(t.get("p_value"), nf.decimals), span=span, value=t.get("p_value"),
                                      source=src, kind="pvalue"))
                col = start + span
            cells += [Cell("") for _ in range(n - col)]
            rows.append(Row(tuple(cells)))
    return rows, methods


def regression_grid(table: Mapping, models: Mapping[str, Mapping], tests: Mapping[str, Mapping],
                    labels: Labels, nf: NumberFormat, *, synthetic: bool = False,
                    stats: Sequence[str] | None = None, title: str | None = None) -> Grid:
    """The grid of one regression table (types regression, iv, heterogeneity, moderation, channel)."""
    tid = str(table.get("id"))
    lang = labels.lang
    ids = list(table.get("columns") or [])
    if not ids:
        raise ReportError(f"table {tid} has no columns", table=tid)
    missing = [i for i in ids if i not in models]
    if missing:
        raise ReportError(f"table {tid} names model(s) {missing} that are not in results.models",
                          table=tid, variable=missing[0])
    cols = [dict(models[i], id=i) for i in ids]
    n = len(cols)
    col_of = {m["id"]: j for j, m in enumerate(cols)}
    var = labels.word("variable")

    # ---- header
    header: list[Row] = []
    depvar = table.get(f"depvar_{lang}")
    if not depvar and table.get("depvar"):  # a variable name: its label with the name, 企业新质生产力（NQP）
        name = str(table["depvar"])
        label = labels.var(name)
        depvar = name if label == name else (f"{label}（{name}）" if lang == "zh" else f"{label} ({name})")
    first = var
    if depvar:
        header.append(Row((Cell(first, align="left", kind="header"),
                           Cell(labels.word("depvar") + str(depvar), span=n, kind="header"))))
        first = ""
    groups = table.get("column_groups") or []
    if groups:
        owner = [None] * n
        for g in groups:
            for mid in g.get("models") or []:
                if mid not in col_of:
                    raise ReportError(f"table {tid}: column group names model {mid!r} not in the table's columns",
                                      table=tid, variable=mid)
                owner[col_of[mid]] = g.get(f"label_{lang}") or g.get("label_zh") or ""
        cells = [Cell(first, align="left", kind="header")]
        j = 0
        while j < n:
            k = j
            while k + 1 < n and owner[k + 1] == owner[j] and owner[j] is not None:
                k += 1
            cells.append(Cell(owner[j] or "", span=k - j + 1, kind="header"))
            j = k + 1
        header.append(Row(tuple(cells)))
        first = ""
    col_labels = [str(m.get(f"label_{lang}") or m.get("label") or m.get("outcome") or "") for m in cols]
    if not depvar and not groups or (not groups and len(set(col_labels)) > 1):
        header.append(Row((Cell(first, align="left", kind="header"),
                           *(Cell(t, kind="header") for t in col_labels))))
        first = ""
    numbers = [str(m.get("column") or f"({j + 1})") for j, m in enumerate(cols)]
    header.append(Row((Cell(first, align="left", kind="header"), *(Cell(t, kind="header") for t in numbers))))

    # ---- coefficients
    body: list[Row] = []
    value_key = "t" if nf.se == "t" else "se"
    term_rows = _term_rows(table, cols)
    inter_base = _interaction_base([t for k, mp in term_rows if k == INTERACTION for t in mp.values()])
    has_const = any(_coef(m, "Intercept") for m in cols) and "Intercept" not in dict(term_rows)

    def coef_pair(label: str, term_of: Mapping[str, str]) -> None:
        top, bottom = [Cell(label, align="left", kind="label")], [Cell("", align="left", kind="label")]
        for m in cols:
            t = term_of.get(m["id"])
            c = _coef(m, t) if t else None
            if not _ok(m) and not body:
                top.append(Cell(labels.word("failed"), kind="mark"))
                bottom.append(Cell(""))
                continue
            if c is None or c.get("estimate") is None:
                top.append(Cell(""))
                bottom.append(Cell(""))
                continue
            src = _coef_source(m, t)
            top.append(Cell(fmt_coef(c.get("estimate"), c.get("p"), nf), value=c.get("estimate"),
                            source=(*src, "estimate"), kind="coef"))
            bottom.append(Cell(fmt_paren(c.get(value_key), nf), value=c.get(value_key), source=(*src, value_key),
                               kind="paren"))
        body.extend([Row(tuple(top)), Row(tuple(bottom))])

    for key, term_of in term_rows:
        if key == INTERACTION:
            label = table.get(f"interaction_label_{lang}") or labels.word("interaction", inter_base or "")
        else:
            label = labels.term(key)
        coef_pair(label, term_of)

    # ---- indicator rows
    yes = labels.word("yes")
    controls = list(table.get("controls") or [])
    if controls and not table.get("show_controls"):
        body.append(Row((Cell(labels.word("controls"), align="left", kind="label"),
                         *(Cell(yes if _ok(m) and _has_controls(m, controls) else "", kind="mark") for m in cols))))
    for fe in _fe_order(cols):
        body.append(Row((Cell(labels.fe(fe), align="left", kind="label"),
                         *(Cell(yes if fe in (m.get("fixed_effects") or []) else "", kind="mark") for m in cols))))
    # ---- statistics (the study's `stats`, else the defaults of the table type)
    if stats is None:
        stats = table.get("stats")
    if stats is None:
        stats = _DEFAULT_STATS.get(str(table.get("type")), ("constant", "adj_r2", "nobs"))
    stat_list = _expand_stats(stats, cols)
    for s in stat_list:
        if s == "constant":
            if has_const:
                coef_pair(labels.word("constant"), {m["id"]: "Intercept" for m in cols})
            continue
        if s in _IV_ROWS:
            vals = [iv_value(m.get("iv_diagnostics"), s) if _ok(m) else None for m in cols]
            body.append(Row((Cell(labels.word(s), align="left", kind="label"),
                             *(Cell(fmt_number(v, nf.decimals, sig=nf.sig), value=v,
                                    source=("models", m["id"], "iv_diagnostics", s), kind="stat")
                               if v is not None else Cell("") for m, v in zip(cols, vals)))))
            continue
        if s in ("wild_p", "wild_ci"):  # WCR wild cluster bootstrap beside the clustered SEs
            cells = [Cell(labels.word(s), align="left", kind="label")]
            for m in cols:
                w = m.get("wild_bootstrap") if _ok(m) else None
                if not w or w.get("p_value") is None:
                    cells.append(Cell(""))
                elif s == "wild_p":
                    cells.append(Cell(fmt_pvalue(w["p_value"], nf.decimals), value=w["p_value"],
                                      source=("models", m["id"], "wild_bootstrap", "p_value"), kind="stat"))
                else:
                    lo, hi = w.get("conf_low"), w.get("conf_high")
                    cells.append(Cell(f"[{fmt_number(lo, nf.decimals, sig=nf.sig)}, {fmt_number(hi, nf.decimals, sig=nf.sig)}]"
                                      if lo is not None and hi is not None else "", kind="text"))
            body.append(Row(tuple(cells)))
            continue
        if s not in ("adj_r2", "r2", "r2_within", "nobs", "n_clusters"):
            raise ReportError(f"table {tid}: unknown statistic {s!r}; known: constant, adj_r2, r2, r2_within, "
                              f"nobs, n_clusters, {', '.join(_IV_ROWS)}, iv", table=tid, variable=s)
        cells = [Cell(labels.word(s), align="left", kind="label")]
        for m in cols:
            v = m.get(s) if _ok(m) else None
            if v is None:
                cells.append(Cell(""))
            elif s in ("nobs", "n_clusters"):
                cells.append(Cell(fmt_count(v), value=v, source=("models", m["id"], s), kind="count"))
            else:
                cells.append(Cell(fmt_number(v, nf.decimals, sig=nf.sig), value=v, source=("models", m["id"], s),
                                  kind="stat"))
        body.append(Row(tuple(cells)))

    test_rows, methods = _test_rows(table, tests, col_of, n, labels, nf, {m["id"]: m for m in cols})
    body.extend(test_rows)

    # ---- notes
    sep, end = labels.word("sep"), labels.word("end")
    parts = [_se_note(cols, labels, nf), star_note(nf.stars)]
    if methods:
        parts.append(labels.word("test_note", "; ".join(methods)))
    note = labels.word("note") + sep.join(parts) + end
    study_note = table.get(f"notes_{lang}") or (table.get("notes_zh") if lang == "zh" else None)
    notes = [note] + ([str(study_note)] if study_note else [])
    if synthetic:
        notes.append(labels.word("synthetic"))
    failed = [m["id"] for m in cols if not _ok(m)]
    meta: dict[str, Any] = {"failed": failed, "models": ids}
    if title is None:
        t = table.get(f"title_{lang}") or table.get("title_zh") or ""
        title = labels.word("table", tid, t)
    return Grid(id=tid, title=title, header=tuple(header), body=tuple(body), notes=tuple(notes), lang=lang, meta=meta)
