"""Financing-constraint indices (融资约束指数): SA, WW, KZ (two variants) and FC.

Pure computation on Series / DataFrames; every function returns values aligned to the input index.
Formulas and sources: measurement-reference §5. Winsorising (e.g. 1/99 by year, as in the Stata
examples) is the panel stage's job and is not done here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.discrete.discrete_model import Logit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.tools import add_constant

from nqp.errors import (
    ConfigError,
    ConvergenceError,
    ConvergenceWarning,
    EstimationError,
    InputError,
    MissingValueWarning,
    SchemaError,
)
from nqp.results import ResultDisplay, json_ready, tidy_frame

# Lamont, Polk & Saá-Requejo (2001, RFS 14(2)) KZ coefficients on CF/K, Q, Debt/TotalCap, Div/K, Cash/K.
# Full precision; note the debt coefficient is 3.139193 -- some public code has the typo 3.319.
KZ_LPS = {"cf": -1.001909, "q": 0.2826389, "lev": 3.139193, "div": -39.3678, "cash": -1.314759}
# Whited & Wu (2006, RFS 19(2)) index coefficients.
WW = {"cf": -0.091, "divpos": -0.062, "tltd": 0.021, "lnta": -0.044, "isg": 0.102, "sg": -0.035}
_UNIT_TO_MILLIONS = {"yuan": 1e-6, "wan": 1e-2, "million": 1.0}


@dataclass(frozen=True, repr=False)
class IndexResult(ResultDisplay):
    """An estimated index: values aligned to the input index and the fitted coefficients."""

    index: pd.Series
    coef: pd.Series
    nobs: int
    label: pd.Series | None = None  # the dependent variable built by the procedure (KZscore, QUFC)
    converged: bool = True

    _repr_keys = ("name", "nobs", "index_mean", "converged")

    @property
    def _repr_name(self) -> str:  # type: ignore[override]
        return "FinanceIndexResult"

    def tidy(self) -> pd.DataFrame:
        """One row per coefficient of the index (the logit / ordered logit / regression that
        built it, or the published coefficients); no standard errors are kept, so std_error ...
        conf_high are NaN."""
        return tidy_frame(self.coef.index, self.coef.to_numpy(dtype=float))

    def glance(self) -> dict[str, Any]:
        """name, rows used to fit, rows scored, convergence, and the mean, sd, min and max of the index."""
        v = self.index.to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        return json_ready({"name": self.index.name, "nobs": self.nobs, "n_scored": int(v.size),
                           "converged": self.converged,
                           "index_mean": float(v.mean()) if v.size else None,
                           "index_sd": float(v.std(ddof=1)) if v.size > 1 else None,
                           "index_min": float(v.min()) if v.size else None,
                           "index_max": float(v.max()) if v.size else None})

    def to_dict(self) -> dict[str, Any]:
        """glance() plus the coefficients ``{term: estimate}`` (not the per-row values)."""
        return json_ready({**self.glance(), "coefficients": {str(k): float(v) for k, v in self.coef.items()}})

    def summary(self) -> str:
        g = self.glance()
        mean = "." if g["index_mean"] is None else f"{g['index_mean']:.4f}"
        return (f"index {g['name']}: fitted on {self.nobs:,} rows, {g['n_scored']:,} scored, mean {mean}"
                + ("" if self.converged else " (did not converge)") + "\n"
                + self.coef.to_string(float_format=lambda x: f"{x:.6f}"))


def _num(x: pd.Series, name: str) -> pd.Series:
    try:
        return pd.to_numeric(x).astype(float)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"{name} is not numeric", variable=name) from exc


def sa_index(size_assets: pd.Series, age: pd.Series, *, assets_unit: str = "yuan", variant: str = "sa",
             size_cap: float | None = None, age_cap: float | None = None) -> pd.Series:
    """SA index of Hadlock & Pierce (2010, RFS 23(5)): SA = −0.737·Size + 0.043·Size² − 0.040·Age.

    Size = ln(total assets in millions, 百万元), Age = years (成立年限 or years listed, as the caller
    chooses). ``assets_unit``: "yuan" (CSMAR default), "wan" (万元) or "million". ``variant``:
    "sa" returns SA itself (negative; more negative = less constrained), "abs" returns |SA| (larger =
    more constrained, as many Chinese papers, e.g. 鞠晓生等 2013 经济研究), "ln_abs" returns ln|SA|.
    HP's caps (assets ≈ $4.5bn, age 37) are not applied by default, as in most Chinese papers;
    ``size_cap`` (total assets, in ``assets_unit``) and ``age_cap`` (years) replace larger values
    by the cap before the formula, as Hadlock & Pierce do. Without a size cap the index is not
    monotone in size: its size part is smallest at Size = 0.737/(2·0.043) ≈ 8.57 (about 5.3 bn
    yuan) and rises above it, so very large firms score as more constrained.
    """
    if assets_unit not in _UNIT_TO_MILLIONS:
        raise ConfigError(f"assets_unit must be one of {sorted(_UNIT_TO_MILLIONS)}, not {assets_unit!r}")
    if variant not in ("sa", "abs", "ln_abs"):
        raise ConfigError(f"variant must be 'sa', 'abs' or 'ln_abs', not {variant!r}")
    assets = _num(size_assets, "size_assets")
    bad = assets <= 0
    if bad.any():
        raise InputError("total assets must be positive to take the log", variable="size_assets",
                         row=bad.index[bad.to_numpy()][0])
    if size_cap is not None:
        assets = assets.clip(upper=size_cap)
    years = _num(age, "age")
    if age_cap is not None:
        years = years.clip(upper=age_cap)
    size = np.log(assets * _UNIT_TO_MILLIONS[assets_unit])
    sa = -0.737 * size + 0.043 * size**2 - 0.040 * years
    out = {"sa": sa, "abs": sa.abs(), "ln_abs": np.log(sa.abs())}[variant]
    _warn_missing(out, "SA index")
    return out.rename(f"SA_{variant}")


def ww_index(cf: pd.Series, divpos: pd.Series, tltd: pd.Series, lnta: pd.Series, isg: pd.Series, sg: pd.Series) -> pd.Series:
    """WW index of Whited & Wu (2006, RFS 19(2)); larger = more constrained:

    WW = −0.091·CF − 0.062·DIVPOS + 0.021·TLTD − 0.044·LNTA + 0.102·ISG − 0.035·SG,
    CF = cash flow / total assets, DIVPOS = 1 if the firm pays a cash dividend, TLTD = long-term
    debt / total assets, LNTA = ln total assets, ISG = industry sales growth (CSRC industry in Chinese
    papers), SG = firm sales growth. The original is estimated on quarterly data; Chinese papers apply
    it to annual data.
    """
    parts = {"cf": cf, "divpos": divpos, "tltd": tltd, "lnta": lnta, "isg": isg, "sg": sg}
    total = sum(WW[k] * _num(v, k) for k, v in parts.items())
    _warn_missing(total, "WW index")
    return total.rename("WW")


def _warn_missing(out: pd.Series, what: str) -> None:
    if out.isna().any():
        warnings.warn(MissingValueWarning(f"{what}: {int(out.isna().sum())} row(s) with missing inputs get no value"))


def _frame(data: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    for role, c in cols.items():
        if c not in data.columns:
            raise SchemaError(f"column {c!r} ({role}) not found", column=c)
    return pd.DataFrame({role: _num(data[c], c) for role, c in cols.items()}, index=data.index)


def _complete(x: pd.DataFrame, what: str) -> pd.Series:
    ok = x.notna().all(axis=1) & np.isfinite(x.where(x.notna(), 0)).all(axis=1)
    if not ok.all():
        warnings.warn(MissingValueWarning(f"{what}: {int((~ok).sum())} row(s) with missing inputs get no index value"))
    return ok


def kz_score(data: pd.DataFrame, *, year: str = "year", cf: str = "CF", div: str = "DIV", cash: str = "C",
             lev: str = "LEV", q: str = "Q") -> pd.Series:
    """KZscore (0–5) of 魏志华、曾爱民、李博 (2014, 会计研究), after Kaplan & Zingales (1997):

    within each year, kz1 = 1[CF < median], kz2 = 1[DIV < median], kz3 = 1[C < median],
    kz4 = 1[LEV > median], kz5 = 1[Q > median]; KZscore = Σ kz. CF, DIV, C are operating cash flow,
    cash dividends and cash holdings scaled by beginning-of-year total assets; LEV = 资产负债率;
    Q = Tobin's Q. Rows with a missing input get NaN.
    """
    x = _frame(data, {"cf": cf, "div": div, "cash": cash, "lev": lev, "q": q})
    ok = _complete(x, "KZ score")
    x = x[ok]
    yr = data.loc[ok, year]
    med = x.groupby(yr).transform("median")
    below = (x[["cf", "div", "cash"]] < med[["cf", "div", "cash"]]).sum(axis=1)
    above = (x[["lev", "q"]] > med[["lev", "q"]]).sum(axis=1)
    return (below + above).astype(float).reindex(data.index).rename("KZscore")


def ordered_logit_index(score: pd.Series, X: pd.DataFrame) -> IndexResult:
    """Ordered logit (statsmodels ``OrderedModel``, logit link) of ``score`` on X; the index is the
    linear prediction X'β̂ without intercept (the thresholds absorb it), as Stata ``ologit`` +
    ``predict, xb``. Rows with missing values get NaN."""
    frame = pd.concat([score.rename("_score"), X], axis=1)
    ok = frame.notna().all(axis=1)
    f = frame[ok]
    if len(f) <= X.shape[1] + f["_score"].nunique():
        raise EstimationError(f"{len(f)} complete rows are too few for the ordered logit")
    model = OrderedModel(f["_score"].astype(int), f[X.columns], distr="logit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(method="bfgs", disp=False, maxiter=2000)
    converged = bool(res.mle_retvals.get("converged", False))
    coef = res.params[list(X.columns)]
    if not np.all(np.isfinite(coef)):
        raise ConvergenceError("ordered logit returned non-finite coefficients")
    if not converged:
        warnings.warn(ConvergenceWarning("ordered logit did not converge; coefficients may be inexact"))
    index = (X[ok] @ coef).reindex(X.index)
    return IndexResult(index=index, coef=coef.rename("coef"), nobs=len(f), label=score, converged=converged)


def kz_index(data: pd.DataFrame, *, variant: str = "lps", year: str = "year", cf: str = "CF", div: str = "DIV",
             cash: str = "C", lev: str = "LEV", q: str = "Q") -> IndexResult:
    """KZ index (larger = more constrained), two variants.

    ``variant="lps"``: Lamont, Polk & Saá-Requejo (2001) coefficients applied to the columns
    cf = CF/K, q = Q, lev = Debt/(Debt + equity), div = Div/K, cash = Cash/K:
    KZ = −1.001909·CF/K + 0.2826389·Q + 3.139193·Debt/TotalCap − 39.3678·Div/K − 1.314759·Cash/K.

    ``variant="wzl2014"``: re-estimated on the user's sample as 魏志华、曾爱民、李博 (2014, 会计研究):
    KZscore from yearly median dummies (:func:`kz_score`), ordered logit of KZscore on
    (CF, DIV, C, LEV, Q), KZ = X'β̂ (no intercept). The fitted coefficients are in ``coef``.
    """
    cols = {"cf": cf, "div": div, "cash": cash, "lev": lev, "q": q}
    if variant == "lps":
        x = _frame(data, cols)
        _complete(x, "KZ index")
        coef = pd.Series(KZ_LPS)[list(cols)]
        index = (x @ coef).rename("KZ")
        return IndexResult(index=index, coef=coef.rename("coef"), nobs=int(index.notna().sum()))
    if variant != "wzl2014":
        raise ConfigError(f"KZ variant must be 'lps' or 'wzl2014', not {variant!r}")
    if year not in data.columns:
        raise SchemaError(f"year column {year!r} not found", column=year)
    score = kz_score(data, year=year, **cols)
    X = _frame(data, cols).rename(columns={"cash": "c"})
    res = ordered_logit_index(score, X.rename(columns=str.upper))
    return IndexResult(index=res.index.rename("KZ"), coef=res.coef, nobs=res.nobs, label=score,
                       converged=res.converged)


def qufc_label(data: pd.DataFrame, *, year: str = "year", sort_on: dict[str, str] | None = None,
               groups: int = 3) -> pd.Series:
    """QUFC of 况学文、施臻懿、何恩良 (2010) as commonly described: within each year, firms in the
    bottom 1/``groups`` quantile group (value ≤ the 1/groups quantile) on every sort variable marked
    "low" and the top group (≥ the (groups−1)/groups quantile) on those marked "high" get 1
    (constrained); firms in the opposite groups on all of them get 0; all others NaN.
    ``sort_on`` maps column → side of the *constrained* firms; default: size, age, payout all "low".
    """
    sort_on = sort_on or {"size": "low", "age": "low", "payout": "low"}
    if any(side not in ("low", "high") for side in sort_on.values()):
        raise ConfigError("sort_on sides must be 'low' or 'high'")
    x = _frame(data, {c: c for c in sort_on})
    yr = data[year]
    lo_q = x.groupby(yr).transform(lambda s: s.quantile(1 / groups))
    hi_q = x.groupby(yr).transform(lambda s: s.quantile(1 - 1 / groups))
    low, high = x <= lo_q, x >= hi_q
    constrained = pd.concat([low[c] if s == "low" else high[c] for c, s in sort_on.items()], axis=1).all(axis=1)
    free = pd.concat([high[c] if s == "low" else low[c] for c, s in sort_on.items()], axis=1).all(axis=1)
    label = pd.Series(np.nan, index=data.index, name="QUFC")
    label[free] = 0.0
    label[constrained] = 1.0
    return label


def logit_index(label: pd.Series, X: pd.DataFrame, *, apply_to: pd.DataFrame | None = None) -> IndexResult:
    """Logit (statsmodels) of a 0/1 label on a constant and X, fitted on labelled rows; the index is
    the fitted probability Λ(a + X'b) for every row of ``apply_to`` (default X) with complete X."""
    frame = pd.concat([label.rename("_y"), X], axis=1).dropna()
    if frame["_y"].nunique() < 2 or len(frame) <= X.shape[1] + 2:
        raise EstimationError(f"logit needs both outcomes and enough rows; got {len(frame)} labelled rows")
    one, zero = frame[frame["_y"] == 1], frame[frame["_y"] == 0]
    for c in X.columns:
        if one[c].max() < zero[c].min() or one[c].min() > zero[c].max():
            raise EstimationError(
                f"{c} separates the 0/1 label perfectly, so the logit has no finite estimate; drop it from "
                "the regressors or from the variables that define the label",
                variable=c,
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = Logit(frame["_y"], add_constant(frame[X.columns], has_constant="add")).fit(disp=False, maxiter=200)
    converged = bool(res.mle_retvals.get("converged", False))
    if not np.all(np.isfinite(res.params)):
        raise ConvergenceError("logit returned non-finite coefficients (perfect separation?)")
    if not converged:
        warnings.warn(ConvergenceWarning("logit did not converge; coefficients may be inexact"))
    target = X if apply_to is None else apply_to
    ok = target.notna().all(axis=1)
    eta = res.params["const"] + target[ok][X.columns] @ res.params[X.columns]
    prob = (1 / (1 + np.exp(-eta))).reindex(target.index)
    return IndexResult(index=prob, coef=res.params.rename("coef"), nobs=len(frame), label=label, converged=converged)


FC_REGRESSORS = ("Size", "Lev", "CashDiv_TA", "MB", "NWC_TA", "EBIT_TA")


def fc_index(data: pd.DataFrame, *, year: str = "year", sort_on: dict[str, str] | None = None,
             regressors: tuple[str, ...] | list[str] = FC_REGRESSORS, groups: int = 3) -> IndexResult:
    """FC index (0–1, larger = more constrained) in the style of 况学文、施臻懿、何恩良 (2010, 山西财经大学学报).

    1. :func:`qufc_label`: yearly terciles of size, age and cash-dividend payout (``sort_on``);
       QUFC = 1 for firms in the constrained tercile on all three, 0 for the unconstrained tercile
       on all three. 2. Logit of QUFC on ``regressors`` (default Size, Lev, CashDiv/TA, MB, NWC/TA,
       EBIT/TA) and a constant. 3. FC = fitted probability for every firm-year.

    WARNING: this procedure is taken from secondary descriptions (measurement-reference §5.4 [U]);
    verify it against the original paper before relying on it. Everything is configurable.
    When a regressor is (a monotone function of) a sort variable -- Size and the size sort -- the
    label can be (nearly) perfectly separated by it: perfect separation is an EstimationError naming
    the variable; near separation shows as a ConvergenceWarning.
    """
    label = qufc_label(data, year=year, sort_on=sort_on, groups=groups)
    X = _frame(data, {c: c for c in regressors})
    _complete(X, "FC index")
    res = logit_index(label, X)
    return IndexResult(index=res.index.rename("FC"), coef=res.coef, nobs=res.nobs, label=label,
                       converged=res.converged)
