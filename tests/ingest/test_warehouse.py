"""The warehouse: atomic replacement, untouched inputs, provenance tables, reading back."""

from __future__ import annotations

import hashlib

import pytest
from ingest_exports import ROWS, csv_text, write_csv

from nqp.errors import DuplicateKeyError, MissingFileError, SchemaError, TruncatedInputError
from nqp.ingest import open_warehouse, read_table, table_names


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree(folder):
    return {p.name: _digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def test_failed_load_leaves_warehouse_untouched(data_dir, load, tmp_path):
    db = tmp_path / "wh.duckdb"
    write_csv(data_dir / "FS_Test.csv")
    load(data_dir)
    before = _digest(db)
    (data_dir / "FS_Test_z.csv").write_text(csv_text(ROWS) + "000002,2018", encoding="utf-8")  # truncated
    with pytest.raises(TruncatedInputError):
        load(data_dir)
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "mapping", "wh.duckdb"]  # no temp left
    assert len(read_table(db, "fin")) == 3


def test_failed_first_load_creates_nothing(data_dir, load, tmp_path):
    (data_dir / "FS_Test.csv").write_bytes(b"")
    with pytest.raises(Exception):
        load(data_dir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "mapping"]


def test_inputs_are_not_modified(data_dir, mapping_dir, load):
    write_csv(data_dir / "FS_Test_1.csv", encoding="gbk")
    write_csv(data_dir / "FS_Test_2.txt", [ROWS[0][:3] + ["5"] + ROWS[0][4:]], sep="\t", encoding="utf-16")
    (data_dir / "Region_Prov.csv").write_text("PROVINCE,Year,Value\n北京,2015,1\n", encoding="utf-8")
    data_before, maps_before = _tree(data_dir), _tree(mapping_dir)
    with pytest.raises(DuplicateKeyError):  # the two files disagree on one key
        load(data_dir)
    (data_dir / "FS_Test_2.txt").unlink()
    data_before.pop("FS_Test_2.txt")
    load(data_dir)
    assert _tree(data_dir) == data_before and _tree(mapping_dir) == maps_before


def test_sources_and_dictionary(data_dir, load, tmp_path):
    write_csv(data_dir / "FS_Test.csv", encoding="utf-8-sig")
    load(data_dir)
    con = open_warehouse(tmp_path / "wh.duckdb")
    try:
        src = con.execute('SELECT "table", file, sha256, rows, encoding, header_rows FROM _sources').fetchall()
        assert src == [("fin", "FS_Test.csv", _digest(data_dir / "FS_Test.csv"), 3, "utf-8-sig", 3)]
        dic = con.execute('SELECT name, code, label_zh, unit, type FROM _dictionary WHERE "table" = \'fin\' '
                          "ORDER BY position").fetchall()
        assert dic[3] == ("assets", "A001000000", "资产总计", "元", "float")
        assert len(dic) == 7
        assert con.execute('SELECT "key", rows FROM _tables').fetchall() == [("stkcd, accper, typrep", 3)]
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE fin)").fetchall())
        assert types == {"stkcd": "VARCHAR", "accper": "DATE", "typrep": "VARCHAR", "assets": "DOUBLE",
                         "employees": "BIGINT", "st": "BOOLEAN", "short_name": "VARCHAR"}
        assert table_names(con) == ["fin"]
    finally:
        con.close()


def test_read_table_columns_and_errors(data_dir, load, tmp_path):
    db = tmp_path / "wh.duckdb"
    write_csv(data_dir / "FS_Test.csv")
    load(data_dir)
    df = read_table(db, "fin", columns=["stkcd", "assets"])
    assert list(df.columns) == ["stkcd", "assets"] and df["stkcd"].tolist() == ["000001", "600000", "300750"]
    with pytest.raises(SchemaError, match="did you mean 'fin'"):
        read_table(db, "fin_")
    with pytest.raises(SchemaError, match="did you mean 'assets'") as err:
        read_table(db, "fin", columns=["asset"])
    assert err.value.column == "asset"
    with pytest.raises(MissingFileError):
        read_table(tmp_path / "none.duckdb", "fin")


def test_incremental_keeps_other_tables(data_dir, load, tmp_path):
    db = tmp_path / "wh.duckdb"
    write_csv(data_dir / "FS_Test.csv")
    load(data_dir)
    regional = tmp_path / "regional"
    regional.mkdir()
    (regional / "Region_Prov.csv").write_text("PROVINCE,Year,Value\n北京,2015,1.5\n", encoding="utf-8")
    report = load(regional, incremental=True)
    assert report.kept == ["fin"] and report["region"].rows == 1
    assert len(read_table(db, "fin")) == 3 and read_table(db, "region")["value"].tolist() == [1.5]
    con = open_warehouse(db)
    assert sorted(r[0] for r in con.execute('SELECT "table" FROM _sources').fetchall()) == ["fin", "region"]
    con.close()
    with pytest.raises(MissingFileError):  # a full rebuild needs the required table again
        load(regional)


def test_refuses_to_overwrite_a_non_warehouse_file(data_dir, load):
    from nqp.errors import InputError

    target = write_csv(data_dir / "FS_Test.csv")
    before = _digest(target)
    with pytest.raises(InputError, match="not a DuckDB warehouse"):
        load(data_dir, db=target)
    assert _digest(target) == before
