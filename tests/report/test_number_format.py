"""Number formatting by hand-worked cases and properties (the only place nqp formats numbers)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nqp.report.format import (NumberFormat, fmt_coef, fmt_count, fmt_number, fmt_paren, fmt_pvalue, parse_number,
                               star_note, stars)


@pytest.mark.parametrize("x, text", [
    (0.539, "0.539"), (-0.303, "-0.303"), (24.938, "24.938"), (0.0, "0.000"), (33447, "33447.000"),
    (0.0005, "0.001"), (0.00049, "0.00049"), (1.234e-5, "0.000012"), (-1.234e-5, "-0.000012"),
    (2.0e-9, "2.0e-09"), (None, ""), (float("nan"), ""), (-0.0, "0.000"),
])
def test_fmt_number_cases(x, text):
    assert fmt_number(x, 3) == text


def test_stars_follow_p_below_threshold():
    assert [stars(p) for p in (0.2, 0.10, 0.0999, 0.05, 0.049, 0.01, 0.0099, None)] == \
        ["", "", "*", "*", "**", "**", "***", ""]
    assert star_note() == "* p < 0.10, ** p < 0.05, *** p < 0.01"
    assert stars(0.03, (0.05, 0.01, 0.001)) == "*"


def test_coef_paren_count_p():
    nf = NumberFormat()
    assert fmt_coef(0.539, 1e-8, nf) == "0.539***"
    assert fmt_paren(0.09, nf) == "(0.090)"
    assert fmt_count(33447.0) == "33447"
    assert fmt_pvalue(0.0001) == "<0.001" and fmt_pvalue(0.07) == "0.070"
    with pytest.raises(ValueError):
        NumberFormat(stars=(0.01, 0.05))
    with pytest.raises(ValueError):
        NumberFormat(se="z")


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 6))
def test_printed_number_is_within_half_a_unit_and_never_zero(x, d):
    text = fmt_number(x, d)
    p = parse_number(text)
    assert p is not None
    assert abs(p.value - x) <= p.tolerance * (1 + 1e-9) + 1e-12 * max(1.0, abs(x))
    if x != 0:
        assert p.value != 0
        if p.value != 0 and abs(x) >= 1e-300:  # at least two significant digits for tiny values
            assert math.isclose(p.value, x, rel_tol=0.05) or abs(x) >= 0.5 * 10 ** -d
