"""Entropy, CRITIC, PCA, TOPSIS and equal weights against computations no one here wrote.

Oracles: ``scipy.stats.entropy`` (Shannon entropy of the column shares), pandas'
``DataFrame.corr``/``std``, numpy's SVD, ``scipy.spatial.distance.cdist``.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from scipy.stats import entropy as shannon

from nqp.index import critic_index, entropy_index, entropy_weights, equal_weight_index, pca_index, topsis_index

SEED = 20240601


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(SEED)
    n = 60
    common = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "p1": np.exp(0.5 * common + rng.normal(size=n)),
            "p2": 3 + common + rng.normal(scale=0.5, size=n),
            "p3": rng.uniform(0, 1, size=n) ** 3,
            "n1": 10 - common + rng.normal(size=n),  # negative indicator
            "p4": 2 * common + rng.normal(size=n),
        }
    )
    signs = {"p1": 1, "p2": 1, "p3": 1, "n1": -1, "p4": 1}
    return frame, signs


def minmax(frame, signs):
    """Min–max by sign, written with pandas column operations."""
    out = {}
    for c, s in signs.items():
        lo, hi = frame[c].min(), frame[c].max()
        out[c] = (frame[c] - lo) / (hi - lo) if s > 0 else (hi - frame[c]) / (hi - lo)
    return pd.DataFrame(out)


@pytest.mark.parametrize("shift", [0.0, 0.0001, 0.01])
def test_entropy_weights_match_scipy_entropy(data, shift):
    frame, signs = data
    z = minmax(frame, signs)
    n = len(frame)
    # scipy normalises z + δ to shares itself and uses 0·ln 0 = 0
    e = {c: shannon(z[c].to_numpy() + shift) / math.log(n) for c in signs}
    d = {c: 1 - e[c] for c in signs}
    w = {c: d[c] / sum(d.values()) for c in signs}
    res = entropy_index(frame, signs, shift=shift)
    assert res.entropy.to_dict() == pytest.approx(e, rel=1e-12)
    assert res.weights.to_dict() == pytest.approx(w, rel=1e-10)
    np.testing.assert_allclose(res.index, 100 * (z * pd.Series(w)).sum(axis=1), rtol=1e-10)
    # the frame-level helper gives the same numbers
    ew = entropy_weights(z, shift=shift)
    np.testing.assert_allclose(ew["weight"], pd.Series(w)[ew.index], rtol=1e-10)


def test_yearly_weights_match_scipy_entropy_per_year(data):
    frame, signs = data
    frame = frame.assign(year=np.repeat([2019, 2020, 2021], 20))
    res = entropy_index(frame, signs, method="yearly", year="year")
    for yr, part in frame.groupby("year"):
        z = minmax(part, signs)
        e = {c: shannon(z[c].to_numpy() + 0.0001) / math.log(len(part)) for c in signs}
        d = {c: 1 - e[c] for c in signs}
        assert res.weights.loc[yr].to_dict() == pytest.approx({c: d[c] / sum(d.values()) for c in signs}, rel=1e-10)


@pytest.mark.parametrize("abs_corr", [False, True])
def test_critic_matches_pandas_corr_and_std(data, abs_corr):
    frame, signs = data
    z = minmax(frame, signs)
    r = z.corr()  # pandas Pearson
    conflict = (1 - (r.abs() if abs_corr else r)).sum(axis=1)
    c = z.std() * conflict  # pandas std (ddof 1); the ddof cancels in the weights
    w = c / c.sum()
    res = critic_index(frame, signs, abs_corr=abs_corr)
    np.testing.assert_allclose(res.weights[list(signs)], w[list(signs)], rtol=1e-10)
    np.testing.assert_allclose(res.index, 100 * (z * w).sum(axis=1), rtol=1e-10)
    assert res.meta["abs_corr"] is abs_corr


def test_critic_population_sd_gives_same_weights(data):
    frame, signs = data
    z = minmax(frame, signs).to_numpy()
    r = np.corrcoef(z, rowvar=False)
    c = z.std(axis=0, ddof=0) * (1 - r).sum(axis=1)
    np.testing.assert_allclose(critic_index(frame, signs).weights.to_numpy(), c / c.sum(), rtol=1e-10)


def _oriented_zscores(frame, signs):
    u = (frame - frame.mean()) / frame.std(ddof=1)
    return u * pd.Series(signs)


def test_pca_first_component_matches_svd(data):
    frame, signs = data
    u = _oriented_zscores(frame[list(signs)], signs).to_numpy()
    _, s, vt = np.linalg.svd(u, full_matrices=False)
    v1 = vt[0]
    scores = u @ v1
    reference = minmax(frame, signs).sum(axis=1).to_numpy()
    if np.corrcoef(scores, reference)[0, 1] < 0:
        v1, scores = -v1, -scores
    res = pca_index(frame, signs)
    np.testing.assert_allclose(res.weights.to_numpy(), v1, atol=1e-10)
    np.testing.assert_allclose(res.index.to_numpy(), scores, atol=1e-9)
    assert res.meta["explained_variance"] == pytest.approx(s[0] ** 2 / (s**2).sum(), rel=1e-10)
    # eigenvalues of the correlation matrix = s² / (n − 1)
    np.testing.assert_allclose(res.meta["eigenvalues"].to_numpy(), s**2 / (len(frame) - 1), rtol=1e-10)
    assert np.corrcoef(res.index, entropy_index(frame, signs).index)[0, 1] > 0
    np.testing.assert_allclose(res.dimensions.sum(axis=1), res.index, atol=1e-12)


def test_pca_kaiser_matches_svd(data):
    frame, signs = data
    u = _oriented_zscores(frame[list(signs)], signs).to_numpy()
    _, s, vt = np.linalg.svd(u, full_matrices=False)
    lam = s**2 / (len(frame) - 1)
    reference = minmax(frame, signs).sum(axis=1).to_numpy()
    keep = [k for k in range(len(lam)) if lam[k] > 1]
    assert len(keep) >= 1
    total = np.zeros(len(frame))
    for k in keep:
        f = u @ vt[k]
        if np.corrcoef(f, reference)[0, 1] < 0:
            f = -f
        total += lam[k] / lam[keep].sum() * f
    res = pca_index(frame, signs, components="kaiser")
    np.testing.assert_allclose(res.index.to_numpy(), total, atol=1e-9)
    assert res.meta["n_components"] == len(keep)


def test_topsis_matches_cdist(data):
    frame, signs = data
    z = minmax(frame, signs).to_numpy()
    e = np.array([shannon(z[:, j] + 0.0001) for j in range(z.shape[1])]) / math.log(len(frame))
    w = (1 - e) / (1 - e).sum()
    v = z * w
    d_plus = cdist(v, v.max(axis=0, keepdims=True)).ravel()
    d_minus = cdist(v, v.min(axis=0, keepdims=True)).ravel()
    res = topsis_index(frame, signs)
    np.testing.assert_allclose(res.index.to_numpy(), 100 * d_minus / (d_plus + d_minus), rtol=1e-10)
    assert res.meta["additive_dimensions"] is False
    assert res.index.between(0, 100).all()


def test_equal_weights_is_mean_of_scaled_indicators(data):
    frame, signs = data
    z = minmax(frame, signs)
    res = equal_weight_index(frame, signs, dimensions={c: "one" if c in ("p1", "n1") else "two" for c in signs})
    np.testing.assert_allclose(res.index, 100 * z.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(res.dimensions["one"], 100 * (z["p1"] + z["n1"]) / 5, rtol=1e-12)
