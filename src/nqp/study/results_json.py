"""``results.json``: a study run as JSON-ready data (``docs/results-json.md`` is the contract).

Pure: :func:`results_document` turns a :class:`~nqp.study.runner.StudyRun` and the panel into
a ``dict``; :func:`dumps` renders it as stable text (sorted keys inside records, floats by
``repr``, ``ensure_ascii=False``), so the same inputs and seed give identical bytes in any
process. Nothing here formats numbers for display -- that is :mod:`nqp.report`'s job.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from nqp import __version__
from nqp.econometrics.constant import absorbed_constant
from nqp.results import json_ready
from nqp.study.runner import ModelEntry, StudyRun, TestEntry

FORMAT = "nqp-results/1"
#: the model scalars results.json takes from ``glance()``, in this order
GLANCE_KEYS = ("nobs", "r2", "adj_r2", "r2_within", "adj_r2_within", "rmse", "n_clusters", "vcov_type", "ssc",
               "df_resid")


def _num(v: Any) -> float | int | None:
    if v is None:
        return None
    if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
        return int(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _coefficients(res: Any) -> dict[str, dict[str, float | None]]:
    """Every term from the common result interface (``tidy()``), under results.json's names."""
    return {str(r.term): {"estimate": _num(r.estimate), "se": _num(r.std_error), "t": _num(r.statistic),
                          "p": _num(r.p_value), "conf_low": _num(r.conf_low), "conf_high": _num(r.conf_high)}
            for r in res.tidy().itertuples(index=False)}


def _vcov(res: Any) -> dict[str, dict[str, float | None]]:
    v = res.vcov
    return {str(r): {str(c): _num(v.loc[r, c]) for c in v.columns} for r in v.index}


def _iv_diagnostics(d: Any) -> dict[str, Any] | None:
    if d is None:
        return None
    sy = d.stock_yogo.to_dict() if getattr(d, "stock_yogo", None) is not None else None
    return json_ready({
        "anderson_lm": d.anderson_lm, "anderson_lm_p": d.anderson_lm_pvalue, "underid_df": d.underid_df,
        "cragg_donald_f": d.cragg_donald_f, "kp_rk_lm": d.kp_rk_lm, "kp_rk_lm_p": d.kp_rk_lm_pvalue,
        "kp_rk_f": d.kp_rk_wald_f, "first_stage_f": list(d.first_stage_f), "sw_f": list(d.sw_f),
        "ar_f": d.ar_f, "ar_p": d.ar_pvalue, "stock_yogo": sy,
    })


def _label(e: ModelEntry) -> tuple[str, str]:
    m = e.model
    if e.stage == "first":
        return (m.endog[0] if m.endog else m.outcome), (m.endog[0] if m.endog else m.outcome)
    return (m.label_zh or m.outcome), (m.label_en or m.label_zh or m.outcome)


def model_record(e: ModelEntry) -> dict[str, Any]:
    """One column of a table as results.json holds it."""
    m = e.model
    label_zh, label_en = _label(e)
    rec: dict[str, Any] = {
        "id": e.id, "table": m.table, "column": e.column, "label": label_zh, "label_zh": label_zh,
        "label_en": label_en, "outcome": (m.endog[0] if e.stage == "first" else m.outcome),
        "estimator": "2SLS" if (m.is_iv and e.stage != "first") else "OLS", "stage": e.stage,
        "first_stage_of": e.first_stage_of, "formula": m.formula, "sample": m.sample,
        "status": "ok" if e.ok else "failed", "error": e.error, "error_type": e.error_type,
        "fixed_effects": list(m.fixed_effects), "cluster": (m.cluster[0] if len(m.cluster) == 1 else list(m.cluster))
        if m.cluster else None, "controls": list(m.controls), "warnings": list(e.warnings),
    }
    for k in (*GLANCE_KEYS, "coefficients", "vcov", "constant"):
        rec[k] = None
    res = e.result
    if res is not None:
        g = res.glance()  # the common result interface: n_clusters is the smallest over the dimensions
        rec.update({k: g[k] for k in GLANCE_KEYS})
        rec.update({"coefficients": _coefficients(res), "vcov": _vcov(res),
                    "dropped_collinear": list(res.dropped_collinear), "n_singletons": g["n_singletons"]})
        if e.wild is not None:
            w = e.wild
            rec["wild_bootstrap"] = {"term": w.coef, "p_value": _num(w.pvalue), "t": _num(w.t_stat),
                                     "conf_low": _num(w.ci[0]) if w.ci else None,
                                     "conf_high": _num(w.ci[1]) if w.ci else None, "reps": int(w.reps),
                                     "enumerated": bool(w.enumerated), "weights": w.bootstrap_weights,
                                     "n_clusters": int(w.n_clusters), "seed": w.seed, "method": "WCR"}
        elif e.wild_error:
            rec["wild_bootstrap"] = {"error": e.wild_error}
        cons = absorbed_constant(res)
        rec["constant"] = {k: _num(v) for k, v in cons.to_dict().items()} if cons is not None else None
        if m.is_iv and e.stage != "first":
            rec["endog"] = list(getattr(res, "endog", m.endog))
            rec["instruments"] = list(getattr(res, "instruments", m.instruments))
            rec["iv_diagnostics"] = _iv_diagnostics(getattr(res, "iv_diagnostics", None))
    return rec


def test_record(x: TestEntry) -> dict[str, Any]:
    t = x.test
    rec: dict[str, Any] = {"id": t.id, "table": t.table, "kind": "group_difference", "method": t.method,
                           "term": t.term, "models": list(t.models), "reps": t.reps if t.method == "permutation" else None,
                           "seed": t.seed if t.method == "permutation" else None, "status": "ok" if x.result is not None
                           else "failed", "error": x.error, "warnings": list(x.warnings)}
    for k in ("b0", "b1", "difference", "statistic", "p_value", "p_value_two_sided", "n0", "n1", "count"):
        rec[k] = None
    r = x.result
    if r is not None:
        rec.update({"b0": _num(r.b0), "b1": _num(r.b1), "difference": _num(r.difference),
                    "statistic": _num(r.statistic), "p_value": _num(r.pvalue),
                    "p_value_two_sided": _num(getattr(r, "pvalue_two_sided", None)),
                    "n0": _num(r.n0), "n1": _num(r.n1), "count": _num(getattr(r, "count", None)),
                    "df": _num(getattr(r, "df", None))})
    return rec


def table_record(t: Any, run: StudyRun) -> dict[str, Any]:
    cols = [e.id for e in run.entries if e.model.table == t.id]
    groups = []
    if t.type == "iv":
        for e in run.entries:
            if e.model.table == t.id and e.model.is_iv:
                first = e.stage == "first"
                groups.append({"label_zh": "第一阶段" if first else "第二阶段",
                               "label_en": "First stage" if first else "Second stage", "models": [e.id]})
    controls = sorted({c for m in t.models for c in m.controls}, key=[c for m in t.models for c in m.controls].index)
    return {"id": t.id, "type": t.type, "title_zh": t.title_zh, "title_en": t.title_en, "depvar": t.depvar,
            "columns": cols, "column_groups": groups, "keep": list(t.keep) if t.keep is not None else None,
            "controls": controls, "show_controls": t.show_controls, "stats": list(t.stats),
            "tests": [x.id for x in t.tests], "notes_zh": t.notes_zh, "notes_en": t.notes_en,
            "interaction_label_zh": t.interaction_label_zh, "interaction_label_en": t.interaction_label_en}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json_ready(frame.to_dict(orient="records"))  # NaN -> null


def panel_sections(panel: Any) -> dict[str, Any]:
    """Table 1 (index weights), Table 2, Figure 2 data, sample construction, data dictionary."""
    from nqp.index import figure2_data, load_indicator_system
    from nqp.panel import describe
    from nqp.panel.describe import TABLE2

    out: dict[str, Any] = {}
    dictionary = panel.dictionary()
    out["dictionary"] = _records(dictionary[["name", "label_zh", "label_en", "unit", "role", "kind", "definition",
                                             "built", "reason"]])
    out["sample_construction"] = _records(panel.sample_report.table())
    out["sample_notes"] = list(panel.sample_report.notes)
    present = [v for v in TABLE2 if v in panel.frame.columns]
    t2 = describe(panel.frame, present).reset_index().rename(columns={"variable": "name", "median": "p50"})
    labels = dictionary.set_index("name")
    t2.insert(1, "label_zh", [labels.loc[n, "label_zh"] if n in labels.index else n for n in t2["name"]])
    t2.insert(2, "label_en", [labels.loc[n, "label_en"] if n in labels.index else n for n in t2["name"]])
    out["table2"] = _records(t2)
    ir = panel.index_result
    if ir is not None:
        _, dims, ilabels = load_indicator_system(None)
        table1 = ir.weights_table(ilabels)
        weights = ir.weights
        out["index_weights"] = ({str(k): _num(v) for k, v in weights.items()} if isinstance(weights, pd.Series)
                                else {str(c): _num(weights[c].mean()) for c in weights.columns})
        out["index"] = {"method": ir.meta.get("method"), "meta": json_ready({k: v for k, v in ir.meta.items()
                                                                             if isinstance(v, (str, int, float, bool))}),
                        "table1": _records(table1)}
        fig2 = figure2_data(ir, panel.frame.loc[ir.index.index, "year"]).reset_index()
        out["figure2"] = _records(fig2)
    else:
        out["index_weights"] = {}
        out["index"] = None
        out["figure2"] = []
    return out


def results_document(run: StudyRun, panel: Any, *, synthetic: bool, seed: int | None,
                     robustness: dict[str, Any] | None = None, extra_warnings: list | None = None) -> dict[str, Any]:
    """The whole results.json document."""
    s = run.study
    doc: dict[str, Any] = {
        "format": FORMAT, "nqp_version": __version__, "synthetic": bool(synthetic), "seed": seed,
        "study": {"name": s.name, "title_zh": s.title_zh, "title_en": s.title_en, "file": s.path.name,
                  "sha256": s.sha256},
        "defaults": json_ready(dict(s.defaults)), "sample_rules": json_ready(dict(s.sample)),
        "tables": [table_record(t, run) for t in s.tables],
        "models": [model_record(e) for e in run.entries],
        "tests": [test_record(x) for x in run.tests],
    }
    doc.update(panel_sections(panel))
    if robustness is not None:
        doc["robustness"] = robustness
    warnings_ = [w.to_dict() for w in (extra_warnings or [])] + [w.to_dict() for w in run.warnings]
    doc["warnings"] = warnings_
    return json_ready(doc)


def dumps(doc: dict[str, Any]) -> str:
    """Stable JSON text (the same document gives the same bytes in any process)."""
    return json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
