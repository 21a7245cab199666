"""Table 2 moments computed directly from the raw files (plain pandas, tests/synth/rawpanel.py)
match the paper within the promised tolerance (nqp.synth.calibration): means within 5% of the
target or 0.1 target sd, sds within 15%, on the cleaned sample after 1/99 winsorizing."""

from __future__ import annotations

import numpy as np
import pytest

from rawpanel import winsor

# Paper, Table 2 (copied here so the test does not trust our own calibration module)
TABLE2 = {
    "lnAI": (1.25, 1.5), "lnaifm": (0.99, 1.43), "lnaixx": (0.69, 0.99), "Size": (22.27, 1.3),
    "Age": (2.92, 0.33), "Lev": (3.36, 2.84), "Mshare": (13.1, 19.14), "INST": (45.06, 25.05),
    "irobot": (40070.10, 51060.05), "aicitynew": (2382.90, 4697.91), "finratio": (0.05, 0.09),
    "overseacountry": (1.03, 2.39), "smartcity": (0.39, 0.49), "newenergy": (1914.78, 1820.09),
    "lnemploy": (7.7, 1.28), "laborprod": (13.87, 0.91), "over_rev": (0.12, 0.21),
}
MISSING = {"Mshare": 1 - 32675 / 33661, "irobot": 1 - 30550 / 33661, "aicitynew": 1 - 31767 / 33661,
           "smartcity": 1 - 28017 / 33661, "newenergy": 1 - 30685 / 33661}


def test_sample_sizes(calib, calib_panel):
    _, summary = calib
    fy = calib_panel
    # 4,600 firms and ~38,000 raw firm-years at scale 1; ~33,000 after the paper's cleaning
    assert len(fy) == summary.firm_years
    assert 38_000 * 0.2 * 0.93 < len(fy) < 38_000 * 0.2 * 1.07
    share_clean = fy["clean"].mean()
    assert 0.84 < share_clean < 0.9  # 33,661 / ~38,000
    assert 0.025 < fy["st"].mean() < 0.06
    assert 0.01 < fy["financial"].mean() < 0.05


@pytest.mark.parametrize("var", sorted(TABLE2))
def test_table2_moment(calib_panel, var):
    mean_t, sd_t = TABLE2[var]
    x = calib_panel.loc[calib_panel["clean"], var].astype(float)
    miss = x.isna().mean()
    assert abs(miss - MISSING.get(var, 0.0)) < 0.04, f"{var}: share missing {miss:.3f}"
    x = winsor(x.dropna())
    tol = max(0.05 * abs(mean_t), 0.1 * sd_t)
    assert abs(x.mean() - mean_t) <= tol, f"{var}: mean {x.mean():.4g} vs {mean_t}"
    assert abs(x.std() / sd_t - 1) <= 0.15, f"{var}: sd {x.std():.4g} vs {sd_t}"


def test_lev_is_the_equity_multiplier(calib_panel):
    c = calib_panel[calib_panel["clean"]]
    assert (c["Lev"] >= 1).all()  # assets / equity, the paper's scale (mean 3.36)
    assert np.isclose(c["Lev"].min(), c["Lev"].min()) and c["Lev"].median() > 1.5
