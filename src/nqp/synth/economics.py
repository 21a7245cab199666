"""The data-generating process: firm-year economic variables from latent traits.

Equations are listed in ``docs/synthetic-data.md`` (same symbols). Core of the DGP:

    a_it  = μ_a + c_i + τ_t + π·(ln USrobot_kt − mean_t ln USrobot_kt)·manuf_i + e_it,  e AR(1) ρ=0.55
    N_it  ~ Poisson(exp(a_it))                          AI patent applications
    T_it  = ln(1 + exp(a_it))                           true AI level ("latent lnAI")
    m_it  = clip(1 + 0.10·Σ_k z_k,it, 0.25, 2.5)        moderators z: irobot, aicitynew,
                                                        finratio, overseacountry, smartcity, newenergy
    E_it  = het_i · m_it · T_it                         AI effect index (heterogeneity het_i)

Each NQP indicator gets ``+ δ_k · E_it`` on its own (logit or log) scale; energy use gets
``− δ``. Capacity utilisation (产能利用率, paper Table 1) is planted as a revenue frontier:
employees are drawn from assets first, then

    ln MBR_it = 21.67 + 0.75·(Size − 22.27) + 0.20·(ln EMP − 7.66) + 0.03·(t − 2010) + v_it − u_it
    v ~ N(0, 0.22²),  u_it = 0.6·exp(−0.15·E_it)·|z_it| (z AR(1), N(0, 1) margins),  CU_it = exp(−u_it)

so the residual of the pooled frontier is left-skewed and CU rises with AI.

lnAI observes T with Poisson noise, so OLS is attenuated and lagged lnAI and the
US robot IV (both uncorrelated with the noise) recover a larger effect, as in the paper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqp.synth.calibration import TARGETS
from nqp.synth.latent import _stratified_normal

N_YEARS = 14  # 2009..2022 (2009 only as the pre-sample year of the statements)
Y0 = 2009

MU_AI = -0.82
AI_CAP = 4.4  # smooth ceiling of a_it (at most about 80 expected AI applications a firm-year)
AI_YEAR = ([2009, 2010, 2013, 2016, 2019, 2022], [-0.9, -0.8, -0.45, 0.0, 0.45, 0.75])
PI_IV = 2.0
GAMMA_MOD = 0.10

# employees and the revenue frontier (产能利用率), see firm_year_variables
EMP_MEAN, EMP_ON_SIZE, EMP_FIRM_SD, EMP_AI = 7.66, 0.75, 0.85, 0.12
BETA_K, BETA_L, FRONTIER_TREND, FRONTIER_CONST = 0.75, 0.2, 0.03, 21.67
SIGMA_U0, CU_AI, SIGMA_V = 0.6, 0.15, 0.22


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _ar1(rng: np.random.Generator, n: int, rho: float, sd: float) -> np.ndarray:
    """n × 14 AR(1) paths with stationary start and innovation sd ``sd``."""
    out = np.empty((n, N_YEARS))
    out[:, 0] = rng.normal(0, sd / np.sqrt(1 - rho**2), n)
    for t in range(1, N_YEARS):
        out[:, t] = rho * out[:, t - 1] + rng.normal(0, sd, n)
    return out


def _lookup(panel: pd.DataFrame, table: pd.DataFrame, keys: list[str], value: str) -> np.ndarray:
    m = panel[keys].merge(table[keys + [value]], how="left", on=keys)
    return m[value].to_numpy(dtype=float)


def overseas_country_counts(subs: pd.DataFrame, n_firms: int) -> np.ndarray:
    """n × 14 matrix: distinct countries with an overseas subsidiary by year (overseacountry)."""
    ov = subs[subs["overseas"]].groupby(["firm", "country"], as_index=False)["start_year"].min()
    mat = np.zeros((n_firms, N_YEARS), dtype=np.int64)
    col = np.clip(ov["start_year"].to_numpy() - Y0, 0, N_YEARS)
    ok = col < N_YEARS
    np.add.at(mat, (ov["firm"].to_numpy()[ok], col[ok]), 1)
    return np.cumsum(mat, axis=1)


def firm_year_variables(firms: pd.DataFrame, panel: pd.DataFrame, subs: pd.DataFrame,
                        regional: dict[str, pd.DataFrame], rng: np.random.Generator) -> pd.DataFrame:
    """Add every economic variable to ``panel`` (one row per firm-year, 2009-2022)."""
    n = len(firms)
    p = panel.copy()
    fi = p["firm"].to_numpy()
    ti = p["year"].to_numpy() - Y0
    yy = p["year"].to_numpy() - 2010.0
    F = {c: firms[c].to_numpy()[fi] for c in ["industry_code", "province", "city", "region", "soe", "heavy",
                                               "hightech", "ind_ai", "ind_energy", "ind_fa", "ind_labour",
                                               "ai_cap", "innov", "prod", "het", "list_year", "exit_year"]}
    sector = np.array([c[0] for c in F["industry_code"]])
    manuf = sector == "C"
    fin = sector == "J"
    soe = F["soe"].astype(float)
    p["industry_code"] = F["industry_code"]
    p["province"], p["city"] = F["province"], F["city"]

    def firm_noise(sd: float = 1.0) -> np.ndarray:
        return rng.normal(0, sd, n)[fi]

    def firm_strat(sd: float) -> np.ndarray:
        """Firm-level N(0, sd²), quantile-stratified (stable moments at small scale)."""
        return sd * _stratified_normal(n, rng)[fi]

    def ar(rho: float, sd: float) -> np.ndarray:
        return _ar1(rng, n, rho, sd)[fi, ti]

    # --- moderators (regional lookups, Table 7) ----------------------------------------
    p["irobot"] = _lookup(p, regional["robot_density"], ["province", "year"], "robot_density")
    p["newenergy"] = _lookup(p, regional["new_energy"], ["province", "year"], "new_energy_generation")
    p["aicitynew"] = _lookup(p, regional["ai_new_firms"], ["city", "year"], "new_ai_firms")
    sc = regional["smart_city_pilot"]
    m = p[["city"]].merge(sc[["city", "approval_year"]].assign(cov=1.0), how="left", on="city")
    appr = m["approval_year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    p["smartcity"] = np.where(m["cov"].isna(), np.nan,
                              np.where(~np.isnan(appr) & (p["year"].to_numpy() >= appr), 1.0, 0.0))
    usr = _lookup(p.assign(industry_code=F["industry_code"]), regional["us_robot_penetration"],
                  ["industry_code", "year"], "us_robot_penetration")
    p["us_robot"] = usr
    p["overseacountry"] = overseas_country_counts(subs, n)[fi, ti]

    # finratio: 35% of firms hold no financial assets
    holds = (rng.random(n) < 0.66)[fi]
    fr = np.exp(-3.1 + 1.1 * firm_noise() + ar(0.5, 0.45))
    fr = np.where(fin, expit(-0.5 + 0.5 * firm_noise()), np.where(holds, fr, 0.0))
    fr = np.where(holds & (rng.random(len(p)) < 0.08), 0.0, fr)
    p["finratio"] = np.clip(fr, 0.0, 0.97)

    def z(x: np.ndarray, key: str) -> np.ndarray:
        t = TARGETS[key]
        return np.clip(np.nan_to_num((x - t.mean) / t.sd, nan=0.0), -1.5, 3.0)

    mod = (z(p["irobot"].to_numpy(), "irobot") + z(p["aicitynew"].to_numpy(), "aicitynew")
           + z(p["finratio"].to_numpy(), "finratio") + z(p["overseacountry"].to_numpy(float), "overseacountry")
           + z(p["smartcity"].to_numpy(), "smartcity") + z(p["newenergy"].to_numpy(), "newenergy"))
    p["mod_mult"] = np.clip(1.0 + GAMMA_MOD * mod, 0.25, 2.5)

    # --- AI (Table 2 lnAI) ---------------------------------------------------------------
    tau = np.interp(p["year"].to_numpy(), *AI_YEAR)
    # the IV enters as the deviation of ln(US robots) from its industry mean over 2010-2022:
    # only its (industry-specific) time path moves a_it, not its level
    usr_t = regional["us_robot_penetration"]
    ind_mean = np.log(usr_t["us_robot_penetration"]).groupby(usr_t["industry_code"]).mean()
    centre = pd.Series(F["industry_code"]).map(ind_mean).to_numpy(dtype=float)
    iv = np.where(manuf & ~np.isnan(usr), np.log(np.where(np.isnan(usr), 1.0, usr)) - centre, 0.0)
    a = MU_AI + F["ai_cap"] + tau + PI_IV * iv + ar(0.55, 0.55)
    a = AI_CAP - np.logaddexp(0.0, AI_CAP - a)  # smooth ceiling
    p["ai_latent"] = a
    p["ai_true"] = np.log1p(np.exp(a))
    share_inv = rng.beta(6.7, 3.3, n)[fi]
    # utility models (实用新型) carry extra "strategic" noise η (sd 0.8, mean-preserving), so
    # lnaixx measures T worse than lnaifm does (Table 3: invention > utility model)
    lam = np.exp(a)
    p["n_ai_inv"] = rng.poisson(lam * share_inv)
    p["n_ai_um"] = rng.poisson(lam * (1 - share_inv) * np.exp(np.clip(rng.normal(-0.2, 0.8, len(p)), -2.5, 0.7)))
    p["n_ai"] = p["n_ai_inv"] + p["n_ai_um"]
    E = F["het"] * p["mod_mult"].to_numpy() * p["ai_true"].to_numpy()
    p["ai_effect"] = E

    # --- size, growth, leverage ---------------------------------------------------------
    early = F["list_year"] < 2010
    s_i = (21.4 + 0.35 * soe + 0.35 * early + 0.25 * firms["prod"].to_numpy()[fi] + firm_strat(1.2)
           + 2.2 * fin)
    order = np.lexsort((p["year"].to_numpy(), fi))
    cum = np.empty(len(p))
    cum[order] = pd.Series(E[order]).groupby(fi[order]).cumsum().to_numpy()
    S = s_i + 0.07 * yy + 0.010 * cum + ar(0.8, 0.09)
    p["size"] = S
    k70 = F["industry_code"] == "K70"
    lnde = (0.22 + 0.22 * (S - 22.27) + 0.25 * soe + 0.9 * k70 + 2.2 * fin - 0.35 * (F["industry_code"] == "I65")
            + firm_strat(0.95) + ar(0.6, 0.3) - 0.15 * F["prod"])
    p["equity_multiplier"] = 1.0 + np.exp(lnde)

    # --- employees, then revenue from a stochastic frontier (Table 8 channels; 产能利用率) ---
    # Employees are drawn first (firms staff for capacity), then main-business revenue is the
    # Cobb-Douglas frontier of assets and employees times exp(v - u): u >= 0 is the one-sided
    # shortfall from capacity, half-normal with a scale that falls with the AI effect, so that
    # capacity utilisation CU = exp(-u) is an NQP indicator raised by AI.
    ind_turn = -1.3 * (F["ind_fa"] - 0.25) + 0.8 * (sector == "F") - 0.9 * k70 - 2.0 * fin
    ln_emp = (EMP_MEAN + EMP_ON_SIZE * (S - 22.27) + 0.55 * ind_turn + 0.45 * F["ind_labour"] - 0.25 * F["prod"]
              + firm_strat(EMP_FIRM_SD) + ar(0.6, 0.12) - 0.025 * yy + EMP_AI * E)
    ln_emp = np.log(np.maximum(np.round(np.exp(ln_emp)), 8.0))  # the head count the files report
    sig_u = SIGMA_U0 * np.exp(-CU_AI * E)
    u = sig_u * np.abs(_ar1(rng, n, 0.6, np.sqrt(1 - 0.6**2))[fi, ti])  # persistent |N(0,1)| draws
    v_noise = rng.normal(0, SIGMA_V, len(p))
    ln_frontier = (FRONTIER_CONST + BETA_K * (S - 22.27) + BETA_L * (ln_emp - EMP_MEAN) + FRONTIER_TREND * yy
                   - 1.6 * fin)
    p["mb_share"] = np.clip(rng.uniform(0.86, 0.995, n)[fi] + rng.normal(0, 0.004, len(p)), 0.8, 1.0)
    ln_mbr = ln_frontier + v_noise - u
    p["ln_frontier"] = ln_frontier
    p["ineff_u"] = u
    p["cu_true"] = np.exp(-u)
    p["ln_revenue"] = ln_mbr - np.log(p["mb_share"].to_numpy())
    p["ln_employees"] = ln_emp
    lp = p["ln_revenue"].to_numpy() - ln_emp
    p["laborprod"] = lp
    p["roa"] = np.clip(0.034 + 0.018 * F["prod"] + firm_noise(0.028) + ar(0.5, 0.03) + 0.004 * E
                       - 0.008 * soe - np.where(rng.random(len(p)) < 0.04, rng.exponential(0.08, len(p)), 0),
                       -0.6, 0.4)
    ln_wage = (11.35 + 0.045 * yy + 0.25 * (lp - 13.87) + 0.12 * soe + firm_noise(0.2) + ar(0.5, 0.06)
               - 0.012 * p["ai_true"].to_numpy())
    p["wage"] = np.exp(ln_wage)

    # --- NQP indicators (Table 1), each + δ·E -----------------------------------------
    v, c = F["innov"], F["ai_cap"]
    ht = F["hightech"].astype(float)
    soft = np.isin(F["industry_code"], ["I64", "I65", "M73"]).astype(float)
    low_rd = np.isin(sector, ["F", "K", "J", "L", "A"]).astype(float)
    p["rd_staff_share"] = expit(-2.3 + 0.45 * v + 0.3 * c + 0.4 * ht + 0.8 * soft - 1.0 * low_rd
                                + firm_noise(0.3) + ar(0.5, 0.12) + 0.07 * E)
    p["edu_share"] = expit(-3.3 + 0.4 * v + 0.3 * c + 0.3 * ht + 0.8 * soft + 0.2 * soe + 0.035 * yy
                           + firm_noise(0.35) + ar(0.5, 0.1) + 0.07 * E)
    p["phd_frac"] = np.clip(rng.beta(2, 20, n)[fi] * (1 + 0.5 * soft), 0.0, 0.5)
    p["bachelor_share"] = expit(-1.2 + 0.3 * v + 0.8 * soft + firm_noise(0.3))
    tech_extra = expit(-2.0 + 0.2 * c + 0.5 * soft + firm_noise(0.3) + ar(0.5, 0.08) + 0.05 * p["ai_true"].to_numpy())
    p["tech_share"] = p["rd_staff_share"] + tech_extra * (1 - p["rd_staff_share"])
    p["prod_frac"] = expit(0.6 * manuf - 0.9 * (1 - manuf) + firm_noise(0.4) - 0.04 * p["ai_true"].to_numpy())
    p["rd_pay_premium"] = np.exp(0.3 + 0.08 * v + firm_noise(0.1) + ar(0.4, 0.05) + 0.03 * E)
    p["intangible_share"] = expit(-3.3 + 0.3 * v + 0.6 * k70 + firm_noise(0.55) + ar(0.6, 0.1) + 0.06 * E)
    p["fixed_share"] = expit(np.log(F["ind_fa"] / (1 - F["ind_fa"])) + firm_noise(0.5) + ar(0.6, 0.12))
    p["rd_intensity"] = np.exp(-3.45 + 0.45 * v + 0.3 * c + 0.35 * ht + 0.7 * soft - 1.6 * low_rd
                               + firm_noise(0.35) + ar(0.5, 0.1) + 0.07 * E)
    p["direct_input_frac"] = expit(-0.6 + 0.5 * manuf - 0.6 * soft + firm_noise(0.3) + 0.03 * E)
    # energy intensity (per yuan of revenue) falls with AI; revenue itself rises with AI through
    # employment and capacity utilisation (about +0.08 E), so energy use falls by about 0.05 E
    p["ln_energy_tce"] = (p["ln_revenue"] - 12.4 + F["ind_energy"] + firm_noise(0.5) + ar(0.6, 0.1)
                          - 0.13 * E)
    p["mos_target"] = expit(-1.15 + 0.3 * soft + firm_noise(0.3) + ar(0.5, 0.1) + 0.07 * E)
    # annual-report text intensities (keyword mentions); innovation awareness and data assets
    p["lam_innov"] = np.exp(1.1 + 0.35 * v + 0.1 * c + 0.04 * yy + firm_noise(0.2) + 0.3 * E)
    # a small c loading: a count's firm-specific trend scales with its level, and with 0.4 c that
    # trend co-moved with lnAI's and swamped the planted Table 6 heterogeneity
    p["lam_data"] = np.exp(0.1 + 0.1 * c + 0.13 * yy + firm_noise(0.3) + 0.12 * E)
    p["lam_aiword"] = np.exp(-1.6 + 0.45 * c + 0.15 * yy + 0.35 * p["ai_true"].to_numpy())

    # --- governance, markets, dividends, valuation -------------------------------------
    gov_noise = firm_noise()
    msh = np.where(soe > 0, rng.exponential(0.3, n)[fi],
                   np.where((rng.random(n) < 0.17)[fi], rng.exponential(0.05, n)[fi],
                            85 * rng.beta(0.95, 1.8, n)[fi]))
    msh = msh * np.exp(rng.normal(0, 0.08, len(p))) * np.where(F["list_year"] < 2004, 0.5, 1.0)
    p["mshare"] = np.clip(msh, 0, 80)
    p["inst"] = 100 * expit(-0.5 + 0.45 * (S - 22.27) + 0.6 * soe + 1.1 * gov_noise + ar(0.5, 0.35))
    manuf_f = firms["industry_code"].str[0].eq("C").to_numpy()
    has_ovs = np.zeros(n, bool)
    has_ovs[subs.loc[subs["overseas"], "firm"].to_numpy()] = True
    exporter = ((rng.random(n) < np.where(manuf_f, 0.36, 0.2)) | (has_ovs & (rng.random(n) < 0.4)))[fi]
    p["over_rev"] = np.where(exporter, np.clip(expit(-1.2 + 0.3 * manuf + 1.3 * firm_noise() + ar(0.5, 0.2)
                                                     - 0.06 * p["ai_true"].to_numpy()), 0, 0.98), 0.0)
    p["tobin_q"] = np.exp(0.55 - 0.22 * (S - 22.27) + 0.25 * c + firm_noise(0.25) + ar(0.5, 0.2)
                          + 0.35 * (p["year"] == 2015))
    p["payout"] = np.where((rng.random(len(p)) < 0.72 + 0.1 * soe) & (p["roa"] > 0),
                           rng.uniform(0.15, 0.55, len(p)), 0.0)
    # special treatment: persistent distress score, top ~4% of firm-years
    ex = F["exit_year"]
    near_exit = (ex > 0) & (p["year"].to_numpy() >= ex - 1)
    st = -20 * p["roa"].to_numpy() + ar(0.75, 0.7) + 5.0 * near_exit
    cut = np.quantile(st[p["in_sample"].to_numpy()], 0.96)
    p["st_flag"] = np.where(st > cut, np.where((p["roa"] < 0) & (rng.random(len(p)) < 0.7), "*ST", "ST"), "")
    return p
