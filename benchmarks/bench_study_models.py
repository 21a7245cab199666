"""The study's regression models (Tables 3-8 of ``studies/ai_nqp.toml``) on a synthetic panel of
the demo's size: nqp vs pyfixest, side by side in one process, medians and ratios.

Panel: 4,600 firms with string codes ("000001"...), 2010-2022, unbalanced (~33,000 firm-years),
70 industries, firm + year effects, a few percent missing values. Models (33, as the study):
Table 3 baseline without/with controls, lnaifm, lnaixx; Table 4 TFP_FE, TFP_LP, lnaiword,
AIinvest; Table 5 two 2SLS (lnAI instrumented by L.lnAI + L2.lnAI, and by usrobot); Table 6
nine subsamples (SOE/non-SOE, high-tech/other, heavy-polluting/other, East/Central/West);
Table 7 six moderations lnAI*m; Table 8 eight channel outcomes on lnAI. Every model: firm +
year FE, standard errors clustered by industry, reghdfe small-sample conventions.

Timed (median of repeats, wall clock):
1. nqp ``feols_multi`` over the 33 ModelSpecs (grouped by sample, each variable absorbed once);
2. nqp ``feols`` one model at a time;
3. pyfixest one model at a time (subsamples as ``data[mask]``, lags as precomputed columns);
4. pyfixest's multiple-estimation syntax where it applies: several outcomes ``y1 + y2 ~ x``,
   ``sw()`` over regressors, ``split=`` for the subsamples (9 calls cover the 33 models).

Run:  python benchmarks/bench_study_models.py
"""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pandas as pd

from timing import median_seconds

warnings.filterwarnings("ignore")

CONTROLS = "Size + Age + Lev + Mshare + INST"
MODERATORS = ["irobot", "aicitynew", "finratio", "overseacountry", "smartcity", "newenergy"]
CHANNELS = ["lnemploy", "tech_share", "nontech_share", "laborprod", "income_pc", "FC", "over_rev", "in_rev"]
GROUPS = [("SOE", 1), ("SOE", 0), ("hightech", 1), ("hightech", 0), ("heavypollution", 1), ("heavypollution", 0)]
REGIONS = ["East", "Central", "West"]


def study_panel(n_firms: int = 4600, seed: int = 0) -> pd.DataFrame:
    """Synthetic firm-years in the shape of the demo's analysis sample (numpy only)."""
    rng = np.random.default_rng(seed)
    years = np.arange(2010, 2023)
    start = rng.integers(2010, 2021, n_firms)  # entry (IPO) year; some firms leave early
    stop = np.where(rng.random(n_firms) < 0.2, rng.integers(2014, 2023, n_firms), 2022)
    rows = [(f, y) for f in range(n_firms) for y in years[(years >= start[f]) & (years <= max(stop[f], start[f] + 1))]
            if rng.random() > 0.05]
    firm = np.array([r[0] for r in rows])
    year = np.array([r[1] for r in rows])
    n = firm.size
    a = rng.normal(size=n_firms)[firm]
    g = rng.normal(size=years.size)[year - 2010]
    ind = rng.integers(0, 70, n_firms)
    df = pd.DataFrame({"stkcd": np.char.zfill(firm.astype(str), 6), "year": year,
                       "industry": ind[firm], "SOE": (rng.random(n_firms) < 0.35).astype(int)[firm],
                       "hightech": (rng.random(n_firms) < 0.4).astype(int)[firm],
                       "heavypollution": (rng.random(n_firms) < 0.25).astype(int)[firm],
                       "region": np.array(REGIONS)[rng.choice(3, n_firms, p=[0.6, 0.25, 0.15])][firm]})
    lnai = np.maximum(0, a + 0.1 * (year - 2010) + rng.normal(size=n))
    df["lnAI"] = lnai
    df["lnaifm"] = np.maximum(0, lnai * 0.7 + rng.normal(scale=0.5, size=n))
    df["lnaixx"] = np.maximum(0, lnai * 0.5 + rng.normal(scale=0.5, size=n))
    df["lnaiword"] = lnai * 0.3 + rng.normal(size=n)
    df["AIinvest"] = np.where(rng.random(n) < 0.1, np.nan, np.abs(lnai * 0.01 + rng.normal(scale=0.01, size=n)))
    df["usrobot"] = rng.normal(size=70)[ind[firm]] + 0.05 * (year - 2010) + 0.3 * lnai + rng.normal(size=n)
    for c in ["Size", "Age", "Lev", "Mshare", "INST"]:
        df[c] = a * 0.3 + rng.normal(size=n)
    for c in MODERATORS:
        df[c] = rng.normal(size=n)
    base = 25 + 3 * a + g + 0.5 * lnai + 0.2 * df["Size"] + rng.normal(scale=3, size=n)
    df["NQP"] = base
    df["TFP_FE"] = 0.1 * base + rng.normal(size=n)
    df["TFP_LP"] = np.where(rng.random(n) < 0.03, np.nan, 0.1 * base + rng.normal(size=n))
    for c in CHANNELS:
        df[c] = 0.2 * lnai + a + rng.normal(size=n)
    for c in ["Size", "Lev", "INST"]:  # a few missing controls, as in real exports
        df.loc[rng.random(n) < 0.01, c] = np.nan
    prev = {(f, y): v for f, y, v in zip(firm, year, lnai)}
    df["lnAI_l1"] = [prev.get((f, y - 1), np.nan) for f, y in zip(firm, year)]
    df["lnAI_l2"] = [prev.get((f, y - 2), np.nan) for f, y in zip(firm, year)]
    return df


def study_models() -> list[tuple[str, str, str | None]]:
    """(id, formula, sample) of the 33 models; lags in Stata syntax (``L.lnAI``)."""
    fe = "| stkcd + year"
    m = [("t3_1", f"NQP ~ lnAI {fe}", None), ("t3_2", f"NQP ~ lnAI + {CONTROLS} {fe}", None),
         ("t3_3", f"NQP ~ lnaifm + {CONTROLS} {fe}", None), ("t3_4", f"NQP ~ lnaixx + {CONTROLS} {fe}", None),
         ("t4_1", f"TFP_FE ~ lnAI + {CONTROLS} {fe}", None), ("t4_2", f"TFP_LP ~ lnAI + {CONTROLS} {fe}", None),
         ("t4_3", f"NQP ~ lnaiword + {CONTROLS} {fe}", None), ("t4_4", f"NQP ~ AIinvest + {CONTROLS} {fe}", None),
         ("t5_lags", f"NQP ~ {CONTROLS} {fe} | lnAI ~ L.lnAI + L2.lnAI", None),
         ("t5_usrobot", f"NQP ~ {CONTROLS} {fe} | lnAI ~ usrobot", None)]
    m += [(f"t6_{v}{k}", f"NQP ~ lnAI + {CONTROLS} {fe}", f"{v} == {k}") for v, k in GROUPS]
    m += [(f"t6_{r}", f"NQP ~ lnAI + {CONTROLS} {fe}", f'region == "{r}"') for r in REGIONS]
    m += [(f"t7_{v}", f"NQP ~ lnAI + {v} + lnAI:{v} + {CONTROLS} {fe}", None) for v in MODERATORS]
    m += [(f"t8_{y}", f"{y} ~ lnAI + {CONTROLS} {fe}", None) for y in CHANNELS]
    return m


def nqp_specs():
    from nqp.econometrics import FitOptions, ModelSpec

    opts = FitOptions(cluster="industry", panel=("stkcd", "year"))
    return [ModelSpec(i, f, opts, sample=s) for i, f, s in study_models()]


def nqp_one_by_one(df: pd.DataFrame) -> list:
    import nqp

    out = []
    for _, f, s in study_models():
        d = df if s is None else df[df.eval(s, engine="python")]
        out.append(nqp.feols(f, d, cluster="industry", panel=("stkcd", "year")))
    return out


def pyfixest_formula(f: str) -> str:
    return f.replace("L2.lnAI", "lnAI_l2").replace("L.lnAI", "lnAI_l1")


def pyfixest_one_by_one(df: pd.DataFrame, ssc, **kw) -> list:
    import pyfixest as pf

    out = []
    for _, f, s in study_models():
        d = df if s is None else df[df.eval(s, engine="python")]
        out.append(pf.feols(pyfixest_formula(f), d, vcov={"CRV1": "industry"}, ssc=ssc, **kw))
    return out


def pyfixest_multi(df: pd.DataFrame, ssc) -> list:
    """The 33 models in 9 calls of pyfixest's multiple-estimation syntax."""
    import pyfixest as pf

    fe, v = "| stkcd + year", {"CRV1": "industry"}
    inter = ", ".join(f"{m} + lnAI:{m}" for m in MODERATORS)
    calls = [
        (f"NQP ~ lnAI {fe}", {}),
        (f"NQP ~ sw(lnAI, lnaifm, lnaixx, lnaiword, AIinvest) + {CONTROLS} {fe}", {}),
        (f"TFP_FE + TFP_LP + {' + '.join(CHANNELS)} ~ lnAI + {CONTROLS} {fe}", {}),
        (f"NQP ~ {CONTROLS} {fe} | lnAI ~ lnAI_l1 + lnAI_l2", {}),
        (f"NQP ~ {CONTROLS} {fe} | lnAI ~ usrobot", {}),
        (f"NQP ~ lnAI + {CONTROLS} {fe}", {"split": "SOE"}),
        (f"NQP ~ lnAI + {CONTROLS} {fe}", {"split": "hightech"}),
        (f"NQP ~ lnAI + {CONTROLS} {fe}", {"split": "heavypollution"}),
        (f"NQP ~ lnAI + {CONTROLS} {fe}", {"split": "region"}),
        (f"NQP ~ lnAI + sw({inter}) + {CONTROLS} {fe}", {}),
    ]
    return [pf.feols(f, df, vcov=v, ssc=ssc, **kw) for f, kw in calls]


def check_agreement(df: pd.DataFrame, ssc) -> float:
    """Largest relative difference of coefficients and SEs, nqp vs pyfixest (demeaning tolerance
    1e-13 on pyfixest's side, as the tests)."""
    from pyfixest.demeaners import MapDemeaner

    from nqp.econometrics import feols_multi

    ours = feols_multi(nqp_specs(), df)
    theirs = pyfixest_one_by_one(df, ssc, demeaner=MapDemeaner(fixef_tol=1e-13, fixef_maxiter=100_000))
    worst = 0.0
    for (mid, _, _), m in zip(study_models(), theirs):
        r = ours[mid]
        for name in m.coef().index:
            key = name.replace("lnAI_l1", "L.lnAI").replace("lnAI_l2", "L2.lnAI")
            worst = max(worst, abs(r.coef[key] / m.coef()[name] - 1), abs(r.se[key] / m.se()[name] - 1))
    return worst


def main(argv: list[str]) -> None:
    import pyfixest as pf

    from nqp.econometrics import feols_multi

    df = study_panel()
    ssc = pf.ssc(k_adj=True, k_fixef="nonnested", G_adj=True, G_df="min")  # reghdfe's conventions
    n_models = len(study_models())
    print(f"load average {os.getloadavg()[0]:.1f}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"panel: {len(df):,} firm-years, {df['stkcd'].nunique():,} firms, {df['year'].nunique()} years, "
          f"{df['industry'].nunique()} industries; {n_models} models")
    specs = nqp_specs()
    pyfixest_multi(df, ssc)  # warm-up: imports and compilation
    feols_multi(specs, df)
    print(f"agreement: max relative difference of coefficients and SEs vs pyfixest = {check_agreement(df, ssc):.1e}")
    reps = 3 if "--quick" in argv else 7
    t_multi = median_seconds(lambda: feols_multi(specs, df), reps)
    t_one = median_seconds(lambda: nqp_one_by_one(df), max(reps // 2, 1))
    t_pf_one = median_seconds(lambda: pyfixest_one_by_one(df, ssc), max(reps // 2, 1))
    t_pf_multi = median_seconds(lambda: pyfixest_multi(df, ssc), max(reps // 2, 1))
    print(f"[{n_models} study models]  nqp feols_multi {1e3 * t_multi:7.1f} ms   "
          f"nqp feols one by one {1e3 * t_one:7.1f} ms ({1e3 * t_one / n_models:5.1f} ms/model)")
    print(f"[{n_models} study models]  pyfixest multiple estimation {1e3 * t_pf_multi:7.1f} ms   "
          f"pyfixest one by one {1e3 * t_pf_one:7.1f} ms ({1e3 * t_pf_one / n_models:5.1f} ms/model)")
    print(f"[ratios]  pyfixest multi / nqp feols_multi = {t_pf_multi / t_multi:5.2f}x   "
          f"pyfixest one by one / nqp one by one = {t_pf_one / t_one:5.2f}x   "
          f"nqp one by one / feols_multi = {t_one / t_multi:5.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
