"""Applicant names → listed firms on tricky names (full/half width, brackets, suffixes, former
names, subsidiaries, joint applicants, ambiguity), each expected result worked out by hand."""

import numpy as np
import pandas as pd
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


def _plain_match(apps: list[str], year: list[int], names: pd.DataFrame):
    """The matching rules of nqp.patents.match, one record and applicant at a time (the oracle)."""
    cands: dict[str, list[tuple[str, int, int]]] = {}
    for s, k, f, t in zip(names["stkcd"], names["key"], names["valid_from"], names["valid_to"]):
        cands.setdefault(k, []).append((s, -1 if pd.isna(f) else int(f), 99999 if pd.isna(t) else int(t)))
    pairs, stats = set(), {}
    for r, (text, y) in enumerate(zip(apps, year)):
        seen = set()
        for a in (x.strip() for x in text.replace("；", ";").split(";")):
            st = stats.setdefault(a, [0, 0, 0, 0, 0])  # records, matched, ambiguous, with_cands, covered
            st[0] += 1
            k = normalize_name(a) if a else ""
            if not k or k not in cands:
                continue
            st[3] += 1
            if a in seen:
                continue
            seen.add(a)
            firms = {s for s, lo, hi in cands[k] if lo <= y <= hi}
            st[4] += bool(firms)
            if len(firms) == 1:
                st[1] += 1
                pairs.add((r, firms.pop()))
            elif len(firms) > 1:
                st[2] += 1
    return pairs, stats


def test_match_records_is_the_plain_loop(tmp_path):
    """Random joint applicants (firm names with and without suffixes, repeats within a record,
    strangers, empty cells) over random years: the vectorised match gives the oracle's pairs and
    per-applicant counts."""
    import random

    rng = random.Random(3)
    rows = ["stkcd,name,kind,valid_from,valid_to"]
    for i in range(1, 60):
        lo, hi = rng.choice(["", "2012", "2016"]), rng.choice(["", "2015", "2019"])
        rows.append(f"{i:06d},企业{i % 45}股份有限公司,{rng.choice(['current', 'former', 'subsidiary'])},{lo},{hi}")
    p = tmp_path / "firms.csv"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    names = read_firm_names(p)
    pool = [f"企业{i}有限公司" for i in range(50)] + [f"企业{i}股份有限公司" for i in range(50)] + ["张三", "大学", ""]
    apps = ["；".join(rng.choice(pool) for _ in range(rng.randint(1, 4))) for _ in range(3000)]
    year = [rng.randint(2008, 2022) for _ in apps]
    pairs, report = match_records(pa.array(apps), np.array(year, dtype=np.int32), FirmIndex(names))
    want_pairs, stats = _plain_match(apps, year, names)
    assert set(map(tuple, pairs[["row", "stkcd"]].itertuples(index=False))) == want_pairs
    assert len(pairs) == len(want_pairs)
    got = {a: [r, m, amb, oop] for a, r, m, amb, oop in
           report[["applicant", "records", "matched", "ambiguous", "out_of_period"]].itertuples(index=False)}
    assert got == {a: [s[0], s[1], s[2], s[3] - s[4]] for a, s in stats.items() if a}


def _plain_normalize(name: str) -> str:
    """normalize_name as first written, without its shortcuts (the oracle)."""
    import unicodedata

    from nqp.patents.names import _BRACKETS, _EN_SUFFIX, _TRAIL, _ZH_SUFFIXES

    s = unicodedata.normalize("NFKC", str(name)).lower().translate(_BRACKETS).strip()
    while True:
        t = _EN_SUFFIX.sub("", s.rstrip(_TRAIL)).rstrip(_TRAIL)
        if t == s or not t:
            break
        s = t
    s = "".join(s.split())
    changed = True
    while changed and s:
        changed = False
        s = s.rstrip(_TRAIL)
        for suf in _ZH_SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf):
                s = s[: -len(suf)]
                changed = True
                break
    return s


def test_normalize_name_shortcuts_change_nothing():
    import random

    rng = random.Random(5)
    parts = ["股份", "有限", "责任", "公司", "集团", "（", "）", "(", ")", " ", ",", ".", "。", "、", "Co", "co.", "Ltd",
             "LTD.", "inc", " Corp", "limited", "cisco", "\n", "ｃｏ", "平安", "A", "1"]
    names = ["".join(rng.choice(parts) for _ in range(rng.randint(0, 7))) for _ in range(20_000)]
    names += ["公司", "股份有限公司", "有限公司公司", "abc co\n,", "x co.,ltd.", "Co", "中国平安保险（集团）股份有限公司 "]
    assert [normalize_name(n) for n in names] == [_plain_normalize(n) for n in names]
