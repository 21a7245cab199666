"""Keyword counting: the oracle is Python's own str.count per keyword (what the literature's
word-frequency scripts do) and hand counts for the negation and longest-match rules."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqp.text.counting import KeywordCounter, token_boundaries


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="人工智能数据大不无", max_size=60),
       words=st.lists(st.text(alphabet="人工智能数据大", min_size=1, max_size=4), min_size=1, max_size=6))
def test_independent_counts_equal_str_count(text, words):
    c = KeywordCounter(words).count(text)
    for w in dict.fromkeys(words):
        assert c.per_keyword.get(w, 0) == text.count(w)
    assert c.hits == sum(text.count(w) for w in dict.fromkeys(words))


def test_self_overlapping_keyword_counted_like_str_count():
    assert KeywordCounter(["哈哈"]).count("哈哈哈").hits == "哈哈哈".count("哈哈") == 1


def test_negation_rule_hand_counts():
    text = "公司不创新。公司没有人工智能。公司无人工智能。公司未人工智能。坚持创新与人工智能。未来人工智能。"
    words = ["创新", "人工智能"]
    plain = KeywordCounter(words).count(text)
    assert plain.per_keyword == {"创新": 2, "人工智能": 5}
    neg = KeywordCounter(words, negation=True).count(text)
    # 不创新, 没有人工智能, 无人工智能, 未人工智能 are negated; 未来人工智能 is not (来 precedes it)
    assert neg.per_keyword == {"创新": 1, "人工智能": 2}
    assert neg.negated == 4


def test_negation_at_text_start_and_custom_negators():
    assert KeywordCounter(["创新"], negation=True).count("创新不足").hits == 1
    assert KeywordCounter(["创新"], negation=True, negators=("缺乏",)).count("缺乏创新,不创新").hits == 1


def test_longest_mode_counts_no_character_twice():
    words = ["人工智能", "智能机器人", "机器人"]
    text = "人工智能机器人和智能机器人"
    ind = KeywordCounter(words).count(text)
    assert ind.per_keyword == {"人工智能": 1, "智能机器人": 2, "机器人": 2}
    lon = KeywordCounter(words, mode="longest").count(text)
    # leftmost-longest: 人工智能 | 机器人 | 和 | 智能机器人
    assert lon.per_keyword == {"人工智能": 1, "机器人": 1, "智能机器人": 1}
    assert lon.characters == 4 + 3 + 5


def test_jieba_boundaries_exclude_hits_inside_words():
    text = "人工智能与智能制造"
    words = ["人工智能", "智能"]
    b = token_boundaries(text, words)
    c = KeywordCounter(["智能"]).count(text, b)
    # jieba (with the user words) cuts 人工智能|与|智能|制造: 智能 inside 人工智能 is not counted
    assert sorted(b) == [0, 4, 5, 7, 9]
    assert KeywordCounter(["智能"]).count(text).hits == 2
    assert c.hits == 1
    assert KeywordCounter(["人工智能"]).count(text, b).hits == 1


def test_bad_arguments():
    with pytest.raises(ValueError):
        KeywordCounter([])
    with pytest.raises(ValueError):
        KeywordCounter(["a"], mode="fuzzy")
