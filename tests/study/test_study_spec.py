"""Loading and validating study files: the shipped paper, and every bad-input case named in the issue."""

from pathlib import Path

import pytest

from nqp.errors import ConfigError
from nqp.study.spec import load_study

KNOWN = ["NQP", "lnAI", "lnaifm", "Size", "Age", "SOE", "region", "usrobot", "irobot"]

GOOD = """
[study]
name = "mine"
[defaults]
cluster = "industry"
[macros]
controls = "Size + Age"
[[tables]]
id = "A"
type = "regression"
  [[tables.models]]
  id = "a1"
  outcome = "NQP"
  regressors = "lnAI"
  [[tables.models]]
  id = "a2"
  outcome = "NQP"
  regressors = "lnAI"
  sample = "SOE == 1"
  [[tables.models]]
  id = "a3"
  outcome = "NQP"
  regressors = "lnAI"
  sample = "SOE == 0"
  [[tables.tests]]
  id = "d"
  method = "permutation"
  models = ["a2", "a3"]
  reps = 50
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "study.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_paper_study_has_every_model_of_tables_3_to_8():
    s = load_study("ai_nqp")
    per_table = {t.id: len(t.models) for t in s.tables}
    # the paper: Table 3 (4), 4 (4), 5 (2 IVs, each first + second stage), 6 (9), 7 (6), 8 (8)
    assert per_table == {"3": 4, "4": 4, "5": 2, "6": 9, "7": 6, "8": 8}
    assert [len(t.tests) for t in s.tables if t.id == "6"] == [6]
    t5 = [m for m in s.models if m.table == "5"]
    assert all(m.is_iv and m.first_stage for m in t5)
    assert [m.column for m in t5] == ["(2)", "(4)"]
    base = s.model("t3_2")
    assert base.formula == "NQP ~ lnAI + Size + Age + Lev + Mshare + INST | stkcd + year"
    assert base.cluster == ("industry",)
    assert s.model("t3_1").controls == ()
    assert s.model("t5_lags").formula.endswith("| lnAI ~ L.lnAI + L2.lnAI")
    assert s.model("t6_east").sample == 'region == "East"'


def test_good_small_study_loads(tmp_path):
    s = load_study(write(tmp_path, GOOD), known_variables=KNOWN)
    assert [m.id for m in s.models] == ["a1", "a2", "a3"]
    assert s.model("a1").controls == ("Size", "Age")
    assert s.tests[0].term == "lnAI" and s.tests[0].reps == 50


@pytest.mark.parametrize("change, expected", [
    (("outcome = \"NQP\"\n  regressors = \"lnAI\"\n  [[tables.models]]\n  id = \"a2\"",
      "outcom = \"NQP\"\n  regressors = \"lnAI\"\n  [[tables.models]]\n  id = \"a2\""),
     ["model #1", "unknown key 'outcom'", "did you mean 'outcome'"]),
    (("regressors = \"lnAI\"\n  [[tables.models]]\n  id = \"a2\"",
      "regressors = \"lnAJ\"\n  [[tables.models]]\n  id = \"a2\""),
     ["table A, model a1", "unknown variable", "'lnAJ'", "did you mean 'lnAI'"]),
    (('type = "regression"', 'type = "regresion"'), ["[[tables]] #1", "'regresion'", "did you mean 'regression'"]),
    (('method = "permutation"', 'method = "bootstrap"'), ["test #1", "'bootstrap'"]),
    (('models = ["a2", "a3"]', 'models = ["a2", "a4"]'), ["test d", "no model 'a4' in table A"]),
    (('cluster = "industry"', 'clustr = "industry"'), ["[defaults]", "did you mean 'cluster'"]),
    (('controls = "Size + Age"', 'controls = "Size + Agee"'), ["unknown variable", "'Agee'"]),
    (('sample = "SOE == 1"', 'sample = "__import__(\'os\') == 1"'), ["model a2", "may use only"]),
    (('sample = "SOE == 1"', 'sample = "SOE == == 1"'), ["model a2", "not a valid expression"]),
])
def test_bad_study_names_file_table_and_key(tmp_path, change, expected):
    old, new = change
    assert old in GOOD
    p = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_study(p, known_variables=KNOWN)
    msg = str(info.value)
    assert str(p) in msg
    for part in expected:
        assert part in msg, (part, msg)


def test_table_without_models_and_iv_without_instruments(tmp_path):
    empty = '[study]\nname = "x"\n[[tables]]\nid = "T"\ntype = "regression"\nmodels = []\n'
    with pytest.raises(ConfigError, match="table T: the table has no models"):
        load_study(write(tmp_path, empty), known_variables=KNOWN)
    iv = ('[study]\nname = "x"\n[[tables]]\nid = "T"\ntype = "iv"\n  [[tables.models]]\n  id = "m"\n'
          '  outcome = "NQP"\n  iv = { endog = "lnAI", instruments = "" }\n')
    with pytest.raises(ConfigError, match="model m: the IV part has no excluded instruments"):
        load_study(write(tmp_path, iv), known_variables=KNOWN)


def test_overlapping_or_formula_mismatched_test_groups_refused(tmp_path):
    text = GOOD.replace('regressors = "lnAI"\n  sample = "SOE == 0"', 'regressors = "lnaifm"\n  sample = "SOE == 0"')
    with pytest.raises(ConfigError, match="same formula"):
        load_study(write(tmp_path, text), known_variables=KNOWN)


def test_not_toml_and_missing_file(tmp_path):
    from nqp.errors import MissingFileError

    with pytest.raises(ConfigError, match="not valid TOML"):
        load_study(write(tmp_path, "[study\nname="), known_variables=KNOWN)
    with pytest.raises(MissingFileError):
        load_study(tmp_path / "nope.toml", known_variables=KNOWN)


def test_new_study_copies_the_paper_and_refuses_to_overwrite(tmp_path, capsys):
    from nqp.cli import main

    target = tmp_path / "mine.toml"
    assert main(["new-study", str(target)]) == 0
    s = load_study(target)
    assert s.name == "ai_nqp" and len(s.models) == 33
    target.write_text("# my edits\n", encoding="utf-8")
    assert main(["new-study", str(target)]) == 1
    assert "exists" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "# my edits\n"
    assert main(["new-study", str(tmp_path / "x.toml"), "--from", "nope"]) == 1


def test_formula_language_terms_and_lags_are_read_by_the_formula_parser(tmp_path):
    """Variables come from the one formula parser: log()/I() read their column, lags their base
    variable; a lag of an unknown variable in [sample] is named with a did-you-mean."""
    text = GOOD.replace('regressors = "lnAI"\n  [[tables.models]]\n  id = "a2"',
                        'regressors = "log(Size) + I(Age**2) + L2.lnAI"\n  [[tables.models]]\n  id = "a2"', 1)
    s = load_study(write(tmp_path, text + '\n[sample]\nlags = ["L.lnAI"]\n'.replace("\n[sample]", "\n[sample]")),
                   known_variables=KNOWN)
    assert {"Size", "Age", "lnAI"} <= s.model("a1").variables()
    assert s.lags == ("L.lnAI", "L2.lnAI")
    bad = write(tmp_path, text.replace("[study]", '[sample]\nlags = ["L.lnAJ"]\n[study]', 1))
    with pytest.raises(ConfigError, match=r"\[sample\] lags: .*lnAJ.*did you mean lnAI"):
        load_study(bad, known_variables=KNOWN)
    typo = write(tmp_path, text.replace("log(Size)", "log(Sise)"))
    with pytest.raises(ConfigError, match="model a1: unknown variable.*'Sise'.*did you mean 'Size'"):
        load_study(typo, known_variables=KNOWN)
