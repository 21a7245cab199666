"""Non-statement CSMAR tables: company profile (TRD_Co), year-end short names with ST/*ST/PT
(STK_LISTEDCOINFOANL), R&D (PT_LCRDSPENDING), employees (CG_Empstru), management and
institutional ownership, revenue by region, dividends, subsidiaries and energy use.

Energy: physical quantities are drawn from total standard coal (吨标准煤, tce) and a
firm-specific source mix; the conversion factors (GB/T 2589 style, kgce per unit) are
:data:`TCE_FACTORS`. The truth total is recomputed from the *rounded* written values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqp.synth.calibration import LAST_YEAR

# kg standard coal per physical unit; units as written (万千瓦时, 吨, 万立方米)
TCE_FACTORS = {
    "water": 0.0857 / 1000,            # tce per 吨 water (0.0857 kgce/t)
    "electricity": 0.1229 * 10,        # tce per 万千瓦时 (0.1229 kgce/kWh)
    "coal": 0.7143,                    # tce per 吨 raw coal
    "natural_gas": 1.2143 * 10,        # tce per 万立方米 (1.2143 kgce/m³)
    "gasoline": 1.4714,                # tce per 吨
    "diesel": 1.4571,                  # tce per 吨
}


def year_dates(years: np.ndarray, md: str = "12-31") -> list[str]:
    """``YYYY-<md>`` for each year (each distinct year formatted once)."""
    values = np.asarray(years).tolist()
    text = {y: f"{y}-{md}" for y in set(values)}
    return [text[y] for y in values]


def _insample(p: pd.DataFrame) -> pd.DataFrame:
    return p[p["in_sample"]]


def year_end_names(firms: pd.DataFrame, p: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Short name at each year end from listing (at the earliest 1999): ST/*ST prefixes in
    special-treatment years, PT in 1999-2001 for a few firms, the former name before a rename."""
    rows_f, rows_y = [], []
    for f, ly, ex in zip(firms["firm"], firms["list_year"], firms["exit_year"]):
        end = ex if ex else LAST_YEAR
        ys = range(max(ly, 1999), end + 1)
        rows_f += [f] * len(ys)
        rows_y += list(ys)
    d = pd.DataFrame({"firm": rows_f, "year": rows_y})
    st = d.merge(p[["firm", "year", "st_flag"]], how="left", on=["firm", "year"])["st_flag"]
    st = st.fillna("").to_numpy(dtype=object)
    pre = d["year"].to_numpy() < 2009
    u = rng.random(len(d))
    st = np.where(pre & (u < 0.03), "ST", st)
    st = np.where(pre & (d["year"].to_numpy() <= 2001) & (u > 0.99), "PT", st)
    fi = d["firm"].to_numpy()
    cy = firms["name_change_year"].to_numpy()[fi]
    base = np.where((cy > 0) & (d["year"].to_numpy() < cy), firms["former_short_name"].to_numpy()[fi],
                    firms["short_name"].to_numpy()[fi])
    d["short_name"] = [s + b for s, b in zip(st, base)]
    d["stkcd"] = firms["stkcd"].to_numpy()[fi]
    d["end_date"] = year_dates(d["year"].to_numpy())
    d["st"] = st
    return d


def company_profile(firms: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    last = names.groupby("firm")["short_name"].last()
    c = firms.copy()
    c["short_name"] = last.reindex(c["firm"]).to_numpy()
    c["status"] = np.where(c["exit_year"] > 0, "D", "A")
    c["status_date"] = [f"{y}-06-28" if y else None for y in c["exit_year"]]
    c["soe"] = c["soe"].astype(bool)
    return c.sort_values("stkcd", kind="stable").reset_index(drop=True)


def rd_spending(p: pd.DataFrame, acc: pd.DataFrame, stk: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """R&D input; ~8% of 2010-2011 and ~2% of later firm-years not disclosed (no row)."""
    m = p["in_sample"].to_numpy()
    y = p["year"].to_numpy()
    keep = m & (rng.random(len(p)) >= np.where(y <= 2011, 0.08, 0.02))
    emp = acc["employees"].to_numpy()
    staff = np.round(emp * p["rd_staff_share"].to_numpy())
    wage = p["wage"].to_numpy()
    pay = np.minimum(staff * wage * p["rd_pay_premium"].to_numpy(), 0.95 * acc["total_pay"].to_numpy())
    d = pd.DataFrame({"stkcd": stk, "end_date": year_dates(y), "rd_staff": staff.astype(np.int64),
                      "rd_spending": acc["rd_spending"].to_numpy(), "rd_expensed": acc["rd_expensed"].to_numpy(),
                      "rd_staff_pay": pay,
                      "rd_direct_input": acc["rd_spending"].to_numpy() * p["direct_input_frac"].to_numpy()})
    return d[keep]


def employee_structure(p: pd.DataFrame, acc: pd.DataFrame, stk: np.ndarray,
                       rng: np.random.Generator) -> pd.DataFrame:
    """Employees by education and function; ~1.5% of firm-years missing."""
    emp = acc["employees"].to_numpy().astype(np.int64)
    edu = np.round(emp * p["edu_share"].to_numpy()).astype(np.int64)
    phd = np.round(edu * p["phd_frac"].to_numpy()).astype(np.int64)
    bach = np.minimum(np.round(emp * p["bachelor_share"].to_numpy()).astype(np.int64), emp - edu)
    tech = np.round(emp * p["tech_share"].to_numpy()).astype(np.int64)
    rd = np.round(emp * p["rd_staff_share"].to_numpy()).astype(np.int64)
    tech = np.maximum(tech, rd)
    rest = emp - tech
    prod = np.round(rest * p["prod_frac"].to_numpy()).astype(np.int64)
    rem = rest - prod
    sales = np.round(rem * 0.5).astype(np.int64)
    finance = np.round(rem * 0.15).astype(np.int64)
    admin = rem - sales - finance
    d = pd.DataFrame({"stkcd": stk, "end_date": year_dates(p["year"].to_numpy()), "employees": emp,
                      "phd_staff": phd, "master_staff": edu - phd, "bachelor_staff": bach, "tech_staff": tech,
                      "production_staff": prod, "sales_staff": sales, "finance_staff": finance,
                      "admin_staff": admin, "total_pay": acc["total_pay"].to_numpy()})
    keep = p["in_sample"].to_numpy() & (rng.random(len(p)) >= 0.015)
    return d[keep]


def management_shareholding(p: pd.DataFrame, stk: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    v = np.round(p["mshare"].to_numpy(), 4)
    v = np.where(rng.random(len(p)) < 0.03, np.nan, v)
    d = pd.DataFrame({"stkcd": stk, "end_date": year_dates(p["year"].to_numpy()), "management_share_pct": v})
    return d[p["in_sample"].to_numpy()]


def institutional_ownership(p: pd.DataFrame, stk: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Quarterly rows; the year-end value is the firm-year's INST (0.1% of year ends missing)."""
    m = p["in_sample"].to_numpy()
    base = p["inst"].to_numpy()[m]
    s, y = stk[m], p["year"].to_numpy()[m]
    parts = []
    for md, noise in (("03-31", 3.0), ("06-30", 2.0), ("09-30", 3.0), ("12-31", 0.0)):
        v = np.clip(base + rng.normal(0, noise, len(base)), 0.01, 99.9) if noise else base
        keep = np.ones(len(base), bool) if noise else rng.random(len(base)) >= 0.001
        parts.append(pd.DataFrame({"stkcd": s[keep], "end_date": year_dates(y[keep], md),
                                   "institutional_share_pct": np.round(v[keep], 4)}))
    return pd.concat(parts, ignore_index=True).sort_values(["stkcd", "end_date"], kind="stable")


def revenue_by_region(p: pd.DataFrame, acc: pd.DataFrame, stk: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Main-business revenue split domestic / overseas; ~1% of firm-years missing."""
    mb = np.round(acc["main_business_revenue"].to_numpy(), 2)
    ov = np.round(mb * p["over_rev"].to_numpy(), 2)
    d = pd.DataFrame({"stkcd": stk, "accper": year_dates(p["year"].to_numpy()), "main_business_revenue": mb,
                      "domestic_revenue": np.round(mb - ov, 2), "overseas_revenue": ov})
    keep = ~p["in_sample"].to_numpy() | (rng.random(len(p)) >= 0.01)
    return d[keep]


def dividends(p: pd.DataFrame, acc: pd.DataFrame, stk: np.ndarray) -> pd.DataFrame:
    tot = acc["cash_dividend_total"].to_numpy()
    m = p["in_sample"].to_numpy() & (tot > 0)
    return pd.DataFrame({"stkcd": stk[m], "fiscal_year": p["year"].to_numpy()[m],
                         "cash_dividend_per_share": np.round(acc["cash_dividend_per_share"].to_numpy()[m], 4),
                         "cash_dividend_total": tot[m]})


def subsidiary_rows(p: pd.DataFrame, subs: pd.DataFrame, stk_of_firm: np.ndarray) -> pd.DataFrame:
    """One row per subsidiary consolidated in a raw firm-year."""
    fy = p.loc[p["in_sample"], ["firm", "year"]]
    m = fy.merge(subs, on="firm")
    m = m[m["start_year"] <= m["year"]]
    return pd.DataFrame({"stkcd": stk_of_firm[m["firm"].to_numpy()], "accper": year_dates(m["year"].to_numpy()),
                         "subsidiary": m["subsidiary"].to_numpy(), "country": m["country"].to_numpy(),
                         "establish_date": year_dates(m["start_year"].to_numpy(), "03-15"),
                         "overseas": np.where(m["overseas"].to_numpy(), "是", "否"),
                         "holding_pct": m["holding_pct"].to_numpy(), "year": m["year"].to_numpy(),
                         "firm": m["firm"].to_numpy()})


def energy_use(p: pd.DataFrame, firms: pd.DataFrame, stk: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Energy by source in physical units from total tce and a firm source mix; ~2% missing.

    Returns the written table plus ``energy_tce`` recomputed from the rounded values."""
    n = len(p)
    nf = len(firms)
    fi = p["firm"].to_numpy()
    heavy = firms["heavy"].to_numpy()[fi]
    tce = np.exp(p["ln_energy_tce"].to_numpy())
    uses_coal = (rng.random(nf) < np.where(firms["heavy"].to_numpy(), 0.8, 0.25))[fi]
    w = np.column_stack([
        rng.uniform(0.4, 0.8, nf)[fi],                              # electricity
        np.where(uses_coal, rng.uniform(0.2, 1.2, nf)[fi] * (1 + heavy), 0.0),  # coal
        rng.uniform(0.0, 0.3, nf)[fi],                              # natural gas
        rng.uniform(0.005, 0.05, nf)[fi],                           # gasoline
        rng.uniform(0.005, 0.08, nf)[fi],                           # diesel
    ]) * rng.uniform(0.9, 1.1, (n, 5))
    w = w / w.sum(axis=1, keepdims=True)
    t = tce[:, None] * w
    f = TCE_FACTORS
    d = pd.DataFrame({"stkcd": stk, "year": p["year"].to_numpy()})
    d["electricity"] = np.round(t[:, 0] / f["electricity"], 2)
    d["coal"] = np.round(t[:, 1] / f["coal"], 2)
    d["natural_gas"] = np.round(t[:, 2] / f["natural_gas"], 2)
    d["gasoline"] = np.round(t[:, 3] / f["gasoline"], 2)
    d["diesel"] = np.round(t[:, 4] / f["diesel"], 2)
    d["water"] = np.round(np.exp(p["ln_revenue"].to_numpy() - 11.0 + rng.normal(0, 0.5, n)), 2)
    d["energy_tce"] = sum(d[k] * f[k] for k in f)
    keep = p["in_sample"].to_numpy() & (rng.random(n) >= 0.02)
    return d[keep]


def name_changes(firms: pd.DataFrame) -> pd.DataFrame:
    """STK_LISTEDCOINFOCHG rows of the firms that changed their name (更名): the full name
    (公司全称) and the short name (证券简称), effective June 1 of the change year."""
    ch = firms[firms["name_change_year"] > 0]
    y = ch["name_change_year"].to_numpy()
    rows = []
    for item, before, after in (("公司全称", "former_full_name", "full_name"),
                                ("证券简称", "former_short_name", "short_name")):
        rows.append(pd.DataFrame({"stkcd": ch["stkcd"].to_numpy(), "announce_date": year_dates(y, "05-20"),
                                  "implement_date": year_dates(y, "06-01"), "changed_item": item,
                                  "value_before": ch[before].to_numpy(), "value_after": ch[after].to_numpy()}))
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["stkcd", "implement_date", "changed_item"], kind="stable").reset_index(drop=True)
