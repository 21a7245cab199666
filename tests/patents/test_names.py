"""Applicant names → listed firms on tricky names (full/half width, brackets, suffixes, former
names, subsidiaries, joint applicants, ambiguity), each expected result worked out by hand."""

import numpy as np
import pyarrow as pa
import pytest

from nqp.errors import SchemaError
from nqp.patents.match import FirmIndex, match_records, merge_reports
from nqp.patents.names import normalize_name, read_firm_names


@pytest.mark.parametrize("a, b", [
    ("中国平安保险（集团）股份有限公司", "中国平安保险(集团)股份有限公司"),
    ("中国平安保险【集团】股份有限公司 ", "中国平安保险(集团)股份有限公司"),
    ("华为技术有限公司", "华为技术 有限公司"),
    ("华为技术有限公司", "华为技术股份有限公司"),
    ("ＺＴＥ　Ｃｏｒｐｏｒａｔｉｏｎ", "ZTE Corporation"),
    ("Ping An Bank Co., Ltd.", "PING AN BANK CO.,LTD"),
    ("BYD Company Limited", "byd co ltd"),
    ("Cisco Systems, Inc.", "cisco systems"),
])
def test_same_key(a, b):
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize("a, b", [
    ("中国平安保险(集团)股份有限公司", "中国平安保险股份有限公司"),  # bracket content is kept
    ("平安银行股份有限公司", "平安银行深圳分行"),
    ("某某集团有限公司", "某某有限公司"),                            # 集团 is part of the name
    ("Cisco Inc", "Cis Inc"),                                         # "co" only as a whole word
])
def test_different_key(a, b):
    assert normalize_name(a) != normalize_name(b)


FIRMS = """stkcd,name,kind,valid_from,valid_to
000001,平安银行股份有限公司,current,2012,
000001,深圳发展银行股份有限公司,former,,2011
000001,平安银行（深圳）科技有限公司,subsidiary,2015,
000002,万科企业股份有限公司,current,,
000003,重名科技股份有限公司,current,,
000004,重名科技有限公司,current,2018,
"""


@pytest.fixture
def index(tmp_path):
    p = tmp_path / "firms.csv"
    p.write_text(FIRMS, encoding="utf-8")
    return FirmIndex(read_firm_names(p))


def test_match_records(index):
    apps = pa.array([
        "平安银行股份有限公司",                              # 0: current name, 2016 -> 000001
        "深圳发展银行股份有限公司",                          # 1: former name, 2010 -> 000001
        "深圳发展银行股份有限公司",                          # 2: former name, 2016 -> out of period
        "平安银行(深圳)科技有限公司；平安银行股份有限公司",  # 3: subsidiary + parent, 2016 -> once
        "万科企业股份有限公司; 清华大学",                   # 4: joint with a university -> 000002
        "万科企业股份有限公司;平安银行股份有限公司",         # 5: two listed firms -> both
        "重名科技有限公司",                                  # 6: 2019: two firms share the key -> ambiguous
        "重名科技股份有限公司",                              # 7: 2017: only 000003 valid then -> 000003
        "张三",                                              # 8: a person -> unmatched
        "",                                                  # 9: no applicant
    ])
    year = np.array([2016, 2010, 2016, 2016, 2016, 2016, 2019, 2017, 2016, 2016], dtype=np.int32)
    pairs, report = match_records(apps, year, index)
    got = sorted(map(tuple, pairs[["row", "stkcd"]].itertuples(index=False)))
    assert got == [(0, "000001"), (1, "000001"), (3, "000001"), (4, "000002"), (5, "000001"), (5, "000002"),
                   (7, "000003")]
    rep = merge_reports([report]).set_index("applicant")
    assert rep.loc["重名科技有限公司", "status"] == "ambiguous"
    assert rep.loc["深圳发展银行股份有限公司", ["records", "matched", "out_of_period", "status"]].tolist() == [
        2, 1, 1, "matched"]
    assert rep.loc["张三", "status"] == rep.loc["清华大学", "status"] == "unmatched"
    assert rep.loc["平安银行股份有限公司", "records"] == 3


def test_firm_file_errors(tmp_path):
    p = tmp_path / "f.csv"
    p.write_text("stkcd,name,kind\n000001,甲公司,parent\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="row=2"):
        read_firm_names(p)
    p.write_text("stkcd,name,valid_from\n000001,甲公司,20x1\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="valid_from"):
        read_firm_names(p)
    p.write_text("code,name\n1,甲\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="stkcd"):
        read_firm_names(p)
