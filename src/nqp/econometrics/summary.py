"""reghdfe-style text summary of a :class:`~nqp.econometrics.results.FeolsResult` (回归结果表)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nqp.econometrics.iv_diagnostics import IVDiagnostics
    from nqp.econometrics.results import FeolsResult


def fmt_number(v: float | None, width: int = 0) -> str:
    """A number for a results table: 4 decimals; below 0.01 in magnitude 4 significant digits
    (``0.001234``, ``1.234e-05``: never ``0.0000`` for a value that is not 0); from 1e6 up
    ``1.234e+06``; missing/NaN as ``.`` (Stata's missing)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ".".rjust(width)
    a = abs(v)
    if a >= 1e6:
        text = f"{v:.3e}"
    elif a == 0 or a >= 0.01:
        text = f"{v:.4f}"
    else:
        text = f"{v:.4g}"
    return text.rjust(width)


def _fmt(v: float, width: int = 10) -> str:
    return fmt_number(v, width)


def format_summary(r: FeolsResult) -> str:
    """reghdfe-like layout: header statistics, coefficient table, absorbed-DoF table."""
    title = "IV (2SLS) estimation" if r.is_iv else ("HDFE Linear regression" if r.fixef_sizes else "Linear regression")
    left = [title, f"Absorbing {len(r.fixef_sizes)} HDFE group(s)" if r.fixef_sizes else "",
            f"VCE: {r.vcov_type}, ssc={r.ssc}"]
    left += [f"Number of clusters ({k}) = {v:,}" for k, v in r.n_clusters.items()]
    k = len([c for c in r.coef.index if c != "Intercept"])
    right = [f"Number of obs     = {r.nobs:>12,}", f"F({k:>4}, {r.df_resid:>6}) = {_fmt(r.f_stat, 12)}",
             f"Prob > F          = {_pval(r.f_pvalue, 12)}", f"R-squared         = {_fmt(r.r2, 12)}",
             f"Adj R-squared     = {_fmt(r.adj_r2, 12)}", f"Within R-sq.      = {_fmt(r.r2_within, 12)}",
             f"Root MSE          = {_fmt(r.rmse, 12)}"]
    lines = []
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        lines.append(f"{a:<46}{b}")
    ci = r.confint()
    bar = "-" * 13 + "+" + "-" * 64
    lines += ["", bar.replace("+", "-"), f"{r.depvar[:12]:>12} | Coefficient  Std. err.        t    P>|t|   [95% conf. interval]", bar]
    for i, name in enumerate(r.coef.index):
        lines.append(f"{name[:12]:>12} | {_fmt(r.coef[name])} {_fmt(r.se[name])} {_fmt(r.tstat[name], 8)} "
                     f"{_pval(r.pvalue[name], 8)} {_fmt(ci.iloc[i, 0], 11)} {_fmt(ci.iloc[i, 1], 11)}")
    lines.append(bar.replace("+", "-"))
    if r.is_iv:
        d = getattr(r, "iv_diagnostics", None)
        if d is not None:
            lines += iv_diagnostics_lines(d)
        lines.append(f"Instrumented: {' '.join(r.endog)}    Excluded instruments: {' '.join(r.instruments)}")
    if r.dropped_collinear:
        lines.append(f"Dropped (collinear): {', '.join(r.dropped_collinear)}")
    if r.n_missing:
        why = "".join(f"; {k} with {reason}" for reason, k in getattr(r, "n_dropped", {}).items())
        lines.append(f"({r.n_missing} observations with missing values dropped{why})")
    if r.n_singletons:
        lines.append(f"({r.n_singletons} singleton observations dropped)")
    if r.fixef_sizes:
        nested = getattr(r, "fixef_nested", {}) or {}
        rule = "-" * 17 + "+" + "-" * 40 + "+"
        lines += ["", "Absorbed degrees of freedom:", rule,
                  f"{'Absorbed FE':>16} | Categories  - Redundant  = Num. Coefs  |", rule]
        for name, size in r.fixef_sizes.items():
            red = r.fixef_redundant.get(name, 0)
            star = "*" if nested.get(name) else " "
            lines.append(f"{name[:16]:>16} | {size:>10}{red:>13}{size - red:>14} {star}|")
        lines.append(rule)
        if any(nested.values()):
            lines.append("* = FE nested within cluster; treated as redundant for DoF computation")
    return "\n".join(lines)


def _pval(p: float, width: int) -> str:
    return ".".rjust(width) if p is None or math.isnan(p) else f"{p:{width}.4f}"


def iv_diagnostics_lines(d: IVDiagnostics) -> list[str]:
    """ivreg2's identification block: the underidentification test by its name (Anderson
    canon. corr. LM under iid errors, Kleibergen-Paap rk LM when robust or clustered), the
    weak-identification F (Cragg-Donald Wald F; Kleibergen-Paap rk Wald F beside it when robust
    or clustered) and the Stock-Yogo (2005) critical values for (K1, L1)."""
    w = 78
    name = "Kleibergen-Paap rk LM statistic" if d.kp_rk_lm is not None else "Anderson canon. corr. LM statistic"
    out = [f"{'Underidentification test (' + name + '):':<66}{fmt_number(d.underid_stat):>12}",
           f"{f'Chi-sq({d.underid_df}) P-val =':>66}{_pval(d.underid_pvalue, 12)}", "-" * w,
           f"{'Weak identification test (Cragg-Donald Wald F statistic):':<66}{fmt_number(d.cragg_donald_f):>12}"]
    if d.kp_rk_wald_f is not None:
        out.append(f"{'                         (Kleibergen-Paap rk Wald F statistic):':<66}{fmt_number(d.kp_rk_wald_f):>12}")
    sy = d.stock_yogo
    cells = [(f"{p}% maximal IV relative bias", v) for p, v in sy.bias.items() if v is not None]
    cells += [(f"{p}% maximal IV size", v) for p, v in sy.size.items() if v is not None]
    if cells:
        for i, (label, v) in enumerate(cells):
            head = "Stock-Yogo weak ID test critical values:" if i == 0 else ""
            pct, rest = label.split("%", 1)
            out.append(f"{head:<40}{pct:>3}%{rest:<29}{v:>6.2f}")
        out.append("Source: Stock-Yogo (2005).")
        out.append("NB: Critical values are for Cragg-Donald F statistic and i.i.d. errors.")
    else:
        out.append(f"Stock-Yogo weak ID test critical values: not available for {sy.n_endog} endogenous "
                   f"and {sy.n_excluded} excluded instrument(s)")
    out.append("-" * w)
    return out
