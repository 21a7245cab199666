"""Hand-labelled IncoPat records and the firm-year counts worked out by hand from them."""

HEADER = "申请号,申请日,标题,摘要,IPC主分类,IPC,专利类型,申请人,公开（公告）号"
ROWS = [
    "CN201810000001.1,2018-03-01,一种训练方法,,G06N3/08,G06N3/08,发明,甲科技股份有限公司,CN1A",
    "CN 201810000001.1,2018-03-01,一种训练方法,,G06N3/08,G06N3/08,发明,甲科技股份有限公司,CN1A",  # duplicate
    "CN201820000002.X,2018-05-01,一种基于神经网络的螺丝,,F16B35/00,F16B35/00,实用新型,甲科技股份有限公司,CN2U",
    "CN201810000003.3,2018-06-01,一种螺丝,,F16B35/00,F16B35/00,发明,甲科技股份有限公司,CN3A",
    "CN201910000004.4,2019-01-01,一种分类装置,,G06N20/00,G06N20/00; H04L29/06,发明,甲科技股份有限公司; 乙电子有限公司,CN4A",
    "CN201930000005.5,2019-02-01,包装盒,,,,外观设计,乙电子股份有限公司,CN5S",  # a design: no IPC, no problem
    "CN201910000011.1,2019-04-04,一种盒子,,,,发明,乙电子股份有限公司,CN11A",  # an invention without IPC
    "CN201910000006.6,bad,一种装置,,G06N20/00,,发明,甲科技股份有限公司,CN6A",  # bad date
    "CN202010000007.7,2020-01-01,,,G06N-X,,发明,甲科技股份有限公司,CN7A",  # malformed IPC, empty title
    "CN202010000008.8,2020-01-01,一种装置,,G06N3/04,,?,丙大学,CN8A",  # unknown type, unmatched
    "CN201010000009.9,2010-01-01,一种推理方法,,G06N5/02,,发明,甲旧名有限公司,CN9A",  # former name
    "CN201920000010.0,2019-03-03,一种芯片,,G06N3/063,,实用新型,乙电子有限公司,CN10U",
]
FIRMS = """stkcd,name,kind,valid_from,valid_to
000001,甲科技股份有限公司,current,2012,
000001,甲旧名有限公司,former,,2011
000002,乙电子股份有限公司,current,,
"""
# stkcd, year: patents, patents_invention, patents_utility, ai_patents, ai_invention, ai_utility, ai_by_ipc, ai_by_keyword
EXPECTED = {
    ("000001", 2010): (1, 1, 0, 1, 1, 0, 1, 0),
    ("000001", 2018): (3, 2, 1, 2, 1, 1, 1, 1),
    ("000001", 2019): (1, 1, 0, 1, 1, 0, 1, 0),
    ("000001", 2020): (1, 1, 0, 0, 0, 0, 0, 0),
    ("000002", 2019): (4, 2, 1, 2, 1, 1, 2, 0),
}
PROBLEMS = {
    "duplicate application number: dropped": ["CN 201810000001.1"],
    "no IPC code": ["CN201910000011.1"],
    "bad application date: record not counted": ["CN201910000006.6"],
    "malformed IPC code": ["CN202010000007.7"],
    "empty title": ["CN202010000007.7"],
    "unknown patent type": ["CN202010000008.8"],
}


def write(tmp_path, copies=1):
    d = tmp_path / "patents"
    d.mkdir()
    rows = ROWS * copies if copies == 1 else [r.replace("CN", f"C{k}", 1) for k in range(copies) for r in ROWS]
    (d / "incopat_1.csv").write_bytes(("\ufeff" + HEADER + "\n" + "\n".join(rows) + "\n").encode("utf-8"))
    (d / "firm_names.csv").write_text(FIRMS, encoding="utf-8")
    return d
