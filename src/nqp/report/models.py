"""Models as the report reads them: the ``models`` entries of ``results.json`` (模型结果).

:func:`model_dict` turns anything :func:`nqp.etable` accepts into that shape: a results.json
model dict (returned as is), or an estimated result through the common interface of
:mod:`nqp.results` (``tidy()`` and ``glance()``; ``to_dict()`` for the IV diagnostics). The
report never imports an estimator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from nqp.errors import ReportError


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _coefficients_from_tidy(tidy: Any) -> dict[str, dict[str, float | None]]:
    out = {}
    for rec in tidy.to_dict("records"):
        out[str(rec["term"])] = {"estimate": _num(rec.get("estimate")), "se": _num(rec.get("std_error")),
                                 "t": _num(rec.get("statistic")), "p": _num(rec.get("p_value")),
                                 "conf_low": _num(rec.get("conf_low")), "conf_high": _num(rec.get("conf_high"))}
    return out


def _coefficients_from_list(coefs: list) -> dict[str, dict[str, float | None]]:
    """FeolsResult.to_dict()'s list form (name, coef, se, t, p, ci_low, ci_high)."""
    return {str(c["name"]): {"estimate": _num(c.get("coef")), "se": _num(c.get("se")), "t": _num(c.get("t")),
                             "p": _num(c.get("p")), "conf_low": _num(c.get("ci_low")),
                             "conf_high": _num(c.get("ci_high"))} for c in coefs}


def _scalar_clusters(v: Any) -> int | None:
    if isinstance(v, Mapping):
        return min(v.values()) if v else None  # multi-way: the smallest dimension (as reghdfe reports G)
    return None if v is None else int(v)


def _fixed_effects(g: Mapping, d: Mapping, formula: str) -> list[str]:
    fe = g.get("fixed_effects")
    if fe is None:
        fe = list((d.get("fixef_sizes") or {}).keys())
    if not fe and "|" in formula:  # "y ~ x | a + b" or "y ~ x | a + b | d ~ z"
        part = formula.split("|")[1]
        fe = [t.strip() for t in part.split("+") if t.strip() and t.strip() != "0"]
    return [str(f) for f in fe or []]


def model_dict(model: Any, model_id: str) -> dict[str, Any]:
    """The results.json model entry for ``model`` (a dict in that shape, or a fitted result)."""
    if isinstance(model, Mapping):
        if "coefficients" not in model and model.get("status", "ok") == "ok":
            raise ReportError(f"model {model_id!r} has no 'coefficients'", variable=model_id)
        out = dict(model)
        out.setdefault("id", model_id)
        coefs = out.get("coefficients")
        if isinstance(coefs, list):
            out["coefficients"] = _coefficients_from_list(coefs)
        return out
    if not (hasattr(model, "tidy") or hasattr(model, "to_dict")):
        raise ReportError(f"model {model_id!r}: a {type(model).__name__} is neither a results.json model dict "
                          f"nor a result with tidy()/glance()", variable=model_id)
    d: Mapping = model.to_dict() if hasattr(model, "to_dict") else {}
    g: Mapping = model.glance() if hasattr(model, "glance") else d
    coefs = _coefficients_from_tidy(model.tidy()) if hasattr(model, "tidy") else \
        _coefficients_from_list(d.get("coefficients") or [])
    formula = str(g.get("formula") or d.get("formula") or "")
    outcome = g.get("depvar") or d.get("depvar") or (formula.split("~")[0].strip() if "~" in formula else model_id)
    cluster = g.get("cluster")
    if isinstance(cluster, (list, tuple)):
        cluster = "+".join(cluster) if cluster else None
    if cluster is None and isinstance(d.get("n_clusters"), Mapping) and d["n_clusters"]:
        cluster = "+".join(d["n_clusters"])
    diag = d.get("iv_diagnostics") if isinstance(d.get("iv_diagnostics"), Mapping) else None
    estimator = g.get("estimator") or d.get("estimator") or ("2SLS" if diag or g.get("endog") else "OLS")
    return {
        "id": model_id, "label": str(outcome), "outcome": str(outcome), "estimator": estimator, "stage": None,
        "formula": formula, "status": "ok", "error": None,
        "nobs": g.get("nobs", d.get("nobs")), "r2": _num(g.get("r2", d.get("r2"))),
        "adj_r2": _num(g.get("adj_r2", d.get("adj_r2"))), "r2_within": _num(g.get("r2_within", d.get("r2_within"))),
        "fixed_effects": _fixed_effects(g, d, formula), "cluster": cluster,
        "n_clusters": _scalar_clusters(g.get("n_clusters", d.get("n_clusters"))),
        "vcov_type": g.get("vcov_type", d.get("vcov_type")), "ssc": g.get("ssc", d.get("ssc")),
        "controls": None, "warnings": list(g.get("warnings") or d.get("warnings") or []),
        "coefficients": coefs, "iv_diagnostics": diag,
        "endog": list(g.get("endog") or d.get("endog") or []),
        "instruments": list(g.get("instruments") or d.get("instruments") or []),
    }


def iv_value(diag: Mapping | None, key: str) -> float | None:
    """An IV diagnostic by its results.json name, accepting IVDiagnostics.to_dict()'s names too."""
    if not diag:
        return None
    aliases = {"anderson_lm_p": ("anderson_lm_p", "anderson_lm_pvalue"),
               "kp_rk_lm_p": ("kp_rk_lm_p", "kp_rk_lm_pvalue"),
               "kp_rk_f": ("kp_rk_f", "kp_rk_wald_f")}
    for k in aliases.get(key, (key,)):
        if k in diag and diag[k] is not None:
            return _num(diag[k])
    return None
