"""Coefficient stability (系数稳定性检验): Oster (2019) δ* and the bias-adjusted β*.

Oster, E. (2019) "Unobservable selection and coefficient stability", *JBES* 37(2):187-204;
Stata ``psacalc`` 2.1 (Oster), whose conventions we follow and state:

* **inputs** -- the *short* regression of y on the treatment x and the "unrelated" controls
  (here: the absorbed fixed effects, psacalc's ``mcontrol``) gives β̊ and R̊; the *controlled*
  regression adds the controls and gives β̃ and R̃; σ_y² = Var(y), σ_x² = Var(x after the
  unrelated controls), τ_x = Var(x after all controls). Variances share one divisor, which
  cancels.
* **which R²** with two-way fixed effects (``r2="within"``, the default): the within R² of the
  fixed-effect-demeaned regressions, and σ_y² = Var(ỹ) -- what psacalc uses after
  ``xtreg, fe`` (``e(r2)`` is the within R²), so the fixed effects count as neither observed
  nor unobserved selection. ``r2="overall"``: R² = 1 − RSS/TSS of y with the fixed effects
  counted in both regressions and σ_y² = Var(y) (psacalc after ``areg``/``reg`` with dummies).
* **R_max** is stated, never implicit: Oster's recommendation R_max = min(1, 1.3·R̃) by default
  (``r_max="1.3"``), and psacalc's own default R_max = 1 is reported beside it.
* **delta*** for a target β (default 0), A = β̃ − β, B = β̊ − β̃, Rt = R̃, Ro = R̊, Rm = R_max
  (psacalc's Mata ``bound()``, as restated in the project's report reference §4):

      δ* = [A(Rt−Ro)σy²τx + Aσx²τxB² + 2A²τxBσx² + A³(τxσx² − τx²)]
         / [(Rm−Rt)σy²Bσx² + A(Rm−Rt)σy²(σx²−τx) + A²τxBσx² + A³(τxσx² − τx²)].

* **beta*** for a given δ (default 1) solves δ*(β) = δ: a cubic in A whose A³ term vanishes at
  δ = 1 (psacalc's quadratic ``d1quadsol``; ``dnot1cubsol`` otherwise). Of its real roots we
  report the one whose adjustment keeps the direction of the observed one (β* − β̃ of the sign
  of β̃ − β̊) and is closest to β̃; if no root keeps it, the closest root with
  ``bias_changes_direction = True``. All real roots are listed (psacalc's alternative solutions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nqp.results import ResultDisplay, TIDY_COLUMNS, json_ready
from nqp.robustness.multiverse import Design
from nqp.robustness.spec import r_max_of


@dataclass(frozen=True)
class OsterInputs:
    """The six numbers Oster's formulas need."""

    beta_short: float  # β̊
    r2_short: float  # R̊
    beta_long: float  # β̃
    r2_long: float  # R̃
    var_y: float  # σ_y²
    var_x: float  # σ_x²
    tau_x: float  # τ_x


def delta_star(inp: OsterInputs, r_max: float, beta: float = 0.0) -> float:
    """δ* that would drive the coefficient to ``beta`` (module docstring formula)."""
    A, B = inp.beta_long - beta, inp.beta_short - inp.beta_long
    Rt, Ro, sy, sx, tx = inp.r2_long, inp.r2_short, inp.var_y, inp.var_x, inp.tau_x
    c3 = tx * sx - tx * tx
    num = A * (Rt - Ro) * sy * tx + A * sx * tx * B ** 2 + 2 * A ** 2 * tx * B * sx + A ** 3 * c3
    den = (r_max - Rt) * sy * B * sx + A * (r_max - Rt) * sy * (sx - tx) + A ** 2 * tx * B * sx + A ** 3 * c3
    return float(num / den) if den != 0 else float("nan")


def beta_star_roots(inp: OsterInputs, r_max: float, delta: float = 1.0) -> np.ndarray:
    """Real β solving δ*(β) = δ (a cubic in A = β̃ − β; quadratic at δ = 1)."""
    B = inp.beta_short - inp.beta_long
    Rt, Ro, sy, sx, tx = inp.r2_long, inp.r2_short, inp.var_y, inp.var_x, inp.tau_x
    c3 = tx * sx - tx * tx
    coef = [c3 * (1 - delta), (2 - delta) * tx * B * sx,
            (Rt - Ro) * sy * tx + sx * tx * B ** 2 - delta * (r_max - Rt) * sy * (sx - tx),
            -delta * (r_max - Rt) * sy * B * sx]
    while coef and abs(coef[0]) <= 1e-14 * max(abs(c) for c in coef):
        coef = coef[1:]
    roots = np.roots(coef) if len(coef) > 1 else np.array([])
    real = roots[np.abs(roots.imag) <= 1e-9 * np.maximum(1.0, np.abs(roots.real))].real
    return np.sort(inp.beta_long - real)


def pick_root(inp: OsterInputs, roots: np.ndarray) -> tuple[float, bool]:
    """(β*, bias_changes_direction) by the rule of the module docstring."""
    if roots.size == 0:
        return float("nan"), False
    moved = inp.beta_long - inp.beta_short
    same = [r for r in roots if np.sign(r - inp.beta_long) == np.sign(moved) or moved == 0]
    pool, flag = (same, False) if same else (list(roots), True)
    best = min(pool, key=lambda r: abs(r - inp.beta_long))
    return float(best), flag


@dataclass(frozen=True, repr=False)
class OsterResult(ResultDisplay):
    """δ* and β* at the stated R_max (and at psacalc's R_max = 1)."""

    inputs: OsterInputs
    r2_kind: str
    r_max: float
    r_max_rule: str
    delta: float
    beta_target: float
    delta_star: float
    beta_star: float
    bias_changes_direction: bool
    roots: tuple[float, ...]
    delta_star_rmax1: float
    beta_star_rmax1: float
    treatment: str
    nobs: int
    extra: dict[str, Any] = field(default_factory=dict)

    _repr_name = "OsterResult"
    _repr_keys = ("delta_star", "beta_star", "r_max")

    def tidy(self) -> pd.DataFrame:
        i = self.inputs
        rows = [{"term": f"{self.treatment} (uncontrolled)", "estimate": i.beta_short},
                {"term": f"{self.treatment} (controlled)", "estimate": i.beta_long},
                {"term": f"{self.treatment} (bias-adjusted beta*, delta={self.delta:g}, R_max={self.r_max:.4f})",
                 "estimate": self.beta_star},
                {"term": f"{self.treatment} (beta*, R_max=1, psacalc default)", "estimate": self.beta_star_rmax1}]
        return pd.DataFrame(rows).reindex(columns=list(TIDY_COLUMNS))

    def glance(self) -> dict[str, Any]:
        i = self.inputs
        return json_ready({"delta_star": self.delta_star, "beta_star": self.beta_star,
                           "bias_changes_direction": self.bias_changes_direction, "roots": list(self.roots),
                           "r_max": self.r_max, "r_max_rule": self.r_max_rule, "delta": self.delta,
                           "beta_target": self.beta_target, "r2": self.r2_kind,
                           "delta_star_rmax1": self.delta_star_rmax1, "beta_star_rmax1": self.beta_star_rmax1,
                           "beta_uncontrolled": i.beta_short, "r2_uncontrolled": i.r2_short,
                           "beta_controlled": i.beta_long, "r2_controlled": i.r2_long,
                           "var_y": i.var_y, "var_x": i.var_x, "tau_x": i.tau_x, "nobs": self.nobs})

    def to_dict(self) -> dict[str, Any]:
        return self.glance()

    def summary(self) -> str:
        i = self.inputs
        return (f"Oster (2019) coefficient stability for {self.treatment} ({self.r2_kind} R-squared, "
                f"N = {self.nobs:,})\n"
                f"uncontrolled {i.beta_short:.4f} (R2 {i.r2_short:.4f}); controlled {i.beta_long:.4f} "
                f"(R2 {i.r2_long:.4f})\n"
                f"R_max = {self.r_max:.4f} ({self.r_max_rule}): delta* = {self.delta_star:.4f} (beta = "
                f"{self.beta_target:g}); beta* = {self.beta_star:.4f} (delta = {self.delta:g})"
                + (" [bias changes direction]" if self.bias_changes_direction else "")
                + f"\nR_max = 1 (psacalc default): delta* = {self.delta_star_rmax1:.4f}; "
                  f"beta* = {self.beta_star_rmax1:.4f}")


def oster_inputs(y: np.ndarray, x: np.ndarray, C: np.ndarray, *, tss: float | None = None) -> OsterInputs:
    """β̊, R̊, β̃, R̃, σ_y², σ_x², τ_x from columns already purged of the unrelated controls.

    y, x, C: the outcome, treatment and controls after the fixed effects; ``tss``: the total
    sum of squares the R² refer to (default: ỹ'ỹ, the within R²)."""
    n = y.size
    tss_y = float(y @ y) if tss is None else float(tss)
    bs = float(x @ y / (x @ x))
    rss_s = float(np.sum((y - bs * x) ** 2))
    X = np.column_stack([x, C])
    bl, *_ = np.linalg.lstsq(X, y, rcond=None)
    rss_l = float(np.sum((y - X @ bl) ** 2))
    if C.shape[1]:
        g, *_ = np.linalg.lstsq(C, x, rcond=None)
        rx = x - C @ g
    else:
        rx = x
    return OsterInputs(bs, 1 - rss_s / tss_y, float(bl[0]), 1 - rss_l / tss_y, tss_y / (n - 1),
                       float(x @ x) / (n - 1), float(rx @ rx) / (n - 1))


def oster_from_design(d: Design, *, r_max: float | str = "1.3", r2: str = "within", delta: float = 1.0,
                      beta: float = 0.0) -> OsterResult:
    """Oster's δ* and β* on a specification's partialled columns (fixed effects = unrelated controls)."""
    if r2 not in ("within", "overall"):
        raise ValueError(f"r2={r2!r}; use 'within' or 'overall'")
    k = d.k
    y, x, C = d.part[:, k], d.part[:, 0], d.part[:, 1:k]
    tss = None
    if r2 == "overall":
        yr = d.raw[:, k]
        tss = float(np.sum((yr - yr.mean()) ** 2))
    inp = oster_inputs(y, x, C, tss=tss)
    if r2 == "overall":
        inp = OsterInputs(inp.beta_short, inp.r2_short, inp.beta_long, inp.r2_long, tss / (y.size - 1),
                          inp.var_x, inp.tau_x)
    rm = r_max_of(r_max, inp.r2_long)
    rule = (f"min(1, {float(r_max):g} x R2 of the controlled model), Oster's recommendation"
            if isinstance(r_max, str) else "given")
    roots = beta_star_roots(inp, rm, delta)
    bstar, flag = pick_root(inp, roots)
    b1, _ = pick_root(inp, beta_star_roots(inp, 1.0, delta))
    return OsterResult(inp, r2, rm, rule, delta, beta, delta_star(inp, rm, beta), bstar, flag,
                       tuple(float(r) for r in roots), delta_star(inp, 1.0, beta), b1, d.names[0], d.rowset.n)


def oster_delta(panel: Any, spec: Any = None, *, outcome: str = "NQP", treatment: str = "lnAI",
                controls: Any = None) -> OsterResult:
    """Oster's δ* and β* for the headline specification of ``spec`` with its control set
    (the paper's controls if the headline has none)."""
    from dataclasses import replace

    from nqp.robustness.multiverse import PAPER_CONTROLS, build_design, make_context
    from nqp.robustness.spec import RobustnessSpec

    spec = spec if isinstance(spec, RobustnessSpec) else RobustnessSpec.from_dict(spec)
    ctx = make_context(panel, spec, outcome=outcome, treatment=treatment,
                       controls=PAPER_CONTROLS if controls is None else controls)
    base = spec.baseline()
    if not ctx.control_sets[base.controls]:
        base = replace(base, controls="paper")
    return oster_from_design(build_design(ctx, base), r_max=spec.oster_r_max, r2=spec.oster_r2,
                             delta=spec.oster_delta, beta=spec.oster_beta)
