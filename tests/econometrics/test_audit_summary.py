"""Issue 13: the reghdfe/ivreg2-style summary. Oracles: the nesting of the FE by construction,
ivreg2's published output for the MROZ help-file model (Anderson LM 12.8158, Cragg-Donald F
4.3421; Stock & Yogo 2005 Tables 5.1-5.2 for one endogenous regressor and three instruments)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from nqp.econometrics import feols
from nqp.econometrics.summary import fmt_number

DATA = Path(__file__).resolve().parents[1] / "data"
MROZ = "lwage ~ exper + expersq | 0 | educ ~ age + kidslt6 + kidsge6"


def firm_panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    firm = np.repeat(np.arange(30), 5)
    df = pd.DataFrame({"firm": firm, "year": np.tile(np.arange(5), 30), "ind": firm % 6})
    df["x"] = rng.normal(size=150) * 1e-5
    df["y"] = 3.0 * df.x + rng.normal(size=150) * 1e-6
    return df


def test_fe_nested_in_the_cluster_is_starred_with_reghdfes_footnote() -> None:
    df = firm_panel()  # firm is nested in ind by construction, year is not
    text = feols("y ~ x | firm + year", df, cluster="ind").summary()
    rows = {ln.split("|")[0].strip(): ln for ln in text.splitlines() if ln.strip().startswith(("firm |", "year |"))}
    assert rows["firm"].rstrip().endswith("*|") and not rows["year"].rstrip().endswith("*|")
    assert "* = FE nested within cluster; treated as redundant for DoF computation" in text
    plain = feols("y ~ x | firm + year", df).summary()
    assert "*|" not in plain and "nested within cluster" not in plain


def test_small_estimates_keep_significant_digits() -> None:
    df = firm_panel()
    r = feols("x ~ y | firm + year", df.assign(y=df.y * 1e4))  # a slope of order 3e-5
    b, se = float(r.coef["y"]), float(r.se["y"])
    assert 0 < abs(b) < 1e-4 and 0 < se < 1e-4
    row = next(ln for ln in r.summary().splitlines() if ln.strip().startswith("y |")).split("|")[1].split()
    assert float(row[0]) == np.float64(float(f"{b:.4g}")) and float(row[1]) == np.float64(float(f"{se:.4g}"))
    assert row[0] != "0.0000" and row[1] != "0.0000"
    assert fmt_number(1.234e-5) == "1.234e-05" and fmt_number(0.001234) == "0.001234"
    assert fmt_number(0.0) == "0.0000" and fmt_number(12.3456789) == "12.3457" and fmt_number(float("nan")) == "."


def test_iv_summary_names_the_underidentification_test_and_prints_stock_yogo() -> None:
    d = pd.read_csv(DATA / "mroz_ivreg2.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        iid = feols(MROZ, d).summary()
        rob = feols(MROZ, d, vcov="hc1").summary()
    assert "Underidentification test (Anderson canon. corr. LM statistic):" in iid
    assert "12.8158" in iid and "4.3421" in iid  # ivreg2's published values
    assert "Kleibergen-Paap rk LM statistic" not in iid and "Kleibergen-Paap rk Wald F" not in iid
    assert "Underidentification test (Kleibergen-Paap rk LM statistic):" in rob
    assert "(Kleibergen-Paap rk Wald F statistic):" in rob
    for line, value in [("5% maximal IV relative bias", "13.91"), ("10% maximal IV relative bias", "9.08"),
                        ("20% maximal IV relative bias", "6.46"), ("30% maximal IV relative bias", "5.39"),
                        ("10% maximal IV size", "22.30"), ("15% maximal IV size", "12.83"),
                        ("20% maximal IV size", "9.54"), ("25% maximal IV size", "7.80")]:
        assert any(line in ln and ln.rstrip().endswith(value) for ln in iid.splitlines()), line
