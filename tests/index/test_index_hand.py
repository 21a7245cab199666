"""Entropy index on small matrices computed by hand (plain arithmetic with ``math``).

The expected numbers are written out step by step here -- scaling, shares, entropy,
redundancy, weights, scores -- and never come from nqp.
"""

import math

import pandas as pd
import pytest

from nqp.index import entropy_index

# 4 firms × 3 indicators; c is a negative indicator (负向指标).
#        a   b   c
X = [[1, 10, 5],
     [2, 30, 3],
     [3, 20, 2],
     [5, 40, 1]]
FRAME = pd.DataFrame(X, columns=["a", "b", "c"], index=["f1", "f2", "f3", "f4"])
SIGNS = {"a": 1, "b": 1, "c": -1}

# min–max by hand: a: (x−1)/4; b: (x−10)/30; c (negative): (5−x)/4
Z = {
    "a": [0.0, 0.25, 0.5, 1.0],
    "b": [0.0, 2 / 3, 1 / 3, 1.0],
    "c": [0.0, 0.5, 0.75, 1.0],
}


def neg_plogp_sum(values):
    """−Σ p ln p with p = v/Σv, 0·ln 0 = 0, one term at a time."""
    total = sum(values)
    out = 0.0
    for v in values:
        p = v / total
        if p > 0:
            out -= p * math.log(p)
    return out


def test_standardization_by_hand_including_negative_indicator():
    res = entropy_index(FRAME, SIGNS, shift=0.0)
    for col, z in Z.items():
        assert res.standardized[col].tolist() == pytest.approx(z, abs=1e-15)


def test_weights_and_scores_shift_zero_closed_form():
    # δ = 0: shares are exact fractions
    # a: z sums to 1.75 → p = 0, 1/7, 2/7, 4/7
    e_a = -(1 / 7 * math.log(1 / 7) + 2 / 7 * math.log(2 / 7) + 4 / 7 * math.log(4 / 7)) / math.log(4)
    # b: z sums to 2 → p = 0, 1/3, 1/6, 1/2
    e_b = -(1 / 3 * math.log(1 / 3) + 1 / 6 * math.log(1 / 6) + 1 / 2 * math.log(1 / 2)) / math.log(4)
    # c: z sums to 2.25 → p = 0, 2/9, 3/9, 4/9
    e_c = -(2 / 9 * math.log(2 / 9) + 3 / 9 * math.log(3 / 9) + 4 / 9 * math.log(4 / 9)) / math.log(4)
    d_a, d_b, d_c = 1 - e_a, 1 - e_b, 1 - e_c
    total = d_a + d_b + d_c
    w = {"a": d_a / total, "b": d_b / total, "c": d_c / total}
    res = entropy_index(FRAME, SIGNS, shift=0.0)
    assert res.entropy.to_dict() == pytest.approx({"a": e_a, "b": e_b, "c": e_c}, rel=1e-13)
    assert res.redundancy.to_dict() == pytest.approx({"a": d_a, "b": d_b, "c": d_c}, rel=1e-12)
    assert res.weights.to_dict() == pytest.approx(w, rel=1e-12)
    scores = [100 * (w["a"] * Z["a"][i] + w["b"] * Z["b"][i] + w["c"] * Z["c"][i]) for i in range(4)]
    assert res.index.tolist() == pytest.approx(scores, rel=1e-12, abs=1e-12)
    assert res.index.index.tolist() == ["f1", "f2", "f3", "f4"]
    # firm 1 is worst on every indicator, firm 4 best on every one
    assert res.index["f1"] == 0.0 and res.index["f4"] == pytest.approx(100.0)


def test_weights_with_shift_step_by_step():
    delta = 0.01
    e = {}
    for col in "abc":
        shifted = [v + delta for v in Z[col]]
        e[col] = neg_plogp_sum(shifted) / math.log(4)
    d = {c: 1 - e[c] for c in "abc"}
    w = {c: d[c] / (d["a"] + d["b"] + d["c"]) for c in "abc"}
    res = entropy_index(FRAME, SIGNS, shift=delta)
    assert res.weights.to_dict() == pytest.approx(w, rel=1e-12)
    # default score_on="z": the shift does not enter the score
    assert res.index["f2"] == pytest.approx(100 * (w["a"] * 0.25 + w["b"] * 2 / 3 + w["c"] * 0.5), rel=1e-12)
    # score_on="shifted": uses z + δ, i.e. adds exactly 100·δ·Σw = 100·δ
    shifted = entropy_index(FRAME, SIGNS, shift=delta, score_on="shifted")
    assert (shifted.index - res.index).tolist() == pytest.approx([100 * delta] * 4, rel=1e-10)
    assert shifted.meta["score_on"] == "shifted" and res.meta["shift"] == delta


def test_default_shift_is_one_ten_thousandth_and_recorded():
    res = entropy_index(FRAME, SIGNS)
    e_a = neg_plogp_sum([v + 0.0001 for v in Z["a"]]) / math.log(4)
    assert res.entropy["a"] == pytest.approx(e_a, rel=1e-13)
    assert res.meta["shift"] == 0.0001 and res.meta["scale"] == 100 and res.meta["n"] == 4
    assert res.meta["method"] == "pooled" and res.meta["score_on"] == "z"


def test_dimension_scores_one_shot_by_hand():
    res = entropy_index(FRAME, SIGNS, shift=0.0, dimensions={"a": "D1", "b": "D1", "c": "D2"})
    w = res.weights  # checked against the hand computation above
    assert list(res.dimensions.columns) == ["D1", "D2"]
    assert res.dimensions.loc["f3", "D1"] == pytest.approx(100 * (w["a"] * 0.5 + w["b"] * 1 / 3), rel=1e-12)
    assert res.dimensions.loc["f3", "D2"] == pytest.approx(100 * w["c"] * 0.75, rel=1e-12)
    assert (res.dimensions.sum(axis=1) - res.index).abs().max() < 1e-12


def test_two_stage_by_hand():
    # stage 1 within D1 = {a, b}: entropies of a and b as in the closed form, weights renormalised
    e_a = neg_plogp_sum(Z["a"]) / math.log(4)
    e_b = neg_plogp_sum(Z["b"]) / math.log(4)
    wa, wb = (1 - e_a) / ((1 - e_a) + (1 - e_b)), (1 - e_b) / ((1 - e_a) + (1 - e_b))
    s1 = [wa * Z["a"][i] + wb * Z["b"][i] for i in range(4)]
    s2 = Z["c"]  # D2 has one indicator: its weight within D2 is 1
    # stage 2: entropy across the two sub-scores (not re-scaled)
    E1, E2 = neg_plogp_sum(s1) / math.log(4), neg_plogp_sum(s2) / math.log(4)
    W1, W2 = (1 - E1) / ((1 - E1) + (1 - E2)), (1 - E2) / ((1 - E1) + (1 - E2))
    res = entropy_index(FRAME, SIGNS, shift=0.0, dimensions={"a": "D1", "b": "D1", "c": "D2"}, two_stage=True)
    assert res.meta["dimension_weights"].to_dict() == pytest.approx({"D1": W1, "D2": W2}, rel=1e-12)
    assert res.weights.to_dict() == pytest.approx({"a": W1 * wa, "b": W1 * wb, "c": W2}, rel=1e-12)
    assert res.dimensions["D1"].tolist() == pytest.approx([100 * W1 * v for v in s1], rel=1e-12, abs=1e-12)
    assert res.index.tolist() == pytest.approx([100 * (W1 * s1[i] + W2 * s2[i]) for i in range(4)], rel=1e-12, abs=1e-12)


def test_time_augmented_ratio_scaling_by_hand():
    # 杨丽、孙之淳 (2015) scaling: positive x/max, negative min/x
    zr = {
        "a": [1 / 5, 2 / 5, 3 / 5, 5 / 5],
        "b": [10 / 40, 30 / 40, 20 / 40, 40 / 40],
        "c": [1 / 5, 1 / 3, 1 / 2, 1 / 1],
    }
    e = {c: neg_plogp_sum(zr[c]) / math.log(4) for c in "abc"}
    dsum = sum(1 - e[c] for c in "abc")
    w = {c: (1 - e[c]) / dsum for c in "abc"}
    res = entropy_index(FRAME, SIGNS, shift=0.0, method="time_augmented")
    assert res.meta["standardization"] == "ratio"
    assert res.standardized["c"].tolist() == pytest.approx(zr["c"], rel=1e-14)
    assert res.weights.to_dict() == pytest.approx(w, rel=1e-12)
    assert res.index["f1"] == pytest.approx(100 * sum(w[c] * zr[c][0] for c in "abc"), rel=1e-12)


# A tiny panel: 3 firms × 2 years, two positive indicators.
PANEL = pd.DataFrame(
    {
        "firm": ["A", "B", "C", "A", "B", "C"],
        "year": [2020, 2020, 2020, 2021, 2021, 2021],
        "x1": [1.0, 2.0, 4.0, 3.0, 5.0, 6.0],
        "x2": [3.0, 1.0, 2.0, 2.0, 6.0, 4.0],
    }
)


def test_pooled_panel_uses_all_firm_years():
    # min/max over all 6 firm-years: x1 → 0, .2, .6, .4, .8, 1 (sum 3); x2 → .4, 0, .2, .2, 1, .6 (sum 2.4)
    e1 = -(1 / 15 * math.log(1 / 15) + 3 / 15 * math.log(3 / 15) + 2 / 15 * math.log(2 / 15)
           + 4 / 15 * math.log(4 / 15) + 5 / 15 * math.log(5 / 15)) / math.log(6)  # n = N·T = 6
    e2 = -(1 / 6 * math.log(1 / 6) + 2 * (1 / 12 * math.log(1 / 12)) + 5 / 12 * math.log(5 / 12)
           + 3 / 12 * math.log(3 / 12)) / math.log(6)
    w1 = (1 - e1) / ((1 - e1) + (1 - e2))
    res = entropy_index(PANEL, {"x1": 1, "x2": 1}, shift=0.0)
    assert res.weights["x1"] == pytest.approx(w1, rel=1e-12)
    assert res.index[4] == pytest.approx(100 * (w1 * 0.8 + (1 - w1) * 1.0), rel=1e-12)


def test_yearly_panel_weights_within_each_year():
    # 2020: x1 1,2,4 → z 0,1/3,1 → p 0,1/4,3/4;  x2 3,1,2 → z 1,0,1/2 → p 2/3,0,1/3
    e1_20 = -(1 / 4 * math.log(1 / 4) + 3 / 4 * math.log(3 / 4)) / math.log(3)  # n = N_t = 3
    e2_20 = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)) / math.log(3)
    # 2021: x1 3,5,6 → z 0,2/3,1 → p 0,2/5,3/5;  x2 2,6,4 → z 0,1,1/2 → p 0,2/3,1/3
    e1_21 = -(2 / 5 * math.log(2 / 5) + 3 / 5 * math.log(3 / 5)) / math.log(3)
    e2_21 = e2_20
    w1_20 = (1 - e1_20) / ((1 - e1_20) + (1 - e2_20))
    w1_21 = (1 - e1_21) / ((1 - e1_21) + (1 - e2_21))
    res = entropy_index(PANEL, {"x1": 1, "x2": 1}, shift=0.0, method="yearly", year="year")
    assert res.weights.loc[2020, "x1"] == pytest.approx(w1_20, rel=1e-12)
    assert res.weights.loc[2021, "x1"] == pytest.approx(w1_21, rel=1e-12)
    assert res.entropy.loc[2021, "x2"] == pytest.approx(e2_21, rel=1e-12)
    # firm B 2020: z = (1/3, 0); firm C 2021: z = (1, 1/2)
    assert res.index[1] == pytest.approx(100 * w1_20 / 3, rel=1e-12)
    assert res.index[5] == pytest.approx(100 * (w1_21 + (1 - w1_21) / 2), rel=1e-12)
    table = res.weights_table()
    assert list(table.columns) == ["year", "indicator", "dimension", "sign", "entropy", "redundancy", "weight"]
    assert len(table) == 4 and table.groupby("year")["weight"].sum().tolist() == pytest.approx([1, 1])
    assert res.meta["n_by_year"] == {2020: 3, 2021: 3}
