"""Build firm-year variables straight from the raw synthetic files with plain pandas.

Deliberately independent of ``nqp.ingest`` / ``nqp.panel``: it reads the exports the way a
Stata/pandas user of CSMAR would (field-code header, ``skiprows=[1, 2]``, Stkcd as text),
so the calibration and planted-effect tests check the *files*, not our own pipeline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def read_csmar(path: Path, *, encoding: str = "utf-8-sig", sep: str = ",") -> pd.DataFrame:
    if path.suffix == ".xlsx":
        df = pd.read_excel(path, skiprows=[1, 2], dtype=str)
    else:
        df = pd.read_csv(path, skiprows=[1, 2], dtype=str, encoding=encoding, sep=sep, keep_default_na=False,
                         na_values=[""])
    for c in df.columns:
        if c in ("Stkcd", "Symbol"):
            df[c] = df[c].str.zfill(6)
    return df


def read_labels(path: Path, names: dict[str, str]) -> pd.DataFrame:
    """An export with one header row of Chinese field names (字段名称), renamed to codes."""
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    df = df.rename(columns=names)
    for c in ("Stkcd", "Symbol"):
        if c in df:
            df[c] = df[c].str.zfill(6)
    return df


def staff(root: Path) -> pd.DataFrame:
    """STK_CompanyStaff (long: one row per category) pivoted the way a pandas user would."""
    d = read_csmar(root / "STK_CompanyStaff.csv").rename(columns={"Symbol": "Stkcd"})
    d["n"] = num(d["Amount"]) * np.where(d["Unit"] == "万人", 10000, 1)
    d["year"] = d["EndDate"].str[:4].astype(int)
    det = d["EmployDetail"].fillna("")
    cats = {"Empnum": d["EmployStructureID"] == "P5701",
            "Techstaff": (d["EmployStructureID"] == "P5709") & det.str.contains("技术"),
            "Master": (d["EmployStructureID"] == "P5703") & det.str.contains("硕士"),
            "Doctor": (d["EmployStructureID"] == "P5703") & det.str.contains("博士")}
    out = None
    for name, m in cats.items():
        g = d[m].groupby(["Stkcd", "year"])["n"].sum().round().rename(name)
        out = g.to_frame() if out is None else out.join(g, how="outer")
    return out.reset_index()


def num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="raise")


def winsor(x: pd.Series, lo: float = 0.01, hi: float = 0.99) -> pd.Series:
    a, b = x.quantile([lo, hi])
    return x.clip(a, b)


def annual_of(df: pd.DataFrame) -> pd.DataFrame:
    d = df[(df["Typrep"] == "A") & df["Accper"].str.endswith("-12-31")].copy()
    d["year"] = d["Accper"].str[:4].astype(int)
    return d


def build(root: Path) -> pd.DataFrame:
    """One row per raw firm-year (listing year .. 2022) with the Table 2 variables,
    plus the flags of the paper's cleaning (ST/PT, financial J, missing key data)."""
    co = read_csmar(root / "TRD_Co.csv", encoding="gbk")
    names = read_labels(root / "STK_LISTEDCOINFOANL.csv",
                        {"股票代码": "Symbol", "统计截止日期": "EndDate", "股票简称": "ShortName"})
    names["year"] = names["EndDate"].str[:4].astype(int)
    bs = read_csmar(root / "FS_Combas.csv")
    inc = read_labels(root / "FS_Comins.csv", {"证券代码": "Stkcd", "统计截止日期": "Accper", "会计期间": "Accper", "报表类型": "Typrep",
                                               "营业收入": "B001101000", "净利润": "B002000000"})
    cfd = annual_of(read_csmar(root / "FS_Comscfd.csv"))

    bs, inc = annual_of(bs), annual_of(inc)
    fy = names.rename(columns={"Symbol": "Stkcd"})[["Stkcd", "year", "ShortName"]]
    fy = fy[(fy["year"] >= 2010) & (fy["year"] <= 2022)]
    co["list_year"] = co["Listdt"].str[:4].astype(int)
    co["found_year"] = co["Estbdt"].str[:4].astype(int)
    fy = fy.merge(co[["Stkcd", "list_year", "found_year", "Nnindcd", "PROVINCE", "CITY", "Soe"]], on="Stkcd")
    fy = fy[fy["year"] >= fy["list_year"]]
    fy = fy.merge(bs[["Stkcd", "year", "A001000000", "A003000000", "A001107000", "A001202000", "A001203000",
                      "A001211000", "A001212000", "A001218000"]], on=["Stkcd", "year"], how="left")
    fy = fy.merge(inc[["Stkcd", "year", "B001101000", "B002000000"]], on=["Stkcd", "year"], how="left")
    ta = num(fy["A001000000"])
    fy["Size"] = np.log(ta)
    fy["Age"] = np.log(1 + fy["year"] - fy["found_year"])
    fy["Lev"] = ta / num(fy["A003000000"])
    fin = sum(num(fy[c]) for c in ["A001107000", "A001202000", "A001203000", "A001211000"])
    fy["finratio"] = fin / ta
    fy["fixed_share"] = num(fy["A001212000"]) / ta
    fy["intangible_share"] = num(fy["A001218000"]) / ta
    fy["roa"] = num(fy["B002000000"]) / ta
    rev = num(fy["B001101000"])

    fy = fy.merge(staff(root), on=["Stkcd", "year"], how="left")
    fy = fy.merge(cfd[["Stkcd", "year", "C001020000"]].rename(columns={"C001020000": "Totsalary"}),
                  on=["Stkcd", "year"], how="left")
    e = num(fy["Empnum"])
    fy["lnemploy"] = np.log(e)
    fy["laborprod"] = np.log(rev / e)
    fy["tech_share"] = num(fy["Techstaff"]) / e
    fy["edu_share"] = (num(fy["Master"]) + num(fy["Doctor"])) / e
    rd = read_csmar(root / "PT_LCRDSPENDING.csv").rename(columns={"Symbol": "Stkcd"})
    rd = rd[(rd["StateTypeCode"] == "1") & (rd["Source"] == "0")]
    rd["year"] = rd["EndDate"].str[:4].astype(int)
    fy = fy.merge(rd[["Stkcd", "year", "RDPerson"]], on=["Stkcd", "year"], how="left")
    it = read_csmar(root / "FN_Fn060.csv")
    it = it[(it["Typrep"] == "A") & it["Accper"].str.endswith("-12-31")]
    it["year"] = it["Accper"].str[:4].astype(int)
    it["v"] = num(it["FN_Fn06002"])
    for col, word in (("RDSalary", "职工薪酬"), ("RDDirectInput", "直接投入")):
        g = it[it["FN_Fn06001"].str.contains(word)].groupby(["Stkcd", "year"])["v"].sum().rename(col)
        fy = fy.merge(g.reset_index(), on=["Stkcd", "year"], how="left")
    fy["rd_staff_share"] = num(fy["RDPerson"]) / e
    fy["rd_pay_share"] = num(fy["RDSalary"]) / num(fy["Totsalary"])
    fy["rd_direct_share"] = num(fy["RDDirectInput"]) / rev
    ms = read_csmar(root / "BDT_ManaGovAbil.csv").rename(columns={"Symbol": "Stkcd"})
    ms["year"] = ms["Enddate"].str[:4].astype(int)
    fy = fy.merge(ms[["Stkcd", "year", "Mngmhldn"]], on=["Stkcd", "year"], how="left")
    fy["Mshare"] = num(fy["Mngmhldn"])
    ins = read_csmar(root / "INI_HolderSystematics.csv").rename(columns={"Symbol": "Stkcd"})
    ins = ins[ins["EndDate"].str.endswith("-12-31")]
    ins["year"] = ins["EndDate"].str[:4].astype(int)
    fy = fy.merge(ins[["Stkcd", "year", "InsInvestorProp"]], on=["Stkcd", "year"], how="left")
    fy["INST"] = num(fy["InsInvestorProp"])
    seg = read_csmar(root / "FN_Regrev.csv")
    seg["year"] = seg["Accper"].str[:4].astype(int)
    fy = fy.merge(seg[["Stkcd", "year", "Mbrev", "Ovsrev"]], on=["Stkcd", "year"], how="left")
    fy["over_rev"] = num(fy["Ovsrev"]) / num(fy["Mbrev"])
    sub = read_csmar(root / "STK_NotesSubJoint.csv").rename(columns={"Symbol": "Stkcd"})
    sub = sub[sub["Overseas"] == "是"]
    sub["year"] = sub["EndDate"].str[:4].astype(int)
    oc = sub.groupby(["Stkcd", "year"])["AreaName"].nunique().rename("overseacountry").reset_index()
    fy = fy.merge(oc, on=["Stkcd", "year"], how="left")
    fy["overseacountry"] = fy["overseacountry"].fillna(0)
    en = read_csmar(root / "ESG_Energy.txt", sep="\t")
    en["year"] = en["Year"].astype(int)
    fy = fy.merge(en[["Stkcd", "year", "Electricity"]], on=["Stkcd", "year"], how="left")

    rob = pd.read_csv(root / "RobotDensity_Prov.csv", encoding="utf-8-sig")
    fy = fy.merge(rob.rename(columns={"Year": "year", "Irobot": "irobot"}), on=["PROVINCE", "year"], how="left")
    ne = pd.read_csv(root / "NewEnergy_Prov.csv", encoding="utf-8-sig")
    fy = fy.merge(ne.rename(columns={"Year": "year", "Newenergy": "newenergy"}), on=["PROVINCE", "year"], how="left")
    ai = pd.read_csv(root / "AIFirm_City.csv", encoding="utf-8-sig")
    fy = fy.merge(ai.rename(columns={"Year": "year", "Newaifirm": "aicitynew"})[["CITY", "year", "aicitynew"]],
                  on=["CITY", "year"], how="left")
    sc = pd.read_csv(root / "SmartCity_Pilot.csv", encoding="utf-8-sig")
    fy = fy.merge(sc[["CITY", "Apprvyear"]].assign(covered=1), on="CITY", how="left")
    fy["smartcity"] = np.where(fy["covered"].isna(), np.nan,
                               (fy["year"] >= fy["Apprvyear"].fillna(9999)).astype(float))

    truth = pd.read_parquet(root / "truth" / "firm_year.parquet")
    fy = fy.merge(truth[["stkcd", "year", "ai_patents", "ai_invention", "ai_utility"]].rename(
        columns={"stkcd": "Stkcd"}), on=["Stkcd", "year"], how="left")
    fy["lnAI"] = np.log1p(fy["ai_patents"])
    fy["lnaifm"] = np.log1p(fy["ai_invention"])
    fy["lnaixx"] = np.log1p(fy["ai_utility"])

    fy["st"] = fy["ShortName"].str.contains("ST|PT", regex=True)
    fy["financial"] = fy["Nnindcd"].str.startswith("J")
    key = ["Size", "lnemploy", "rd_staff_share", "Electricity", "over_rev"]
    fy["missing_key"] = fy[key].isna().any(axis=1)
    fy["clean"] = ~fy["st"] & ~fy["financial"] & ~fy["missing_key"]
    return fy
