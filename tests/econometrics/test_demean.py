"""Absorption against explicit dummy-variable least squares (numpy lstsq), singletons and
absorbed degrees of freedom against hand-built cases and matrix ranks."""

from __future__ import annotations

import numpy as np
import pytest

import nqp.econometrics.demean as dm
from nqp.econometrics.collinearity import absorbed_dof, is_nested, n_components
from nqp.econometrics.demean import demean
from nqp.econometrics.singletons import singleton_mask


def dummies(fe: np.ndarray) -> np.ndarray:
    return np.hstack([(fe[:, j][:, None] == np.arange(fe[:, j].max() + 1)).astype(float) for j in range(fe.shape[1])])


_REF: dict = {}


def lstsq_resid(x: np.ndarray, fe: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    key = (fe.shape[1], w is None)
    if key not in _REF:
        _REF[key] = _lstsq_resid(x, fe, w)
    return _REF[key]


def _lstsq_resid(x: np.ndarray, fe: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    D = dummies(fe)
    sw = np.ones(len(x)) if w is None else np.sqrt(w)
    b = np.linalg.lstsq(D * sw[:, None], x * sw[:, None], rcond=None)[0]
    return x - D @ b


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(42)
    n = 1200
    fe = np.column_stack([rng.integers(0, 120, n), rng.integers(0, 11, n), rng.integers(0, 35, n)])
    x = rng.normal(size=(n, 3)) + fe[:, :1] * 0.01
    w = rng.uniform(0.2, 3.0, n)
    return x, fe, w


@pytest.mark.parametrize("g", [1, 2, 3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("path", ["exact", "refined", "cg"])
def test_demean_equals_dummy_regression(problem, g, weighted, path, monkeypatch):
    x, fe, w = problem
    if path == "cg":
        monkeypatch.setattr(dm, "EXACT_MAX_LEVELS", 0)
    if path == "refined":  # force every refinement step of the exact path
        monkeypatch.setattr(dm, "REFINE_TOL", 0.0)
    ww = w if weighted else None
    x0, fe0 = x.copy(), fe.copy()
    out, ok = demean(x, fe[:, :g], ww, tol=1e-13)
    assert ok
    np.testing.assert_allclose(out, lstsq_resid(x, fe[:, :g], ww), atol=1e-9)
    np.testing.assert_array_equal(x, x0)  # inputs untouched
    np.testing.assert_array_equal(fe, fe0)


def test_demean_1d_and_no_fe(problem):
    x, fe, _ = problem
    out, ok = demean(x[:, 0], fe[:, :2])
    assert out.shape == (x.shape[0],) and ok
    np.testing.assert_allclose(out, demean(x, fe[:, :2])[0][:, 0])
    same, ok = demean(x, np.empty((x.shape[0], 0), dtype=np.int64))
    np.testing.assert_array_equal(same, x)


def test_cg_reports_non_convergence(problem, monkeypatch):
    x, fe, _ = problem
    monkeypatch.setattr(dm, "EXACT_MAX_LEVELS", 0)
    _, ok = demean(x, fe, tol=1e-14, maxiter=2)
    assert not ok


def test_singletons_are_dropped_iteratively():
    # firm 3 has one row -> dropped; then year 2 holds one row (firm 2) -> dropped; then firm 2
    # has one row left -> dropped. One pass (fixest) would stop after the first drop.
    firm = np.array([0, 0, 1, 1, 2, 2, 3])
    year = np.array([0, 1, 0, 1, 1, 2, 2])
    drop = singleton_mask(np.column_stack([firm, year]))
    np.testing.assert_array_equal(drop, [False, False, False, False, True, True, True])


def test_absorbed_dof_counts_mobility_groups():
    rng = np.random.default_rng(0)
    # two disconnected blocks of firms x years -> two components
    firm = np.concatenate([rng.integers(0, 20, 300), rng.integers(20, 40, 300)])
    year = np.concatenate([rng.integers(0, 5, 300), rng.integers(5, 9, 300)])
    fe = np.column_stack([firm, year])
    assert n_components(firm, 40, year, 9) == 2
    a = absorbed_dof(fe, [40, 9], None)
    assert a.df_a == np.linalg.matrix_rank(dummies(fe)) == 40 + 9 - 2
    # firm nested in industry clusters: the firm FE is not counted, year loses one level
    industry = firm // 5
    assert is_nested(firm, industry) and not is_nested(year, industry)
    a = absorbed_dof(fe, [40, 9], industry[:, None])
    # reghdfe 6 (DoF.mata) leaves FEs nested in a cluster out of the mobility-group pairs, so
    # year loses one level (the nested rule), not one per firm-year component (parity audit)
    assert (a.df_a, a.df_a_nested, a.nested_adj) == (9 - 1, 40, 1)
