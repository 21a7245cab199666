"""Synthetic regional tables (地区变量) and the US robot instrument.

- provincial industrial-robot density (省级工业机器人安装密度, ``irobot``),
- new AI firms by city and year (城市人工智能企业新增数, ``aicitynew``),
- the smart-city pilot list (国家智慧城市试点, 住建部 batches 2012-2014, ``smartcity``),
- provincial new-energy generation (省级新能源发电量, ``newenergy``),
- US robot penetration by CSRC manufacturing industry and year (美国行业机器人渗透度, the IV).

Each series is drawn as log base level + growth, then a power transform ``x**a`` and a scale
``b`` are chosen so that the *firm-year weighted* mean and sd (weights: expected listed firms
per province/city and year, from :mod:`nqp.synth.catalog`) equal the paper's Table 2 moments.
The tables therefore do not depend on ``--scale``; the realised firm-year moments differ from
the targets only by sampling noise. Missing rows are planted to match Table 2's N.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqp.synth.calibration import TARGETS, YEAR_WEIGHTS, YEARS
from nqp.synth.catalog import INDUSTRIES, PROVINCES


def _power_scale(x: np.ndarray, w: np.ndarray, mean: float, sd: float) -> np.ndarray:
    """Return ``b * x**a`` with weighted mean ``mean`` and sd ``sd`` (bisection on ``a``)."""
    lx = np.log(np.maximum(x, 1e-12))
    lx = lx - np.average(lx, weights=w)
    target_cv = sd / mean

    def cv(a: float) -> float:
        y = np.exp(a * lx)
        m = np.average(y, weights=w)
        return float(np.sqrt(np.average((y - m) ** 2, weights=w)) / m)

    lo, hi = 1e-3, 5.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if cv(mid) < target_cv:
            lo = mid
        else:
            hi = mid
    y = np.exp(0.5 * (lo + hi) * lx)
    return y * (mean / np.average(y, weights=w))


def _power_scale_capped(x: np.ndarray, w: np.ndarray, mean: float, sd: float, cap: float) -> np.ndarray:
    """:func:`_power_scale`, then capped at ``cap`` (Table 2's max), re-targeted so that the
    capped values keep the target mean and sd (a few fixed-point steps)."""
    sd_eff, mean_eff = sd, mean
    for _ in range(8):
        y = np.minimum(_power_scale(x, w, mean_eff, sd_eff), cap)
        m = np.average(y, weights=w)
        s = np.sqrt(np.average((y - m) ** 2, weights=w))
        sd_eff *= sd / s
        mean_eff *= mean / m
    return y


def _province_frame() -> pd.DataFrame:
    rows = [(p, reg, w) for p, reg, w, _ in PROVINCES]
    df = pd.DataFrame(rows, columns=["province", "region", "weight"])
    df["weight"] = df["weight"] / df["weight"].sum()
    return df


def city_frame() -> pd.DataFrame:
    """Cities with their expected share of listed firms (province weight × city weight)."""
    rows = []
    tot = sum(p[2] for p in PROVINCES)
    for p, _reg, w, cities in PROVINCES:
        cw = sum(c[1] for c in cities)
        for c, v in cities:
            rows.append((p, c, w / tot * v / cw))
    return pd.DataFrame(rows, columns=["province", "city", "weight"])


def _grid(units: pd.DataFrame, key: str) -> pd.DataFrame:
    yw = pd.DataFrame({"year": list(YEARS), "yw": YEAR_WEIGHTS})
    g = units.merge(yw, how="cross")
    g["w"] = g["weight"] * g["yw"]
    return g.sort_values([key, "year"], kind="stable").reset_index(drop=True)


def robot_density(rng: np.random.Generator) -> pd.DataFrame:
    """Provincial robot density; about 9% of firm-years find no row (2022 not yet released
    for a subset of provinces, none for 西藏/青海)."""
    prov = _province_frame()
    g = _grid(prov, "province")
    base = np.log(prov["weight"].to_numpy()) * 0.6 + rng.normal(0, 0.5, len(prov))
    base = dict(zip(prov["province"], base))
    growth = dict(zip(prov["province"], rng.normal(0.20, 0.04, len(prov))))
    lx = g["province"].map(base) + g["province"].map(growth) * (g["year"] - 2010)
    lx = lx + rng.normal(0, 0.05, len(g))
    late = set(prov.loc[rng.random(len(prov)) < 0.62, "province"])
    drop = ((g["year"] == 2022) & g["province"].isin(late)) | g["province"].isin(["西藏自治区", "青海省"])
    g = g.loc[~drop].reset_index(drop=True)
    lx = lx.loc[~drop].to_numpy()
    t = TARGETS["irobot"]
    g["robot_density"] = np.round(_power_scale(np.exp(lx), g["w"].to_numpy(), t.mean, t.sd), 2)
    return g[["province", "year", "robot_density"]]


def new_energy(rng: np.random.Generator) -> pd.DataFrame:
    """Provincial new-energy generation (亿千瓦时, the paper's scale); ~9% of firm-years missing."""
    prov = _province_frame()
    g = _grid(prov, "province")
    base = dict(zip(prov["province"], rng.normal(0, 0.9, len(prov))))
    growth = dict(zip(prov["province"], rng.normal(0.13, 0.04, len(prov))))
    lx = (g["province"].map(base) + g["province"].map(growth) * (g["year"] - 2010)).to_numpy()
    early = set(prov.loc[rng.random(len(prov)) < 0.55, "province"])
    drop = (g["year"].isin([2010, 2011]) & g["province"].isin(early)) | (
        (g["year"] == 2022) & g["province"].isin([p for p in prov["province"] if p in early][:4]))
    drop |= g["province"].eq("西藏自治区")
    keep = ~drop.to_numpy()
    g = g.loc[keep].reset_index(drop=True)
    t = TARGETS["newenergy"]
    v = _power_scale_capped(np.exp(lx[keep]), g["w"].to_numpy(), t.mean, t.sd, t.max)
    g["new_energy_generation"] = np.round(v, 1)
    return g[["province", "year", "new_energy_generation"]]


def ai_new_firms(rng: np.random.Generator) -> pd.DataFrame:
    """New AI firms per city-year (integers); small cities partly absent (~6% of firm-years)."""
    cities = city_frame()
    big = {"北京市": 2.2, "深圳市": 2.0, "上海市": 2.0, "杭州市": 1.6, "广州市": 1.6, "成都市": 1.2,
           "南京市": 1.0, "苏州市": 1.0, "武汉市": 1.0, "西安市": 0.8, "合肥市": 0.8}
    base = np.log(cities["weight"].to_numpy()) * 0.5 + rng.normal(0, 0.6, len(cities))
    base += cities["city"].map(big).fillna(0.0).to_numpy()
    cities = cities.assign(base=base)
    g = _grid(cities, "city")
    trend = np.where(g["year"] <= 2020, 0.22 * (g["year"] - 2010), 2.2 - 0.1 * (g["year"] - 2020))
    lx = (g["base"] + trend + rng.normal(0, 0.15, len(g))).to_numpy()
    small = cities.loc[cities["weight"] < 0.004, "city"]
    absent = set(small[rng.random(len(small)) < 0.3])
    drop = g["city"].isin(absent) | ((g["year"] == 2010) & (rng.random(len(g)) < 0.15))
    keep = ~drop.to_numpy()
    g = g.loc[keep].reset_index(drop=True)
    t = TARGETS["aicitynew"]
    v = _power_scale_capped(np.exp(lx[keep]), g["w"].to_numpy(), t.mean, t.sd, t.max)
    g["new_ai_firms"] = np.round(v).astype(np.int64)
    return g[["province", "city", "year", "new_ai_firms"]]


def smart_city_pilot(rng: np.random.Generator) -> pd.DataFrame:
    """Covered cities (≈83% of firm weight) with pilot flag, batch and approval year."""
    cities = city_frame().sort_values("city", kind="stable").reset_index(drop=True)
    order = rng.permutation(len(cities))
    w = cities["weight"].to_numpy()
    covered = np.ones(len(cities), bool)
    acc = 0.0
    for i in order:  # drop cities until ~17% of weight is uncovered
        if acc >= 0.17:
            break
        if acc + w[i] <= 0.20:
            covered[i] = False
            acc += w[i]
    pilot = np.zeros(len(cities), bool)
    cov_idx = [i for i in rng.permutation(len(cities)) if covered[i]]
    cov_w = w[covered].sum()
    acc = 0.0
    for i in cov_idx:
        if acc >= 0.47 * cov_w:
            break
        pilot[i] = True
        acc += w[i]
    batch = np.where(pilot, rng.choice([1, 2, 3], len(cities), p=[0.4, 0.35, 0.25]), 0)
    df = cities.loc[covered, ["province", "city"]].copy()
    df["pilot"] = pilot[covered]
    b = batch[covered]
    df["batch"] = pd.array([int(x) if x > 0 else None for x in b], dtype="Int64")
    df["approval_year"] = df["batch"] + 2011
    return df.reset_index(drop=True)


def us_robot_penetration(rng: np.random.Generator) -> pd.DataFrame:
    """US robots per thousand workers by CSRC manufacturing industry and year (the IV).

    Industry-specific growth rates give the instrument variation beyond year effects."""
    inds = [i for i in INDUSTRIES if i[0].startswith("C")]
    rows = []
    for code, *_ in inds:
        b = rng.normal(0.3, 0.9) + (1.8 if code in ("C36", "C39", "C38") else 0.0)
        gr = rng.normal(0.08, 0.09)
        for y in YEARS:
            rows.append((code, y, float(np.exp(b + gr * (y - 2010) + rng.normal(0, 0.02)))))
    df = pd.DataFrame(rows, columns=["industry_code", "year", "us_robot_penetration"])
    df["us_robot_penetration"] = df["us_robot_penetration"].round(4)
    return df


def regional_tables(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """All regional tables, keyed by warehouse table name (semantic column names)."""
    return {
        "robot_density": robot_density(rng),
        "new_energy": new_energy(rng),
        "ai_new_firms": ai_new_firms(rng),
        "smart_city_pilot": smart_city_pilot(rng),
        "us_robot_penetration": us_robot_penetration(rng),
    }
