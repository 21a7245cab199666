"""Planted relationships are visible in the raw files (oracle: pyfixest two-way FE, which no
one here wrote): AI raises NQP indicators, lowers energy use, and its lags are relevant."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pf = pytest.importorskip("pyfixest")

# tce per unit (GB/T 2589-style factors, units of the ESG_Energy export); copied, not imported
TCE = {"Water": 0.0857e-3, "Electricity": 1.229, "Coal": 0.7143, "Naturalgas": 12.143, "Gasoline": 1.4714,
       "Diesel": 1.4571}
CTL = "Size + Age + Lev + Mshare + INST"


@pytest.fixture(scope="module")
def panel(calib, calib_panel):
    from rawpanel import read_csmar

    out, _ = calib
    en = read_csmar(out / "ESG_Energy.txt", sep="\t")
    en["year"] = en["Year"].astype(int)
    en["energy_tce"] = sum(pd.to_numeric(en[k]) * f for k, f in TCE.items())
    d = calib_panel.merge(en[["Stkcd", "year", "energy_tce"]], on=["Stkcd", "year"], how="left")
    d = d[d["clean"]].dropna(subset=["Mshare", "INST"]).copy()
    d["ln_energy"] = np.log(d["energy_tce"])
    d["ind"] = d["Nnindcd"]
    return d


def _fe(d: pd.DataFrame, y: str, x: str = "lnAI"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = pf.feols(f"{y} ~ {x} + {CTL} | Stkcd + year", data=d, vcov={"CRV1": "ind"})
    return r.coef()[x], r.tstat()[x]


def test_cross_section_direction(panel):
    assert panel["lnAI"].corr(panel["rd_staff_share"]) > 0.1
    assert panel["lnAI"].corr(panel["edu_share"]) > 0.1
    assert panel["lnAI"].corr(panel["tech_share"]) > 0.1


@pytest.mark.parametrize("y", ["rd_staff_share", "edu_share", "rd_pay_share", "intangible_share",
                               "rd_direct_share", "tech_share", "lnemploy"])
def test_ai_raises_indicator_within_firm(panel, y):
    b, t = _fe(panel, y)
    assert b > 0 and t > 2, (y, b, t)


def test_ai_lowers_energy_use(panel):
    b, t = _fe(panel, "ln_energy")
    assert b < 0 and t < -1.5, (b, t)


def test_lagged_lnai_is_relevant(panel):
    d = panel.sort_values(["Stkcd", "year"]).copy()
    g = d.groupby("Stkcd")
    d["L1"] = g["lnAI"].shift(1).where(g["year"].shift(1) == d["year"] - 1)
    d = d.dropna(subset=["L1"])
    b, t = _fe(d, "lnAI", "L1")
    assert 0.05 < b < 0.6 and t > 3, (b, t)
