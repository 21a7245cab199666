"""Firms, their latent traits and the panel structure of the synthetic data.

A firm ``i`` has fixed traits: industry (CSRC 2012), province/city, ownership (SOE 国有企业),
listing and founding dates, names, and three latent traits, each N(0, 1) before shifts:

- ``ai_cap``  c_i  AI capability (人工智能能力): + industry AI propensity, + East, − SOE,
  + listed 2010 or later;
- ``innov``   v_i  innovation culture (创新文化), corr(c, v) ≈ 0.5;
- ``prod``    p_i  productivity (生产率).

The panel is unbalanced: a firm enters in its listing year (the statements start one year
earlier, for growth rates and average assets) and about 3.5% of firms exit (终止上市).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betainc, ndtri

from nqp.synth.calibration import FIRST_YEAR, LAST_YEAR
from nqp.synth.catalog import (BRAND_FIRST, BRAND_SECOND, INDUSTRIES, INDUSTRY_WORD, INDUSTRY_WORD_C,
                               OVERSEAS_COUNTRIES, PROVINCES)

# IPO counts by year 2010-2022 (relative), and listings before 2010
IPO_WEIGHTS_LATE = {2010: 347, 2011: 277, 2012: 154, 2014: 125, 2015: 223, 2016: 227, 2017: 438, 2018: 105,
                    2019: 203, 2020: 396, 2021: 524, 2022: 428}
SHARE_EARLY = 0.355
SUB_WORDS = ("科技", "电子", "新材料", "贸易", "销售", "精密", "技术", "设备", "工程", "软件", "制造", "实业")


def _industry_word(code: str) -> tuple[str, ...]:
    return INDUSTRY_WORD_C.get(code) or INDUSTRY_WORD[code[0]]


def _stock_codes(list_year: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stock codes by board (prefix) and listing year, and CSMAR Markettype codes."""
    n = len(list_year)
    prefix = np.empty(n, dtype=object)
    u = rng.random(n)
    y = list_year
    prefix[:] = "600"
    prefix[(y < 2004) & (u < 0.25)] = "601"
    prefix[(y < 2004) & (u >= 0.55)] = "000"
    m = (y >= 2004) & (y < 2010)
    prefix[m & (u < 0.45)] = "601"
    prefix[m & (u >= 0.45)] = "002"
    prefix[m & (y == 2009) & (u >= 0.9)] = "300"
    m = (y >= 2010) & (y < 2019)
    prefix[m & (u < 0.2)] = "601"
    prefix[m & (u >= 0.2) & (u < 0.4)] = "603"
    prefix[m & (u >= 0.4) & (u < 0.75)] = "002"
    prefix[m & (u >= 0.75)] = "300"
    m = y >= 2019
    prefix[m & (u < 0.2)] = "603"
    prefix[m & (u >= 0.2) & (u < 0.3)] = "605"
    prefix[m & (u >= 0.3) & (u < 0.55)] = "688"
    prefix[m & (u >= 0.55) & (u < 0.62)] = "001"
    prefix[m & (u >= 0.62) & (u < 0.7)] = "003"
    prefix[m & (u >= 0.7) & (u < 0.88)] = "300"
    prefix[m & (u >= 0.88)] = "301"
    codes = np.empty(n, dtype=object)
    for p in sorted(set(prefix)):
        idx = np.flatnonzero(prefix == p)
        # order within a board follows listing date, as real codes do
        idx = idx[np.argsort(list_year[idx] + rng.random(len(idx)), kind="stable")]
        serial = np.sort(rng.choice(999, size=len(idx), replace=False) + 1)
        codes[idx] = [f"{p}{s:03d}" for s in serial]
    market = np.select([np.isin(prefix, ["600", "601", "603", "605"]), prefix == "688",
                        np.isin(prefix, ["300", "301"])], [1, 32, 16], default=4)
    return codes.astype(str), market


def _unique_names(word: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two-character brands such that brand + industry word (the short name) is unique."""
    n = len(word)
    brand = np.array([a + b for a, b in zip(rng.choice(BRAND_FIRST, n), rng.choice(BRAND_SECOND, n))], dtype=object)
    for _ in range(200):
        short = pd.Series(brand + np.array([w[:2] for w in word], dtype=object))
        dup = short.duplicated(keep="first").to_numpy() | np.array([b[0] == b[1] for b in brand])
        if not dup.any():
            break
        k = int(dup.sum())
        brand[dup] = [a + b for a, b in zip(rng.choice(BRAND_FIRST, k), rng.choice(BRAND_SECOND, k))]
    return brand


def _stratified_normal(n: int, rng: np.random.Generator) -> np.ndarray:
    """N(0, 1) draws stratified on the quantiles (one per 1/n slice, in random order): the
    sample distribution is close to normal even for small ``n``, which keeps the Table 2
    moments stable across seeds at small ``--scale``."""
    return ndtri((rng.permutation(n) + rng.random(n)) / n)


def _nbinom_ppf(u: np.ndarray, n: float, p: float) -> np.ndarray:
    """Negative-binomial quantiles (``scipy.stats.nbinom.ppf``): the smallest ``k`` with
    CDF(k) = I_p(n, k + 1) >= ``u``, from a table of the CDF (``u`` in (0, 1)). Spares the
    synth the import of ``scipy.stats`` (about a second, more than all the other imports)."""
    k = np.arange(0, 64)
    while betainc(n, k[-1] + 1.0, p) < u.max(initial=0.0):
        k = np.arange(0, 2 * len(k))
    return np.searchsorted(betainc(n, k + 1.0, p), u, side="left").astype(np.int64)


def draw_firms(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw ``n`` firms with their fixed traits (one row per firm, ``firm`` = 0..n-1)."""
    ind = pd.DataFrame(INDUSTRIES, columns=["industry_code", "industry_name", "w", "heavy", "hightech",
                                            "ind_ai", "ind_energy", "ind_fa", "ind_labour"])
    k = rng.choice(len(ind), n, p=(ind["w"] / ind["w"].sum()).to_numpy())
    f = ind.iloc[k].drop(columns="w").reset_index(drop=True)
    f.insert(0, "firm", np.arange(n))

    pw = np.array([p[2] for p in PROVINCES], float)
    pi = rng.choice(len(PROVINCES), n, p=pw / pw.sum())
    f["province"] = [PROVINCES[i][0] for i in pi]
    f["region"] = [PROVINCES[i][1] for i in pi]
    city = []
    for i in pi:
        cs = PROVINCES[i][3]
        cw = np.array([c[1] for c in cs], float)
        city.append(cs[rng.choice(len(cs), p=cw / cw.sum())][0])
    f["city"] = city

    early = rng.random(n) < SHARE_EARLY
    ey = np.arange(1991, 2010)
    ew = np.interp(ey, [1991, 1996, 2000, 2004, 2007, 2009], [0.3, 2.5, 1.5, 1.0, 1.6, 1.0])
    late_y = np.array(list(IPO_WEIGHTS_LATE))
    lw = np.array(list(IPO_WEIGHTS_LATE.values()), float)
    list_year = np.where(early, rng.choice(ey, n, p=ew / ew.sum()), rng.choice(late_y, n, p=lw / lw.sum()))
    f["list_year"] = list_year
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    f["list_date"] = [f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(list_year, month, day)]
    gap = np.where(list_year < 2000, 1 + rng.gamma(1.5, 2.0, n), 5 + rng.gamma(4.0, 1.8, n))
    found_year = np.minimum(list_year - np.floor(gap).astype(int), list_year - 1)
    f["found_year"] = found_year
    fm, fd = rng.integers(1, 13, n), rng.integers(1, 29, n)
    fd_str = np.where(rng.random(n) < 0.02, "00", [f"{d:02d}" for d in fd])
    f["found_date"] = [f"{y:04d}-{m:02d}-{d}" for y, m, d in zip(found_year, fm, fd_str)]

    p_soe = np.select([list_year < 2004, list_year < 2010], [0.58, 0.42], default=0.17)
    p_soe = np.where(f["industry_code"].str[0].isin(["B", "D", "G", "J"]), np.minimum(p_soe + 0.3, 0.9), p_soe)
    soe = rng.random(n) < p_soe
    f["soe"] = soe
    other = rng.choice(["民营企业", "外资企业", "其他"], n, p=[0.86, 0.08, 0.06])
    f["ownership_type"] = np.where(soe, "国有企业", other)

    codes, market = _stock_codes(list_year, rng)
    f["stkcd"] = codes
    f["market_type"] = market

    words = [_industry_word(c) for c in f["industry_code"]]
    word = np.array([w[rng.integers(len(w))] for w in words], dtype=object)
    brand = _unique_names(word, rng)
    f["brand"] = brand
    f["word"] = word
    pref_kind = rng.random(n)
    prov_short = f["province"].str.replace("省", "").str.replace("市", "").str[:2]
    prefix = np.where(pref_kind < 0.55, f["city"].to_numpy(dtype=object),
                      np.where(pref_kind < 0.75, prov_short.to_numpy(dtype=object), ""))
    prefix = np.where(f["industry_code"].str[0].eq("J").to_numpy() & (pref_kind < 0.5), "", prefix)
    f["name_prefix"] = prefix
    f["short_name"] = [b + w[:2] for b, w in zip(brand, word)]
    f["full_name"] = [p + b + w + "股份有限公司" for p, b, w in zip(prefix, brand, word)]
    # former names (更名): ~15% of firms changed their name once
    changed = rng.random(n) < 0.15
    change_year = np.where(changed, np.maximum(rng.integers(2011, 2022, n), list_year + 1), 0)
    changed &= change_year <= 2021
    old_word = np.array([next((x for x in ws if x != w), "实业") for ws, w in zip(words, word)],
                        dtype=object)
    f["name_change_year"] = np.where(changed, change_year, 0)
    f["former_short_name"] = np.where(changed, [b + w[:2] for b, w in zip(brand, old_word)], "")
    f["former_full_name"] = np.where(changed, [p + b + w + "股份有限公司" for p, b, w in zip(prefix, brand, old_word)], "")
    clash = f["former_short_name"].isin(set(f["short_name"])) & changed
    f.loc[clash, ["former_short_name", "former_full_name"]] = ""
    f.loc[clash, "name_change_year"] = 0

    exit_ = (rng.random(n) < 0.035) & (list_year <= 2018)
    ex_year = np.where(exit_, np.maximum(rng.integers(2012, 2023, n), list_year + 3), 0)
    f["exit_year"] = np.where(ex_year > LAST_YEAR, 0, ex_year)

    # latent traits
    east = (f["region"] == "East").to_numpy()
    c = 1.3 * (f["ind_ai"].to_numpy() + 0.25 * east - 0.25 * soe + 0.3 * (list_year >= 2010)) + 3.0 * _stratified_normal(n, rng)
    v = 0.5 * (c - c.mean()) / c.std() + np.sqrt(0.75) * rng.normal(0, 1, n)
    f["ai_cap"] = c
    f["innov"] = v
    f["prod"] = rng.normal(0, 1, n)
    # heterogeneity of the AI effect (Table 6): SOE, heavy-polluting weaker; high-tech stronger; East
    # strongest, Central weakest. Larger than the paper's ratios because the index dilutes het: part of
    # its response to lnAI bypasses E and CU/turnover saturate at high E (docs/synthetic-data.md)
    reg_mult = f["region"].map({"East": 1.0, "Central": 0.6, "West": 0.92}).to_numpy()
    f["het"] = (np.where(soe, 0.72, 1.0) * np.where(f["heavy"], 0.55, 1.0)
                * np.where(f["hightech"], 1.3, 1.0) * reg_mult)
    return f


def build_panel(firms: pd.DataFrame) -> pd.DataFrame:
    """Firm-years from one year before listing (at the earliest 2009) to exit or 2022.

    ``in_sample`` marks the raw firm-years (listing year to exit, within 2010-2022)."""
    start = np.maximum(firms["list_year"].to_numpy() - 1, FIRST_YEAR - 1)
    end = np.where(firms["exit_year"] > 0, firms["exit_year"], LAST_YEAR)
    length = end - start + 1
    firm = np.repeat(firms["firm"].to_numpy(), length)
    offs = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    year = np.repeat(start, length) + offs
    p = pd.DataFrame({"firm": firm, "year": year})
    ly = firms["list_year"].to_numpy()[firm]
    p["in_sample"] = (year >= np.maximum(ly, FIRST_YEAR))
    p["t_index"] = offs
    return p


def draw_subsidiaries(firms: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Subsidiaries (子公司) of each firm with country and first consolidated year.

    Overseas subsidiaries give ``overseacountry`` (distinct countries in a year): about 58%
    of firms have none; the rest a negative-binomial number of countries entered over time."""
    n = len(firms)
    size_z = firms["ai_cap"].to_numpy() * 0.2
    manuf = firms["industry_code"].str[0].isin(["C", "I"]).to_numpy()
    has = rng.random(n) < np.clip(0.22 + 0.12 * manuf + size_z * 0.3 - 0.1 * firms["soe"].to_numpy(), 0.05, 0.9)
    # negative binomial by stratified inverse CDF: a heavy tail that is stable across seeds
    u = (rng.permutation(n) + rng.random(n)) / n
    # dispersion 0.8: raw sd of overseacountry ≈ 2.5-2.65 at scale 1 (Table 2: 2.39, not winsorized, max 45)
    k_ovs = np.where(has, 1 + _nbinom_ppf(u, 0.8, 0.8 / (0.8 + 3.6)), 0)
    k_ovs = np.minimum(k_ovs, 60)
    k_dom = 1 + rng.poisson(2.2, n)
    cw = np.array([c[1] for c in OVERSEAS_COUNTRIES], float)
    cw = cw / cw.sum()
    rows_firm, rows_country, rows_overseas = [], [], []
    for i in range(n):
        if k_ovs[i]:
            kk = min(int(k_ovs[i]), len(OVERSEAS_COUNTRIES))
            ci = rng.choice(len(OVERSEAS_COUNTRIES), kk, replace=False, p=cw)
            rows_firm += [i] * kk
            rows_country += [OVERSEAS_COUNTRIES[j][0] for j in ci]
            rows_overseas += [True] * kk
        rows_firm += [i] * int(k_dom[i])
        rows_country += ["中国"] * int(k_dom[i])
        rows_overseas += [False] * int(k_dom[i])
    s = pd.DataFrame({"firm": rows_firm, "country": rows_country, "overseas": rows_overseas})
    fy = firms["found_year"].to_numpy()[s["firm"].to_numpy()]
    ly = firms["list_year"].to_numpy()[s["firm"].to_numpy()]
    lo = np.maximum(fy + 1, np.minimum(ly, 2008) - 6)
    s["start_year"] = (lo + rng.random(len(s)) * (LAST_YEAR + 2 - lo)).astype(int)
    # a second subsidiary in the same country for ~8% of overseas entries (country counted once)
    extra = s[s["overseas"] & (rng.random(len(s)) < 0.08)].copy()
    extra["start_year"] = np.minimum(extra["start_year"] + 2, LAST_YEAR)
    extra["second"] = True
    s["second"] = False
    s = pd.concat([s, extra], ignore_index=True).sort_values(["firm", "start_year"], kind="stable")
    s = s.reset_index(drop=True)
    s["holding_pct"] = np.round(np.where(rng.random(len(s)) < 0.6, 100.0, rng.uniform(51, 99.9, len(s))), 2)
    brand = firms["brand"].to_numpy()[s["firm"].to_numpy()]
    city = firms["city"].to_numpy()[s["firm"].to_numpy()]
    word = rng.choice(SUB_WORDS, len(s))
    city_short = np.array([c[:-1] if c.endswith("市") else c[:2] for c in city], dtype=object)
    form = rng.random(len(s))
    names = []
    for b, w, c, cs, ov, fo, sec in zip(brand, word, s["country"], city_short, s["overseas"], form, s["second"]):
        if ov:
            place = c.replace("中国", "")
            names.append(f"{b}{'国际' if sec else w}（{place}）有限公司")
        elif fo < 0.5:
            names.append(f"{cs}{b}{w}有限公司")
        else:
            names.append(f"{b}{w}（{cs}）有限公司")
    s["subsidiary"] = names
    s = s.drop_duplicates(["subsidiary"], keep="first").drop(columns="second").reset_index(drop=True)
    return s
