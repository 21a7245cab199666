"""Asset-note items (固定资产/无形资产明细, table ``asset_items``, file ``FN_AssetItems``): the
source of the paper's robustness regressor AIinvest (人工智能投资: AI-related share of fixed and
intangible assets, Table 4).

For every raw firm-year with statements, the year-end consolidated fixed assets
(固定资产, A001212000) and intangible assets (无形资产, A001218000) of the balance sheet are
split into named items. The items of a class sum *exactly* (to the cent) to the balance-sheet
total of that class. A share ``s_it`` of each class sits in AI-related items:

    s_it = 0                                       with probability expit(1.5 − 1.2·T_it)
    s_it = expit(−3.6 + 0.7·T_it + f_i + e_it)     otherwise,   f_i ~ N(0, 0.5²), e_it ~ N(0, 0.35²)

where ``T_it = ai_true`` is the firm-year's latent AI intensity (the same T that drives the
planted NQP effect), so AIinvest rises with T within a firm. The AI item names are drawn from
:data:`AI_FIXED` / :data:`AI_INTANGIBLE`; ordinary names include decoys that a loose
keyword list would take for AI (软件, 自动化生产线, 数据处理设备). The true AIinvest (computed from
the written, rounded amounts) is in ``truth/firm_year.parquet`` (column ``aiinvest``).
About 3% of firm-years disclose no asset notes (no rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from nqp.synth.firmdata import year_dates

FIXED, INTANGIBLE = "固定资产", "无形资产"

# (name, inclusion probability per firm, relative weight); the first item of each ordinary
# list is always held and absorbs the cent rounding
ORD_FIXED = (("房屋及建筑物", 1.0, 4.0), ("机器设备", 0.9, 3.0), ("运输设备", 0.8, 0.4),
             ("电子设备", 0.9, 0.5), ("办公设备及其他", 0.8, 0.2), ("自动化生产线", 0.25, 1.0),
             ("数据处理设备", 0.2, 0.3), ("专用设备", 0.4, 1.0))
ORD_INTANGIBLE = (("土地使用权", 1.0, 4.0), ("软件", 0.8, 0.5), ("专利权", 0.5, 0.6),
                  ("非专利技术", 0.4, 0.5), ("商标权", 0.4, 0.3), ("特许经营权", 0.1, 0.8),
                  ("管理系统软件", 0.3, 0.3))
AI_FIXED = (("工业机器人", 0.5, 1.0), ("智能制造设备", 0.6, 1.0), ("智能仓储系统", 0.3, 0.6),
            ("人工智能计算服务器", 0.3, 0.5), ("机器视觉检测设备", 0.3, 0.4))
AI_INTANGIBLE = (("人工智能平台", 0.5, 1.0), ("智能算法软件", 0.5, 0.8), ("机器学习模型", 0.2, 0.4),
                 ("语音识别技术", 0.2, 0.4), ("人工智能专利技术", 0.4, 0.6))

DISCLOSE_MISSING = 0.03


def _held(rng: np.random.Generator, lists: tuple, nf: int) -> np.ndarray:
    """firm × item inclusion mask; the first item of the list is always held."""
    prob = np.array([x[1] for x in lists])
    m = rng.random((nf, len(lists))) < prob
    m[:, 0] |= ~m.any(axis=1)
    return m


def asset_items(p: pd.DataFrame, acc: pd.DataFrame, stk: np.ndarray,
                rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """The FN_AssetItems rows (stkcd, accper, asset_class, item, closing_amount) and, per row of
    ``p``, the true AIinvest (NaN where no notes are disclosed)."""
    n = len(p)
    fi = p["firm"].to_numpy()
    nf = int(fi.max()) + 1 if n else 0
    T = p["ai_true"].to_numpy()
    share = expit(-3.6 + 0.7 * T + rng.normal(0, 0.5, nf)[fi] + rng.normal(0, 0.35, n))
    share = np.where(rng.random(n) < expit(1.5 - 1.2 * T), 0.0, share)
    disclosed = p["in_sample"].to_numpy() & (rng.random(n) >= DISCLOSE_MISSING)
    totals = {FIXED: acc["fixed_assets"].to_numpy(), INTANGIBLE: acc["intangible_assets"].to_numpy()}
    groups = ((FIXED, ORD_FIXED, AI_FIXED), (INTANGIBLE, ORD_INTANGIBLE, AI_INTANGIBLE))
    rows = np.flatnonzero(disclosed)
    parts: list[pd.DataFrame] = []
    item_names: list[str] = []  # the items of every list, a part's rows point into it (item_id)
    ai_cents = np.zeros(n)
    all_cents = np.zeros(n)
    for cls, ordinary, ai in groups:
        total_c = np.rint(np.abs(totals[cls]) * 100)  # the balance sheet as written, in cents
        ai_c = np.floor(total_c * share)
        cents_cls = []
        for lists, amount, is_ai in ((ordinary, total_c - ai_c, False), (ai, ai_c, True)):
            held = _held(rng, lists, nf)[fi[rows]]
            if is_ai:
                held &= (amount[rows] > 0)[:, None]
            w = np.array([x[2] for x in lists]) * rng.lognormal(0, 0.4, (len(rows), len(lists))) * held
            wsum = w.sum(axis=1, keepdims=True)
            c = np.floor(amount[rows, None] * np.divide(w, wsum, out=np.zeros_like(w), where=wsum > 0))
            if not is_ai:  # the first (always held) item absorbs the rounding remainder
                c[:, 0] += amount[rows] - c.sum(axis=1)
            else:
                first = np.argmax(held, axis=1)
                c[np.arange(len(rows)), first] += np.where(held.any(axis=1), amount[rows] - c.sum(axis=1), 0)
            r, j = np.nonzero(held)
            cents_cls.append(c.sum(axis=1))
            if is_ai:
                ai_cents[rows] += c.sum(axis=1)
            parts.append(pd.DataFrame({"row": rows[r], "cls": 0 if cls == FIXED else 1, "ai": is_ai, "j": j,
                                       "item_id": len(item_names) + j, "closing_amount": c[r, j] / 100.0}))
            item_names += [x[0] for x in lists]
        all_cents[rows] += cents_cls[0] + cents_cls[1]
    d = pd.concat(parts, ignore_index=True).sort_values(["row", "cls", "ai", "j"], kind="stable")
    y = p["year"].to_numpy()[d["row"].to_numpy()]
    out = pd.DataFrame({"stkcd": stk[d["row"].to_numpy()], "accper": year_dates(y),
                        "asset_class": np.array([FIXED, INTANGIBLE], dtype=object)[d["cls"].to_numpy()],
                        "item": np.array(item_names, dtype=object)[d["item_id"].to_numpy()],
                        "closing_amount": d["closing_amount"].to_numpy()})
    out = out.sort_values(["stkcd", "accper"], kind="stable").reset_index(drop=True)
    truth = np.where(disclosed & (all_cents > 0), ai_cents / np.where(all_cents > 0, all_cents, 1), np.nan)
    return out, truth
