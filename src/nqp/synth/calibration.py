"""Calibration targets of the synthetic data: the paper's Table 2 moments (主要变量描述性统计).

Moments are those of the cleaned sample (ST/PT firm-years, industry J and firm-years with
missing key data dropped) after 1%/99% winsorizing, as in the paper. ``share_missing`` is
1 − N_var / 33,661. The tolerance promised by ``nqp synth``: means within 5% of the target
or 0.1 target sd (whichever is larger), sds within 15% — for the default seed at
``--scale >= 0.2`` (tests/synth/test_calibration.py) and for any seed at ``--scale 1``."""

from __future__ import annotations

from dataclasses import dataclass

YEARS = tuple(range(2010, 2023))
FIRST_YEAR, LAST_YEAR = YEARS[0], YEARS[-1]

# Expected listed A-share firms by year (relative), used to weight regional tables.
YEAR_WEIGHTS = (2000, 2280, 2440, 2440, 2560, 2780, 3000, 3440, 3540, 3740, 4130, 4650, 5050)

FIRMS_AT_SCALE_1 = 4600
N_CLEAN_PAPER = 33661

# Tolerances promised (see module docstring)
MEAN_TOL_REL = 0.05
MEAN_TOL_SD = 0.10
SD_TOL_REL = 0.15


@dataclass(frozen=True)
class Target:
    """One Table 2 row: mean, sd, min, max and share missing in the cleaned sample."""

    mean: float
    sd: float
    min: float
    max: float
    n: int = N_CLEAN_PAPER

    @property
    def share_missing(self) -> float:
        return 1.0 - self.n / N_CLEAN_PAPER


TARGETS: dict[str, Target] = {
    "lnAI": Target(1.25, 1.5, 0, 5.09),
    "lnaifm": Target(0.99, 1.43, 0, 4.87),
    "lnaixx": Target(0.69, 0.99, 0, 3.76),
    "Size": Target(22.27, 1.3, 19.63, 26.27),
    "Age": Target(2.92, 0.33, 1.79, 3.53),
    "Lev": Target(3.36, 2.84, 1.05, 17.93),
    "Mshare": Target(13.1, 19.14, 0, 67.26, 32675),
    "INST": Target(45.06, 25.05, 0.34, 93.64, 33623),
    "irobot": Target(40070.10, 51060.05, 119.17, 221029.7, 30550),
    "aicitynew": Target(2382.90, 4697.91, 0, 27997, 31767),
    "finratio": Target(0.05, 0.09, 0, 0.97),
    "overseacountry": Target(1.03, 2.39, 0, 45),
    "smartcity": Target(0.39, 0.49, 0, 1, 28017),
    "newenergy": Target(1914.78, 1820.09, 0, 9610, 30685),
    "lnemploy": Target(7.7, 1.28, 1.95, 13.25),
    "laborprod": Target(13.87, 0.91, 5.37, 19.87),
    "over_rev": Target(0.12, 0.21, 0, 0.91, 33324),
}

# Variable definitions used to compute the moments from the raw files (docs/synthetic-data.md)
DEFINITIONS = {
    "lnAI": "ln(1 + AI patent applications of the firm and its subsidiaries in the year)",
    "Size": "ln(A001000000 total assets), consolidated, year end",
    "Age": "ln(1 + year − founding year (Estbdt))",
    "Lev": "equity multiplier A001000000 / A003000000 (assets / equity) — the paper's scale",
    "Mshare": "CG_Ybasic management shareholding, %",
    "INST": "INI_HolderSystematics institutional ownership at the year end, %",
    "finratio": "(trading + available-for-sale + held-to-maturity financial assets + investment property) / total assets",
    "overseacountry": "distinct countries among overseas subsidiaries in the year",
    "lnemploy": "ln(employees)",
    "laborprod": "ln(operating revenue / employees)",
    "over_rev": "overseas / main-business revenue",
}
