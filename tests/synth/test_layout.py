"""The files look like real exports and follow the mapping contract
(src/nqp/ingest/mapping/README.md): every TOML field exists in its file, header rows,
encodings and separators as declared, types parse, keys are unique."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path

import openpyxl
import numpy as np
import pandas as pd
from rawpanel import read_labels
import pytest

import nqp.ingest

MAPPING_DIR = Path(nqp.ingest.__file__).parent / "mapping"
TOMLS = sorted(MAPPING_DIR.glob("*.toml"))
GBK_TABLES = {"TRD_Co"}
TAB_TABLES = {"FS_Comscfi", "ESG_Energy"}
LABEL_TABLES = {"FS_Comins", "STK_LISTEDCOINFOANL"}  # one header row of Chinese field names
EXPORT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xls")


def _columns(spec: dict) -> list[dict]:
    """The columns a file of this mapping has, by the TOML alone: fields with a code, then the
    [long] columns (category, detail, value, unit), then the [filter] columns."""
    cols = [f for f in spec["fields"] if "code" in f]
    lg = spec.get("long", {})
    for k in ("category", "detail", "value", "unit"):
        if k in lg:
            cols.append({"code": lg[k], "name": f"_{k}", "type": "float" if k == "value" else "str"})
    cols += [{"code": c, "name": f"_filter_{c}", "type": "str"} for c in spec.get("filter", {})]
    return cols


def _load(p: Path) -> dict:
    return tomllib.loads(p.read_text(encoding="utf-8"))


def _data_file(out: Path, spec: dict) -> Path:
    pat = spec["table"]["pattern"]
    files = [f for f in out.glob(pat + ".*") if "[DES]" not in f.name and f.suffix in EXPORT_SUFFIXES]
    assert len(files) == 1, (pat, files)
    return files[0]


def _rows(path: Path, source: str) -> list[list[str]]:
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, read_only=True).active
        return [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    if path.suffix == ".xls":
        import python_calamine

        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        return [[str(int(v)) if isinstance(v, float) and v.is_integer() else str(v) for v in r] for r in sheet]
    raw = path.read_bytes()
    if source in GBK_TABLES:
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("gbk")
    else:
        assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: UTF-8 BOM expected"
        text = raw[3:].decode("utf-8")
    sep = "\t" if source in TAB_TABLES else ","
    if source in TAB_TABLES:
        assert path.suffix == ".txt"
    return list(csv.reader(io.StringIO(text), delimiter=sep))


def test_one_mapping_per_written_table(small):
    out, _ = small
    assert len(TOMLS) >= 20
    sources = {_load(p)["table"]["source"] for p in TOMLS}
    written = {f.stem for f in out.iterdir() if f.is_file() and f.suffix in EXPORT_SUFFIXES
               and "[DES]" not in f.name and f.stem not in ("README_SYNTHETIC",)}
    assert written == sources


@pytest.mark.parametrize("toml", TOMLS, ids=lambda p: p.stem)
def test_file_follows_mapping(small, toml):
    out, _ = small
    spec = _load(toml)
    t = spec["table"]
    fields = _columns(spec)
    path = _data_file(out, spec)
    rows = _rows(path, t["source"])
    codes = [f["code"] for f in fields]
    if t["source"] in LABEL_TABLES:
        assert rows[0] == [f["label_zh"] for f in fields]
        rows[0] = codes
    else:
        assert rows[0] == codes
    ncsmar = 3 if t["header_rows"] == "csmar" and t["source"] not in LABEL_TABLES else 1
    if ncsmar == 3:
        assert [r for r, f in zip(rows[1], fields) if "label_zh" in f] == [f["label_zh"] for f in fields
                                                                           if "label_zh" in f]
        des = out / f"{t['source']}[DES][{path.suffix[1:]}].txt"
        assert des.read_text(encoding="utf-8-sig").splitlines()[0].startswith(f"{codes[0]} [")
    data = pd.DataFrame([r + [""] * (len(codes) - len(r)) for r in rows[ncsmar:]], columns=codes)
    assert len(data) > 0
    for f in fields:
        col = data[f["code"]]
        filled = col[col != ""]
        if f.get("required", True) and f["type"] in ("stkcd", "date", "int") and f["name"] in t.get("key", []):
            assert len(filled) == len(col), f"{t['name']}.{f['name']}: empty key cells"
        if f["type"] == "stkcd":
            assert filled.str.fullmatch(r"\d{6}").all()
        elif f["type"] == "date":
            assert filled.str.fullmatch(r"\d{4}-\d{2}-(\d{2}|00)").all(), f["code"]
        elif f["type"] == "int":
            assert filled.str.fullmatch(r"-?\d+(\.0)?").all(), f["code"]
        elif f["type"] == "float":
            pd.to_numeric(filled, errors="raise")
            assert not filled.str.contains("e", case=False).any(), f"{f['code']}: scientific notation"
        elif f["type"] == "bool":
            assert filled.isin(["0", "1", "是", "否", "Y", "N"]).all(), f["code"]
    if "long" in spec or t.get("aggregate") or "filter" in spec:
        return  # rows repeat per category, distribution or filtered-out statement by design
    key = [next(f["code"] for f in fields if f["name"] == k) for k in t.get("key", [])]
    if not key:
        return
    dup = data.duplicated(key)
    assert not dup.any(), f"{t['name']}: duplicate keys {data.loc[dup, key].head().values.tolist()}"


def test_csmar_quirks_present(small):
    out, _ = small
    bs = pd.read_csv(out / "FS_Combas.csv", skiprows=[1, 2], dtype=str, encoding="utf-8-sig")
    assert set(bs["Typrep"]) == {"A", "B"}
    ends = bs["Accper"].str[5:]
    assert {"12-31", "06-30", "01-01"} <= set(ends)
    co = pd.read_csv(out / "TRD_Co.csv", skiprows=[1, 2], dtype=str, encoding="gbk")
    assert co["Nnindcd"].str.startswith("J").any()
    assert co["Estbdt"].str.endswith("-00").any() or len(co) < 200
    names = read_labels(out / "STK_LISTEDCOINFOANL.csv", {"股票代码": "Symbol", "统计截止日期": "EndDate",
                                                           "股票简称": "ShortName"})
    st = names["ShortName"].str.contains("ST")
    assert st.any() and names["ShortName"].str.startswith("*ST").any()
    assert names["ShortName"].str.startswith("PT").any() or len(co) < 200
    # a firm can be ST in one year and not in another (year-specific names)
    per_firm = names.assign(st=st).groupby("Symbol")["st"].agg(["any", "all"])
    assert (per_firm["any"] & ~per_firm["all"]).any()
    inst = pd.read_csv(out / "INI_HolderSystematics.csv", skiprows=[1, 2], dtype=str, encoding="utf-8-sig")
    assert set(inst["EndDate"].str[5:]) == {"03-31", "06-30", "09-30", "12-31"}
    rd = read_labels(out / "FS_Comins.csv", {"会计期间": "Accper", "研发费用": "B001216000"})
    early = rd[rd["Accper"].str[:4].astype(int) < 2018]
    assert early["B001216000"].isna().all()  # 研发费用 line did not exist before 2018


def test_accounting_identities(small):
    out, _ = small
    rd = lambda name, **kw: pd.read_csv(out / name, skiprows=[1, 2], dtype={"Stkcd": str}, **kw)
    bs = rd("FS_Combas.csv", encoding="utf-8-sig")
    a = bs[(bs["Typrep"] == "A") & bs["Accper"].str.endswith("12-31")]
    tol = 0.02 + 1e-9 * a["A001000000"].abs()
    assert ((a["A001100000"] + a["A001200000"] - a["A001000000"]).abs() <= tol + 0.01).all()
    assert ((a["A002000000"] + a["A003000000"] - a["A001000000"]).abs() <= tol + 0.01).all()
    assert (a["A003000000"] > 0).all()
    cf = rd("FS_Comscfd.csv", encoding="utf-8-sig")
    c = cf[(cf["Typrep"] == "A") & cf["Accper"].str.endswith("12-31")]
    parts = c["C001014000"] + c["C001020000"] + c["C001021000"] + c["C001022000"]
    assert ((parts - c["C001200000"]).abs() <= 0.05).all()
    assert ((c["C001100000"] - c["C001200000"] - c["C001000000"]).abs() <= 0.05).all()
    inc = read_labels(out / "FS_Comins.csv", {"报表类型": "Typrep", "会计期间": "Accper", "利润总额": "B001000000",
                                              "所得税费用": "B002100000", "净利润": "B002000000"})
    for c in ("B001000000", "B002100000", "B002000000"):
        inc[c] = pd.to_numeric(inc[c])
    i = inc[(inc["Typrep"] == "A") & inc["Accper"].str.endswith("12-31")]
    assert ((i["B001000000"] - i["B002100000"] - i["B002000000"]).abs() <= 0.05).all()
    staff = pd.read_csv(out / "STK_CompanyStaff.csv", skiprows=[1, 2], dtype={"Symbol": str}, encoding="utf-8-sig")
    staff["n"] = staff["Amount"] * staff["Unit"].map({"人": 1, "万人": 10000})
    assert staff["n"].notna().all() and (staff["Unit"] == "万人").any()
    by = staff.pivot_table(index=["Symbol", "EndDate"], columns="EmployStructureID", values="n", aggfunc="sum")
    function = staff[staff["EmployStructureID"] == "P5709"].groupby(["Symbol", "EndDate"])["n"].sum()
    edu = staff[staff["EmployStructureID"] == "P5703"].groupby(["Symbol", "EndDate"])["n"].sum()
    assert np.allclose(function.reindex(by.index), by["P5701"])  # the functions add up to the total
    assert (edu.reindex(by.index).fillna(0) <= by["P5701"] + 1e-6).all()
    seg = rd("FN_Regrev.csv", encoding="utf-8-sig")
    assert ((seg["Domrev"] + seg["Ovsrev"] - seg["Mbrev"]).abs() <= 0.011).all()


def test_documents_layout(small):
    out, summary = small
    reports = sorted((out / "reports").iterdir())
    assert len(reports) == summary.reports
    pat = re.compile(r"^\d{6}_\d{4}(_.+_\d{4}年年度报告_\d{4}-\d{2}-\d{2})?\.(txt|pdf)$")
    assert all(pat.match(p.name) for p in reports)
    assert (out / "README_SYNTHETIC.txt").read_text(encoding="utf-8").startswith("SYNTHETIC DATA")
    pats = sorted((out / "patents").glob("incopat_*.csv"))
    assert len(pats) == 3
    header = pats[0].read_bytes().split(b"\n", 1)[0]
    assert header.startswith(b"\xef\xbb\xbf")
    cols = next(csv.reader([header[3:].decode("utf-8")]))
    assert cols == ["申请号", "申请日", "标题", "摘要", "IPC主分类", "IPC", "专利类型", "申请人", "公开（公告）号"]
    names = pd.read_csv(out / "patents" / "firm_names.csv", dtype=str)
    assert list(names.columns) == ["stkcd", "name", "kind", "valid_from", "valid_to"]
    assert set(names["kind"]) == {"current", "former", "subsidiary"}
