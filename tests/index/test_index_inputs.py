"""Bad input, the indicator-system TOML, and Figure 2 data."""

import warnings

import numpy as np
import pandas as pd
import pytest

from nqp import entropy_index as top_level_entropy_index
from nqp.errors import (
    ConfigError,
    ConstantIndicatorWarning,
    InputError,
    MissingFileError,
    MissingValueWarning,
    SchemaError,
)
from nqp.index import (
    critic_index,
    entropy_index,
    equal_weight_index,
    figure2_data,
    load_indicator_system,
    pca_index,
    topsis_index,
)


def panel(n_firms=4, years=(2020, 2021, 2022), seed=1):
    rng = np.random.default_rng(seed)
    n = n_firms * len(years)
    return pd.DataFrame(
        {
            "stkcd": np.repeat([f"00000{i}" for i in range(1, n_firms + 1)], len(years)),
            "year": np.tile(years, n_firms),
            "a": rng.uniform(0, 1, n),
            "b": rng.uniform(1, 5, n),
            "c": rng.uniform(10, 20, n),
        }
    )


SIGNS = {"a": 1, "b": 1, "c": -1}


def test_top_level_lazy_import_is_the_same_function():
    assert top_level_entropy_index is entropy_index


def test_missing_indicator_column_is_named():
    with pytest.raises(SchemaError, match="'zz'") as exc:
        entropy_index(panel(), {**SIGNS, "zz": 1})
    assert exc.value.column == "zz"


def test_infinite_value_names_column_firm_and_year():
    df = panel()
    df.loc[4, "b"] = np.inf
    with pytest.raises(InputError, match="infinite") as exc:
        entropy_index(df, SIGNS, ids=("stkcd", "year"))
    err = exc.value
    assert err.column == "b" and err.firm == "000002" and err.year == 2021 and err.row == 4
    assert "stkcd='000002'" in str(err)


def test_infinite_value_located_through_a_multiindex():
    df = panel().set_index(["stkcd", "year"])
    df.iloc[7, df.columns.get_loc("c")] = -np.inf
    with pytest.raises(InputError) as exc:
        entropy_index(df, SIGNS)
    assert exc.value.column == "c" and exc.value.firm == "000003" and exc.value.year == 2021


def test_missing_values_error_by_default_naming_rows_and_columns():
    df = panel()
    df.loc[[1, 5], "a"] = np.nan
    df.loc[5, "c"] = np.nan
    with pytest.raises(InputError, match=r"2 of 12 row\(s\).*'a': 2.*'c': 1") as exc:
        entropy_index(df, SIGNS, ids=("stkcd", "year"))
    assert exc.value.row == 1 and exc.value.firm == "000001"


def test_missing_values_drop_policy_never_leaves_nan():
    df = panel()
    df.loc[[1, 5], "a"] = np.nan
    with pytest.warns(MissingValueWarning, match="dropped 2 of 12"):
        res = entropy_index(df, SIGNS, missing="drop")
    assert len(res.index) == 10 and not res.index.isna().any()
    assert 1 not in res.index.index and 5 not in res.index.index
    assert res.meta["n"] == 10 and res.meta["n_dropped"] == 2
    with pytest.raises(ConfigError):
        entropy_index(df, SIGNS, missing="fill")


def test_input_frame_is_not_modified():
    df = panel()
    before = df.copy()
    entropy_index(df, SIGNS, method="yearly", year="year")
    pca_index(df, SIGNS)
    pd.testing.assert_frame_equal(df, before)


def test_constant_indicator_in_one_year_only_gets_zero_weight_that_year():
    df = panel()
    df.loc[df.year == 2021, "a"] = 0.5
    with pytest.warns(ConstantIndicatorWarning, match="year 2021") as rec:
        res = entropy_index(df, SIGNS, method="yearly", year="year")
    assert rec[0].message.column == "a" and rec[0].message.year == 2021
    assert res.weights.loc[2021, "a"] == 0.0 and res.weights.loc[2020, "a"] > 0
    assert not res.index.isna().any()


@pytest.mark.parametrize("fn", [entropy_index, equal_weight_index, critic_index, pca_index, topsis_index])
def test_constant_indicator_every_method(fn):
    df = panel().assign(flat=3.0)
    with pytest.warns(ConstantIndicatorWarning, match="flat"):
        res = fn(df, {**SIGNS, "flat": 1})
    assert res.weights["flat"] == 0.0 and not res.index.isna().any()


def test_all_constant_is_an_error():
    df = pd.DataFrame({"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0, 2.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantIndicatorWarning)
        with pytest.raises(InputError, match="no indicator varies"):
            entropy_index(df, {"a": 1, "b": 1})


def test_option_errors():
    df = panel()
    with pytest.raises(ConfigError, match="year="):
        entropy_index(df, SIGNS, method="yearly")
    with pytest.raises(ConfigError, match="method"):
        entropy_index(df, SIGNS, method="panel")
    with pytest.raises(ConfigError, match="shift"):
        entropy_index(df, SIGNS, shift=-1)
    with pytest.raises(ConfigError, match="sign"):
        entropy_index(df, {"a": 2})
    with pytest.raises(ConfigError, match="dimension"):
        entropy_index(df, SIGNS, dimensions={"a": "x"})
    with pytest.raises(ConfigError, match="two_stage"):
        entropy_index(df, SIGNS, two_stage=True)
    with pytest.raises(SchemaError, match="not numeric"):
        entropy_index(df, {"stkcd": 1, "a": 1})
    with pytest.raises(InputError, match="year 2020 has 1 row"):
        entropy_index(df[df.year != 2020].iloc[1:].pipe(lambda d: pd.concat([df.iloc[[0]], d])),
                      SIGNS, method="yearly", year="year")


def test_time_augmented_rejects_negative_values_for_ratio_scaling():
    df = panel().assign(a=lambda d: d.a - 0.5)
    with pytest.raises(InputError, match="x/max") as exc:
        entropy_index(df, SIGNS, method="time_augmented")
    assert exc.value.column == "a"


# --- the indicator system -----------------------------------------------------------------

def test_paper_system_is_table_1():
    ind, dims, labels = load_indicator_system()
    assert len(ind) == 15
    counts = pd.Series(dims).value_counts().to_dict()
    assert counts == {"labour": 4, "means_of_labour": 5, "objects_of_labour": 2, "combination_efficiency": 4}
    assert [c for c, s in ind.items() if s == -1] == ["energy_consumption"]
    assert labels["labour"].zh == "新质劳动者" and labels["combination_efficiency"].zh == "优化组合效率"
    assert labels["overhead_share"].zh == "制造费用占比"
    assert set(ind) == {
        "hightech_staff_share", "higher_edu_share", "rd_pay_share", "exec_innovation_awareness",
        "fixed_asset_share", "intangible_share", "rd_direct_input_share", "energy_consumption",
        "data_assets", "overhead_share", "main_revenue_growth", "labour_productivity",
        "capacity_utilisation", "roa", "asset_turnover",
    }


GOOD = """
[[dimensions]]
key = "d1"
zh = "维度"
en = "Dim"

[[indicators]]
column = "a"
dimension = "d1"
sign = 1
zh = "甲"
en = "A"
"""


def test_user_system_file(tmp_path):
    p = tmp_path / "sys.toml"
    p.write_text(GOOD.replace("sign = 1", "sign = -1"), encoding="utf-8")
    ind, dims, labels = load_indicator_system(p)
    assert ind == {"a": -1} and dims == {"a": "d1"} and labels["a"].en == "A"


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (("sign = 1", "sign = 0"), "indicators[0].sign"),
        (("sign = 1", 'sign = "+"'), "indicators[0].sign"),
        (('dimension = "d1"', 'dimension = "d9"'), "indicators[0].dimension"),
        (('en = "A"', 'en = "A"\nweight = 3'), "indicators[0].weight"),
        (('column = "a"\n', ""), "indicators[0].column"),
        (('key = "d1"', 'key = "d1"\n[[bogus]]'), "bogus"),
        (('zh = "甲"', 'zh = ""'), "indicators[0].zh"),
    ],
)
def test_bad_system_file_names_file_and_key(tmp_path, edit, key):
    p = tmp_path / "bad.toml"
    p.write_text(GOOD.replace(*edit), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_indicator_system(p)
    assert exc.value.file == str(p) and exc.value.variable == key
    assert str(p) in str(exc.value)


def test_duplicate_column_and_syntax_error_and_missing_file(tmp_path):
    p = tmp_path / "dup.toml"
    p.write_text(GOOD + GOOD.split("[[indicators]]")[1].join(["[[indicators]]", ""]), encoding="utf-8")
    with pytest.raises(ConfigError, match="twice"):
        load_indicator_system(p)
    q = tmp_path / "syntax.toml"
    q.write_text("[[indicators]\ncolumn = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML") as exc:
        load_indicator_system(q)
    assert exc.value.file == str(q)
    with pytest.raises(MissingFileError):
        load_indicator_system(tmp_path / "nope.toml")


def test_paper_system_runs_end_to_end_on_a_panel():
    ind, dims, labels = load_indicator_system()
    rng = np.random.default_rng(7)
    df = pd.DataFrame({c: rng.lognormal(size=40) for c in ind}).assign(year=np.repeat([2010, 2011], 20))
    res = entropy_index(df, ind, dimensions=dims, year="year")
    table = res.weights_table()
    assert table["weight"].sum() == pytest.approx(1.0)
    assert table.set_index("indicator").loc["energy_consumption", "sign"] == -1
    labelled = res.weights_table(labels).set_index("indicator")
    assert labelled.loc["roa", "label_zh"] == "资产利用效率"
    assert labelled.loc["roa", "dimension_en"] == "Optimised-combination efficiency"
    assert list(res.dimensions.columns) == ["labour", "means_of_labour", "objects_of_labour", "combination_efficiency"]


# --- Figure 2 -----------------------------------------------------------------------------

def test_figure2_yearly_means_and_contributions():
    df = panel()
    dims = {"a": "L", "b": "L", "c": "M"}
    res = entropy_index(df, SIGNS, dimensions=dims)
    fig = figure2_data(res, df["year"])
    expected = res.index.groupby(df["year"]).mean()
    np.testing.assert_allclose(fig["index"], expected.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(fig["L"] + fig["M"], fig["index"], rtol=1e-12)
    np.testing.assert_allclose(fig["L_share"] + fig["M_share"], 1.0, rtol=1e-12)
    assert fig["n"].tolist() == [4, 4, 4] and fig.index.tolist() == [2020, 2021, 2022]
    # a level name of a MultiIndex works too
    res2 = entropy_index(df.set_index(["stkcd", "year"]), SIGNS, dimensions=dims)
    np.testing.assert_allclose(figure2_data(res2, "year")["index"], fig["index"], rtol=1e-12)
    with pytest.raises(InputError):
        figure2_data(res, [2020, 2021])
