"""capacity_utilisation (产能利用率) through its public entry point against published output.

Oracle: FRONTIER 4.1 example EG1 (Coelli 1996; ``cran/frontier:inst/front41/EG1.OUT``, the same
numbers in ``cran/frontier:tests/frontierTest.Rout.save``), front41Data: 60 firms, half-normal
production frontier ln output = β0 + β1 ln capital + β2 ln labour + v − u, technical efficiency
E[exp(−u)|ε] (Battese–Coelli 1988). capacity_utilisation is exactly this model when every row is
in one year (the year dummies drop out): revenue ↔ output, assets ↔ capital, employees ↔ labour,
passed in levels. So the published efficiencies check the wrapper's logs, orientation
(production, not cost), efficiency formula and row alignment, not only the frontier fit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nqp.measures.frontier import capacity_utilisation

DATA = Path(__file__).resolve().parents[1] / "data" / "sfa" / "front41Data.csv"
COLS = dict(revenue="output", assets="capital", employees="labour", firm="firm", year="year")
# EG1.OUT "technical efficiency estimates", firms 1..60 in order, and "mean efficiency"
EG1_TE = np.array([
    0.65068880, 0.82889151, 0.72642592, 0.74785113, 0.69133584, 0.77654637, 0.56516787, 0.73768185,
    0.84388964, 0.75784167, 0.54558432, 0.93739520, 0.44809682, 0.61831027, 0.87384359, 0.54952777,
    0.71262499, 0.75907226, 0.85727198, 0.80651927, 0.72458613, 0.87223606, 0.83681369, 0.75225715,
    0.52974774, 0.89731683, 0.81013415, 0.78179413, 0.85610585, 0.62097885, 0.57938181, 0.74934194,
    0.88192581, 0.42082174, 0.35126244, 0.88908382, 0.84118609, 0.67868899, 0.67291047, 0.83853427,
    0.75964587, 0.68189614, 0.80438742, 0.88652992, 0.74299265, 0.72610191, 0.85341515, 0.78519185,
    0.67207111, 0.51430249, 0.84238134, 0.85098581, 0.85963850, 0.75508293, 0.81649829, 0.75991250,
    0.87350729, 0.66471456, 0.85670448, 0.70842786,
])
EG1_MEAN = 0.74056772


@pytest.fixture(scope="module")
def front41() -> pd.DataFrame:
    d = pd.read_csv(DATA)
    d["year"] = 2020
    return d


@pytest.mark.parametrize("by_year", [False, True])
def test_capacity_utilisation_reproduces_frontier41_efficiencies(front41, by_year):
    cu = capacity_utilisation(front41, **COLS, by_year=by_year)
    assert (front41["firm"].to_numpy() == np.arange(1, 61)).all()
    assert cu.mean() == pytest.approx(EG1_MEAN, abs=1e-5)
    # FRONTIER stops at a relative tolerance of 1e-5; our exact maximum is at most 1.5e-6 away
    np.testing.assert_allclose(cu.to_numpy(), EG1_TE, atol=2e-6)


def test_row_order_index_and_units_do_not_matter(front41):
    """Shuffled rows with a string index get the same firm's value back; revenue in 万元 instead
    of 元 (a constant factor) only moves the intercept, so utilisation is unchanged."""
    shuffled = front41.sample(frac=1.0, random_state=3)
    shuffled.index = [f"r{i}" for i in range(len(shuffled))]
    shuffled["output"] = shuffled["output"] * 1e4
    cu = capacity_utilisation(shuffled, **COLS)
    assert cu.index.equals(shuffled.index)
    np.testing.assert_allclose(cu.to_numpy(), EG1_TE[shuffled["firm"].to_numpy() - 1], atol=2e-6)
