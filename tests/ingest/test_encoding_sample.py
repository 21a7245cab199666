"""A CSV that is UTF-8 by its BOM or first megabyte is read as UTF-8 at once (pyarrow validates
every cell); anything wrong further on is judged by detect_encoding over the whole file, with
the same error or encoding as when the whole file was decoded first."""

from __future__ import annotations

import codecs

import duckdb
import pytest
from ingest_exports import ROWS, csv_text

from nqp.errors import EncodingError
from nqp.ingest.encoding import SAMPLE, detect_encoding, utf8_by_sample


def _rows(n: int, name: str = "x") -> list[list[str]]:
    """``n`` rows of distinct keys (stock code, year end) in the test mapping's layout."""
    return [[str(100000 + i), f"{2000 + i % 20}-12-31", "A", f"{i}.5", "1", "0", name]
            for i in range(n)]


def _big_csv(tail_row: bytes, *, bom: bool = False, labels: bool = False) -> bytes:
    """An export larger than the sample: rows of ASCII text (below the Chinese label rows with
    ``labels``, in UTF-8), then ``tail_row`` past the first megabyte."""
    head = csv_text(_rows(40_000), descriptive=labels).encode("utf-8")
    assert len(head) > SAMPLE
    return (codecs.BOM_UTF8 if bom else b"") + head + tail_row


@pytest.mark.parametrize("data, expected", [
    (codecs.BOM_UTF8 + b"a,b\n", "utf-8-sig"),
    (b"a,b\n1,2\n", "utf-8"),
    ("证券代码,年\n".encode("utf-8"), "utf-8"),
    (b"", "utf-8"),
    (codecs.BOM_UTF16_LE + "a,b\n".encode("utf-16-le"), None),
    ("a,b\n1,2\n".encode("utf-16-le"), None),  # UTF-16 without BOM
    ("证券代码,年\n".encode("gb18030"), None),
    (b"a,b\n" + b"x" * SAMPLE + b"\x00", None),  # a NUL past the sample
])
def test_utf8_by_sample(data, expected):
    assert utf8_by_sample(data) == expected


def test_sample_cut_inside_a_character_is_utf8():
    data = b"a" * (SAMPLE - 1) + "啊".encode("utf-8")  # the sample ends after the first byte of 啊
    assert utf8_by_sample(data) == "utf-8"


@pytest.mark.parametrize("bom", [False, True])
def test_bad_byte_past_the_sample_is_named(bom, data_dir, load):
    data = _big_csv(b"600000,2016-12-31,A,\xff\xff,1,0,x\r\n", bom=bom)
    assert utf8_by_sample(data) == ("utf-8-sig" if bom else "utf-8")
    (data_dir / "FS_Test.csv").write_bytes(data)
    with pytest.raises(EncodingError) as err:
        load(data_dir)
    with pytest.raises(EncodingError) as whole:
        detect_encoding(data, "FS_Test.csv")
    assert str(err.value) == str(whole.value)
    offset = len(data) - len(b"\xff\xff,1,0,x\r\n")
    assert err.value.row == data.count(b"\n", 0, offset) + 1 and f"byte offset {offset}" in str(err.value)


def test_damaged_utf8_past_the_sample_is_not_read_as_gbk(data_dir, load):
    """A file that is UTF-8 Chinese up to a bad byte deep inside: damaged UTF-8 (detect_encoding's
    rule over the whole file), not GBK mojibake."""
    data = _big_csv(b"600000,2016-12-31,A,1,1,0,\xb0\xa1\r\n", labels=True)
    assert utf8_by_sample(data) == "utf-8" and detect_encoding(data[:-4] + b"\r\n", "f") == "utf-8"
    (data_dir / "FS_Test.csv").write_bytes(data)
    with pytest.raises(EncodingError, match="UTF-8 up to byte offset"):
        load(data_dir)


def test_gbk_text_past_an_ascii_sample_is_read_as_gbk(data_dir, load, tmp_path):
    data = _big_csv("600000,2016-12-31,A,1,1,0,浦发银行\r\n".encode("gb18030"))
    assert utf8_by_sample(data) == "utf-8" and detect_encoding(data, "f") == "gb18030"
    (data_dir / "FS_Test.csv").write_bytes(data)
    report = load(data_dir, tmp_path / "wh.duckdb")
    assert report["fin"].encodings == ("gb18030",)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT short_name FROM fin WHERE stkcd = '600000'").fetchall() == [("浦发银行",)]
        assert con.execute("SELECT encoding FROM _sources").fetchall() == [("gb18030",)]
    finally:
        con.close()


def test_small_utf8_file_reads_as_before(data_dir, load):
    (data_dir / "FS_Test.csv").write_bytes(csv_text(ROWS).encode("utf-8"))
    assert load(data_dir)["fin"].encodings == ("utf-8",)
