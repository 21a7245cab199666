"""Stock-Yogo (2005) critical values for weak-instrument tests (弱工具变量检验临界值).

The Cragg-Donald Wald F (and, by the usual rule of thumb, the Kleibergen-Paap rk Wald F) is
compared with the critical values of Stock & Yogo (2005), "Testing for Weak Instruments in
Linear IV Regression", Tables 5.1 (maximal 2SLS relative bias) and 5.2 (maximal size of a
nominal 5% Wald test), exactly as ivreg2 / ivreghdfe print them (Mata ``s_cdsy()`` in
``livreg2``). The numbers live in ``data/stock_yogo_2sls.csv`` (L1 = 1..30), transcribed from
the R port ``restatr/ivreg2r:data-raw/stock-yogo-tables.R`` which copies ``s_cdsy()``.

Lookup is by (K1, L1) = (#endogenous regressors, #excluded instruments), the same keys
ivreghdfe uses (``e(endog_ct)``, ``e(exexog_ct)``). A cell is missing (``None``) where
Stock-Yogo do not define it: bias needs L1 >= K1 + 2 and K1 <= 3; size needs K1 <= 2.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

BIAS_LEVELS = (5, 10, 20, 30)
SIZE_LEVELS = (10, 15, 20, 25)
MAX_L1 = 30


@dataclass(frozen=True)
class StockYogo:
    """Critical values for one (K1, L1): ``bias[p]`` = 2SLS maximal relative bias p%,
    ``size[p]`` = maximal Wald size p% (nominal 5%). ``None`` where not defined."""

    n_endog: int
    n_excluded: int
    bias: dict[int, float | None]
    size: dict[int, float | None]

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"n_endog": self.n_endog, "n_excluded": self.n_excluded}
        out.update({f"bias_{p}pct": v for p, v in self.bias.items()})
        out.update({f"size_{p}pct": v for p, v in self.size.items()})
        return out


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, int, int, int], float]:
    text = resources.files("nqp.econometrics").joinpath("data/stock_yogo_2sls.csv").read_text()
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {
        (r["test"], int(r["threshold"]), int(r["l1"]), int(r["k1"])): float(r["value"])
        for r in rows
    }


def critical_values(n_endog: int, n_excluded: int) -> StockYogo:
    """Stock-Yogo 2SLS critical values for ``n_endog`` endogenous regressors and
    ``n_excluded`` excluded instruments (all ``None`` outside the stored table)."""
    if n_endog < 1 or n_excluded < 1:
        raise ValueError(f"need n_endog >= 1 and n_excluded >= 1, got {n_endog}, {n_excluded}")
    tab = _table()
    bias = {p: tab.get(("bias", p, n_excluded, n_endog)) for p in BIAS_LEVELS}
    size = {p: tab.get(("size", p, n_excluded, n_endog)) for p in SIZE_LEVELS}
    return StockYogo(n_endog, n_excluded, bias, size)
