"""Synthetic IncoPat patent export and the names file used to match applicants to firms.

Ground truth (written to ``truth/``): a patent is AI (人工智能专利) iff any of its IPC codes
falls under :data:`AI_IPC_PREFIXES` (main-group level: ``G06K9`` matches ``G06K9/62`` but not
``G06K19/06``) **or** its title or abstract contains one of :data:`AI_KEYWORDS`. Non-AI
records carry near-miss codes (G06T5, G06T17, G06K7, G06K19, G10L19, G06F16) so that a plain
string prefix on the subclass is wrong.

An applicant string credits a listed firm when, after NFKC normalisation (full-width
brackets → ASCII) and deleting "股份", it equals the firm's current or former full name
or the name of one of its subsidiaries; the names file lists the exact names only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from nqp.synth.catalog import BRAND_FIRST, BRAND_SECOND, PERSON_GIVEN, PERSON_SURNAMES, UNIVERSITIES, UNRELATED_FIRM_WORDS

AI_IPC_PREFIXES = ("G06N", "G10L15", "G06F40", "G06K9", "G06T7")
AI_KEYWORDS = ("人工智能", "机器学习", "深度学习", "神经网络", "图像识别", "语音识别", "自然语言处理",
               "计算机视觉", "知识图谱", "强化学习")
AI_IPC = ("G06N3/04", "G06N3/08", "G06N3/045", "G06N20/00", "G06N5/02", "G06N5/04", "G06N7/02",
          "G10L15/22", "G10L15/16", "G10L15/26", "G06F40/30", "G06F40/289", "G06F40/216", "G06K9/62",
          "G06K9/00", "G06T7/00", "G06T7/73", "G06T7/11")
NEAR_MISS_IPC = ("G06T5/00", "G06T17/00", "G06K7/10", "G06K19/06", "G10L19/00", "G06F16/35", "G06F16/22")
OTHER_IPC = ("H01M10/0525", "H01M4/36", "H02J3/38", "H02K1/27", "F16K1/22", "B65D5/42", "B65G15/00",
             "C04B28/04", "A61K31/4439", "C07D401/04", "C09D163/00", "G01N21/88", "G01N33/00", "H01R13/627",
             "H05K7/20", "G02F1/1333", "H05K1/02", "F16C19/06", "F16H57/02", "B01D46/00", "B05B13/02",
             "B23K37/04", "G06F9/50", "H04L67/10", "H04W4/70", "G05B19/418", "A61B5/00", "B25J9/16",
             "G06Q10/06", "G06T1/00")
# title pieces (no AI keyword, no 智能/识别/学习/算法 in any non-AI piece)
AI_OBJECTS = ("缺陷检测", "负荷预测", "故障诊断", "客户画像", "文本分类", "目标检测", "质量检测", "路径规划",
              "图像分割", "信号处理", "风险评估", "病灶分割", "车辆调度", "设备运维", "销量预测", "工况监测")
AI_OBJECTS_NOKW = ("目标跟踪", "语义解析", "声纹比对", "文本纠错", "人脸比对", "行人重定位", "意图理解",
                   "图像超分辨率重建", "对话生成", "特征匹配")
INV_SUFFIX = ("方法", "方法及系统", "方法、装置、设备及存储介质", "方法和装置")
UM_SUFFIX = ("装置", "系统", "设备")
PRODUCTS = ("锂电池", "光伏组件", "电机", "阀门", "包装盒", "输送带", "混凝土", "药物组合物", "化合物", "涂料",
            "传感器", "连接器", "散热器", "显示面板", "电路板", "轴承", "齿轮箱", "过滤器", "喷涂设备", "焊接夹具")
PARTS = ("结构", "制备方法", "生产工艺", "固定装置", "检测装置", "控制电路", "组件", "冷却系统", "密封结构")
DESIGN_VARIANTS = ("A款", "B款", "1", "2", "标准型", "迷你型")
STEPS = ("获取待处理数据", "对数据进行预处理", "提取特征向量", "计算评价指标", "输出处理结果",
         "根据结果生成控制指令", "建立样本数据库", "对参数进行优化")
BENEFITS = ("提高了处理效率", "降低了生产成本", "提升了检测精度", "结构简单，使用方便", "减少了人工干预")
COMPONENTS = ("底座", "支架", "壳体", "电机", "控制器", "传动组件", "固定板", "连接件")


def _take(rng: np.random.Generator, pool: tuple[str, ...], n: int) -> pa.Array:
    return pa.array(pool, type=pa.string()).take(pa.array(rng.integers(0, len(pool), n)))


def _join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def check_digit(body12: np.ndarray) -> np.ndarray:
    """CNIPA application-number check digit: Σ digit·weight mod 11, 10 → X."""
    w = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], dtype=np.int64)
    digits = (body12[:, None] // (10 ** np.arange(11, -1, -1, dtype=np.int64))) % 10
    r = (digits * w).sum(axis=1) % 11
    return np.array(list("0123456789X"))[r]


def _by_group(groups: np.ndarray, builders: dict[int, object]) -> pa.Array:
    """Build a string column group by group (each builder gets the group size) and put the
    pieces back in row order; groups without a builder are null."""
    order = np.argsort(groups, kind="stable")
    parts = []
    for g in np.unique(groups):
        m = int((groups == g).sum())
        b = builders.get(int(g))
        parts.append(b(m) if b is not None else pa.nulls(m, pa.string()))
    stacked = pa.concat_arrays([p.cast(pa.string()) for p in parts])
    inverse = np.empty(len(groups), dtype=np.int64)
    inverse[order] = np.arange(len(groups))
    return stacked.take(pa.array(inverse))


def _records(n: int, is_ai: np.ndarray, ptype: np.ndarray, rng: np.random.Generator) -> dict[str, pa.Array]:
    """Titles, abstracts and IPC codes for ``n`` records.

    AI records get a mode: 0 keyword in title (IPC non-AI), 1 AI main IPC only, 2 AI secondary
    IPC only, 3 keyword in abstract only, 4 keyword in title and AI main IPC."""
    mode = rng.choice(5, n, p=[0.45, 0.25, 0.10, 0.10, 0.10])
    mode = np.where(is_ai, mode, -1)
    inv = ptype == 1

    def take(pool, m):
        return _take(rng, pool, m)

    def suffix(m, invention):
        return take(INV_SUFFIX if invention else UM_SUFFIX, m)

    # titles: group = 10*kind + invention flag
    kind = np.select([np.isin(mode, [0, 4]), np.isin(mode, [1, 2]), mode == 3, ptype == 3], [0, 1, 2, 3], 4)
    tg = kind * 10 + inv
    kw_by_row = rng.integers(0, len(AI_KEYWORDS), n)  # one AI keyword per record (title and abstract)
    kw_sorted = np.asarray(AI_KEYWORDS, dtype=object)

    def t_kw(invention):
        def b(m):
            yi = pa.array(np.where(rng.random(m) < 0.8, "一种", ""))
            kw = pa.array(kw_sorted[rng.integers(0, len(AI_KEYWORDS), m)], type=pa.string())
            return _join(yi, "基于", kw, "的", take(AI_OBJECTS, m), suffix(m, invention))
        return b

    builders = {0: t_kw(False), 1: t_kw(True),
                10: lambda m: _join("一种", take(AI_OBJECTS_NOKW, m), suffix(m, False)),
                11: lambda m: _join("一种", take(AI_OBJECTS_NOKW, m), suffix(m, True)),
                20: lambda m: _join("一种", take(AI_OBJECTS, m), suffix(m, False)),
                21: lambda m: _join("一种", take(AI_OBJECTS, m), suffix(m, True)),
                30: lambda m: _join(take(PRODUCTS, m), "（", take(DESIGN_VARIANTS, m), "）"),
                40: lambda m: _join("一种", take(PRODUCTS, m), take(PARTS, m)),
                41: lambda m: _join("一种", take(PRODUCTS, m), take(PARTS, m))}
    title = _by_group(tg, builders)
    # the keyword of a kw-title record, re-read from its title, is reused in its abstract
    kw_in_title = pc.extract_regex(title, "基于(?P<kw>" + "|".join(AI_KEYWORDS) + ")的")
    kw_t = pc.struct_field(kw_in_title, "kw")
    kw_any = pc.coalesce(kw_t, pa.array(kw_sorted[kw_by_row], type=pa.string()))

    ai_step = _join("采用", kw_any, "模型", _take(rng, ("对数据进行处理", "完成特征提取", "进行预测"), n))
    has_step = np.isin(mode, [0, 3, 4])
    ag = ptype * 10 + has_step
    plain_step = _take(rng, STEPS, n)
    step2 = pc.if_else(pa.array(has_step), ai_step, plain_step)
    rows = np.arange(n)
    idx_by_group = {int(g): rows[ag == g] for g in np.unique(ag)}

    def abs_inv(g):
        def b(m):
            i = pa.array(idx_by_group[g])
            return _join("本发明公开了", title.take(i), "，包括以下步骤：", take(STEPS, m), "；", step2.take(i),
                         "。本发明", take(BENEFITS, m), "。")
        return b

    def abs_um(g, with_ai):
        def b(m):
            i = pa.array(idx_by_group[g])
            base = _join("本实用新型公开了", title.take(i), "，包括", take(COMPONENTS, m), "、", take(COMPONENTS, m),
                         "和", take(COMPONENTS, m), "，", take(BENEFITS, m), "。")
            return _join(base, "其中控制器", ai_step.take(i), "。") if with_ai else base
        return b

    def abs_design(g):
        def b(m):
            i = pa.array(idx_by_group[g])
            return _join("1．本外观设计产品的名称：", title.take(i),
                         "。2．本外观设计产品的用途：用于工业生产。3．本外观设计产品的设计要点：在于形状。")
        return b

    abstract = _by_group(ag, {10: abs_inv(10), 11: abs_inv(11), 20: abs_um(20, False), 21: abs_um(21, True),
                              30: abs_design(30), 31: abs_design(31)})
    # IPC codes
    ai_code = _take(rng, AI_IPC, n)
    other = pc.if_else(pa.array(rng.random(n) < 0.3), _take(rng, NEAR_MISS_IPC, n), _take(rng, OTHER_IPC, n))
    main = pc.if_else(pa.array(np.isin(mode, [1, 4])), ai_code, other)
    second = pc.if_else(pa.array(mode == 2), ai_code, _take(rng, OTHER_IPC, n))
    k = rng.integers(0, 3, n)
    k = np.where(mode == 2, np.maximum(k, 1), k)
    third = _take(rng, NEAR_MISS_IPC + OTHER_IPC, n)
    all_ipc = pc.if_else(pa.array(k == 0), main,
                         pc.if_else(pa.array(k == 1), _join(main, "; ", second), _join(main, "; ", second, "; ", third)))
    design = pa.array(ptype == 3)
    main = pc.if_else(design, pa.scalar(None, pa.string()), main)
    all_ipc = pc.if_else(design, pa.scalar(None, pa.string()), all_ipc)
    return {"title": title, "abstract": abstract, "main_ipc": main, "ipc": all_ipc}


def _variant_company(names: pa.Array) -> pa.Array:
    """'股份有限公司' → '有限公司' (a pre-restructuring or mistyped applicant name)."""
    return pc.replace_substring(names, "股份有限公司", "有限公司")


def _halfwidth_brackets(names: pa.Array) -> pa.Array:
    return pc.replace_substring(pc.replace_substring(names, "（", "("), "）", ")")


def build_patents(p: pd.DataFrame, firms: pd.DataFrame, subs: pd.DataFrame,
                  rng: np.random.Generator) -> tuple[pa.Table, pd.DataFrame, pd.DataFrame]:
    """Return (incopat records, firm_names, truth) — truth has one row per (申请号, credited stkcd)."""
    s = p[p["in_sample"]]
    fi_fy = s["firm"].to_numpy()
    year_fy = s["year"].to_numpy()
    n_inv, n_um = s["n_ai_inv"].to_numpy(), s["n_ai_um"].to_numpy()
    lam_non = np.exp(-0.1 + 0.45 * firms["innov"].to_numpy()[fi_fy] + 0.1 * np.clip(firms["ai_cap"].to_numpy()[fi_fy], -2, 3))
    n_non = rng.poisson(lam_non)
    counts = np.column_stack([n_inv, n_um, n_non])
    tot = counts.sum(axis=1)
    firm = np.repeat(fi_fy, tot)
    year = np.repeat(year_fy, tot)
    kind = np.concatenate([np.repeat(np.tile([0, 1, 2], len(s)), counts.ravel())])
    # kind per row in fy order: build by repeating each fy's (inv, um, non) blocks
    is_ai = kind < 2
    ptype = np.where(kind == 0, 1, np.where(kind == 1, 2, rng.choice([1, 2, 3], len(kind), p=[0.45, 0.4, 0.15])))
    # unrelated applicants (not listed firms): 8% extra records
    n_un = int(0.05 * len(firm))
    un_year = rng.integers(2010, 2023, n_un)
    un_ai = rng.random(n_un) < 0.5
    un_type = np.where(un_ai, rng.choice([1, 2], n_un, p=[0.7, 0.3]), rng.choice([1, 2, 3], n_un, p=[0.45, 0.4, 0.15]))
    firm = np.concatenate([firm, np.full(n_un, -1)])
    year = np.concatenate([year, un_year])
    is_ai = np.concatenate([is_ai, un_ai])
    ptype = np.concatenate([ptype, un_type])
    n = len(firm)
    rec = _records(n, is_ai, ptype, rng)

    # applicant names
    listed = firm >= 0
    fsafe = np.where(listed, firm, 0)
    cy = firms["name_change_year"].to_numpy()[fsafe]
    own = np.where((cy > 0) & (year < cy), firms["former_full_name"].to_numpy()[fsafe],
                   firms["full_name"].to_numpy()[fsafe])
    own = pa.array(own.astype(object), type=pa.string())
    u = rng.random(n)
    # a subsidiary existing in that year (random pick among the firm's subsidiaries)
    # subsidiaries are sorted by (firm, start_year): the eligible ones of firm f in year y are
    # the first k of its block, k = #(start_year <= y)
    sf = subs["firm"].to_numpy().astype(np.int64)
    sy = subs["start_year"].to_numpy().astype(np.int64)
    skey = sf * 10_000 + sy
    lo = np.searchsorted(skey, fsafe.astype(np.int64) * 10_000, side="left")
    hi = np.searchsorted(skey, fsafe.astype(np.int64) * 10_000 + year, side="right")
    k = hi - lo
    want_sub = listed & (u >= 0.70) & (u < 0.88) & (k > 0)
    pick = lo + np.floor(rng.random(n) * np.maximum(k, 1)).astype(np.int64)
    sub_name = np.where(want_sub, subs["subsidiary"].to_numpy()[np.minimum(pick, len(subs) - 1)], None)
    sub_arr = pa.array(sub_name, type=pa.string())
    sub_half = pa.array(rng.random(n) < 0.25)
    sub_app = pc.if_else(sub_half, _halfwidth_brackets(sub_arr), sub_arr)
    univ = _take(rng, UNIVERSITIES, n)
    other_firm = rng.integers(0, len(firms), n)
    ocy = firms["name_change_year"].to_numpy()[other_firm]
    other_name = np.where((ocy > 0) & (year < ocy), firms["former_full_name"].to_numpy()[other_firm],
                          firms["full_name"].to_numpy()[other_firm])
    other_name = pa.array(other_name.astype(object), type=pa.string())
    order_first = pa.array(rng.random(n) < 0.6)
    joint_u = pc.if_else(order_first, _join(own, "; ", univ), _join(univ, "; ", own))
    joint_f = _join(own, "; ", other_name)
    variant = _variant_company(own)
    app_kind = np.select([~listed, u < 0.62, u < 0.70, (u < 0.88) & pd.notna(sub_name), u < 0.88, u < 0.995],
                         ["unrelated", "exact", "variant", "subsidiary", "exact", "joint_other"], "joint_listed")
    same = other_firm == firm
    app_kind = np.where((app_kind == "joint_listed") & same, "exact", app_kind)
    applicant = own
    applicant = pc.if_else(pa.array(app_kind == "variant"), variant, applicant)
    applicant = pc.if_else(pa.array(app_kind == "subsidiary"), sub_app, applicant)
    applicant = pc.if_else(pa.array(app_kind == "joint_other"), joint_u, applicant)
    applicant = pc.if_else(pa.array(app_kind == "joint_listed"), joint_f, applicant)
    un = app_kind == "unrelated"
    un_full = np.full(n, None, dtype=object)
    un_full[un] = _unrelated_names(rng, int(un.sum()), firms, subs)
    applicant = pc.if_else(pa.array(un), pa.array(un_full, type=pa.string()), applicant)

    # numbers and dates
    body = np.empty(n, dtype=np.int64)
    year_type = year.astype(np.int64) * 10 + ptype  # ptype 1-3: sorts as the (year, type) pairs
    for y, t in (divmod(int(key), 10) for key in np.unique(year_type)):
        m = np.flatnonzero((year == y) & (ptype == t))
        serial = rng.choice(9_000_000, size=len(m), replace=False) + 1_000_000
        body[m] = (y * 10 + t) * 10_000_000 + serial
    chk = check_digit(body)
    app_no = pc.binary_join_element_wise("CN", pc.cast(pa.array(body), pa.string()), ".", pa.array(chk), "")
    doy = rng.integers(0, 365, n)
    days = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + doy
    dates = pc.cast(pa.array(days), pa.string())  # ISO dates (YYYY-MM-DD), as numpy prints them
    pub_serial = rng.choice(900_000_000, size=n, replace=False) + 100_000_000
    pub_kind = np.select([ptype == 1, ptype == 2], ["A", "U"], "S")
    pub_no = pc.binary_join_element_wise("CN", pc.cast(pa.array(pub_serial), pa.string()), pa.array(pub_kind), "")
    type_name = np.select([ptype == 1, ptype == 2], ["发明", "实用新型"], "外观设计")
    recs = pa.table({
        "申请号": app_no, "申请日": dates, "标题": rec["title"], "摘要": rec["abstract"],
        "IPC主分类": rec["main_ipc"], "IPC": rec["ipc"], "专利类型": pa.array(type_name), "申请人": applicant,
        "公开（公告）号": pub_no,
    })
    # truth
    stk = firms["stkcd"].to_numpy()
    flags = ai_flags(recs)
    truth = pd.DataFrame({"申请号": app_no.to_pandas(), "year": year, "type": type_name,
                          "stkcd": np.where(listed, stk[fsafe], None), "applicant_kind": app_kind, **flags})
    jl = app_kind == "joint_listed"
    extra = truth[jl].copy()
    extra["stkcd"] = stk[other_firm[jl]]
    truth = pd.concat([truth, extra], ignore_index=True)
    # a few exact duplicate records (same 申请号), e.g. from overlapping exports
    dup = rng.choice(n, size=max(1, n // 400), replace=False)
    order = rng.permutation(n + len(dup))
    recs = recs.take(pa.array(np.concatenate([np.arange(n), dup])[order]))
    return recs, firm_names(firms, subs), truth


_IPC_RE = "(^|; )(G06N[0-9]|" + "|".join(p + "/" for p in AI_IPC_PREFIXES if p != "G06N") + ")"


def ai_flags(recs: pa.Table) -> dict[str, np.ndarray]:
    """Truth flags from the written fields (main-group IPC rule and keyword rule)."""
    def hit(col: str, pattern: str) -> np.ndarray:
        return pc.fill_null(pc.match_substring_regex(recs[col], pattern), False).to_numpy()

    kw_re = "|".join(AI_KEYWORDS)
    main, any_ = hit("IPC主分类", _IPC_RE), hit("IPC", _IPC_RE)
    kw = hit("标题", kw_re) | hit("摘要", kw_re)
    return {"ai_by_main_ipc": main, "ai_by_any_ipc": any_, "ai_by_keyword": kw, "is_ai": any_ | kw}


def _unrelated_names(rng: np.random.Generator, n: int, firms: pd.DataFrame, subs: pd.DataFrame) -> np.ndarray:
    """Universities, unlisted companies and persons; none equals a listed firm's name (normalised)."""
    brand = np.char.add(np.asarray(BRAND_FIRST)[rng.integers(0, len(BRAND_FIRST), n)],
                        np.asarray(BRAND_SECOND)[rng.integers(0, len(BRAND_SECOND), n)]).astype(object)
    city = np.asarray(("杭州", "苏州", "成都", "东莞", "宁波", "青岛", "合肥", "无锡"), dtype=object)[rng.integers(0, 8, n)]
    word = np.asarray(UNRELATED_FIRM_WORDS, dtype=object)[rng.integers(0, len(UNRELATED_FIRM_WORDS), n)]
    comp = city + brand + word
    known = {normalise_name(x) for x in np.concatenate([firms["full_name"].to_numpy(),
                                                         firms["former_full_name"].to_numpy(),
                                                         subs["subsidiary"].to_numpy()]) if x}
    comp = np.array([c if normalise_name(c) not in known else c.replace("有限公司", "工贸有限公司") for c in comp],
                    dtype=object)
    person = (np.asarray(PERSON_SURNAMES, dtype=object)[rng.integers(0, len(PERSON_SURNAMES), n)]
              + np.asarray(PERSON_GIVEN, dtype=object)[rng.integers(0, len(PERSON_GIVEN), n)])
    univ = np.asarray(UNIVERSITIES, dtype=object)[rng.integers(0, len(UNIVERSITIES), n)]
    u = rng.random(n)
    return np.where(u < 0.45, univ, np.where(u < 0.9, comp, person))


def normalise_name(name: str) -> str:
    """The truth's matching normalisation: NFKC, drop spaces and '股份'."""
    import unicodedata

    return unicodedata.normalize("NFKC", name).replace(" ", "").replace("股份", "")


def firm_names(firms: pd.DataFrame, subs: pd.DataFrame) -> pd.DataFrame:
    """patents/firm_names.csv: current, former and subsidiary names with validity years."""
    cur = pd.DataFrame({"stkcd": firms["stkcd"], "name": firms["full_name"], "kind": "current",
                        "valid_from": firms["name_change_year"].where(firms["name_change_year"] > 0).astype("Int64"),
                        "valid_to": pd.array([pd.NA] * len(firms), dtype="Int64")})
    ch = firms[firms["name_change_year"] > 0]
    old = pd.DataFrame({"stkcd": ch["stkcd"], "name": ch["former_full_name"], "kind": "former",
                        "valid_from": pd.array([pd.NA] * len(ch), dtype="Int64"),
                        "valid_to": (ch["name_change_year"] - 1).astype("Int64")})
    sb = pd.DataFrame({"stkcd": firms["stkcd"].to_numpy()[subs["firm"].to_numpy()], "name": subs["subsidiary"],
                       "kind": "subsidiary", "valid_from": subs["start_year"].astype("Int64"),
                       "valid_to": pd.array([pd.NA] * len(subs), dtype="Int64")})
    out = pd.concat([cur, old, sb], ignore_index=True)
    return out.sort_values(["stkcd", "kind", "name"], kind="stable").reset_index(drop=True)
