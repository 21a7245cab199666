"""The permutation engine's compiled cross-products against plain numpy, block by block."""

import numpy as np
import pytest

from nqp.econometrics import group_tests as gt


def _numpy_within(w: np.ndarray, big: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """C = Σ_{i∈rows} w_i w_i' − Σ_f S_f S_f'/n_f, written out level by level."""
    sub = w[rows]
    C = sub.T @ sub
    for f in np.unique(big[rows]):
        s = sub[big[rows] == f].sum(axis=0)
        C -= np.outer(s, s) / (big[rows] == f).sum()
    return C


@pytest.mark.parametrize("repeat_levels", [False, True])
def test_cross_products_equal_numpy_with_two_extra_fes(repeat_levels):
    rng = np.random.default_rng(11)
    n_firm, n_year, n_ind = 25, 6, 4
    firm = np.repeat(np.arange(n_firm), n_year)
    year = np.tile(np.arange(n_year), n_firm)
    if repeat_levels:  # a firm with several rows in one year, and years missing from firms
        year = rng.integers(0, n_year, firm.size)
    ind = rng.integers(0, n_ind, firm.size)  # varies within firm
    keep = rng.random(firm.size) > 0.1
    firm, year, ind = firm[keep], year[keep], ind[keep]
    n = firm.size
    y, X = rng.normal(size=n), rng.normal(size=(n, 3))
    fe = np.column_stack([firm, year, ind])
    eng = gt._SubsetOLS(y, X, fe)
    # w = [ỹ, X̃, year dummies, industry dummies] with ỹ, X̃ demeaned by firm on the full sample
    yx = np.column_stack([y, X])
    means = np.array([yx[firm == f].mean(axis=0) for f in range(n_firm)])
    w = np.column_stack([yx - means[firm], np.eye(n_year)[year], np.eye(n_ind)[ind]])
    assert eng.p == w.shape[1]
    masks = rng.random((5, n)) < np.array([0.5, 0.2, 0.8, 0.5, 0.05])[:, None]
    masks[3, firm < 5] = True  # whole firms on one side
    C = eng.cross_pairs(masks)
    q = 4
    blocks = {"q x q": (slice(0, q), slice(0, q)), "dummy x q": (slice(q, None), slice(0, q)),
              "dummy x dummy": (slice(q, None), slice(q, None))}
    for r in range(masks.shape[0]):
        for side, rows in ((r, np.flatnonzero(masks[r])), (masks.shape[0] + r, np.flatnonzero(~masks[r]))):
            ref = _numpy_within(w, firm, rows)
            np.testing.assert_allclose(C[side], C[side].T)
            for name, (a, b) in blocks.items():
                np.testing.assert_allclose(C[side][a, b], ref[a, b], rtol=1e-10, atol=1e-10, err_msg=name)


def test_cross_products_equal_numpy_when_the_largest_fe_has_large_levels():
    """Industry (30 levels of ~40 rows; the FE with the most levels is absorbed) and year (12
    levels) as dummies: a level's dummy x dummy correction comes from the counts of its 12
    columns, not from its ~800 row pairs."""
    rng = np.random.default_rng(7)
    n = 1_200
    ind, year = rng.integers(0, 30, n), rng.integers(0, 12, n)
    y, X = rng.normal(size=n), rng.normal(size=(n, 2))
    eng = gt._SubsetOLS(y, X, np.column_stack([ind, year]))
    yx = np.column_stack([y, X])
    assert eng.n_big == 30
    means = np.array([yx[ind == f].mean(axis=0) for f in range(30)])
    w = np.column_stack([yx - means[ind], np.eye(12)[year]])
    masks = rng.random((3, n)) < np.array([0.5, 0.1, 0.9])[:, None]
    C = eng.cross_pairs(masks)
    for r in range(3):
        for side, rows in ((r, np.flatnonzero(masks[r])), (3 + r, np.flatnonzero(~masks[r]))):
            np.testing.assert_allclose(C[side], _numpy_within(w, ind, rows), rtol=1e-10, atol=1e-10)

