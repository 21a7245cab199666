"""Figures of the robustness analyses, from ``results.json`` (matplotlib, no pyplot) (稳健性图).

Every function takes the ``"robustness"`` entry of results.json -- the dict of
:meth:`nqp.robustness.RobustnessResult.to_dict` -- and returns a ``matplotlib.figure.Figure``
(or ``None`` when that analysis was not run); nothing here estimates or writes a file. Render
with :func:`nqp.report.figures.render` (PNG/SVG bytes, reproducible) under
:func:`nqp.report.figures.make` (the report's CJK font style). ``lang`` is ``"en"`` or ``"zh"``.

* :func:`specification_curve_figure` -- the usual two-panel plot (Simonsohn, Simmons & Nelson
  2020, Fig. 2): top, the estimates sorted from smallest to largest with their confidence
  intervals, significant ones (5%, the headline's sign) dark, the headline marked, zero and --
  when the null inference ran -- the 2.5%/97.5% band of the sorted curves under the null;
  bottom, one row per option of every choice, a mark where a specification uses it.
  Not-estimable specifications are counted in the title (they have no estimate to plot).
* :func:`placebo_figure` -- histogram of the placebo coefficients, the true one marked, the
  empirical p-value in the title.
* :func:`leave_one_out_figure` -- per grouping (year, industry, province) the estimate with its
  interval when each level is left out, the headline as a line.
* :func:`robustness_figures` -- name -> maker for the report, like
  :func:`nqp.report.figures.figures`: ``{"robustness_curve": ..., "robustness_placebo": ...,
  "robustness_leave_one_out": ...}`` for the analyses present.

Usage::

    from nqp.report.figures import make, render
    from nqp.report.figures_robustness import robustness_figures
    for name, maker in robustness_figures(results["robustness"]).items():
        png = render(make(maker), "png")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

DARK, LIGHT, MARK, BAND = "#1f4e79", "#9dc3e6", "#c55a11", "#bfbfbf"
CHOICE_LABELS = {"en": {"index": "index", "shift": "shift", "winsorize": "winsorize", "fixed_effects": "fixed effects",
                        "cluster": "cluster", "sample": "sample", "controls": "controls"},
                 "zh": {"index": "指数方法", "shift": "平移量", "winsorize": "缩尾", "fixed_effects": "固定效应",
                        "cluster": "聚类", "sample": "样本", "controls": "控制变量"}}


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _option_label(key: str, value: Any) -> str:
    if key == "winsorize":
        return "none" if not value else f"{100 * float(value):g}%"
    return "n/a" if value is None else str(value)


def specification_curve_figure(rob: Mapping[str, Any], lang: str = "en"):
    curve = rob.get("curve") if rob else None
    if not curve or not curve.get("specifications"):
        return None
    specs = [s for s in curve["specifications"] if s.get("estimable")]
    if not specs:
        return None
    summ = curve["summary"]
    d = summ.get("direction") or 1.0
    alpha = summ.get("alpha", 0.05)
    order = np.argsort([s["estimate"] for s in specs], kind="stable")
    specs = [specs[i] for i in order]
    x = np.arange(1, len(specs) + 1)
    est = np.array([s["estimate"] for s in specs])
    lo = np.array([s["conf_low"] for s in specs])
    hi = np.array([s["conf_high"] for s in specs])
    sig = np.array([(s["p_value"] < alpha) and np.sign(s["estimate"]) == d for s in specs])
    choices = [c for c in curve.get("choices", []) if len({str(s[c]) for s in specs}) > 1]
    options = [(c, v) for c in choices for v in dict.fromkeys(_option_label(c, s[c]) for s in curve["specifications"])]
    fig = _figure(7.2, 3.0 + 0.16 * len(options))
    gs = fig.add_gridspec(2, 1, height_ratios=[3.0, max(1.0, 0.16 * len(options))])
    ax = fig.add_subplot(gs[0])
    null = rob.get("null_inference")
    if null and null.get("band") and len(null["band"].get("rank", [])) == len(specs):
        ax.fill_between(x, null["band"]["q025"], null["band"]["q975"], color=BAND, alpha=0.5, lw=0,
                        label="null 95% band" if lang == "en" else "原假设下95%区间")
    ax.vlines(x, lo, hi, colors=np.where(sig, LIGHT, "#d9d9d9"), lw=0.6)
    ax.scatter(x, est, s=4, c=np.where(sig, DARK, "#7f7f7f"), zorder=3)
    head = summ.get("headline_id")
    pos = next((i for i, s in enumerate(specs) if s["id"] == head), None)
    if pos is not None:
        ax.scatter([x[pos]], [est[pos]], s=30, marker="D", color=MARK, zorder=4,
                   label="headline" if lang == "en" else "基准设定")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlim(0.5, len(specs) + 0.5)
    ax.set_xticks([])
    ax.set_ylabel("estimate" if lang == "en" else "估计系数")
    n_bad = summ.get("n_not_estimable") or 0
    title = (f"Specification curve: {len(specs)} specifications"
             + (f" ({n_bad} not estimable)" if n_bad else "")
             + f"; median {summ['median_estimate']:.3f}, {100 * summ['share_significant']:.0f}% significant")
    if lang == "zh":
        title = (f"设定曲线：{len(specs)} 个设定" + (f"（{n_bad} 个无法估计）" if n_bad else "")
                 + f"；中位数 {summ['median_estimate']:.3f}，{100 * summ['share_significant']:.0f}% 显著")
    if null and null.get("tests"):
        p = null["tests"]["median_estimate"]["p_value"]
        title += f"; null p(median) = {p:.3f}" if lang == "en" else f"；原假设 p(中位数) = {p:.3f}"
    ax.set_title(title, fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax2 = fig.add_subplot(gs[1], sharex=ax)
    labels = CHOICE_LABELS.get(lang, CHOICE_LABELS["en"])
    for row, (c, v) in enumerate(options):
        hit = np.array([_option_label(c, s[c]) == v for s in specs])
        ax2.scatter(x[hit], np.full(hit.sum(), row), s=2, marker="|", c=np.where(sig[hit], DARK, "#7f7f7f"))
    ax2.set_yticks(range(len(options)), [f"{labels.get(c, c)}: {v}" for c, v in options], fontsize=6)
    ax2.set_ylim(len(options) - 0.5, -0.5)
    ax2.set_xlabel("specification (sorted by estimate)" if lang == "en" else "设定（按估计值排序）")
    return fig


def placebo_figure(rob: Mapping[str, Any], lang: str = "en"):
    pl = rob.get("placebo") if rob else None
    if not pl or not pl.get("draws"):
        return None
    draws = np.asarray(pl["draws"], dtype=float)
    fig = _figure(5.6, 3.2)
    ax = fig.add_subplot()
    ax.hist(draws, bins=40, color=LIGHT, edgecolor="white")
    ax.axvline(pl["estimate"], color=MARK, lw=1.5, label="true estimate" if lang == "en" else "真实估计值")
    ax.set_xlabel("placebo coefficient" if lang == "en" else "安慰剂系数")
    ax.set_ylabel("draws" if lang == "en" else "次数")
    ax.set_title((f"Placebo: {pl['reps']} random reassignments ({pl['mode'].replace('_', ' ')}), p = {pl['p_value']:.3f}")
                 if lang == "en" else f"安慰剂检验：随机分配 {pl['reps']} 次，p = {pl['p_value']:.3f}", fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    return fig


def leave_one_out_figure(rob: Mapping[str, Any], lang: str = "en"):
    loo = rob.get("leave_one_out") if rob else None
    if not loo or not loo.get("fits"):
        return None
    fits = [f for f in loo["fits"] if f.get("estimable")]
    groups = list(dict.fromkeys(f["by"] for f in fits))
    if not groups:
        return None
    fig = _figure(7.2, 2.4 * len(groups))
    for i, g in enumerate(groups):
        ax = fig.add_subplot(len(groups), 1, i + 1)
        rows = [f for f in fits if f["by"] == g]
        xs = np.arange(len(rows))
        ax.errorbar(xs, [r["estimate"] for r in rows],
                    yerr=[[r["estimate"] - r["conf_low"] for r in rows], [r["conf_high"] - r["estimate"] for r in rows]],
                    fmt="o", ms=3, color=DARK, ecolor=LIGHT, lw=0.8)
        ax.axhline(loo["headline"], color=MARK, lw=1, label="headline" if lang == "en" else "基准")
        ax.axhline(0, color="black", lw=0.5)
        ax.set_xticks(xs, [str(r["level"]) for r in rows], rotation=90, fontsize=6)
        ax.set_title((f"without one {g}" if lang == "en" else f"逐一剔除：{g}"), fontsize=9)
        ax.legend(fontsize=7, frameon=False, loc="best")
    return fig


def robustness_figures(rob: Mapping[str, Any] | None, lang: str = "en") -> dict[str, Callable[[], Any]]:
    """Name -> maker of each robustness figure whose analysis is in ``rob``."""
    if not rob:
        return {}
    out: dict[str, Callable[[], Any]] = {}
    if rob.get("curve"):
        out["robustness_curve"] = lambda: specification_curve_figure(rob, lang)
    if rob.get("placebo"):
        out["robustness_placebo"] = lambda: placebo_figure(rob, lang)
    if rob.get("leave_one_out"):
        out["robustness_leave_one_out"] = lambda: leave_one_out_figure(rob, lang)
    return out
