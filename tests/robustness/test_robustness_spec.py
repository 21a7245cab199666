"""RobustnessSpec: validated from the [robustness] table; every bad key is named."""

import pytest

from nqp.errors import ConfigError
from nqp.robustness import RobustnessSpec


def test_defaults_give_the_full_multiverse_with_the_paper_first():
    spec = RobustnessSpec.from_dict({})
    # 5 index methods (one shift) x 4 winsorizing x 3 FE x 4 clusters x 4 samples x 3 control sets
    assert len(spec.choices()) == 5 * 4 * 3 * 4 * 4 * 3
    base = spec.baseline()
    assert (base.index, base.shift, base.winsorize, base.fixed_effects, base.cluster, base.sample, base.controls) == \
        ("pooled", 0.0001, 0.01, "firm+year", "industry", "baseline", "paper")


def test_shift_crosses_only_the_entropy_methods():
    spec = RobustnessSpec.from_dict({"choices": {"index": ["pooled", "pca"], "shift": [0.0001, 0.01],
                                                 "winsorize": [0.01], "fixed_effects": ["firm+year"],
                                                 "cluster": ["industry"], "sample": ["baseline"],
                                                 "controls": ["paper"]}})
    assert [(c.index, c.shift) for c in spec.choices()] == [("pooled", 0.0001), ("pooled", 0.01), ("pca", None)]


@pytest.mark.parametrize("table, words", [
    ({"draws": 500, "seeed": 1}, ["unknown key 'seeed'", "did you mean 'seed'"]),
    ({"choices": {"fixed_effect": ["firm+year"]}}, ["'fixed_effect'", "did you mean 'fixed_effects'"]),
    ({"choices": {"cluster": ["industy"]}}, ["'industy'", "did you mean 'industry'"]),
    ({"choices": {"sample": ["with_finacial"]}}, ["'with_finacial'", "did you mean 'with_financial'"]),
    ({"choices": {"index": ["entropy"]}}, ["'entropy'"]),
    ({"choices": {"winsorize": [0.6]}}, ["winsorize"]),
    ({"draws": 100}, ["at least 500 draws"]),
    ({"placebo": {"draws": 10}}, ["placebo.draws"]),
    ({"oster": {"r_max": "abc"}}, ["oster.r_max"]),
    ({"wild": {"cluster": "firm+year"}}, ["one-way"]),
    ({"choices": {"fixed_effects": ["firm+industry^year"], "cluster": ["industry^year"]}}, ["interactions"]),
])
def test_bad_tables_name_the_key(table, words):
    with pytest.raises(ConfigError) as err:
        RobustnessSpec.from_dict(table, file="study.toml")
    msg = str(err.value)
    assert "study.toml" in msg
    for w in words:
        assert w in msg


def test_every_problem_is_listed_at_once():
    with pytest.raises(ConfigError) as err:
        RobustnessSpec.from_dict({"choices": {"cluster": ["industy", "provnce"]}, "draws": 5})
    msg = str(err.value)
    assert "'industy'" in msg and "'provnce'" in msg and "at least 500" in msg


def test_sample_rules_combine():
    spec = RobustnessSpec.from_dict({"choices": {"sample": ["baseline", "with_financial+without_2015+balanced"]}})
    from nqp.robustness.spec import parse_sample_rule
    r = parse_sample_rule(spec.sample[1])
    assert r.with_financial and r.balanced and r.without_years == (2015,)


def test_to_dict_round_trips():
    spec = RobustnessSpec.from_dict({"choices": {"controls": ["paper", "more"]}, "controls": {"more": ["INST"]}})
    again = RobustnessSpec.from_dict(spec.to_dict())
    assert again == spec
