"""IPC normalisation and group-level matching; AI flags on hand-labelled records."""

import pyarrow as pa
import pytest

from nqp.errors import ConfigError
from nqp.patents.classify import Classifier, classify, load_keywords
from nqp.patents.ipc import IpcCode, load_ipc_definitions, normalize_ipc, parse_rule


@pytest.mark.parametrize("text, code", [
    ("G06N 3/08", IpcCode("G06N", 3, "08")),
    ("G06N3/08", IpcCode("G06N", 3, "08")),
    ("G06N0003080000", IpcCode("G06N", 3, "08")),
    ("g06n 3/08 (2006.01)", IpcCode("G06N", 3, "08")),
    ("Ｇ０６Ｎ　３／０６３", IpcCode("G06N", 3, "063")),
    ("G06N0003063000", IpcCode("G06N", 3, "063")),
    ("G06F 9/4401", IpcCode("G06F", 9, "4401")),
    ("G06N 3/1", IpcCode("G06N", 3, "10")),
    ("G06N20", IpcCode("G06N", 20)),
    ("G06N", IpcCode("G06N")),
])
def test_normalize(text, code):
    assert normalize_ipc(text) == code


@pytest.mark.parametrize("bad", ["", "G06", "X06N3/08", "G06N-X", "G06N3/08/09", "人工智能"])
def test_malformed(bad):
    assert normalize_ipc(bad) is None


@pytest.mark.parametrize("rule, code, hit", [
    ("G06N3/1", "G06N3/10", True),
    ("G06N3/1", "G06N3/12", False),        # the plain-prefix trap of the reference
    ("G06N3/04", "G06N3/045", True),       # digit extension = finer subgroup
    ("G06N3/04", "G06N3/0464", True),
    ("G06N3/04", "G06N3/4", False),        # 3/40 is another subgroup
    ("G06N3/00", "G06N3/02", False),
    ("G06N5", "G06N5/043", True),          # main group: all its subgroups
    ("G06N5", "G06N50/00", False),
    ("G06F40", "G06F4/00", False),
    ("G06F40", "G06F40/30", True),
    ("G06N3/02-3/12", "G06N3/02", True),
    ("G06N3/02-3/12", "G06N3/063", True),
    ("G06N3/02-3/12", "G06N3/12", True),
    ("G06N3/02-3/12", "G06N3/126", True),  # child of the range's end
    ("G06N3/02-3/12", "G06N3/00", False),
    ("G06N3/02-3/12", "G06N3/13", False),
    ("G06N3/02-3/12", "G06N3", False),     # a bare main group is not inside a subgroup range
    ("G06N", "G06N99/00", True),
])
def test_rule_semantics(rule, code, hit):
    assert parse_rule(rule).matches(normalize_ipc(code)) is hit


def test_bad_rules():
    with pytest.raises(ConfigError):
        parse_rule("G06N3/02-G06F3/12")
    with pytest.raises(ConfigError):
        parse_rule("nonsense")


def test_shipped_definitions_have_sources():
    ds = load_ipc_definitions()
    assert [d.name for d in ds] == ["cset_ipc", "cnipa_sei2021_ai"]
    assert all(d.source.strip() for d in ds)
    assert len(load_ipc_definitions(only_enabled=False)) == 3


# Hand-labelled records: (main IPC, all IPC, title, abstract, AI by IPC, AI by keyword), each label
# worked out by hand from data/ai_ipc.toml and data/ai_keywords.toml.
RECORDS = [
    ("G06N3/08", "", "一种训练方法", "", True, False),            # cset 3/02-3/12
    ("G06N3/00", "", "一种装置", "", True, False),                # cnipa lists 3/00
    ("G06N7/00", "", "一种装置", "", False, False),               # 7/00 is outside 7/02-06 and cnipa
    ("G06N7/04", "", "一种装置", "", True, False),
    ("G06N10/00", "", "量子计算装置", "", False, False),
    ("G06F4/00", "G06F40/30", "一种文本处理方法", "", True, False),  # AI via a secondary IPC
    ("G06F9/45", "", "一种装置", "", False, False),               # neither 9/44 nor 9/455
    ("G06F9/4401", "", "一种装置", "", True, False),              # child of 9/44
    ("G10L15/22", "", "语音交互", "", False, False),
    ("G10L15/16", "", "一种装置", "", True, False),
    ("G06N0005020000", "", "一种装置", "", True, False),
    ("Ｇ０６Ｎ　２０／００", "", "一种装置", "", True, False),
    ("G06N 3/04 (2006.01)", "", "一种装置", "", True, False),
    ("G06N-X", "", "一种装置", "", False, False),                 # malformed
    ("G06T7/00", "", "基于深度学习的缺陷检测方法", "", False, True),
    ("H04L29/06", "", "A method", "A machine learning model ranks packets.", False, True),
    ("H04L29/06", "", "Device", "a learning machine", False, True),  # /1w: either order
    ("H04L29/06", "", "Device", "machine for learning", False, True),  # one word between
    ("H04L29/06", "", "Device", "learning from the machine", False, False),  # two words between
    ("F16B35/00", "", "一种螺丝", "一种用于机械的螺丝。", False, False),
    ("B25J9/16", "", "一种机械臂", "采用神经网络控制。", False, True),
]


def _table(records):
    cols = list(zip(*records))
    n = len(records)
    return pa.table({"ipc_main": cols[0], "ipc": cols[1], "title": cols[2], "abstract": cols[3],
                     "ptype": ["发明"] * n, "app_date": ["2020-01-01"] * n})


def test_hand_labelled_records():
    clf = Classifier(tuple(load_ipc_definitions()), load_keywords())
    f = classify(_table(RECORDS), clf)
    assert f["ai_ipc"].tolist() == [r[4] for r in RECORDS]
    assert f["ai_kw"].tolist() == [r[5] for r in RECORDS]
    assert f["ai"].tolist() == [r[4] or r[5] for r in RECORDS]
    assert f["bad_ipc"].tolist() == [r[0] == "G06N-X" for r in RECORDS]


def test_rule_and_scope_options():
    recs = [("G06T7/00", "G06N3/08", "深度学习", "", None, None), ("G06N3/08", "", "一种装置", "", None, None)]
    t = _table(recs)
    defs, kw = tuple(load_ipc_definitions()), load_keywords()
    assert classify(t, Classifier(defs, kw, scope="main"))["ai_ipc"].tolist() == [False, True]
    assert classify(t, Classifier(defs, kw, scope="any"))["ai_ipc"].tolist() == [True, True]
    assert classify(t, Classifier(defs, kw, rule="both"))["ai"].tolist() == [True, False]
    assert classify(t, Classifier(defs, kw, rule="keyword"))["ai"].tolist() == [True, False]


def test_kind_and_year():
    t = pa.table({"ipc_main": ["G06N3/08"] * 5, "ipc": [""] * 5, "title": ["x"] * 5, "abstract": [""] * 5,
                  "ptype": ["发明申请", "实用新型", "外观设计", "发明授权", "?"],
                  "app_date": ["2020-01-01", "2019/12/31", "20180101", "bad", ""]})
    f = classify(t, Classifier(tuple(load_ipc_definitions()), load_keywords()))
    assert f["kind"].tolist() == ["invention", "utility", "design", "invention", "unknown"]
    assert f["year"].tolist() == [2020, 2019, 2018, 0, 0]
