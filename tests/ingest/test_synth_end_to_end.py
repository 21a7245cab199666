"""End to end: the synthetic exports of ``nqp synth`` ingest cleanly with the shipped mappings,
and the warehouse agrees with the same files read independently by pandas (the CSMAR reading
recipe of measurement-reference §7.1: ``skiprows=[1, 2]``, ``dtype=str``)."""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest

from nqp.errors import NqpWarning
from nqp.ingest import ingest, open_warehouse, read_table
from nqp.ingest.mapping import load_mappings

synth = pytest.importorskip("nqp.synth")
if not hasattr(synth, "write_synthetic"):
    pytest.skip("nqp.synth.write_synthetic is not built yet", allow_module_level=True)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("synth_e2e")
    raw = tmp / "raw"
    summary = synth.write_synthetic(raw, scale=0.05, seed=7, progress=False, pdf_reports=0)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.rglob("*") if p.is_file()}
    with warnings.catch_warnings():
        warnings.simplefilter("error", NqpWarning)  # clean: not even a warning
        report = ingest(raw, tmp / "wh.duckdb", progress=False)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.rglob("*") if p.is_file()}
    return raw, tmp / "wh.duckdb", summary, report, before == after


def test_every_table_loads_without_warnings(loaded):
    raw, db, summary, report, unchanged = loaded
    assert unchanged
    loaded_tables = {t.table for t in report.tables}
    assert {n for n, m in load_mappings().items() if m.required} <= loaded_tables
    assert not report.warnings
    assert all(t.rows > 0 for t in report.tables)
    assert report["company_profile"].rows == report["company_profile"].firms == summary.firms
    con = open_warehouse(db)
    try:
        assert con.execute("SELECT count(*) FROM _sources").fetchone()[0] == sum(len(t.files) for t in report.tables)
    finally:
        con.close()


def _pandas_csmar(path, **kw) -> pd.DataFrame:
    if path.suffix in (".xlsx", ".xls"):
        return pd.read_excel(path, skiprows=[1, 2], dtype=str, engine="openpyxl" if path.suffix == ".xlsx" else "calamine")
    return pd.read_csv(path, skiprows=[1, 2], dtype=str, keep_default_na=False, **kw)


@pytest.mark.parametrize("table, file, kw", [
    ("balance_sheet", "FS_Combas.csv", {"encoding": "utf-8-sig"}),
    ("company_profile", "TRD_Co.csv", {"encoding": "gbk"}),
    ("cash_flow_indirect", "FS_Comscfi.txt", {"encoding": "utf-8-sig", "sep": "\t"}),
    ("dividends", "CD_Dividend.xlsx", {}),
    ("valuation", "FI_T10.xls", {}),
])
def test_values_match_an_independent_reader(loaded, table, file, kw):
    raw, db, *_ = loaded
    mapping = load_mappings()[table]
    ref = _pandas_csmar(raw / file, **kw)
    if mapping.aggregate == "sum":  # several rows per firm-year (interim and final): their sums
        num = [f.code for f in mapping.fields if f.type == "float"]
        ref[num] = ref[num].apply(pd.to_numeric)
        ref = ref.groupby(["Stkcd", "Finyear"], sort=False, as_index=False)[num].sum(min_count=1)
        ref[num] = ref[num].astype(object).where(ref[num].notna(), "").astype(str)
    got = read_table(db, table)
    assert len(got) == len(ref)
    for f in mapping.fields:
        if f.code not in ref.columns:
            continue
        cell = ref[f.code].fillna("").astype(str).str.strip()
        if f.type == "float":
            want = pd.to_numeric(cell.replace("", np.nan)).to_numpy(dtype=float)
            np.testing.assert_allclose(got[f.name].to_numpy(dtype=float, na_value=np.nan), want, rtol=0,
                                       atol=0, err_msg=f.name)
        elif f.type == "stkcd":
            assert got[f.name].tolist() == cell.str.zfill(6).tolist(), f.name
        elif f.type == "str":
            assert got[f.name].fillna("").tolist() == cell.tolist(), f.name
        elif f.type == "date":
            fixed = cell.str.slice(0, 10).str.replace("-00", "-01")
            want = pd.to_datetime(fixed.replace("", None), format="%Y-%m-%d")
            assert (got[f.name].isna() == want.isna()).all(), f.name
            assert (got[f.name].dropna().dt.date.to_numpy() == want.dropna().dt.date.to_numpy()).all(), f.name
