"""Properties of the entropy index that must hold for any data (hypothesis)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

from nqp.errors import ConstantIndicatorWarning, InputError
from nqp.index import entropy_index

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def panels(draw, min_rows=3, max_rows=25):
    n = draw(st.integers(min_rows, max_rows))
    m = draw(st.integers(2, 5))
    # integers / 7: varied decimals, ranges far above rounding noise
    cells = draw(st.lists(st.integers(-1000, 1000), min_size=n * m, max_size=n * m))
    x = np.asarray(cells, dtype=float).reshape(n, m) / 7.0
    cols = [f"x{j}" for j in range(m)]
    signs = {c: draw(st.sampled_from([1, -1])) for c in cols}
    frame = pd.DataFrame(x, columns=cols)
    frame["year"] = np.arange(n) % 2 + 2020
    return frame, signs


def _non_constant(frame, signs):
    return any(frame[c].nunique() > 1 for c in signs)


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantIndicatorWarning)
        return fn(*a, **k)


@SETTINGS
@given(panels(), st.sampled_from([0.0, 0.0001, 0.01]))
def test_weights_non_negative_and_sum_to_one(data, shift):
    frame, signs = data
    assume(_non_constant(frame, signs))
    res = _quiet(entropy_index, frame, signs, shift=shift)
    w = res.weights.to_numpy()
    assert np.all(w >= 0) and w.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all((res.entropy >= 0) & (res.entropy <= 1))
    assert not res.index.isna().any()


@SETTINGS
@given(panels(), st.data())
def test_invariant_to_positive_affine_rescaling(data, draw):
    frame, signs = data
    assume(_non_constant(frame, signs))
    col = draw.draw(st.sampled_from(list(signs)))
    a = draw.draw(st.floats(0.01, 100))
    b = draw.draw(st.floats(-100, 100))
    moved = frame.copy()
    moved[col] = a * frame[col] + b
    r0 = _quiet(entropy_index, frame, signs)
    r1 = _quiet(entropy_index, moved, signs)
    np.testing.assert_allclose(r1.weights, r0.weights, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(r1.index, r0.index, rtol=1e-8, atol=1e-8)


@SETTINGS
@given(panels(), st.floats(-50, 50))
def test_constant_indicator_gets_zero_weight_with_warning(data, value):
    frame, signs = data
    assume(_non_constant(frame, signs))
    frame = frame.assign(flat=value)
    with pytest.warns(ConstantIndicatorWarning, match="flat"):
        res = entropy_index(frame, {**signs, "flat": 1})
    assert res.weights["flat"] == 0.0 and res.entropy["flat"] == 1.0
    assert not res.weights.isna().any() and not res.index.isna().any()
    # the other weights are those of the system without it
    base = _quiet(entropy_index, frame, signs)
    np.testing.assert_allclose(res.weights[list(signs)], base.weights, rtol=1e-12)


@SETTINGS
@given(panels())
def test_flipping_a_sign_flips_the_standardized_values(data):
    frame, signs = data
    col = next(iter(signs))
    assume(frame[col].nunique() > 1)
    flipped = {**signs, col: -signs[col]}
    z0 = _quiet(entropy_index, frame, signs, shift=0.0).standardized[col]
    z1 = _quiet(entropy_index, frame, flipped, shift=0.0).standardized[col]
    np.testing.assert_allclose(z1, 1.0 - z0, atol=1e-12)


@SETTINGS
@given(panels(), st.sampled_from(["pooled", "yearly"]), st.booleans(), st.sampled_from([1, 100]))
def test_dimension_scores_sum_to_index_and_index_in_range(data, method, two_stage, scale):
    frame, signs = data
    cols = list(signs)
    assume(all(frame.loc[frame.year == y, cols].nunique().max() > 1 for y in (2020, 2021)))
    dims = {c: ("D1" if i % 2 == 0 else "D2") for i, c in enumerate(cols)}
    try:
        res = _quiet(entropy_index, frame, signs, dimensions=dims, method=method, year="year",
                     two_stage=two_stage, scale=scale)
    except InputError as exc:
        # legitimate degenerate case: within-dimension weights cancel the variation exactly
        assert two_stage and "no dimension score varies" in str(exc)
        reject()
    np.testing.assert_allclose(res.dimensions.sum(axis=1), res.index, rtol=0, atol=1e-12 * scale)
    assert res.index.min() >= 0.0 and res.index.max() <= scale * (1 + 1e-12)
    assert res.index.index.equals(frame.index)
    if method == "yearly":
        np.testing.assert_allclose(res.weights.sum(axis=1), 1.0, atol=1e-12)
