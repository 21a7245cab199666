"""Simulated firm-year panels with a planted effect, as a PanelSource (test helper)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nqp.robustness.variants import PanelSource


def sim_frame(n_firms: int = 120, n_years: int = 8, *, beta: float = 0.5, seed: int = 0, n_industries: int = 10,
              n_provinces: int = 6, balanced: bool = False, shock_sd: float = 0.3) -> pd.DataFrame:
    """y = a_i + g_t + s_{industry,t} + beta·x + 0.3·c1 − 0.2·c2 + e; x correlated with a_i and c1."""
    rng = np.random.default_rng(seed)
    firm_ind = rng.integers(0, n_industries, n_firms)
    firm_prov = rng.integers(0, n_provinces, n_firms)
    a = rng.normal(size=n_firms)
    rows = []
    for f in range(n_firms):
        if balanced:
            years = np.arange(n_years)
        else:
            start = rng.integers(0, 3)
            years = np.arange(start, n_years - rng.integers(0, 2))
        for t in years:
            rows.append((f, t))
    d = pd.DataFrame(rows, columns=["f", "t"])
    n = len(d)
    g = rng.normal(size=n_years)
    s = rng.normal(scale=shock_sd, size=(n_industries, n_years))
    ind = firm_ind[d["f"]]
    c1 = rng.normal(size=n) + 0.5 * a[d["f"]]
    c2 = rng.normal(size=n)
    x = 0.6 * a[d["f"]] + 0.4 * c1 + rng.normal(size=n)
    y = a[d["f"]] + g[d["t"]] + s[ind, d["t"]] + beta * x + 0.3 * c1 - 0.2 * c2 + rng.normal(size=n)
    return pd.DataFrame({
        "firm": [f"F{f:04d}" for f in d["f"]], "year": 2010 + d["t"].to_numpy(),
        "industry": [f"I{i:02d}" for i in ind], "province": [f"P{p}" for p in firm_prov[d["f"]]],
        "financial": (firm_ind[d["f"]] == 0) & (d["f"].to_numpy() % 3 == 0),
        "st_pt": rng.random(n) < 0.02,
        "x": x, "y": y, "c1": c1, "c2": c2, "c3": rng.normal(size=n),
    })


def sim_source(frame: pd.DataFrame) -> PanelSource:
    return PanelSource(firm_years=frame, key_variables=("x", "y", "c1", "c2"),
                       winsorize_columns=("y", "c1", "c2", "c3"), index_name=None, firm="firm", year="year")


def small_spec(**choices) -> dict:
    """A [robustness] table for the simulated panels (firm column 'firm')."""
    base = {"index": ["pooled"], "shift": [0.0001], "winsorize": [0.01, 0.0],
            "fixed_effects": ["firm+year", "firm+industry^year"], "cluster": ["industry", "firm+year"],
            "sample": ["baseline", "with_financial"], "controls": ["paper", "none", "extended"]}
    base.update(choices)
    return {"choices": base, "columns": {"firm": "firm"}, "controls": {"extended": ["c3"]}}


MODEL = dict(outcome="y", treatment="x", controls=("c1", "c2"))
