"""Real CSMAR layouts, hand-written from the public evidence in csmar-fields.md (tests/data/real),
load with the right values in the right semantic columns.

Each fixture is a file as a CSMAR licensee downloads it (codes, two descriptive rows, extra
columns nqp does not read, rows its filters drop); the expected values are read off the
fixture by hand, not produced by nqp.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from nqp.errors import SchemaError
from nqp.ingest import ingest, read_table

REAL = Path(__file__).parent.parent / "data" / "real"


def _load(tmp_path: Path, *files: str, rename: dict[str, str] | None = None):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for f in files:
        shutil.copy(REAL / f, data / (rename or {}).get(f, f))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = ingest(data, tmp_path / "w.duckdb", progress=False, required=())
    return report, tmp_path / "w.duckdb"


def test_indirect_cash_flow_codes_are_not_off_by_one(tmp_path):
    _, db = _load(tmp_path, "FS_Comscfi.txt")
    a = read_table(db, "cash_flow_indirect").set_index("typrep").loc["A"]
    assert a["net_profit_indirect"] == 1000.0          # D000101000 净利润 (D000100000 = 9000 is OCF)
    assert a["asset_impairment_provisions"] == 20.0    # D000102000
    assert a["depreciation_fixed_assets"] == 300.0     # D000103000
    assert a["amortisation_intangibles"] == 40.0       # D000104000
    assert a["amortisation_prepaid"] == 5.0            # D000105000


def test_company_staff_long_table_pivots_with_units(tmp_path):
    rep, db = _load(tmp_path, "STK_CompanyStaff.csv")
    e = read_table(db, "employee_structure").set_index("stkcd")
    assert e.loc["000001", "employees"] == 12000       # 1.2 万人
    assert (e.loc["000001", "phd_staff"], e.loc["000001", "master_staff"], e.loc["000001", "bachelor_staff"]) == (5, 30, 200)
    assert e.loc["000001", "tech_staff"] == 120        # 技术人员 + 研发技术人员
    assert (e.loc["000001", "production_staff"], e.loc["000001", "sales_staff"]) == (7000, 3000)
    assert (e.loc["000001", "finance_staff"], e.loc["000001", "admin_staff"]) == (80, 1800)
    assert e.loc["000002", "employees"] == 900 and pd.isna(e.loc["000002", "phd_staff"])
    assert rep["employee_structure"].other_category_rows == 1  # P5702 离退休人员


def test_rd_spending_keeps_consolidated_periodic_rows(tmp_path):
    rep, db = _load(tmp_path, "PT_LCRDSPENDING.csv", "FN_Fn060.csv")
    rd = read_table(db, "rd_spending")
    assert len(rd) == 1 and rd.loc[0, "rd_staff"] == 120 and rd.loc[0, "rd_spending"] == 5_000_000.0
    assert rd.loc[0, "rd_expensed"] == 4_000_000.0
    assert rep["rd_spending"].filtered_rows == 2       # StateTypeCode 2; Source 1 (招股说明书)
    items = read_table(db, "rd_expense_items")
    assert items.loc[0, "rd_staff_pay"] == 2_000_000.0  # 职工薪酬 of Typrep A (not B's 1.5m)
    assert items.loc[0, "rd_direct_input"] == 900_000.0


def test_management_ratio_dividends_report_types_subsidiaries(tmp_path):
    _, db = _load(tmp_path, "BDT_ManaGovAbil.csv", "CD_Dividend.csv", "IAR_Rept.csv", "STK_NotesSubJoint.csv")
    assert read_table(db, "management_shareholding").loc[0, "management_share_pct"] == 12.5
    dv = read_table(db, "dividends").set_index("stkcd")
    assert dv.loc["000001", "cash_dividend_per_share"] == pytest.approx(0.35)   # interim 0.10 + final 0.25
    assert dv.loc["000001", "cash_dividend_total"] == 3_500_000.0
    assert pd.isna(dv.loc["000002", "cash_dividend_per_share"])               # a 送转-only plan
    rt = read_table(db, "report_dates").set_index("report_type")
    assert str(rt.loc[4, "accper"].date()) == "2021-12-31"                     # 4 = 年报
    subs = read_table(db, "subsidiaries").set_index("subsidiary")
    assert subs.loc["平安国际(香港)有限公司", "country"] == "中国香港"
    assert bool(subs.loc["平安国际(香港)有限公司", "overseas"]) is True
    assert subs.loc["深圳平安科技有限公司", "holding_pct"] == 60.0
    assert pd.isna(subs.loc["深圳平安科技有限公司", "establish_date"])          # 0000-00-00 is no date


def test_chinese_label_headers_and_zero_dates(tmp_path):
    rep, db = _load(tmp_path, "TRD_Co_labels.csv", rename={"TRD_Co_labels.csv": "TRD_Co.csv"})
    co = read_table(db, "company_profile").set_index("stkcd")
    assert co.loc["000002", "full_name"] == "万科企业股份有限公司" and co.loc["000001", "industry_code"] == "J66"
    assert str(co.loc["000001", "list_date"].date()) == "1991-04-03"
    assert pd.isna(co.loc["000002", "status_date"]) and rep["company_profile"].zero_dates == 1


def test_older_vintage_subtotal_computed_from_items(tmp_path):
    rep, db = _load(tmp_path, "FS_Comscfd_2009.csv")
    cf = read_table(db, "cash_flow_direct")
    assert cf.loc[0, "operating_cash_outflow"] == 400.0 + 100.0 + 50.0 + 30.0
    assert pd.isna(cf.loc[0, "operating_cash_inflow"])
    assert any("C001200000" in n and "computed as" in n for n in rep.notes())


def test_xls_export_without_typrep(tmp_path):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("FI_T10")
    rows = [["Stkcd", "ShortName", "Accper", "Indcd", "Source", "F100901A", "F101001A"],
            ["证券代码", "证券简称", "统计截止日期", "行业代码", "数据来源", "托宾Q值A", "账面市值比A"],
            ["没有单位"] * 5 + ["没有单位", "没有单位"],
            ["000001", "平安银行", "2021-12-31", "J01", "0", 1.25, 0.8]]
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            ws.write(i, j, v)
    data = tmp_path / "data"
    data.mkdir()
    wb.save(str(data / "FI_T10.xls"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = ingest(data, tmp_path / "w.duckdb", progress=False, required=())
    v = read_table(tmp_path / "w.duckdb", "valuation")
    assert (v.loc[0, "tobin_q"], v.loc[0, "book_to_market"]) == (1.25, 0.8)
    assert rep["valuation"].files == ("FI_T10.xls",)


def test_every_bad_cell_listed_with_the_users_column(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    lines = (REAL / "IAR_Rept.csv").read_text(encoding="utf-8").splitlines()[:3]
    lines += [f"000001,2020-{m:02d}-28,9,2021-01-01" for m in range(1, 13)]      # 12 bad codes
    lines += [f"00000{i},2021-12-31,4,not a date" for i in range(2, 9)]          # 7 bad dates
    lines += ["000010,2021-12-31,4,2022-04-01"] * 0 + ["00x011,2021-12-31,x,2022-04-01"]  # 2 in one row
    (data / "IAR_Rept.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        ingest(data, tmp_path / "w.duckdb", progress=False, required=())
    msg = str(err.value)
    assert "21 bad cell(s)" in msg and "(and 1 more)" in msg
    assert "line 4, column 'Reptyp': '9' is not one of the codes (1 = 第一季度季报" in msg
    assert "line 16, column 'Annodt': 'not a date'" in msg
    assert msg.count("line ") == 20
    assert not (tmp_path / "w.duckdb").exists()


def test_bad_gbk_byte_named_at_its_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    text = (REAL / "IAR_Rept.csv").read_text(encoding="utf-8").splitlines()
    body = "\n".join(text[:3] + ["000001,2021-12-31,4,2022-03-10"] * 229).encode("gbk") + b"\n"
    bad = body + b"000001,2021-12-31,4,\x80\xff\n"  # line 233: not GBK
    (data / "IAR_Rept.csv").write_bytes(bad)
    from nqp.errors import EncodingError

    with pytest.raises(EncodingError, match=r"line 233") as err:
        ingest(data, tmp_path / "w.duckdb", progress=False, required=())
    assert err.value.row == 233
