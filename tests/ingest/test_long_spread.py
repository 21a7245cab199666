"""A long table's spread fields (validate._spread, judged per distinct category, detail and unit)
against a row loop of the rule: value × unit factor where the category is one of the field's
and the detail contains one of its words, else NULL; an unknown unit is a bad cell."""

from __future__ import annotations

import csv
import random
import tomllib

import pytest

from nqp.errors import SchemaError
from nqp.ingest.mapping import parse_mapping
from nqp.ingest.readers import read_export
from nqp.ingest.validate import convert_export

LONG_TOML = """
[table]
name = "staff"
source = "STK_Test"
pattern = "STK_Test*"
header_rows = "plain"
key = ["stkcd", "year"]

[long]
category = "Cat"
detail = "Detail"
value = "Amount"
unit = "Unit"
units = { "人" = 1, "万人" = 10000 }

[[fields]]
code = "Stkcd"
name = "stkcd"
type = "stkcd"

[[fields]]
code = "Year"
name = "year"
type = "int"

[[fields]]
name = "total"
type = "int"
category = "P1"

[[fields]]
name = "phd"
type = "int"
category = ["P2", "P3"]
detail = ["博士", "PhD"]

[[fields]]
name = "sales"
type = "float"
category = "P3"
detail = "销售"
"""
MAPPING = parse_mapping(tomllib.loads(LONG_TOML), "staff.toml")
SPREAD = [f for f in MAPPING.fields if f.spread]
FACTORS = {"人": 1.0, "万人": 10000.0, "": 1.0}


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Stkcd", "Year", "Cat", "Detail", "Amount", "Unit"])
        w.writerows(rows)


@pytest.mark.parametrize("seed", range(4))
def test_spread_matches_a_row_loop(seed, tmp_path):
    rng = random.Random(seed)
    rows = [[str(rng.randint(1, 9)), str(rng.randint(2015, 2017)), rng.choice(["P1", "P2", "P3", "P4", " P2 "]),
             rng.choice(["", "博士研究生", "PhD", "销售人员", "生产", " 销售 "]), rng.choice(["1", "2.5", "", "12"]),
             rng.choice(["人", "万人", ""])] for _ in range(80)]
    path = tmp_path / "STK_Test.csv"
    _write(path, rows)
    table = convert_export(read_export(path), MAPPING).table.to_pydict()
    expected = {f.name: [] for f in SPREAD}
    for _, _, cat, det, amount, unit in rows:
        cat, det = cat.strip(), det.strip()
        hits = {f.name: (not f.category or cat in f.category) and (not f.detail or any(d in det for d in f.detail))
                for f in SPREAD}
        if not any(hits.values()):
            continue  # a category no field takes: not loaded
        v = float(amount) * FACTORS[unit] if amount else None
        for f in SPREAD:
            x = v if hits[f.name] else None
            expected[f.name].append(round(x) if x is not None and f.type == "int" else x)
    for f in SPREAD:
        assert table[f.name] == expected[f.name], f.name


def test_unknown_unit_is_a_bad_cell(tmp_path):
    path = tmp_path / "STK_Test.csv"
    _write(path, [["1", "2015", "P1", "", "3", "人"], ["2", "2015", "P1", "", "4", "千人"]])
    with pytest.raises(SchemaError, match="line 3, column 'Unit': '千人' is not a unit of"):
        convert_export(read_export(path), MAPPING)
