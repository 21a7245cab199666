"""Figures from results.json (matplotlib, Agg; no pyplot, no global state) (图).

* :func:`figure2` -- the paper's Figure 2 (图2 年均企业新质生产力指数时间趋势图): the yearly mean of
  the index (line) and each dimension's contribution (stacked bars; with additive dimensions
  they add up to the index), from ``figure2``.
* :func:`coefficient_plot` -- a heterogeneity table's groups: the coefficient of the treatment
  in each subsample with its 95% interval (``conf_low``/``conf_high`` of results.json).
* :func:`marginal_effects` -- per moderation model ``y = b1 x + b2 m + b3 x·m + ...`` the
  marginal effect ``dy/dx = b1 + b3 m`` over the moderator's observed range (Table 2's min to
  max), with the pointwise 95% band ``± 1.96 sqrt(V11 + m² V33 + 2 m V13)`` when the model's
  ``vcov`` is stored (Brambor, Clark and Golder 2006, *Political Analysis* 14(1): 63-82).
* :func:`weights_plot` -- the entropy weights of the indicators, coloured by dimension.

Chinese text needs a CJK font: :func:`cjk_font` finds one that is installed (Debian's
``fonts-noto-cjk`` gives "Noto Sans CJK SC"); without one the figures still render, Chinese
glyphs as boxes, and :func:`figure_warnings` says so.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from nqp.report.labels import Labels

CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Serif SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC", "SimSun", "Songti SC")
COLORS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#843c0c", "#375623")


_CJK_FILES = ("notosanscjk", "notoserifcjk", "sourcehan", "wqy", "simhei", "simsun", "msyh", "pingfang")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed font family of :data:`CJK_FONTS`, or None.

    Matplotlib caches its font list; a CJK font installed after the cache was built (e.g. by
    ``scripts/system-packages.sh``) is found by file name among the system fonts and added."""
    from matplotlib import font_manager

    def first() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in CJK_FONTS if n in names), None)

    found = first()
    if found is None:
        def rank(path: str) -> tuple[int, int]:
            name = path.lower().replace("-", "").replace("_", "")
            kind = next((i for i, k in enumerate(_CJK_FILES) if k in name), len(_CJK_FILES))
            return kind, "bold" in name
        candidates = sorted((p for p in font_manager.findSystemFonts() if rank(p)[0] < len(_CJK_FILES)), key=rank)
        for path in candidates:  # the preferred regular face first; stop at the first usable one
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
            found = first()
            if found is not None:
                break
    return found


def _rc() -> dict[str, Any]:
    """The figures' matplotlib style: the CJK font first, and no automatic layout, so that
    ``set_layout_engine(None)`` means no engine whatever a matplotlibrc says."""
    font = cjk_font()
    return {"font.family": "sans-serif",
            "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
            "axes.unicode_minus": False, "svg.hashsalt": "nqp", "font.size": 9,
            "axes.spines.top": False, "axes.spines.right": False,
            "figure.autolayout": False, "figure.constrained_layout.use": False}


def figure_warnings() -> list[str]:
    return [] if cjk_font() else ["no CJK font installed (e.g. Debian fonts-noto-cjk): Chinese labels in the "
                                  "figures render as boxes"]


def load_matplotlib() -> None:
    """Import the parts of matplotlib the figures use and resolve the CJK font, once: worker
    processes forked afterwards inherit them instead of each importing them again (~0.5 CPU s)."""
    import matplotlib.backends.backend_agg  # noqa: F401  (the PNG canvas)
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    cjk_font()


def _new(width: float = 6.4, height: float = 3.6):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def figure2(results: Mapping, labels: Labels):
    rows = results.get("figure2") or []
    if not rows:
        return None
    years = [int(r["year"]) for r in rows]
    total_key = "index" if "index" in rows[0] else "NQP"
    dims = [k for k in rows[0] if k not in ("year", "n", total_key, "NQP", "index") and not k.endswith("_share")]
    fig = _new()
    ax = fig.add_subplot()
    bottom = [0.0] * len(rows)
    for i, d in enumerate(dims):
        vals = [float(r.get(d) or 0.0) for r in rows]
        ax.bar(years, vals, bottom=bottom, color=COLORS[i % len(COLORS)], width=0.7, label=str(d), alpha=0.85)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.plot(years, [r.get(total_key) for r in rows], color="black", marker="o", lw=1.5,
            label="企业新质生产力指数" if labels.lang == "zh" else "NQP index")
    ax.set_xlabel("年份" if labels.lang == "zh" else "Year")
    ax.set_ylabel("年均值" if labels.lang == "zh" else "Yearly mean")
    ax.set_xticks(years)
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_ylim(0, max(float(r.get(total_key) or 0) for r in rows) * 1.25)
    ax.legend(fontsize=7, ncols=len(dims) + 1, loc="upper center", frameon=False)
    ax.set_title("图2 年均企业新质生产力指数时间趋势图" if labels.lang == "zh"
                 else "Figure 2: yearly mean of the NQP index and its dimensions")
    return fig


def _models(results: Mapping) -> dict[str, Mapping]:
    return {m["id"]: m for m in results.get("models") or []}


def coefficient_plot(results: Mapping, table: Mapping, labels: Labels):
    """Treatment coefficient per group with its 95% interval (one marker per column)."""
    models = _models(results)
    cols = [models[i] for i in table.get("columns") or [] if i in models]
    term = (table.get("keep") or [None])[0]
    pts = []
    for m in cols:
        c = (m.get("coefficients") or {}).get(term) if m.get("status", "ok") == "ok" else None
        if c and c.get("estimate") is not None:
            pts.append((str(m.get(f"label_{labels.lang}") or m.get("label") or m["id"]), c))
    if not pts:
        return None
    fig = _new(6.4, 0.45 * len(pts) + 1.4)
    ax = fig.add_subplot()
    ys = list(range(len(pts)))[::-1]
    for y, (name, c) in zip(ys, pts):
        lo, hi = c.get("conf_low"), c.get("conf_high")
        if lo is not None and hi is not None:
            ax.plot([lo, hi], [y, y], color=COLORS[0], lw=2)
        ax.plot([c["estimate"]], [y], "o", color=COLORS[1])
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(ys, [p[0] for p in pts])
    ax.set_xlabel((f"{term} 的系数与 95% 置信区间" if labels.lang == "zh" else f"Coefficient of {term}, 95% interval"))
    title = table.get(f"title_{labels.lang}") or table.get("title_zh") or ""
    ax.set_title(labels.word("table", table.get("id"), title))
    return fig


def _moderation_terms(m: Mapping, base: str | None) -> tuple[str, str, str] | None:
    """(treatment, moderator, interaction term) of a moderation model."""
    for t in m.get("coefficients") or {}:
        if ":" in t:
            a, b = t.split(":", 1)
            x, z = (a, b) if (base is None or a == base) else (b, a)
            if x in (m.get("coefficients") or {}):
                return x, z, t
    return None


def marginal_effects(results: Mapping, table: Mapping, labels: Labels):
    models = _models(results)
    cols = [models[i] for i in table.get("columns") or [] if i in models and models[i].get("status", "ok") == "ok"]
    keep = table.get("keep") or []
    base = keep[0] if keep and ":" not in keep[0] and "*" not in keep[0] else None
    t2 = {r.get("name"): r for r in results.get("table2") or []}
    panels = []
    for m in cols:
        terms = _moderation_terms(m, base)
        if terms is None:
            continue
        x, z, xz = terms
        lo, hi = (t2.get(z) or {}).get("min"), (t2.get(z) or {}).get("max")
        if lo is None or hi is None or not hi > lo:
            continue
        panels.append((m, x, z, xz, float(lo), float(hi)))
    if not panels:
        return None
    ncol = min(3, len(panels))
    nrow = math.ceil(len(panels) / ncol)
    fig = _new(3.2 * ncol, 2.6 * nrow)
    for k, (m, x, z, xz, lo, hi) in enumerate(panels):
        ax = fig.add_subplot(nrow, ncol, k + 1)
        c = m["coefficients"]
        grid = [lo + (hi - lo) * i / 60 for i in range(61)]
        eff = [c[x]["estimate"] + c[xz]["estimate"] * g for g in grid]
        ax.plot(grid, eff, color=COLORS[0])
        v = m.get("vcov") or {}
        try:
            v11, v33, v13 = float(v[x][x]), float(v[xz][xz]), float(v[x][xz])
            band = [1.96 * math.sqrt(max(v11 + g * g * v33 + 2 * g * v13, 0.0)) for g in grid]
            ax.fill_between(grid, [e - b for e, b in zip(eff, band)], [e + b for e, b in zip(eff, band)],
                            color=COLORS[0], alpha=0.2, lw=0)
        except (KeyError, TypeError, ValueError):
            pass
        ax.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set_xlabel(labels.var(z) if labels.var(z) != z else z, fontsize=8)
        ax.set_ylabel(f"∂{m.get('outcome', 'y')}/∂{x}", fontsize=8)
        ax.set_title(str(m.get(f"label_{labels.lang}") or m.get("label") or m["id"]), fontsize=9)
    title = table.get(f"title_{labels.lang}") or table.get("title_zh") or ""
    fig.suptitle(labels.word("table", table.get("id"), title) +
                 ("：边际效应与 95% 置信区间" if labels.lang == "zh" else ": marginal effects, 95% band"), fontsize=10)
    return fig


def weights_plot(results: Mapping, labels: Labels):
    rows = ((results.get("index") or {}).get("table1")) or \
        [{"indicator": k, "weight": v} for k, v in (results.get("index_weights") or {}).items()]
    rows = [r for r in rows if r.get("weight") is not None]
    if not rows:
        return None
    dims: list[str] = []
    for r in rows:
        d = str(r.get(f"dimension_{labels.lang}") or r.get("dimension") or "")
        if d not in dims:
            dims.append(d)
    fig = _new(6.4, 0.28 * len(rows) + 1.2)
    ax = fig.add_subplot()
    ys = list(range(len(rows)))[::-1]
    for y, r in zip(ys, rows):
        d = str(r.get(f"dimension_{labels.lang}") or r.get("dimension") or "")
        ax.barh(y, float(r["weight"]), color=COLORS[dims.index(d) % len(COLORS)],
                label=d if d and d not in ax.get_legend_handles_labels()[1] else None)
    ax.set_yticks(ys, [str(r.get(f"label_{labels.lang}") or r.get("label_zh") or r.get("indicator")) for r in rows],
                  fontsize=7)
    ax.set_xlabel("熵值法权重" if labels.lang == "zh" else "Entropy weight")
    if any(dims):
        ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.set_title("企业新质生产力指标的熵值法权重" if labels.lang == "zh" else "Entropy weights of the NQP indicators")
    return fig


def caption(fig, default: str) -> str:
    """A figure's title (suptitle, else the first axes' title), for captions and alt text."""
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        return sup.get_text()
    for ax in fig.axes:
        if ax.get_title():
            return ax.get_title()
    return default


def figure_makers(results: Mapping, labels: Labels) -> dict[str, Callable[[], Any]]:
    """Name -> function making the figure (None when the results lack its data), in report order."""
    out: dict[str, Callable[[], Any]] = {"figure2": lambda: figure2(results, labels),
                                         "entropy_weights": lambda: weights_plot(results, labels)}
    for t in results.get("tables") or []:
        if t.get("type") == "heterogeneity":
            out[f"table{t['id']}_coefficients"] = lambda t=t: coefficient_plot(results, t, labels)
        if t.get("type") == "moderation":
            out[f"table{t['id']}_marginal_effects"] = lambda t=t: marginal_effects(results, t, labels)
    return out


def render(fig, ext: str, dpi: int = 150) -> bytes:
    """PNG or SVG bytes of a figure, reproducibly (no date in the SVG, fixed SVG ids).

    The PNG is drawn once, on an Agg canvas, which solves the constrained layout as it draws
    (``savefig`` would draw the figure twice: once to lay it out), and compressed at zlib level 3
    (about 40% less CPU than PIL's default 6 for 3% larger files)."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(_rc()):
        if ext == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            own_dpi = fig.get_dpi()
            fig.set_dpi(dpi)
            try:
                FigureCanvasAgg(fig).print_png(buf, metadata={"Software": None}, pil_kwargs={"compress_level": 3})
            finally:
                fig.set_dpi(own_dpi)
    return buf.getvalue()


def render_png_svg(fig, dpi: int = 150) -> tuple[bytes, bytes]:
    """PNG and SVG of one figure, one draw each: the layout solved for the PNG is kept for the SVG
    (the layout engine is dropped, the axes keep their positions; else ``savefig`` would solve
    it again, in a draw of its own)."""
    import matplotlib

    png = render(fig, "png", dpi)
    with matplotlib.rc_context(_rc()):
        fig.set_layout_engine(None)
    return png, render(fig, "svg")


def make(maker: Callable[[], Any]):
    """Call a figure maker under the report's style (CJK font)."""
    import matplotlib

    with matplotlib.rc_context(_rc()):
        return maker()
