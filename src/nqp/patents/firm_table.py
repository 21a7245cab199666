"""The firm-name table for patent matching, built from the warehouse.

Patent applicants (申请人) are matched to listed firms by company name (``nqp.patents.names``).
The names and the years they were valid come from tables a CSMAR user loads anyway:

- ``company_profile`` (TRD_Co ``Conme`` 公司全称): the current full name of each firm;
- ``name_changes`` (STK_LISTEDCOINFOCHG, rows whose 变更项目 is the full name, 公司全称):
  each former full name, valid up to the year before the change took effect (``ImplementDate``);
  the current name is valid from the year of the last change;
- ``subsidiaries`` (STK_NotesSubJoint, 子公司): every subsidiary name, valid from the year it
  was established or first reported (the earlier), open-ended.

A table the warehouse lacks contributes nothing (the report says so). A user's own name file
(``--firms``) can be added on top: its rows are appended (a name listed twice for a firm
with the same validity is kept once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nqp.ingest.warehouse import open_warehouse, table_names
from nqp.patents.names import normalize_name

COLUMNS = ["stkcd", "name", "kind", "valid_from", "valid_to"]
FULL_NAME_ITEMS = ("公司全称", "中文全称", "公司名称", "全称")  # 变更项目 values that are a full-name change


@dataclass
class FirmNames:
    """The name table (``stkcd, name, kind, valid_from, valid_to, key``) and where it came from."""

    names: pd.DataFrame
    sources: dict[str, int] = field(default_factory=dict)  # table -> names taken from it
    missing: list[str] = field(default_factory=list)  # name tables the warehouse lacks


def _years(s: pd.Series) -> pd.Series:
    return pd.array([None if pd.isna(v) else int(v) for v in s], dtype="Int64")


def warehouse_firm_names(db: str | Path) -> FirmNames:
    """Current, former and subsidiary names with validity years from warehouse ``db``."""
    con = open_warehouse(db)
    try:
        have = set(table_names(con))
        parts, sources, missing = [], {}, []
        if "company_profile" in have:
            cur = con.execute("SELECT stkcd, full_name AS name FROM company_profile "
                              "WHERE full_name IS NOT NULL AND trim(full_name) <> '' ORDER BY stkcd").df()
        else:
            cur = pd.DataFrame({"stkcd": pd.Series(dtype=str), "name": pd.Series(dtype=str)})
            missing.append("company_profile")
        changes = pd.DataFrame(columns=["stkcd", "name", "valid_to", "change_year"])
        if "name_changes" in have:
            items = ", ".join(f"'{v}'" for v in FULL_NAME_ITEMS)
            changes = con.execute(
                "SELECT stkcd, trim(value_before) AS name, year(implement_date) - 1 AS valid_to, "
                "year(implement_date) AS change_year FROM name_changes "
                f"WHERE trim(changed_item) IN ({items}) AND value_before IS NOT NULL AND trim(value_before) <> '' "
                "AND implement_date IS NOT NULL ORDER BY stkcd, implement_date, name").df()
            sources["name_changes"] = len(changes)
        else:
            missing.append("name_changes")
        last = changes.groupby("stkcd")["change_year"].max() if len(changes) else pd.Series(dtype="int64")
        cur["kind"] = "current"
        cur["valid_from"] = _years(cur["stkcd"].map(last))
        cur["valid_to"] = pd.array([None] * len(cur), dtype="Int64")
        if "company_profile" in have:
            sources["company_profile"] = len(cur)
        parts.append(cur[COLUMNS])
        if len(changes):
            old = changes.assign(kind="former", valid_from=pd.array([None] * len(changes), dtype="Int64"))
            old["valid_to"] = _years(old["valid_to"])
            parts.append(old[COLUMNS])
        if "subsidiaries" in have:
            cols = {r[0] for r in con.execute("DESCRIBE subsidiaries").fetchall()}
            est = "year(establish_date)" if "establish_date" in cols else "NULL"
            subs = con.execute(
                f"SELECT stkcd, trim(subsidiary) AS name, least(min({est}), min(year(accper))) AS valid_from "
                "FROM subsidiaries WHERE subsidiary IS NOT NULL AND trim(subsidiary) <> '' "
                "GROUP BY ALL ORDER BY stkcd, name").df()
            subs["kind"] = "subsidiary"
            subs["valid_from"] = _years(subs["valid_from"])
            subs["valid_to"] = pd.array([None] * len(subs), dtype="Int64")
            sources["subsidiaries"] = len(subs)
            parts.append(subs[COLUMNS])
        else:
            missing.append("subsidiaries")
    finally:
        con.close()
    names = pd.concat(parts, ignore_index=True)
    return FirmNames(with_keys(names), sources, missing)


def with_keys(names: pd.DataFrame) -> pd.DataFrame:
    """``names`` sorted, exact repeats dropped, with the matching ``key`` column. A ``key``
    column already there is kept (it is a function of ``name``): names are normalised once."""
    if "key" in names.columns:
        out = names[COLUMNS + ["key"]].drop_duplicates(subset=COLUMNS)
    else:
        out = names[COLUMNS].drop_duplicates()
    out = out.sort_values(["stkcd", "kind", "name"], kind="stable").reset_index(drop=True)
    if "key" not in out.columns:
        out["key"] = [normalize_name(n) for n in out["name"]]
    return out[out["key"] != ""].reset_index(drop=True)


def combine(*tables: pd.DataFrame) -> pd.DataFrame:
    """Several name tables as one (e.g. the warehouse's and a user's ``--firms`` file); the
    keys of tables that have them are reused."""
    if all("key" in t.columns for t in tables):
        return with_keys(pd.concat([t[COLUMNS + ["key"]] for t in tables], ignore_index=True))
    return with_keys(pd.concat([t[COLUMNS] for t in tables], ignore_index=True))
