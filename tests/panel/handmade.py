"""A tiny hand-written warehouse: 3 firms x 3 years, statements typed in by hand.

Tables are created with the shipped mappings' columns (so base.sql finds every field); only
the cells below are filled, everything else is NULL. Numbers are chosen so that every formula
can be checked with plain arithmetic in the tests.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from nqp.ingest.mapping import load_mappings
from nqp.ingest.validate import SQL_TYPES

FIRMS = ["000001", "000002", "600003"]
YEARS = [2015, 2016, 2017]


def _q(n: str) -> str:
    return '"' + n + '"'


def write_warehouse(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Create ``path`` with one table per entry, typed by the shipped mapping of that name."""
    maps = load_mappings()
    con = duckdb.connect(str(path))
    try:
        for name, df in tables.items():
            m = maps.get(name)
            if m is None:  # a document-stage table: take the frame's own types
                con.register("_df", df)
                con.execute(f"CREATE TABLE {_q(name)} AS SELECT * FROM _df")
                con.unregister("_df")
                continue
            cols = ", ".join(f"{_q(f.name)} {SQL_TYPES[f.type]}" for f in m.fields)
            con.execute(f"CREATE TABLE {_q(name)} ({cols})")
            if len(df):
                con.register("_df", df)
                names = ", ".join(_q(c) for c in df.columns)
                con.execute(f"INSERT INTO {_q(name)} ({names}) SELECT {names} FROM _df")
                con.unregister("_df")
    finally:
        con.close()
    return path


def statements() -> dict[str, pd.DataFrame]:
    """Hand-made statements. Firm i (0, 1, 2), year t (0, 1, 2): simple closed forms."""
    bs, inc, cfd, cfi, emp, rd, rdx, reg, nm, msh, inst, en = ([] for _ in range(12))
    for i, s in enumerate(FIRMS):
        for t, y in enumerate(YEARS):
            d = pd.Timestamp(f"{y}-12-31")
            ta = 1000.0 * (i + 1) + 100.0 * t
            bs.append(dict(stkcd=s, accper=d, typrep="A", total_assets=ta, total_equity=ta / 2,
                           total_liabilities=ta / 2, fixed_assets=0.3 * ta, intangible_assets=0.1 * ta,
                           trading_financial_assets=10.0 * (i + 1), investment_property=5.0,
                           current_assets=0.4 * ta, current_liabilities=0.2 * ta))
            # a parent-company (B) row and a half-year row that base.sql must ignore
            bs.append(dict(stkcd=s, accper=d, typrep="B", total_assets=1.0, total_equity=1.0))
            bs.append(dict(stkcd=s, accper=pd.Timestamp(f"{y}-06-30"), typrep="A", total_assets=2.0,
                           total_equity=1.0))
            rev = 500.0 * (i + 1) + 50.0 * t
            inc.append(dict(stkcd=s, accper=d, typrep="A", operating_revenue=rev, net_profit=0.1 * rev,
                            operating_cost=0.6 * rev, selling_expenses=0.05 * rev, admin_expenses=0.05 * rev,
                            finance_expenses=0.01 * rev, total_profit=0.12 * rev))
            cfd.append(dict(stkcd=s, accper=d, typrep="A", operating_cash_outflow=400.0 + 10 * t,
                            cash_paid_goods_services=200.0 + i, cash_paid_employees=80.0))
            cfi.append(dict(stkcd=s, accper=d, typrep="A", depreciation_fixed_assets=30.0,
                            amortisation_intangibles=10.0 + t, asset_impairment_provisions=5.0))
            emp.append(dict(stkcd=s, end_date=d, employees=100 * (i + 1) + 10 * t, phd_staff=2 + t,
                            master_staff=10 + i, tech_staff=40 + i))
            rd.append(dict(stkcd=s, end_date=d, rd_staff=20 + i + t))
            rdx.append(dict(stkcd=s, accper=d, rd_staff_pay=200.0 + 10 * t, rd_direct_input=25.0 + i))
            reg.append(dict(stkcd=s, accper=d, main_business_revenue=0.9 * rev, domestic_revenue=0.8 * rev,
                            overseas_revenue=0.1 * rev))
            msh.append(dict(stkcd=s, end_date=d, management_share_pct=5.0 * (i + 1)))
            inst.append(dict(stkcd=s, end_date=d, institutional_share_pct=30.0 + t))
            en.append(dict(stkcd=s, year=y, water=1000.0 * (t + 1), electricity=2.0 + i, coal=None))
            name = {"000001": "平安银行", "000002": "万科A", "600003": "东北高速"}[s]
            if s == "600003" and y == 2016:
                name = "*ST东北"
            nm.append(dict(stkcd=s, end_date=d, short_name=name))
    co = pd.DataFrame([
        dict(stkcd="000001", short_name="平安银行", industry_code="J66", province="广东省", city="深圳市",
             ownership_type="非国有企业", found_date=pd.Timestamp("1987-12-22")),
        dict(stkcd="000002", short_name="万科A", industry_code="K70", province="广东省", city="深圳市",
             ownership_type="国有企业", found_date=pd.Timestamp("1984-05-30")),
        dict(stkcd="600003", short_name="ST东北", industry_code="C39", province="吉林省", city="长春市",
             ownership_type="国有企业", found_date=pd.Timestamp("1999-08-10")),
    ])
    subs = pd.DataFrame([
        dict(stkcd="000002", accper=pd.Timestamp("2016-12-31"), subsidiary="a", country="美国", overseas=True),
        dict(stkcd="000002", accper=pd.Timestamp("2016-12-31"), subsidiary="b", country="美国", overseas=True),
        dict(stkcd="000002", accper=pd.Timestamp("2016-12-31"), subsidiary="c", country="英国", overseas=True),
        dict(stkcd="000002", accper=pd.Timestamp("2016-12-31"), subsidiary="d", country="中国", overseas=False),
    ])
    robot = pd.DataFrame([dict(province="广东省", year=y, robot_density=100.0 + y - 2015) for y in YEARS])
    smart = pd.DataFrame([dict(province="广东省", city="深圳市", pilot=True, batch=2, approval_year=2016),
                          dict(province="吉林省", city="长春市", pilot=False, batch=None, approval_year=None)])
    return {"asset_items": asset_items(), "balance_sheet": pd.DataFrame(bs), "income_statement": pd.DataFrame(inc),
            "cash_flow_direct": pd.DataFrame(cfd), "cash_flow_indirect": pd.DataFrame(cfi),
            "employee_structure": pd.DataFrame(emp), "rd_spending": pd.DataFrame(rd),
            "rd_expense_items": pd.DataFrame(rdx),
            "revenue_by_region": pd.DataFrame(reg), "short_name_annual": pd.DataFrame(nm),
            "management_shareholding": pd.DataFrame(msh), "institutional_ownership": pd.DataFrame(inst),
            "energy_use": pd.DataFrame(en), "company_profile": co, "subsidiaries": subs,
            "robot_density": robot, "smart_city_pilot": smart}


def asset_items() -> pd.DataFrame:
    """Fixed/intangible asset-note items. AIinvest by hand (AI keyword items / all items of the
    two classes at the year end): 000001 2015: (100 + 100) / (600 + 100 + 200 + 100 + 50) = 200/1050
    (软件 is not AI; the 在建工程 and the half-year rows are ignored); 000001 2016: 0 (items, none AI:
    自动化生产线 is not AI); 000002 2016: 30/100; 600003 2015: 40/40 = 1; 600003 2016: all items 0
    -> 0/0 -> missing; every other firm-year: no items -> missing."""
    rows = [
        ("000001", "2015-12-31", "固定资产", "房屋及建筑物", 600.0),
        ("000001", "2015-12-31", "固定资产", "工业机器人", 100.0),
        ("000001", "2015-12-31", "无形资产", "土地使用权", 200.0),
        ("000001", "2015-12-31", "无形资产", "人工智能平台", 100.0),
        ("000001", "2015-12-31", "无形资产", "软件", 50.0),
        ("000001", "2015-12-31", "在建工程", "智能工厂", 300.0),
        ("000001", "2015-06-30", "固定资产", "智能设备", 999.0),
        ("000001", "2016-12-31", "固定资产", "房屋及建筑物", 500.0),
        ("000001", "2016-12-31", "固定资产", "自动化生产线", 100.0),
        ("000002", "2016-12-31", "固定资产", "机器视觉检测设备", 30.0),
        ("000002", "2016-12-31", "固定资产", "机器设备", 70.0),
        ("000002", "2016-12-31", "无形资产", "智能算法软件", 0.0),
        ("600003", "2015-12-31", "固定资产", "智能制造设备", 40.0),
        ("600003", "2016-12-31", "固定资产", "房屋及建筑物", 0.0),
    ]
    d = pd.DataFrame(rows, columns=["stkcd", "accper", "asset_class", "item", "closing_amount"])
    d["accper"] = pd.to_datetime(d["accper"])
    return d


def patent_counts() -> pd.DataFrame:
    return pd.DataFrame({"stkcd": ["000002", "600003"], "year": [2016, 2017], "ai_patents": [3, 7],
                         "ai_invention": [2, 4], "ai_utility": [1, 3]})
