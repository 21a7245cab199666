"""Reading IncoPat exports: CSV (UTF-8 with BOM, GBK), XLSX, XLS and Parquet give the same records;
missing columns are named; duplicates by application number are found after normalisation."""

import pandas as pd
import pyarrow as pa
import pytest

from nqp.errors import SchemaError
from nqp.patents.records import drop_duplicates, read_patents

from .hand_records import HEADER, ROWS


def _frame():
    return pd.DataFrame([r.split(",") for r in ROWS], columns=HEADER.split(","))


def test_formats_read_alike(tmp_path):
    df = _frame()
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "incopat_1.csv").write_bytes(df.to_csv(index=False).encode("gbk"))
    (tmp_path / "b").mkdir()
    df.to_excel(tmp_path / "b" / "incopat_1.xlsx", index=False)
    (tmp_path / "c").mkdir()
    df.to_parquet(tmp_path / "c" / "incopat_1.parquet", index=False)
    tables = [read_patents(tmp_path / x) for x in "abc"]
    for t in tables[1:]:
        assert t.equals(tables[0])
    assert tables[0]["applicants"][4].as_py() == "甲科技股份有限公司; 乙电子有限公司"
    assert tables[0].num_rows == len(ROWS)


def test_missing_column_named(tmp_path):
    df = _frame().drop(columns=["IPC主分类"])
    df.to_csv(tmp_path / "incopat_x.csv", index=False)
    with pytest.raises(SchemaError, match="lacks column\\(s\\) IPC主分类"):  # the user's name, not ipc_main
        read_patents(tmp_path / "incopat_x.csv")


def test_newer_template_headers_and_xls(tmp_path):
    """Newer IncoPat templates: 标题 (中文) / 摘要 (中文) beside the English ones; .xls files."""
    import xlwt

    df = _frame()
    new = df.rename(columns={"标题": "标题 (中文)", "摘要": "摘要 (中文)"})
    new.insert(3, "标题 (英文)", "An English title")
    new.insert(0, "序号", [str(i + 1) for i in range(len(new))])
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("incopat")
    for j, c in enumerate(new.columns):
        ws.write(0, j, c)
    for i, row in enumerate(new.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            ws.write(i, j, v)
    (tmp_path / "x").mkdir()
    wb.save(str(tmp_path / "x" / "incopat_1.xls"))
    (tmp_path / "y").mkdir()
    df.to_csv(tmp_path / "y" / "incopat_1.csv", index=False)
    got, want = read_patents(tmp_path / "x"), read_patents(tmp_path / "y")
    assert got.equals(want)
    assert got["title"][0].as_py() == df["标题"][0]


def test_duplicates_after_normalisation():
    t = pa.table({"app_no": ["CN201810000001.1", "cn 2018100000011", "201810000001.1", "CN2", ""],
                  "rec": [0, 1, 2, 3, 4]})
    kept, dups = drop_duplicates(t)
    assert kept["rec"].to_pylist() == [0, 3, 4] and dups["rec"].to_pylist() == [1, 2]


def _big_utf8(tmp_path, tail: bytes):
    """A UTF-8 export larger than the megabyte the encoding is judged on, ending in ``tail``."""
    df = pd.concat([_frame()] * 6000, ignore_index=True)  # about 1.3 MB
    data = df.to_csv(index=False).encode("utf-8")
    assert len(data) > 1 << 20
    path = tmp_path / "incopat_big.csv"
    path.write_bytes(data + tail)
    return path, data.count(b"\n") + 1


def test_bad_byte_after_the_first_megabyte_is_named_with_its_line(tmp_path):
    from nqp.errors import EncodingError

    path, line = _big_utf8(tmp_path, "CN1,2018-03-01,".encode() + "坏".encode("gbk") + b",,G06N3/08,,,x,y\n")
    with pytest.raises(EncodingError, match="incopat_big.csv") as err:
        read_patents(path)
    assert err.value.row == line


def test_ragged_row_is_an_input_error_naming_the_file(tmp_path):
    from nqp.errors import InputError

    path, _ = _big_utf8(tmp_path, b"CN1,2018-03-01,too,few\n")
    with pytest.raises(InputError, match="incopat_big.csv: the CSV could not be read"):
        read_patents(path)
