"""Small hand-written exports (helpers for tests/ingest) in the CSMAR layout and a test mapping.

The expected typed values (``EXPECTED``) are written by hand from ``ROWS`` -- the oracle of
the round-trip tests is the convention of the mapping README, not our own code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path


FIN_TOML = """
[table]
name = "fin"
source = "FS_Test"
pattern = "FS_Test*"
label_zh = "测试财务表"
label_en = "Test statement"
header_rows = "csmar"
key = ["stkcd", "accper", "typrep"]
provenance = "hand-written test export"

[[fields]]
code = "Stkcd"
name = "stkcd"
type = "stkcd"
label_zh = "证券代码"
label_en = "Stock code"

[[fields]]
code = "Accper"
name = "accper"
type = "date"
label_zh = "会计期间"

[[fields]]
code = "Typrep"
name = "typrep"
type = "str"
label_zh = "报表类型"

[[fields]]
code = "A001000000"
name = "assets"
type = "float"
label_zh = "资产总计"
unit = "元"

[[fields]]
code = "Staff"
name = "employees"
type = "int"
label_zh = "员工人数"
unit = "人"
required = false

[[fields]]
code = "IsST"
name = "st"
type = "bool"
label_zh = "是否ST"

[[fields]]
code = "ShortName"
name = "short_name"
type = "str"
label_zh = "证券简称"
"""

REGION_TOML = """
[table]
name = "region"
source = "Region_Prov"
pattern = "Region_Prov*"
header_rows = "plain"
key = ["province", "year"]
required = false

[[fields]]
code = "PROVINCE"
name = "province"
type = "str"

[[fields]]
code = "Year"
name = "year"
type = "int"

[[fields]]
code = "Value"
name = "value"
type = "float"
"""

CODES = ["Stkcd", "Accper", "Typrep", "A001000000", "Staff", "IsST", "ShortName"]
LABELS = ["证券代码", "会计期间", "报表类型", "资产总计", "员工人数", "是否ST", "证券简称"]
UNITS = ["", "", "", "元", "人", "", ""]
ROWS = [
    ["1", "2015-12-31", "A", "1234567.89", "100", "0", "平安银行"],
    ["600000", "2016-12-00", "A", "-0.5", "", "是", "浦发银行"],
    ["300750", "2017/6/30", "B", "1e3", "7", "N", "宁德时代"],
]
EXPECTED = {
    "stkcd": ["000001", "600000", "300750"],
    "accper": [dt.date(2015, 12, 31), dt.date(2016, 12, 1), dt.date(2017, 6, 30)],
    "typrep": ["A", "A", "B"],
    "assets": [1234567.89, -0.5, 1000.0],
    "employees": [100, None, 7],
    "st": [False, True, False],
    "short_name": ["平安银行", "浦发银行", "宁德时代"],
}


def csv_text(rows, *, codes=CODES, descriptive=True, sep=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(codes)
    if descriptive:
        w.writerow(LABELS[: len(codes)])
        w.writerow(UNITS[: len(codes)])
    w.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, rows=ROWS, *, encoding="utf-8", **kw) -> Path:
    path.write_bytes(csv_text(rows, **kw).encode(encoding))
    return path
