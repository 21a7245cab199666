"""Every supported export format and encoding round-trips to the hand-written expected values."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_exports import CODES, EXPECTED, LABELS, ROWS, UNITS, csv_text, write_csv

from nqp.ingest import read_table


def _check(db, expected=EXPECTED):
    df = read_table(db, "fin")
    assert list(df.columns) == list(expected)
    for col, want in expected.items():
        got = [None if pd.isna(v) else v for v in df[col].tolist()]
        if col == "accper":
            got = [v.date() for v in got]
        assert got == want, col


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings_round_trip(encoding, data_dir, load, tmp_path):
    write_csv(data_dir / "FS_Test.csv", encoding=encoding)
    report = load(data_dir)
    _check(tmp_path / "wh.duckdb")
    expected_enc = {"gbk": "gb18030", "utf-8-sig": "utf-8-sig"}.get(encoding, encoding)
    assert report["fin"].encodings == (expected_enc,)


def test_utf16_without_bom(data_dir, load, tmp_path):
    write_csv(data_dir / "FS_Test.csv", encoding="utf-16-le")
    assert load(data_dir)["fin"].encodings == ("utf-16-le",)
    _check(tmp_path / "wh.duckdb")


def test_tab_separated_txt(data_dir, load, tmp_path):
    write_csv(data_dir / "FS_Test.txt", sep="\t", encoding="gbk")
    load(data_dir)
    _check(tmp_path / "wh.duckdb")
    from nqp.ingest import open_warehouse

    con = open_warehouse(tmp_path / "wh.duckdb")
    assert con.execute("SELECT separator, format FROM _sources").fetchone() == ("\t", "txt")
    con.close()


def test_plain_header_under_csmar_mapping(data_dir, load, tmp_path):
    """A CSMAR export downloaded without the two descriptive rows keeps all its data rows."""
    write_csv(data_dir / "FS_Test.csv", descriptive=False)
    assert load(data_dir)["fin"].rows == 3
    _check(tmp_path / "wh.duckdb")


def test_quoted_fields_with_separator_and_newline(data_dir, load, tmp_path):
    rows = [r[:] for r in ROWS]
    rows[0][6] = '平安,"银行"\n第二行'
    write_csv(data_dir / "FS_Test.csv", rows)
    load(data_dir)
    assert read_table(tmp_path / "wh.duckdb", "fin")["short_name"][0] == '平安,"银行"\n第二行'


def test_xlsx_with_csmar_rows_and_excel_dates(data_dir, load, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(CODES)
    ws.append(LABELS)
    ws.append(UNITS)
    ws.append([1, dt.datetime(2015, 12, 31), "A", 1234567.89, 100, 0, "平安银行"])  # Stkcd lost its zeros
    ws.append(["600000", "2016-12-00", "A", -0.5, None, "是", "浦发银行"])
    ws.append([300750, 42916, "B", 1000, 7, "N", "宁德时代"])  # 42916 = Excel serial of 2017-06-30
    wb.save(data_dir / "FS_Test.xlsx")
    load(data_dir)
    _check(tmp_path / "wh.duckdb")


def test_parquet(data_dir, load, tmp_path):
    table = pa.table({
        "Stkcd": pa.array([1, 600000, 300750], pa.int64()),
        "Accper": pa.array([dt.date(2015, 12, 31), dt.date(2016, 12, 1), dt.date(2017, 6, 30)]),
        "Typrep": ["A", "A", "B"],
        "A001000000": [1234567.89, -0.5, 1000.0],
        "Staff": pa.array([100, None, 7], pa.int64()),
        "IsST": [False, True, False],
        "ShortName": ["平安银行", "浦发银行", "宁德时代"],
    })
    pq.write_table(table, data_dir / "FS_Test.parquet")
    load(data_dir)
    _check(tmp_path / "wh.duckdb")


def test_files_of_one_table_are_stacked_in_name_order(data_dir, load, tmp_path):
    write_csv(data_dir / "FS_Test_2.csv", ROWS[2:])
    write_csv(data_dir / "FS_Test_1.csv", ROWS[:2], encoding="gbk")
    report = load(data_dir)
    assert report["fin"].files == ("FS_Test_1.csv", "FS_Test_2.csv")
    assert report["fin"].encodings == ("gb18030", "utf-8")
    _check(tmp_path / "wh.duckdb")


def test_case_insensitive_codes_and_extra_columns(data_dir, load, tmp_path):
    codes = ["STKCD", "accper", "Typrep", "A001000000", "Staff", "IsST", "ShortName", "Unmapped"]
    rows = [r + ["x"] for r in ROWS]
    (data_dir / "FS_Test.csv").write_text(csv_text(rows, codes=codes, descriptive=False), encoding="utf-8")
    load(data_dir)
    _check(tmp_path / "wh.duckdb")


def test_absent_optional_column_is_null_with_warning(data_dir, load, tmp_path):
    from nqp.errors import DataWarning

    codes = [c for c in CODES if c != "Staff"]
    rows = [r[:4] + r[5:] for r in ROWS]
    (data_dir / "FS_Test.csv").write_text(csv_text(rows, codes=codes, descriptive=False), encoding="utf-8")
    with pytest.warns(DataWarning, match="Staff"):
        report = load(data_dir)
    assert report["fin"].absent_columns == ("employees",)
    assert read_table(tmp_path / "wh.duckdb", "fin")["employees"].isna().all()


def test_load_report_counts(data_dir, load):
    write_csv(data_dir / "FS_Test.csv")
    (data_dir / "Region_Prov.csv").write_text("PROVINCE,Year,Value\n北京,2015,1.5\n上海,2016,\n", encoding="utf-8")
    (data_dir / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    (data_dir / "FS_Test[DES][csv].txt").write_text("Stkcd [证券代码]\n", encoding="utf-8")
    report = load(data_dir)
    fin = report["fin"]
    assert (fin.rows, fin.firms, fin.years, fin.padded_dates) == (3, 3, (2015, 2017), 1)
    reg = report["region"]
    assert (reg.rows, reg.firms, reg.years) == (2, None, (2015, 2016))
    assert report.unmatched_files == ["notes.csv"]
    assert "fin" in str(report.rich_table().columns[0]._cells)


def test_blank_lines_and_empty_records_are_skipped(data_dir, load, tmp_path):
    """Blank lines and ',,,,' records (left by spreadsheet tools) are not data; line numbers
    in messages still count them."""
    text = "\r\n" + csv_text(ROWS[:2]) + ",,,,,,\r\n\r\n" + csv_text(ROWS[2:]).split("\r\n", 3)[3]
    (data_dir / "FS_Test.csv").write_text(text, encoding="utf-8")
    load(data_dir)
    _check(tmp_path / "wh.duckdb")
    from nqp.errors import SchemaError

    (data_dir / "FS_Test.csv").write_text(text.replace("1e3", "1e3x"), encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load(data_dir)
    assert err.value.row == 9


def test_sheet_by_columns_is_sheet_by_rows():
    """A rectangular sheet is read column by column (floats converted together); that must give
    the header, cells, sheet rows and errors of the row-by-row reader, on random sheets."""
    import datetime as dt
    import random

    from nqp.errors import NqpError
    from nqp.ingest.readers import _sheet_by_columns, _sheet_by_rows

    rng = random.Random(3)
    pool = [None, "", " ", "\u3000", "\x1c", "x", " 平安 ", "000001", 0.0, -0.0, 1.0, 2.5, -3.0, 1e300, 2.0**53, 2.0**53 + 2, 1e-7,
            float("nan"), float("inf"), 7, True, False, dt.date(2015, 12, 31), dt.datetime(2015, 1, 2, 3, 4)]
    for _ in range(400):
        width, height = rng.randint(1, 5), rng.randint(1, 7)
        sheet = [[rng.choice(pool) for _ in range(width)] for _ in range(height)]

        def outcome(read):
            try:
                header, cols, rows = read(sheet, "t.xlsx")
            except NqpError as exc:
                return type(exc).__name__, str(exc)
            return header, {k: v.to_pylist() for k, v in cols.items()}, rows

        assert outcome(_sheet_by_columns) == outcome(_sheet_by_rows), sheet
