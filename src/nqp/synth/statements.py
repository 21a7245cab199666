"""Financial statements from the firm-year economics: balance sheet (FS_Combas), income
statement (FS_Comins), cash-flow statements direct (FS_Comscfd) and indirect (FS_Comscfi),
report dates (IAR_Rept), valuation (FI_T10) and cash dividends (CD_Dividend).

Accounting identities hold in the consolidated (Typrep A) year-end rows:

- total assets = current + non-current assets; total assets = liabilities + equity;
- 经营活动现金流出小计 = goods/services + employees + taxes + other paid;
  net operating cash flow = inflow subtotal − outflow subtotal;
- net profit = total profit − income tax.

The indicator inputs are exact: A001212000/A001000000 is the fixed-asset share drawn in
:mod:`nqp.synth.economics`, and so on. Parent (B) rows are scaled copies; interim
(-06-30) and opening-balance (-01-01) rows are noise a reader must filter out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FIN_SPLIT = np.array([0.35, 0.30, 0.10, 0.25])  # trading, AFS, HTM, investment property


def _u(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return rng.uniform(lo, hi, n)


def accounts(p: pd.DataFrame, firms: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Year-end consolidated line items (元) for every panel firm-year; one row per firm-year."""
    n = len(p)
    nf = len(firms)
    fi = p["firm"].to_numpy()
    year = p["year"].to_numpy()
    a = pd.DataFrame({"firm": fi, "year": year})
    TA = np.exp(p["size"].to_numpy())
    eq = TA / p["equity_multiplier"].to_numpy()
    liab = TA - eq
    fa = p["fixed_share"].to_numpy() * TA
    ia = p["intangible_share"].to_numpy() * TA
    fin = p["finratio"].to_numpy() * TA
    core = fa + ia + fin
    over = np.maximum(core / (0.9 * TA), 1.0)
    fa, ia, fin = fa / over, ia / over, fin / over
    w = rng.dirichlet(FIN_SPLIT * 6, nf)[fi]
    post = year >= 2019  # 新金融工具准则: AFS and HTM reclassified
    trading = fin * np.where(post, w[:, 0] + w[:, 1] + w[:, 2], w[:, 0])
    afs = np.where(post, 0.0, fin * w[:, 1])
    htm = np.where(post, 0.0, fin * w[:, 2])
    ip = fin * w[:, 3]
    other_nc = TA * _u(rng, 0.02, 0.10, n)
    nca = fa + ia + afs + htm + ip + other_nc
    nca = np.minimum(nca, 0.97 * TA)
    other_nc = nca - (fa + ia + afs + htm + ip)
    ca = TA - nca
    cash = TA * rng.beta(3, 16, nf)[fi] * _u(rng, 0.8, 1.2, n)
    ar_ = TA * rng.beta(2, 14, nf)[fi] * _u(rng, 0.85, 1.15, n)
    inv = TA * rng.beta(2, 12, nf)[fi] * _u(rng, 0.85, 1.15, n)
    need = cash + trading + ar_ + inv
    shrink = np.where(need > 0.98 * ca, np.maximum(0.98 * ca - trading, 0) / np.maximum(cash + ar_ + inv, 1), 1.0)
    cash, ar_, inv = cash * shrink, ar_ * shrink, inv * shrink
    a["cash"], a["trading_financial_assets"], a["accounts_receivable"], a["inventory"] = cash, trading, ar_, inv
    a["current_assets"] = ca
    a["available_for_sale_financial_assets"], a["held_to_maturity_investments"] = afs, htm
    a["investment_property"], a["fixed_assets"], a["intangible_assets"] = ip, fa, ia
    a["noncurrent_assets"], a["total_assets"] = nca, TA
    cl = liab * _u(rng, 0.5, 0.88, n)
    ncl = liab - cl
    a["short_term_loans"] = cl * _u(rng, 0.05, 0.4, n)
    a["current_liabilities"] = cl
    lt = ncl * _u(rng, 0.2, 0.7, n)
    a["long_term_loans"] = lt
    a["bonds_payable"] = np.where((rng.random(nf) < 0.3)[fi], (ncl - lt) * _u(rng, 0.2, 0.9, n), 0.0)
    a["noncurrent_liabilities"], a["total_liabilities"], a["total_equity"] = ncl, liab, eq

    # income statement
    R = np.exp(p["ln_revenue"].to_numpy())
    NP = p["roa"].to_numpy() * TA
    sell = R * rng.beta(2, 30, nf)[fi] * _u(rng, 0.9, 1.1, n)
    admin = R * rng.beta(3, 40, nf)[fi] * _u(rng, 0.9, 1.1, n)
    rd_spend = R * p["rd_intensity"].to_numpy()
    rd_exp = rd_spend * rng.uniform(0.75, 1.0, nf)[fi]
    interest = (a["short_term_loans"] + lt + a["bonds_payable"]).to_numpy() * _u(rng, 0.035, 0.055, n)
    fin_exp = interest - cash * _u(rng, 0.005, 0.015, n)
    rd_line = np.where(year >= 2018, rd_exp, np.nan)
    admin_total = admin + np.where(year >= 2018, 0.0, rd_exp)  # R&D sat in 管理费用 before 2018
    tax_s = R * _u(rng, 0.005, 0.012, n)
    impair_loss = TA * np.abs(rng.normal(0.0015, 0.002, n))
    tax = np.where(NP > 0, NP * _u(rng, 0.12, 0.22, n), TA * 0.0004)
    tp = NP + tax
    nonop = TA * rng.normal(0.0, 0.0015, n)
    op = tp - nonop
    inv_income = TA * _u(rng, 0.0, 0.006, n)
    toc = R - op + inv_income
    cost = toc - (tax_s + sell + admin_total + np.nan_to_num(rd_line) + fin_exp + impair_loss)
    floor = 0.2 * R
    fix = cost < floor
    inv_income = np.where(fix, inv_income + (floor - cost), inv_income)
    cost = np.maximum(cost, floor)
    toc = cost + tax_s + sell + admin_total + np.nan_to_num(rd_line) + fin_exp + impair_loss
    a["total_operating_revenue"] = R
    a["operating_revenue"] = R
    a["total_operating_cost"] = toc
    a["operating_cost"] = cost
    a["selling_expenses"], a["admin_expenses"], a["rd_expenses"] = sell, admin_total, rd_line
    a["finance_expenses"], a["operating_profit"], a["total_profit"] = fin_exp, op, tp
    a["income_tax"], a["net_profit"] = tax, NP
    a["rd_spending"], a["rd_expensed"] = rd_spend, rd_exp

    # cash flows (direct) and the indirect-method add-backs
    emp = np.maximum(np.round(np.exp(p["ln_employees"].to_numpy())), 8)
    pay = emp * p["wage"].to_numpy()
    a["employees"], a["total_pay"] = emp, pay
    dep = fa * rng.uniform(0.05, 0.11, nf)[fi]
    amo = ia * rng.uniform(0.04, 0.10, nf)[fi]
    imp = TA * rng.normal(0.002, 0.002, n)
    goods = cost * _u(rng, 0.72, 1.0, n)
    _u(rng, 0.93, 1.0, n)  # (drawn, unused: keeps the draws after it as they were)
    paid_emp = pay  # 支付给职工以及为职工支付的现金 = total pay (the panel's total_pay)
    taxes_paid = R * _u(rng, 0.03, 0.08, n)
    mos = p["mos_target"].to_numpy()
    base = goods + paid_emp
    x = mos * base / (1 - mos)
    other = np.maximum(x - taxes_paid - dep - amo - imp, 0.003 * R)
    out = goods + paid_emp + taxes_paid + other
    sales_cash = R * _u(rng, 1.0, 1.15, n)
    inflow = sales_cash + R * _u(rng, 0.01, 0.05, n)
    a["cash_from_sales"], a["operating_cash_inflow"] = sales_cash, inflow
    a["cash_paid_goods_services"], a["cash_paid_employees"] = goods, paid_emp
    a["taxes_paid"], a["other_operating_cash_paid"], a["operating_cash_outflow"] = taxes_paid, other, out
    a["net_operating_cash_flow"] = inflow - out
    capex = TA * _u(rng, 0.015, 0.08, n)
    a["capex"] = capex
    a["net_investing_cash_flow"] = -capex * _u(rng, 0.6, 1.4, n)
    div = np.maximum(p["payout"].to_numpy() * NP, 0.0)
    a["cash_dividend_total"] = div
    a["dividends_interest_paid"] = interest * _u(rng, 0.8, 1.0, n) + div * 0.9
    a["net_financing_cash_flow"] = TA * rng.normal(0.0, 0.03, n)
    a["net_profit_indirect"] = NP
    a["asset_impairment_provisions"] = imp
    a["depreciation_fixed_assets"], a["amortisation_intangibles"] = dep, amo
    a["amortisation_prepaid"] = TA * _u(rng, 0.0, 0.004, n)
    a["main_business_revenue"] = R * p["mb_share"].to_numpy()
    q = np.maximum(p["tobin_q"].to_numpy(), liab / TA + 0.15)
    a["tobin_q"] = q
    a["book_to_market"] = eq / (q * TA - liab)
    bvps = rng.uniform(2.5, 8.0, nf)[fi]
    a["cash_dividend_per_share"] = div / (eq / bvps)
    return a


STOCK_COLS = ["cash", "trading_financial_assets", "accounts_receivable", "inventory", "current_assets",
              "available_for_sale_financial_assets", "held_to_maturity_investments", "investment_property",
              "fixed_assets", "intangible_assets", "noncurrent_assets", "total_assets", "short_term_loans",
              "current_liabilities", "long_term_loans", "bonds_payable", "noncurrent_liabilities",
              "total_liabilities", "total_equity", "tobin_q", "book_to_market"]


def statement_rows(acc: pd.DataFrame, firms: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Stack consolidated (A) and parent (B) year-end rows plus interim (-06-30) and a few
    opening-balance (-01-01) rows; adds ``stkcd``, ``accper``, ``typrep``."""
    stk = firms["stkcd"].to_numpy()[acc["firm"].to_numpy()]
    amt = [c for c in acc.columns if c not in ("firm", "year", "employees", "total_pay")]
    A = acc.copy()
    A["typrep"] = "A"
    A["accper"] = [f"{y}-12-31" for y in A["year"]]
    B = acc.copy()
    factor = rng.uniform(0.35, 0.9, len(firms))[acc["firm"].to_numpy()] * rng.uniform(0.95, 1.05, len(acc))
    flows = [c for c in amt if c not in STOCK_COLS or c in ("tobin_q", "book_to_market")]
    for c in amt:
        if c not in ("tobin_q", "book_to_market"):
            B[c] = B[c] * factor
    B["typrep"] = "B"
    B["accper"] = A["accper"]
    half = acc[rng.random(len(acc)) < 0.12].copy()
    for c in flows:
        if c not in ("tobin_q", "book_to_market"):
            half[c] = half[c] * rng.uniform(0.4, 0.6, len(half))
    for c in STOCK_COLS:
        half[c] = half[c] * rng.uniform(0.95, 1.05, len(half))
    half["typrep"] = "A"
    half["accper"] = [f"{y}-06-30" for y in half["year"]]
    rows = pd.concat([A, B, half], ignore_index=True)
    rows.insert(0, "stkcd", np.concatenate([stk, stk, firms["stkcd"].to_numpy()[half["firm"].to_numpy()]]))
    return rows.sort_values(["stkcd", "accper", "typrep"], kind="stable").reset_index(drop=True)


def opening_rows(acc: pd.DataFrame, firms: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A few restated opening balances (Accper YYYY-01-01), balance sheet only."""
    o = acc[rng.random(len(acc)) < 0.02].copy()
    o["stkcd"] = firms["stkcd"].to_numpy()[o["firm"].to_numpy()]
    o["typrep"] = "A"
    o["accper"] = [f"{y + 1}-01-01" for y in o["year"]]
    for c in STOCK_COLS:
        o[c] = o[c] * rng.uniform(0.99, 1.01, len(o))
    return o


def report_dates(panel: pd.DataFrame, firms: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """IAR_Rept: annual reports (Reptyp 4, announced Jan 20 - Apr 30 of the next year) and
    semi-annual ones (Reptyp 2, 中报)."""
    ly = firms["list_year"].to_numpy()[panel["firm"].to_numpy()]
    pn = panel[panel["year"].to_numpy() >= ly]
    stk = firms["stkcd"].to_numpy()[pn["firm"].to_numpy()]
    y = pn["year"].to_numpy()
    doy = rng.integers(20, 120, len(pn))
    ann = pd.to_datetime([f"{v + 1}-01-01" for v in y]) + pd.to_timedelta(doy - 1, unit="D")
    annual = pd.DataFrame({"stkcd": stk, "accper": [f"{v}-12-31" for v in y], "report_type": 4,  # 4 = 年报
                           "announce_date": ann.strftime("%Y-%m-%d")})
    hd = rng.integers(1, 31, len(pn))
    semi = pd.DataFrame({"stkcd": stk, "accper": [f"{v}-06-30" for v in y], "report_type": 2,
                         "announce_date": [f"{v}-08-{d:02d}" for v, d in zip(y, hd)]})
    out = pd.concat([annual, semi], ignore_index=True)
    return out.sort_values(["stkcd", "accper"], kind="stable").reset_index(drop=True)
