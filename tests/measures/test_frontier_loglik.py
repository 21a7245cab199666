"""Log-likelihoods, analytic scores and efficiency estimators of nqp.measures.frontier.

Oracles: the composed-error densities written out here with scipy.stats (and, for the
efficiency estimators, numerical integration of the conditional distribution of u), and
central finite differences of the log-likelihood for every analytic gradient.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, optimize, stats
from scipy.special import logit

from nqp.measures.frontier.efficiency import technical_efficiency
from nqp.measures.frontier.loglik import (ECData, ec_loglik_obs, ec_score, exp_loglik_obs,
                                          exp_score)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    n = 200
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n)])
    y = X @ [1.0, 0.4, 0.5] + rng.normal(0, 0.3, n) - np.abs(rng.normal(0, 0.5, n))
    firms = np.repeat(np.arange(40), 5)
    tmt = np.tile(np.arange(5) - 4.0, 40)
    keep = rng.random(n) > 0.15  # unbalanced panel
    return X[keep], y[keep], firms[keep], tmt[keep]


def test_half_normal_loglik_equals_scipy_density(data):
    X, y, *_ = data
    beta, s2, g = np.array([0.9, 0.35, 0.55]), 0.4, 0.7
    su, sv = np.sqrt(g * s2), np.sqrt((1 - g) * s2)
    eps = y - X @ beta
    sigma, lam = np.sqrt(s2), su / sv
    # ALS (1977): f(ε) = (2/σ) φ(ε/σ) Φ(−ελ/σ)
    direct = np.log(2) - np.log(sigma) + stats.norm.logpdf(eps / sigma) + stats.norm.logcdf(-eps * lam / sigma)
    theta = np.r_[beta, np.log(s2), logit(g)]
    ours = ec_loglik_obs(theta, ECData(y, X), False, False)
    np.testing.assert_allclose(ours, direct, rtol=1e-12)
    # cost frontier: ε enters with the opposite sign
    ours_cost = ec_loglik_obs(theta, ECData(y, X, sign=-1.0), False, False)
    direct_cost = (np.log(2) - np.log(sigma) + stats.norm.logpdf(eps / sigma)
                   + stats.norm.logcdf(eps * lam / sigma))
    np.testing.assert_allclose(ours_cost, direct_cost, rtol=1e-12)


def test_truncated_normal_loglik_equals_stevenson(data):
    X, y, *_ = data
    beta, s2, g, mu = np.array([0.9, 0.35, 0.55]), 0.4, 0.7, -0.3
    su, sv = np.sqrt(g * s2), np.sqrt((1 - g) * s2)
    eps = y - X @ beta
    sigma, lam = np.sqrt(s2), su / sv
    # Stevenson (1980): f(ε) = φ((ε+μ)/σ) Φ(μ/(σλ) − ελ/σ) / (σ Φ(μ/σ_u))
    direct = (stats.norm.logpdf((eps + mu) / sigma) - np.log(sigma)
              + stats.norm.logcdf(mu / (sigma * lam) - eps * lam / sigma) - stats.norm.logcdf(mu / su))
    theta = np.r_[beta, np.log(s2), logit(g), mu / su]
    np.testing.assert_allclose(ec_loglik_obs(theta, ECData(y, X), True, False), direct, rtol=1e-11)


def test_exponential_loglik_equals_convolution_integral(data):
    X, y, *_ = data
    beta, su, sv = np.array([0.9, 0.35, 0.55]), 0.4, 0.3
    eps = (y - X @ beta)[:15]
    direct = [np.log(integrate.quad(lambda u: stats.norm.pdf(e + u, scale=sv)
                                    * stats.expon.pdf(u, scale=su), 0, np.inf)[0]) for e in eps]
    theta = np.r_[beta, np.log(su), np.log(sv)]
    ours = exp_loglik_obs(theta, ECData(y, X))[:15]
    np.testing.assert_allclose(ours, direct, rtol=1e-7)


def test_panel_loglik_equals_integral_over_firm_effect(data):
    """BC92 firm contribution = ∫ Π_t φ_v(e_it + η_it u) f_u(u) du, by quadrature."""
    X, y, firms, tmt = data
    beta, s2, g, mu, eta = np.array([0.9, 0.35, 0.55]), 0.4, 0.6, 0.2, 0.1
    su, sv = np.sqrt(g * s2), np.sqrt((1 - g) * s2)
    theta = np.r_[beta, np.log(s2), logit(g), mu / su, eta]
    d = ECData(y, X, 1.0, firms, 40, tmt)
    ours = ec_loglik_obs(theta, d, True, True)
    e = y - X @ beta
    for i in (0, 7, 39):
        ei, hi = e[firms == i], np.exp(-eta * tmt[firms == i])
        dens = integrate.quad(
            lambda u: np.prod(stats.norm.pdf(ei + hi * u, scale=sv))
            * stats.norm.pdf(u, mu, su) / stats.norm.sf(0, mu, su), 0, np.inf)[0]
        assert ours[i] == pytest.approx(np.log(dens), rel=1e-7)


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("case", ["hn", "tn", "exp", "panel-ti", "panel-tv-hn", "panel-tv-tn"])
def test_analytic_score_matches_finite_differences(data, case, sign):
    X, y, firms, tmt = data
    base = [0.9, 0.35, 0.55, np.log(0.4), logit(0.7)]
    if case == "exp":
        d = ECData(y, X, sign)
        theta = np.array([0.9, 0.35, 0.55, np.log(0.4), np.log(0.3)])
        f = lambda t: exp_score(t, d)[0]  # noqa: E731
        g = lambda t: exp_score(t, d)[1]  # noqa: E731
    else:
        tr = case in ("tn", "panel-tv-tn")
        tv = case.startswith("panel-tv")
        panel = case.startswith("panel")
        d = ECData(y, X, sign, firms if panel else None, 40 if panel else 0, tmt if tv else None)
        theta = np.array(base + [-0.4] * tr + [0.08] * tv)
        f = lambda t: ec_score(t, d, tr, tv)[0]  # noqa: E731
        g = lambda t: ec_score(t, d, tr, tv)[1]  # noqa: E731
    num = optimize.approx_fprime(theta, f, 1e-7)
    central = np.array([(f(theta + h) - f(theta - h)) / 2e-6 for h in np.eye(len(theta)) * 1e-6])
    np.testing.assert_allclose(g(theta), central, rtol=1e-5, atol=1e-5)
    assert optimize.check_grad(f, g, theta, epsilon=1e-7) < 1e-3 * max(1, np.abs(num).max())


def _conditional_density(mu_star, sigma_star):
    z = stats.norm.sf(0, mu_star, sigma_star)
    return lambda u: stats.norm.pdf(u, mu_star, sigma_star) / z


@pytest.mark.parametrize("mu_star,sigma_star,h", [(0.3, 0.2, 1.0), (-0.5, 0.1, 1.0),
                                                  (0.2, 0.3, 1.4), (-4.0, 0.15, 0.8)])
def test_efficiency_estimators_equal_integrals(mu_star, sigma_star, h):
    f = _conditional_density(mu_star, sigma_star)
    bc = integrate.quad(lambda u: np.exp(-h * u) * f(u), 0, np.inf)[0]
    mean_u = integrate.quad(lambda u: u * f(u), 0, np.inf)[0]
    assert technical_efficiency(mu_star, sigma_star, h, "bc") == pytest.approx(bc, rel=1e-7)
    assert technical_efficiency(mu_star, sigma_star, h, "jlms") == pytest.approx(
        np.exp(-h * mean_u), rel=1e-7)
    assert technical_efficiency(mu_star, sigma_star, h, "mode") == pytest.approx(
        np.exp(-h * max(mu_star, 0.0)))


def test_efficiency_does_not_underflow_far_in_the_tail():
    te = technical_efficiency(np.array([-40.0, -200.0]), np.array([0.1, 0.1]), 1.0, "bc")
    assert np.all(np.isfinite(te)) and np.all((te > 0.99) & (te <= 1.0))
    assert np.all(np.isfinite(technical_efficiency(np.array([-40.0]), np.array([0.1]), 1.0, "jlms")))
