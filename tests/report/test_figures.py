"""Figures: Chinese glyphs render (a CJK font is resolved, has the glyphs, and distinct
characters give distinct bitmaps rather than identical boxes), and the plotted numbers are
results.json's (bar heights of Figure 2; marginal effects and bands by the formula)."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from nqp.report import figures as F
from nqp.report.labels import Labels

TEXT = "企业新质生产力"


def _glyph(ch: str, font: str | None) -> np.ndarray:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(0.6, 0.6), dpi=60)
    fig.text(0.5, 0.5, ch, fontsize=24, ha="center", va="center", family=[font] if font else None)
    buf = io.BytesIO()
    fig.savefig(buf, format="raw")
    w, h = fig.canvas.get_width_height()
    return np.frombuffer(buf.getvalue(), np.uint8).reshape(h, w, 4)[:, :, 0]


def test_cjk_font_renders_glyphs_not_boxes():
    font = F.cjk_font()
    if font is None:
        pytest.skip("no CJK font installed (scripts/system-packages.sh installs fonts-noto-cjk)")
    from fontTools.ttLib import TTCollection, TTFont
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    faces = TTCollection(path).fonts if path.lower().endswith(".ttc") else [TTFont(path)]
    cmap = faces[0].getBestCmap()
    assert all(ord(ch) in cmap for ch in TEXT), f"{path} lacks glyphs"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = [_glyph(ch, font) for ch in TEXT]
        tofu = [_glyph(ch, "DejaVu Sans") for ch in TEXT[:3]]  # a font without CJK: boxes
    assert all((g < 128).sum() > 20 for g in ours)  # ink on the canvas
    assert all(np.array_equal(tofu[0], t) for t in tofu)  # the detector: boxes are all alike
    pairs = [(a, b) for i, a in enumerate(ours) for b in ours[i + 1:]]
    assert all(not np.array_equal(a, b) for a, b in pairs)  # real glyphs differ


def test_figure2_bars_are_results(results):
    fig = F.make(lambda: F.figure2(results, Labels.from_results(results)))
    ax = fig.axes[0]
    rows = results["figure2"]
    dims = ["劳动者", "劳动资料", "优化组合效率"]
    heights = [p.get_height() for p in ax.patches]
    expect = [r[d] for d in dims for r in rows]
    assert np.allclose(heights, expect)
    line = ax.lines[0]
    assert np.allclose(line.get_ydata(), [r["index"] for r in rows])


def test_marginal_effects_by_the_formula(results):
    table = next(t for t in results["tables"] if t["type"] == "moderation")
    fig = F.make(lambda: F.marginal_effects(results, table, Labels.from_results(results)))
    m = next(x for x in results["models"] if x["id"] == "t7_irobot")
    c, v = m["coefficients"], m["vcov"]
    t2 = next(r for r in results["table2"] if r["name"] == "irobot")
    ax = fig.axes[0]
    x, y = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    assert x[0] == pytest.approx(t2["min"]) and x[-1] == pytest.approx(t2["max"])
    z = t2["max"]
    b = c["lnAI"]["estimate"] + c["lnAI:irobot"]["estimate"] * z
    assert y[-1] == pytest.approx(b)
    half = 1.96 * math.sqrt(v["lnAI"]["lnAI"] + z * z * v["lnAI:irobot"]["lnAI:irobot"]
                            + 2 * z * v["lnAI"]["lnAI:irobot"])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.isclose(band, b + half, rtol=1e-9).any() and np.isclose(band, b - half, rtol=1e-9).any()


def test_coefficient_plot_intervals(results):
    table = next(t for t in results["tables"] if t["type"] == "heterogeneity")
    fig = F.make(lambda: F.coefficient_plot(results, table, Labels.from_results(results)))
    ax = fig.axes[0]
    segs = [ln.get_xdata() for ln in ax.lines if len(ln.get_xdata()) == 2 and ln.get_xdata()[0] != 0]
    models = {m["id"]: m for m in results["models"]}
    want = [[models[i]["coefficients"]["lnAI"]["conf_low"], models[i]["coefficients"]["lnAI"]["conf_high"]]
            for i in table["columns"]]
    assert np.allclose(segs, want)


def test_report_figures_written(report_dir):
    from PIL import Image

    for name in ("figure2", "entropy_weights", "table6_coefficients", "table7_marginal_effects"):
        png = report_dir / "figures" / f"{name}.png"
        im = Image.open(png)
        assert im.size[0] > 300 and len(np.unique(np.asarray(im.convert("L")))) > 10
        svg = (report_dir / "figures" / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<?xml") and "<dc:date>" not in svg


def test_png_svg_in_two_draws_are_savefigs_bytes(results):
    """render_png_svg (one draw per format) writes what savefig writes: the PNG, then the SVG
    with the PNG's constrained layout kept (``set_layout_engine("none")``)."""
    import warnings

    import matplotlib

    table = next(t for t in results["tables"] if t["type"] == "moderation")
    labels = Labels.from_results(results)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no CJK font: boxes, the same in both
        png, svg = F.render_png_svg(F.make(lambda: F.marginal_effects(results, table, labels)))
        fig = F.make(lambda: F.marginal_effects(results, table, labels))
        with matplotlib.rc_context(F._rc()):
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=150, metadata={"Software": None}, pil_kwargs={"compress_level": 3})
            assert png == buf.getvalue()
            fig.set_layout_engine("none")
            buf = io.BytesIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
            assert svg == buf.getvalue()
