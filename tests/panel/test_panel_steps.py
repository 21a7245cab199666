"""The named steps of build_panel called alone, the step records (timings, warnings), and
measures declared in variables.toml (estimator, method, inputs) rather than wired in Python."""

import math
import warnings
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from handmade import FIRMS, YEARS
from nqp.errors import ConfigError, DataWarning
from nqp.panel import SampleOptions, build_panel, load_definitions
from nqp.panel.measures import measure_inputs
from nqp.panel.steps import apply_sample_rules, base_table, formula_variables

LOOSE = SampleOptions(drop_st=False, drop_financial=False, key_variables=(), winsorize=False)
STEPS = ["base table", "formula variables", "lags on the full firm-year panel", "sample rules",
         "estimated measures", "missing key variables", "winsorizing", "index"]


def _quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def test_steps_alone_give_what_build_panel_gives(hand_warehouse):
    defs = load_definitions()
    base = base_table(hand_warehouse, defs, first_year=2015, last_year=2017)
    assert base.table.num_rows == 9 and "total_assets" in base.columns     # no 2014 rows to read
    fy = _quiet(formula_variables, base, defs)
    p = _quiet(build_panel, hand_warehouse, first_year=2015, last_year=2017, measures=False, sample=LOOSE)
    pd.testing.assert_frame_equal(fy.frame, p.firm_years)
    assert fy.unbuilt.items() <= p.unbuilt.items()
    kept = apply_sample_rules(fy.frame, SampleOptions())
    assert sorted(set(kept["stkcd"])) == ["000002", "600003"] and len(kept) == 5   # J and *ST 2016 out


def test_step_records_timings_and_warnings_once(hand_warehouse):
    with warnings.catch_warnings(record=True) as emitted:
        warnings.simplefilter("always")
        p = build_panel(hand_warehouse, first_year=2015, last_year=2017, sample=LOOSE)
    assert [s for s, _ in p.steps.timings] == STEPS
    assert all(t >= 0 for _, t in p.steps.timings)
    recs = p.steps.warnings
    keys = [(r["where"], r["message"]) for r in recs]
    assert len(keys) == len(set(keys))
    tfp = [r for r in recs if r["where"] == "panel: TFP_LP"]
    assert any("could not be estimated" in r["message"] for r in tfp)
    assert not any(r["message"].startswith("TFP_LP:") for r in tfp)
    assert any(r["where"] == "panel: exec_innovation_awareness" and "not in the NQP index" in r["message"]
               for r in recs)                                         # no text_measures table
    # the warnings are still emitted as DataWarnings, for a caller that filters them
    assert any(isinstance(w.message, DataWarning) and w.message.variable == "TFP_LP" for w in emitted)


def test_measure_inputs_are_the_declared_expressions(hand_warehouse):
    """TFP_LP's proxy M (measurement-reference §3.5) from its variables.toml expression equals
    the hand computation on the hand-made statements."""
    p = _quiet(build_panel, hand_warehouse, first_year=2015, last_year=2017, measures=False, sample=LOOSE)
    v = load_definitions().variable("TFP_LP")
    assert (v.estimator, v.method, [r for r, _ in v.inputs]) == ("tfp", "lp", ["output", "free", "state", "proxy"])
    x = measure_inputs(p.firm_years, v).set_index(pd.MultiIndex.from_frame(p.firm_years[["stkcd", "year"]]))
    for i, s in enumerate(FIRMS):
        for t, y in enumerate(YEARS):
            rev = 500.0 * (i + 1) + 50 * t
            m = (0.6 + 0.05 + 0.05 + 0.01) * rev - (30.0 + 10.0 + t) - 80.0
            assert x.loc[(s, y), "proxy"] == pytest.approx(m, rel=1e-12)
            assert x.loc[(s, y), "free"] == 100 * (i + 1) + 10 * t
    fc = load_definitions().variable("FC")
    xf = measure_inputs(p.firm_years, fc)
    assert list(xf.columns) == ["size", "age", "payout", "Lev", "MB", "NWC_TA", "EBIT_TA"]
    assert xf["Lev"].tolist() == pytest.approx([0.5] * 9)            # liabilities = assets / 2
    assert (xf["payout"] == 0).all()                                  # no dividends table rows
    assert math.isnan(xf["MB"].iloc[0])                              # no book-to-market


def _defs_with(tmp_path, old, new):
    text = (resources.files("nqp.panel") / "definitions" / "variables.toml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (tmp_path / "variables.toml").write_text(text.replace(old, new), encoding="utf-8")
    return tmp_path


TFP_FE_INPUTS = 'inputs = { output = "operating_revenue", free = "employees", state = "fixed_assets" }'


def test_a_changed_declaration_is_used(tmp_path, hand_warehouse):
    d = _defs_with(tmp_path, TFP_FE_INPUTS,
                   'inputs = { output = "main_business_revenue", free = "employees", state = "no_such_field" }')
    v = load_definitions(d).variable("TFP_FE")
    assert dict(v.inputs)["output"] == "main_business_revenue"
    p = _quiet(build_panel, hand_warehouse, first_year=2015, last_year=2017, sample=LOOSE, definitions=d)
    assert "no_such_field" in p.unbuilt["TFP_FE"]
    assert "main_business_revenue" in p.dictionary().set_index("name").loc["TFP_FE", "definition"]


@pytest.mark.parametrize("new, match", [
    ('inputs = { output = "operating_revenue", free = "employees" }', r"missing \['state'\]"),
    ('inputs = { output = "x", free = "y", state = "z", proxy = "m", extra = "e" }', r"unknown \['extra'\]"),
    ('inputs = "operating_revenue"', "inputs ="),
])
def test_bad_measure_declarations(tmp_path, new, match):
    with pytest.raises(ConfigError, match=match) as exc:
        load_definitions(_defs_with(tmp_path, TFP_FE_INPUTS, new))
    assert exc.value.variable == "TFP_FE" and exc.value.file.endswith("variables.toml")


def test_bad_estimator_method_and_value_labels(tmp_path):
    with pytest.raises(ConfigError, match="estimator = one of"):
        load_definitions(_defs_with(tmp_path, 'estimator = "capacity_utilisation"', 'estimator = "sfa"'))
    with pytest.raises(ConfigError, match="method = one of"):
        load_definitions(_defs_with(tmp_path, 'method = "fe"', 'method = "gmm"'))
    with pytest.raises(ConfigError, match="value_labels") as exc:
        load_definitions(_defs_with(tmp_path, 'value_labels = { "0" = "非国有企业", "1" = "国有企业" }',
                                    'value_labels = { "no" = "非国有企业" }'))
    assert exc.value.variable == "SOE"


def test_value_labels_declared():
    d = load_definitions()
    assert dict(d.variable("region").value_labels) == {1: "East", 2: "Central", 3: "West"}
    assert dict(d.variable("SOE").value_labels)[1] == "国有企业"
