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
import pandas as pd
import pytest

import nqp.ingest

MAPPING_DIR = Path(nqp.ingest.__file__).parent / "mapping"
TOMLS = sorted(MAPPING_DIR.glob("*.toml"))
GBK_TABLES = {"TRD_Co"}
TAB_TABLES = {"FS_Comscfi", "ESG_Energy"}


def _load(p: Path) -> dict:
    return tomllib.loads(p.read_text(encoding="utf-8"))


def _data_file(out: Path, spec: dict) -> Path:
    pat = spec["table"]["pattern"]
    files = [f for f in out.glob(pat + ".*") if "[DES]" not in f.name and f.suffix in (".csv", ".txt", ".xlsx")]
    assert len(files) == 1, (pat, files)
    return files[0]


def _rows(path: Path, source: str) -> list[list[str]]:
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, read_only=True).active
        return [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
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
    written = {f.stem for f in out.iterdir() if f.is_file() and f.suffix in (".csv", ".txt", ".xlsx")
               and "[DES]" not in f.name and f.stem not in ("README_SYNTHETIC",)}
    assert written == sources


@pytest.mark.parametrize("toml", TOMLS, ids=lambda p: p.stem)
def test_file_follows_mapping(small, toml):
    out, _ = small
    spec = _load(toml)
    t, fields = spec["table"], spec["fields"]
    path = _data_file(out, spec)
    rows = _rows(path, t["source"])
    codes = [f["code"] for f in fields]
    assert rows[0] == codes
    ncsmar = 3 if t["header_rows"] == "csmar" else 1
    if ncsmar == 3:
        assert rows[1] == [f["label_zh"] for f in fields]
        assert rows[2] == [f["unit"] or "没有单位" for f in fields]
        des = out / f"{t['source']}[DES][{path.suffix[1:]}].txt"
        assert des.read_text(encoding="utf-8-sig").splitlines()[0].startswith(f"{codes[0]} [")
    data = pd.DataFrame(rows[ncsmar:], columns=codes)
    assert len(data) > 0
    for f in fields:
        col = data[f["code"]]
        filled = col[col != ""]
        if f.get("required", True) and f["type"] in ("stkcd", "date", "int") and f["name"] in t["key"]:
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
    key = [next(f["code"] for f in fields if f["name"] == k) for k in t["key"]]
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
    names = pd.read_csv(out / "STK_LISTEDCOINFOANL.csv", skiprows=[1, 2], dtype=str, encoding="utf-8-sig")
    st = names["ShortName"].str.contains("ST")
    assert st.any() and names["ShortName"].str.startswith("*ST").any()
    assert names["ShortName"].str.startswith("PT").any() or len(co) < 200
    # a firm can be ST in one year and not in another (year-specific names)
    per_firm = names.assign(st=st).groupby("Symbol")["st"].agg(["any", "all"])
    assert (per_firm["any"] & ~per_firm["all"]).any()
    inst = pd.read_csv(out / "INI_HolderSystematics.csv", skiprows=[1, 2], dtype=str, encoding="utf-8-sig")
    assert set(inst["EndDate"].str[5:]) == {"03-31", "06-30", "09-30", "12-31"}
    rd = pd.read_csv(out / "FS_Comins.csv", skiprows=[1, 2], dtype=str, encoding="utf-8-sig")
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
    inc = rd("FS_Comins.csv", encoding="utf-8-sig")
    i = inc[(inc["Typrep"] == "A") & inc["Accper"].str.endswith("12-31")]
    assert ((i["B001000000"] - i["B002100000"] - i["B002000000"]).abs() <= 0.05).all()
    emp = rd("CG_Empstru.csv", encoding="utf-8-sig")
    total = emp[["Techstaff", "Prodstaff", "Salestaff", "Finstaff", "Admstaff"]].sum(axis=1)
    assert (total == emp["Empnum"]).all()
    assert (emp["Doctor"] + emp["Master"] + emp["Bachelor"] <= emp["Empnum"]).all()
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
