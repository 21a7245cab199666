"""A results.json fixture in the documented shape (docs/results-json.md), from real fits.

A small simulated firm-year panel (``nqp.econometrics.simulate.simulate_panel``) renamed to the
paper's variables, with planted effects that make every table of the paper non-trivial: a
moderator in raw units (``irobot`` ~ 40,000, interaction coefficient ~2e-5: the case that used
to print ``0.0000``), a 2SLS with lags as instruments and one with an external instrument,
subsample models with permutation tests, channels. Every number is taken straight from the
estimator's result attributes (coef, se, tstat, pvalue, confint, nobs, adj_r2, ...), not through
nqp.report, so the report's adapters are not part of the fixture.

    python tests/report/make_results.py tests/report/data/results.json   # the committed fixture
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CONTROLS = ["Size", "Age", "Lev", "Mshare", "INST"]
CTRL = " + ".join(CONTROLS)
FE = "stkcd + year"


def _num(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    f = float(v)
    return f if math.isfinite(f) else None


def simulated_panel(n_firms: int = 240, seed: int = 7) -> pd.DataFrame:
    from nqp.econometrics.simulate import simulate_panel

    df, _ = simulate_panel(n_firms=n_firms, n_years=13, seed=seed, n_industries=12, missing_share=0.0)
    rng = np.random.default_rng(seed + 1)
    n = len(df)
    df = df.rename(columns={"firm": "stkcd", "x": "lnAI", "c1": "Size", "c2": "Age", "c3": "Lev", "c4": "Mshare",
                            "c5": "INST", "z1": "usrobot"})
    firm_codes = pd.factorize(df["stkcd"])[0]
    soe_of = rng.random(firm_codes.max() + 1) < 0.4
    df["SOE"] = soe_of[firm_codes].astype(int)
    df["irobot"] = 40_000 + 15_000 * rng.normal(size=n)
    df["finratio"] = np.abs(rng.normal(0.05, 0.05, n))
    df["smartcity"] = (rng.random(n) < 0.4).astype(int)
    df["NQP"] = (25 + df["y"] + 2e-5 * df["lnAI"] * (df["irobot"] - 40_000) + 2.0 * df["lnAI"] * df["finratio"]
                 + 0.3 * df["lnAI"] * df["SOE"])
    df["lnAI_iv"] = df["d"]  # the endogenous regressor of the external-instrument 2SLS
    df["lnemploy"] = 7 + 0.03 * df["lnAI"] + rng.normal(0, 0.5, n)
    df["FC"] = 0.5 - 0.004 * df["lnAI"] + rng.normal(0, 0.05, n)
    df["TFP_FE"] = 0.009 * df["lnAI"] + rng.normal(0, 0.05, n)
    return df


def _model(mid: str, res: Any, *, table: str, column: str, label: str, label_en: str, outcome: str,
           controls: list[str], sample: str | None = None, stage: str | None = None,
           first_stage_of: str | None = None, fixed_effects: list[str] | None = None) -> dict[str, Any]:
    ci = res.confint()
    coefs = {str(k): {"estimate": _num(res.coef[k]), "se": _num(res.se[k]), "t": _num(res.tstat[k]),
                      "p": _num(res.pvalue[k]), "conf_low": _num(ci.iloc[i, 0]), "conf_high": _num(ci.iloc[i, 1])}
             for i, k in enumerate(res.coef.index)}
    vc = res.vcov
    rec: dict[str, Any] = {
        "id": mid, "table": table, "column": column, "label": label, "label_zh": label, "label_en": label_en,
        "outcome": outcome, "estimator": "2SLS" if getattr(res, "is_iv", False) and stage is None else "OLS",
        "stage": stage, "first_stage_of": first_stage_of, "formula": res.formula, "sample": sample,
        "status": "ok", "error": None, "nobs": int(res.nobs), "r2": _num(res.r2), "adj_r2": _num(res.adj_r2),
        "r2_within": _num(res.r2_within),
        "fixed_effects": ["stkcd", "year"] if fixed_effects is None else fixed_effects,
        "cluster": "industry", "n_clusters": int(min(res.n_clusters.values())) if res.n_clusters else None,
        "vcov_type": res.vcov_type, "ssc": res.ssc, "controls": controls, "warnings": [],
        "coefficients": coefs,
        "vcov": {str(r): {str(c): _num(vc.loc[r, c]) for c in vc.columns} for r in vc.index},
    }
    if getattr(res, "is_iv", False) and stage is None:
        d = res.iv_diagnostics
        rec["endog"] = list(res.endog)
        rec["instruments"] = list(res.instruments)
        rec["iv_diagnostics"] = {"anderson_lm": _num(d.anderson_lm), "anderson_lm_p": _num(d.anderson_lm_pvalue),
                                 "cragg_donald_f": _num(d.cragg_donald_f), "kp_rk_lm": _num(d.kp_rk_lm),
                                 "kp_rk_lm_p": _num(d.kp_rk_lm_pvalue), "kp_rk_f": _num(d.kp_rk_wald_f)}
    return rec


def build_results(n_firms: int = 240, seed: int = 7, reps: int = 200) -> dict[str, Any]:
    import warnings

    from nqp import feols
    from nqp.econometrics.group_tests import permutation_test

    df = simulated_panel(n_firms, seed)
    fit = lambda f, data=df: feols(f, data, cluster="industry", panel=("stkcd", "year"))  # noqa: E731
    models: list[dict[str, Any]] = []
    tables: list[dict[str, Any]] = []
    tests: list[dict[str, Any]] = []
    warnings.simplefilter("ignore")

    # Table 3: baseline, without and with controls; a constant via no-FE pooled OLS in column 3
    t3 = [("t3_1", "NQP ~ lnAI | " + FE, []), ("t3_2", f"NQP ~ lnAI + {CTRL} | " + FE, CONTROLS),
          ("t3_3", f"NQP ~ lnAI + {CTRL}", CONTROLS)]
    for j, (mid, f, ctrl) in enumerate(t3):
        models.append(_model(mid, fit(f), table="3", column=f"({j + 1})", label="NQP", label_en="NQP",
                             outcome="NQP", controls=ctrl, fixed_effects=[] if "|" not in f else None))
    tables.append({"id": "3", "type": "regression", "title_zh": "基准回归结果", "title_en": "Baseline regressions",
                   "depvar": "NQP", "columns": [m for m, _, _ in t3], "column_groups": [],
                   "keep": ["lnAI", *CONTROLS], "controls": CONTROLS, "show_controls": True,
                   "stats": ["constant", "adj_r2", "nobs"], "tests": [], "notes_zh": "", "notes_en": ""})

    # Table 4: other outcomes
    t4 = [("t4_1", "TFP_FE"), ("t4_2", "lnemploy")]
    for j, (mid, y) in enumerate(t4):
        models.append(_model(mid, fit(f"{y} ~ lnAI + {CTRL} | {FE}"), table="4", column=f"({j + 1})", label=y,
                             label_en=y, outcome=y, controls=CONTROLS))
    tables.append({"id": "4", "type": "regression", "title_zh": "稳健性检验结果", "title_en": "Robustness",
                   "depvar": None, "columns": [m for m, _ in t4], "column_groups": [], "keep": ["lnAI"],
                   "controls": CONTROLS, "show_controls": False, "stats": None, "tests": [],
                   "notes_zh": "由于篇幅限制，控制变量结果省略。", "notes_en": "Control coefficients omitted."})

    # Table 5: 2SLS, each with its first stage
    ivs = [("t5_lags", f"NQP ~ {CTRL} | {FE} | lnAI ~ L.lnAI + L2.lnAI", "lnAI"),
           ("t5_us", f"NQP ~ {CTRL} | {FE} | lnAI_iv ~ usrobot", "lnAI_iv")]
    cols5, groups = [], []
    for mid, f, endog in ivs:
        res = fit(f)
        first = res.first_stage[endog]
        fid = f"{mid}_first"
        models.append(_model(fid, first, table="5", column=f"({len(cols5) + 1})", label=endog, label_en=endog,
                             outcome=endog, controls=CONTROLS, stage="first", first_stage_of=mid))
        models.append(_model(mid, res, table="5", column=f"({len(cols5) + 2})", label="NQP", label_en="NQP",
                             outcome="NQP", controls=CONTROLS))
        cols5 += [fid, mid]
        groups += [{"label_zh": "第一阶段", "label_en": "First stage", "models": [fid]},
                   {"label_zh": "第二阶段", "label_en": "Second stage", "models": [mid]}]
    tables.append({"id": "5", "type": "iv", "title_zh": "内生性检验结果", "title_en": "Endogeneity (2SLS)",
                   "depvar": "NQP", "columns": cols5, "column_groups": groups,
                   "keep": ["L.lnAI", "L2.lnAI", "usrobot", "lnAI", "lnAI_iv"], "controls": CONTROLS,
                   "show_controls": False, "stats": ["anderson_lm", "cragg_donald_f", "nobs"], "tests": [],
                   "notes_zh": "", "notes_en": ""})

    # Table 6: heterogeneity, SOE vs non-SOE with a permutation test (Stata bdiff)
    f6 = f"NQP ~ lnAI + {CTRL} | {FE}"
    groups6 = (("t6_soe", "SOE == 1", "国企", "SOE"), ("t6_non", "SOE == 0", "非国企", "Non-SOE"))
    for j, (mid, cond, lab, lab_en) in enumerate(groups6):
        models.append(_model(mid, fit(f6, df.query(cond)), table="6", column=f"({j + 1})", label=lab,
                             label_en=lab_en, outcome="NQP", controls=CONTROLS, sample=cond))
    df["grp"] = 1 - df["SOE"]  # group 0 = SOE (the first column), group 1 = non-SOE
    pt = permutation_test(f6, df, "grp", "lnAI", reps=reps, seed=1, cluster="industry")
    tests.append({"id": "t6_soe_test", "table": "6", "kind": "group_difference", "method": "permutation",
                  "term": "lnAI", "models": ["t6_soe", "t6_non"], "b0": pt.b0, "b1": pt.b1,
                  "difference": pt.difference, "statistic": None, "p_value": pt.pvalue,
                  "p_value_two_sided": pt.pvalue_two_sided, "reps": reps, "seed": 1, "status": "ok"})
    tables.append({"id": "6", "type": "heterogeneity", "title_zh": "异质性检验结果", "title_en": "Heterogeneity",
                   "depvar": "NQP", "columns": ["t6_soe", "t6_non"], "column_groups": [], "keep": ["lnAI"],
                   "controls": CONTROLS, "show_controls": False, "stats": None, "tests": ["t6_soe_test"],
                   "notes_zh": "组间差异为第一组系数减第二组系数。", "notes_en": "Difference: first group minus second."})

    # Table 7: moderation; raw-unit irobot (the 0.0000 case), finratio, smartcity
    mods = [("t7_irobot", "irobot", "新工具", "New tools"), ("t7_fin", "finratio", "新资本", "New capital"),
            ("t7_smart", "smartcity", "新基建", "New infrastructure")]
    for j, (mid, m, lab, lab_en) in enumerate(mods):
        models.append(_model(mid, fit(f"NQP ~ lnAI + {m} + lnAI:{m} + {CTRL} | {FE}"), table="7",
                             column=f"({j + 1})", label=lab, label_en=lab_en, outcome="NQP", controls=CONTROLS))
    tables.append({"id": "7", "type": "moderation", "title_zh": "协同赋能机制检验结果", "title_en": "Moderation",
                   "depvar": "NQP", "columns": [m for m, *_ in mods], "column_groups": [],
                   "keep": ["lnAI", "lnAI:*", "irobot", "finratio", "smartcity"], "controls": CONTROLS,
                   "show_controls": False, "stats": None, "tests": [], "notes_zh": "", "notes_en": "",
                   "interaction_label_zh": "lnAI×调节变量", "interaction_label_en": "lnAI × moderator"})

    # Table 8: channels
    ch = [("t8_1", "lnemploy", "员工人数", "Employees (log)"), ("t8_2", "FC", "融资约束FC指数", "FC index")]
    for j, (mid, y, lab, lab_en) in enumerate(ch):
        models.append(_model(mid, fit(f"{y} ~ lnAI + {CTRL} | {FE}"), table="8", column=f"({j + 1})", label=lab,
                             label_en=lab_en, outcome=y, controls=CONTROLS))
    tables.append({"id": "8", "type": "channel", "title_zh": "作用渠道检验结果", "title_en": "Channels",
                   "depvar": None, "columns": [m for m, *_ in ch], "column_groups": [], "keep": ["lnAI"],
                   "controls": CONTROLS, "show_controls": False, "stats": None, "tests": [], "notes_zh": "",
                   "notes_en": ""})

    return {
        "format": "nqp-results/1", "nqp_version": "0.1.0", "synthetic": True, "seed": seed,
        "study": {"name": "fixture", "title_zh": "报告测试用研究", "title_en": "Report test study",
                  "file": "fixture.toml", "sha256": "0" * 64},
        "defaults": {"fixed_effects": ["stkcd", "year"], "cluster": "industry", "ssc": "reghdfe"},
        "tables": tables, "models": models, "tests": tests,
        **descriptive_sections(df),
        "warnings": [{"where": "model t5_us", "message": "fixture warning: instruments are few"}],
    }


def descriptive_sections(df: pd.DataFrame) -> dict[str, Any]:
    """Table 1, Table 2, Figure 2, sample construction and the dictionary, computed here from the
    simulated panel with numpy (means, ddof-1 sd)."""
    dims = {"劳动者": ["high_skill_share", "rd_pay_share"], "劳动资料": ["intangible_share"],
            "优化组合效率": ["roa", "turnover"]}
    raw_w = np.array([0.31, 0.12, 0.27, 0.18, 0.12])
    names = [i for v in dims.values() for i in v]
    weights = dict(zip(names, raw_w / raw_w.sum()))
    dim_w = {d: sum(weights[i] for i in v) for d, v in dims.items()}
    ilabels = {"high_skill_share": ("高技能人才占比", "High-skill share"), "rd_pay_share": ("研发人员薪资占比", "R&D pay share"),
               "intangible_share": ("无形资产占比", "Intangible-asset share"), "roa": ("资产利用效率", "ROA"),
               "turnover": ("总资产周转率", "Asset turnover")}
    table1 = [{"dimension": d, "dimension_zh": d, "dimension_en": {"劳动者": "Labour", "劳动资料": "Means of labour",
                                                                     "优化组合效率": "Combination efficiency"}[d],
               "indicator": i, "label_zh": ilabels[i][0], "label_en": ilabels[i][1],
               "sign": "+" if i != "turnover" else "-", "weight": float(weights[i]), "dimension_weight": float(dim_w[d])}
              for d, v in dims.items() for i in v]
    dictionary = [
        {"name": "NQP", "label_zh": "企业新质生产力", "label_en": "New quality productive forces", "unit": "index×100",
         "role": "outcome"},
        {"name": "lnAI", "label_zh": "人工智能专利申请数加1取对数", "label_en": "ln(1 + AI patent applications)",
         "unit": "", "role": "regressor"},
        *({"name": c, "label_zh": z, "label_en": e, "unit": "", "role": "control"} for c, z, e in
          (("Size", "企业总资产数对数", "ln(total assets)"), ("Age", "企业年龄", "ln(firm age)"),
           ("Lev", "资产负债率", "Leverage"), ("Mshare", "管理层持股比例", "Management shareholding"),
           ("INST", "机构投资者占比", "Institutional ownership"))),
        {"name": "irobot", "label_zh": "省级工业机器人安装密度", "label_en": "Provincial robot density", "unit": "台",
         "role": "moderator"},
        {"name": "finratio", "label_zh": "企业金融化指数", "label_en": "Financialisation", "unit": "", "role": "moderator"},
        {"name": "smartcity", "label_zh": "智慧城市试点", "label_en": "Smart-city pilot", "unit": "", "role": "moderator"},
        {"name": "lnemploy", "label_zh": "员工人数取对数", "label_en": "ln(employees)", "unit": "", "role": "channel"},
        {"name": "FC", "label_zh": "融资约束FC指数", "label_en": "FC index", "unit": "", "role": "channel"},
        {"name": "industry", "label_zh": "行业", "label_en": "industry", "unit": "", "role": "key"},
    ]
    table2 = []
    for d in dictionary:
        if d["role"] == "key":
            continue
        x = df[d["name"]].to_numpy(float)
        x = x[~np.isnan(x)]
        q = np.percentile(x, [25, 50, 75])
        table2.append({"name": d["name"], "label_zh": d["label_zh"], "label_en": d["label_en"], "N": int(x.size),
                       "mean": float(x.mean()), "sd": float(x.std(ddof=1)), "min": float(x.min()), "p25": float(q[0]),
                       "p50": float(q[1]), "p75": float(q[2]), "max": float(x.max())})
    shares = {"劳动者": 0.45, "劳动资料": 0.35, "优化组合效率": 0.20}
    fig2 = []
    for year, g in df.groupby("year"):
        mean = float(g["NQP"].mean())
        rec = {"year": int(year), "n": int(len(g)), "index": mean}
        rec.update({d: mean * s for d, s in shares.items()})
        rec.update({f"{d}_share": s for d, s in shares.items()})
        fig2.append(rec)
    n = len(df)
    sample = [{"step": "全部公司年度观测", "dropped": 0, "remaining": n + 57},
              {"step": "剔除 ST/*ST/PT", "dropped": 41, "remaining": n + 16},
              {"step": "剔除金融业", "dropped": 16, "remaining": n}]
    return {"index_weights": {k: float(v) for k, v in weights.items()},
            "index": {"method": "pooled", "dimensions": dims, "table1": table1},
            "table2": table2, "figure2": fig2, "sample_construction": sample, "dictionary": dictionary}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("results.json")
    doc = build_results()
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
