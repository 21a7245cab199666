"""Every kind of bad input: the right error class, and a message naming file, column and row."""

from __future__ import annotations

import openpyxl
import pytest
from ingest_exports import CODES, LABELS, ROWS, UNITS, csv_text, write_csv

from nqp.errors import (
    DataWarning,
    DuplicateKeyError,
    EmptyInputError,
    EncodingError,
    MissingFileError,
    SchemaError,
    TruncatedInputError,
)

# In a CSMAR export, data row k sits on line k + 3 (field codes, Chinese labels, units).


def _bad(rows, i, col, value):
    rows = [r[:] for r in rows]
    rows[i][CODES.index(col)] = value
    return rows


@pytest.mark.parametrize("col, value", [
    ("A001000000", "12x"), ("Staff", "3.5"), ("Accper", "2015-13-01"), ("Accper", "2015-02-30"),
    ("Stkcd", "SZ0001"), ("IsST", "maybe"), ("A001000000", "inf"),
])
def test_wrong_type_names_file_column_line(col, value, data_dir, load):
    write_csv(data_dir / "FS_Test_2015.csv", _bad(ROWS, 1, col, value))
    with pytest.raises(SchemaError) as err:
        load(data_dir)
    e = err.value
    assert (e.file, e.column, e.row) == ("FS_Test_2015.csv", col, 5)
    msg = str(e)
    assert "FS_Test_2015.csv" in msg and col in msg and "line 5" in msg and repr(value) in msg


def test_wrong_type_line_counts_quoted_newlines(data_dir, load):
    rows = _bad(ROWS, 2, "A001000000", "n/a")
    rows[0][6] = "two\nlines"
    write_csv(data_dir / "FS_Test.csv", rows)
    with pytest.raises(SchemaError) as err:
        load(data_dir)
    assert err.value.row == 7  # rows 1 and 2 take lines 4-6


def test_wrong_type_in_xlsx_names_sheet_row(data_dir, load):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in [CODES, LABELS, UNITS, [], *_bad(ROWS, 2, "A001000000", "abc")]:  # a blank row 4
        ws.append(r)
    wb.save(data_dir / "FS_Test.xlsx")
    with pytest.raises(SchemaError) as err:
        load(data_dir)
    assert (err.value.file, err.value.column, err.value.row) == ("FS_Test.xlsx", "A001000000", 7)
    assert "row 7" in str(err.value)


def test_empty_key_cell(data_dir, load):
    write_csv(data_dir / "FS_Test.csv", _bad(ROWS, 0, "Stkcd", " "))
    with pytest.raises(SchemaError, match="key column 'Stkcd'") as err:
        load(data_dir)
    assert (err.value.column, err.value.row) == ("Stkcd", 4)


def test_missing_column(data_dir, load):
    codes = [c for c in CODES if c != "Accper"]
    rows = [r[:1] + r[2:] for r in ROWS]
    (data_dir / "FS_Test.csv").write_text(csv_text(rows, codes=codes, descriptive=False), encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load(data_dir)
    e = err.value
    assert (e.file, e.column, e.row) == ("FS_Test.csv", "Accper", 1)
    assert "Accper" in str(e) and "会计期间" in str(e) and "did you mean" not in str(e)


def test_misspelt_column_gets_suggestion(data_dir, load):
    codes = ["Stkcd", "Acper", "Typrep", "A00100000", "Staff", "IsST", "ShortName"]
    (data_dir / "FS_Test.csv").write_text(csv_text(ROWS, codes=codes), encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load(data_dir)
    msg = str(err.value)
    assert err.value.column == "Accper"
    assert "did you mean 'Acper'" in msg and "did you mean 'A00100000'" in msg


def test_undecodable_bytes_name_offset(data_dir, load):
    head = csv_text(ROWS[:1]).encode("utf-8")
    (data_dir / "FS_Test.csv").write_bytes(head + b"600000,2016-12-31,A,\xff\xff,1,0,x\r\n")
    with pytest.raises(EncodingError) as err:
        load(data_dir)
    offset = len(head) + len("600000,2016-12-31,A,")
    assert err.value.file == "FS_Test.csv" and err.value.row == 5
    assert f"byte offset {offset}" in str(err.value)


def test_damaged_utf8_is_not_read_as_gbk(data_dir, load):
    """b"\\xb0\\xa1" is GBK for 啊: GB18030 would accept the whole file as mojibake."""
    head = csv_text(ROWS[:1]).encode("utf-8")
    (data_dir / "FS_Test.csv").write_bytes(head + "600000,2016-12-31,A,1,1,0,".encode() + b"\xb0\xa1\r\n")
    with pytest.raises(EncodingError, match=f"UTF-8 up to byte offset {len(head) + 26}") as err:
        load(data_dir)
    assert (err.value.file, err.value.row) == ("FS_Test.csv", 5)


def test_binary_file_is_an_encoding_error(data_dir, load):
    (data_dir / "FS_Test.csv").write_bytes(b"Stkcd,Accper\n\x00\x01\x02\x03")
    with pytest.raises(EncodingError, match="NUL byte at byte offset 13"):
        load(data_dir)


def test_duplicate_key_names_both_rows(data_dir, load):
    write_csv(data_dir / "FS_Test_1.csv", ROWS)
    write_csv(data_dir / "FS_Test_2.csv", [_bad(ROWS, 1, "A001000000", "99")[1]])
    with pytest.raises(DuplicateKeyError) as err:
        load(data_dir)
    e, msg = err.value, str(err.value)
    assert (e.file, e.row, e.firm, e.table) == ("FS_Test_1.csv", 5, "600000", "fin")
    assert "stkcd='600000'" in msg and "accper='2016-12-01'" in msg and "typrep='A'" in msg
    assert "FS_Test_1.csv line 5" in msg and "FS_Test_2.csv line 4" in msg


def test_identical_duplicate_rows_load_once(data_dir, load, tmp_path):
    write_csv(data_dir / "FS_Test_1.csv", ROWS)
    write_csv(data_dir / "FS_Test_2.csv", ROWS[1:], encoding="gbk")  # overlapping download
    report = load(data_dir)
    assert report["fin"].rows == 3 and report["fin"].duplicates_dropped == 2


def test_empty_file(data_dir, load):
    (data_dir / "FS_Test.csv").write_bytes(b"")
    with pytest.raises(EmptyInputError) as err:
        load(data_dir)
    assert err.value.file == "FS_Test.csv"


def test_header_rows_only_is_empty(data_dir, load):
    write_csv(data_dir / "FS_Test.csv", [])
    with pytest.raises(EmptyInputError, match="no data rows") as err:
        load(data_dir)
    assert err.value.file == "FS_Test.csv"


def test_truncated_last_line(data_dir, load):
    text = csv_text(ROWS) + "000002,2018-12"
    (data_dir / "FS_Test.csv").write_text(text, encoding="utf-8")
    with pytest.raises(TruncatedInputError) as err:
        load(data_dir)
    assert (err.value.file, err.value.row) == ("FS_Test.csv", 7)
    assert "line 7" in str(err.value) and "truncated" in str(err.value)


def test_truncated_inside_quotes(data_dir, load):
    text = csv_text(ROWS) + '000002,2018-12-31,A,1,2,0,"平安'
    (data_dir / "FS_Test.csv").write_text(text, encoding="gbk")
    with pytest.raises(TruncatedInputError) as err:
        load(data_dir)
    assert (err.value.file, err.value.row) == ("FS_Test.csv", 7)


def test_short_line_in_the_middle(data_dir, load):
    lines = csv_text(ROWS).splitlines(keepends=True)
    lines[4] = "600000,2016-12-00\r\n"
    (data_dir / "FS_Test.csv").write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SchemaError, match="line 5 has 2 fields but the header has 7") as err:
        load(data_dir)
    assert err.value.row == 5


def test_truncated_xlsx(data_dir, load):
    write_csv(data_dir / "tmp.csv")
    wb = openpyxl.Workbook()
    wb.active.append(CODES)
    wb.save(data_dir / "full.xlsx")
    data = (data_dir / "full.xlsx").read_bytes()
    (data_dir / "FS_Test.xlsx").write_bytes(data[: len(data) // 2])
    (data_dir / "full.xlsx").unlink()
    with pytest.raises(TruncatedInputError) as err:
        load(data_dir)
    assert err.value.file == "FS_Test.xlsx"


def test_missing_required_table(data_dir, load):
    (data_dir / "Region_Prov.csv").write_text("PROVINCE,Year,Value\n北京,2015,1\n", encoding="utf-8")
    with pytest.raises(MissingFileError) as err:
        load(data_dir)
    assert err.value.table == "fin" and "FS_Test*" in str(err.value)


def test_missing_optional_table_warns(data_dir, mapping_dir, tmp_path):
    from nqp.ingest import ingest

    write_csv(data_dir / "FS_Test.csv")
    with pytest.warns(DataWarning, match="optional table region"):
        report = ingest(data_dir, tmp_path / "wh.duckdb", mapping_dir=mapping_dir, progress=False,
                        default_mappings=False)
    assert report.missing_optional == ["region"]


def test_missing_data_folder(tmp_path, load):
    with pytest.raises(MissingFileError):
        load(tmp_path / "nope")
