"""Property: any text cell written by Python's csv module (quotes, separators, newlines,
Chinese) in any supported encoding and separator reads back unchanged (up to the
documented trimming of surrounding whitespace)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_exports import FIN_TOML, ROWS, write_csv

from nqp.ingest.mapping import load_mapping_file
from nqp.ingest.readers import read_export
from nqp.ingest.validate import convert_export

ALPHABET = ("证券代码会计期间报表类型资产总计员工人数是否平安银行浦发宁德时代中国有限公司股份科技集团（）"
            "abcXYZ019 ,\"\n\t;-")


@settings(max_examples=40, deadline=None)
@given(names=st.lists(st.text(alphabet=ALPHABET, max_size=12), min_size=3, max_size=3),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]),
       sep=st.sampled_from([",", "\t"]))
def test_text_cells_round_trip(names, encoding, sep):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "fin.toml").write_text(FIN_TOML, encoding="utf-8")
        mapping = load_mapping_file(tmp / "fin.toml")
        rows = [r[:6] + [n] for r, n in zip(ROWS, names)]
        path = write_csv(tmp / "FS_Test.csv", rows, encoding=encoding, sep=sep)
        raw = read_export(path)
        got = convert_export(raw, mapping).table.column("short_name").to_pylist()
        assert got == [n.strip(" \t\n") or None for n in names]
        assert raw.encoding == {"gbk": "gb18030"}.get(encoding, encoding)
