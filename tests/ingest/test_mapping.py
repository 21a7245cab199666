"""Mapping TOMLs: the shipped ones are valid; invalid ones fail naming file and field."""

from __future__ import annotations

import pytest
from ingest_exports import FIN_TOML

from nqp.errors import ConfigError
from nqp.ingest.mapping import TYPES, load_mappings


def test_shipped_mappings_are_valid():
    maps = load_mappings()
    assert maps, "no shipped mapping"
    for m in maps.values():
        assert m.fields and all(f.type in TYPES for f in m.fields)
        assert set(m.key) <= {f.name for f in m.fields}


def _write(tmp_path, text, name="fin.toml"):
    d = tmp_path / "m"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.mark.parametrize("edit, column, words", [
    (('type = "float"', 'type = "decimal"'), "assets", "unknown type 'decimal'"),
    (('name = "employees"', 'name = "assets"'), "assets", "duplicate field name 'assets'"),
    (('key = ["stkcd", "accper", "typrep"]', 'key = ["stkcd", "period"]'), "period", "key 'period' is not a field"),
    (('unit = "人"', 'units = "人"'), "employees", "unknown key(s) ['units']"),
    (('code = "Staff"', 'code = "stkcd"'), "employees", "duplicate field code 'stkcd'"),
])
def test_invalid_mapping_names_file_and_field(edit, column, words, tmp_path):
    d = _write(tmp_path, FIN_TOML.replace(*edit, 1))
    with pytest.raises(ConfigError) as err:
        load_mappings(d, defaults=False)
    assert err.value.file == "fin.toml" and err.value.column == column
    assert words in str(err.value) and "fin.toml" in str(err.value)


def test_bad_toml_syntax(tmp_path):
    d = _write(tmp_path, FIN_TOML.replace('name = "fin"', 'name = fin'))
    with pytest.raises(ConfigError, match="not valid TOML") as err:
        load_mappings(d, defaults=False)
    assert err.value.file == "fin.toml"


def test_same_table_twice_in_one_folder(tmp_path):
    d = _write(tmp_path, FIN_TOML)
    _write(tmp_path, FIN_TOML, "fin_copy.toml")
    with pytest.raises(ConfigError, match="defined twice"):
        load_mappings(d, defaults=False)


def test_user_folder_overrides_by_table_name(tmp_path):
    shipped = load_mappings()
    name = next(iter(shipped))
    text = FIN_TOML.replace('name = "fin"', f'name = "{name}"', 1).replace('pattern = "FS_Test*"', 'pattern = "Mine*"')
    d = _write(tmp_path, text)
    maps = load_mappings(d)
    assert set(maps) == set(shipped)
    assert maps[name].pattern == "Mine*" and maps[name].path == "fin.toml"


def test_ambiguous_file_pattern(tmp_path, mapping_dir, data_dir, load):
    from ingest_exports import write_csv

    (mapping_dir / "fin3.toml").write_text(
        FIN_TOML.replace('name = "fin"', 'name = "fin3"').replace('pattern = "FS_Test*"', 'pattern = "FS_Test_2*"'),
        encoding="utf-8")
    write_csv(data_dir / "FS_Test_1.csv")
    write_csv(data_dir / "FS_Test_2.csv")  # the more specific pattern FS_Test_2* wins
    report = load(data_dir)
    assert report["fin"].files == ("FS_Test_1.csv",) and report["fin3"].files == ("FS_Test_2.csv",)
    (mapping_dir / "fin3.toml").unlink()
    (mapping_dir / "fin4.toml").write_text(
        FIN_TOML.replace('name = "fin"', 'name = "fin4"').replace('pattern = "FS_Test*"', 'pattern = "FS_Test?*"'),
        encoding="utf-8")
    with pytest.raises(ConfigError, match="matches the patterns of tables"):
        load(data_dir)


LONG_TOML = """
[table]
name = "staff"
source = "STK_CompanyStaff"
pattern = "STK_CompanyStaff*"
key = ["stkcd", "end_date"]

[long]
category = "EmployStructureID"
value = "Amount"

[[fields]]
code = "Symbol"
name = "stkcd"
type = "stkcd"

[[fields]]
code = "EndDate"
name = "end_date"
type = "date"

[[fields]]
name = "employees"
type = "int"
category = "P5701"
"""


@pytest.mark.parametrize("edit, words", [
    (('value = "Amount"', 'detail = "EmployDetail"'), "[long] needs 'value'"),
    (('key = ["stkcd", "end_date"]', 'key = []'), "a [long] table needs a [table].key"),
    (('category = "P5701"', 'category = "P5701"\ncode = "Amount"'), "has no 'code'"),
    (('type = "int"\ncategory', 'type = "str"\ncategory'), "must be float or int"),
    (('category = "P5701"', 'detail = ["博士"]'), "matches a [long] column the section does not name"),
    (('value = "Amount"', 'value = "Amount"\nunit = "Unit"'), "[long].unit needs [long].units"),
])
def test_invalid_long_mapping(edit, words, tmp_path):
    d = _write(tmp_path, LONG_TOML.replace(*edit, 1), name="staff.toml")
    with pytest.raises(ConfigError) as err:
        load_mappings(d, defaults=False)
    assert words in str(err.value) and err.value.file == "staff.toml"


def test_fallback_and_aggregate_checked(tmp_path):
    bad = FIN_TOML.replace('name = "employees"', 'name = "employees"\nfallback_sum = ["nothing"]', 1)
    with pytest.raises(ConfigError, match="fallback_sum item 'nothing'"):
        load_mappings(_write(tmp_path, bad), defaults=False)
    bad = FIN_TOML.replace('[table]', '[table]\naggregate = "mean"', 1)
    with pytest.raises(ConfigError, match="aggregate 'mean'"):
        load_mappings(_write(tmp_path, bad), defaults=False)


def test_shipped_mappings_name_their_evidence():
    """Every corrected CSMAR table says which public evidence its codes rest on."""
    maps = load_mappings()
    for name in ("cash_flow_indirect", "employee_structure", "rd_spending", "rd_expense_items",
                 "management_shareholding", "valuation", "dividends", "report_dates", "subsidiaries"):
        assert "fs:" in maps[name].evidence, name
    assert maps["cash_flow_indirect"].field("depreciation_fixed_assets").code == "D000103000"
    assert maps["report_dates"].field("report_type").codes[3] == ("4", "年报")
