"""``atomic_write_csv`` (DuckDB's CSV writer for frames of numbers, flags and text) against
pandas' ``to_csv(index=False, encoding="utf-8-sig")``, its peer and oracle, on a frame shaped
like the demo's panel.csv: 33,355 rows, 4 text, 2 boolean, 1 integer and 52 float columns
(about a tenth missing). Same bytes checked; CPU seconds of this process (DuckDB's threads
included), medians of 5.

Run: python benchmarks/bench_csv.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from nqp.atomic import atomic_write_csv
from timing import median_seconds


def panel_like(n: int = 33_355, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {
        "stkcd": pd.array([f"{i:06d}" for i in rng.integers(1, 700_000, n)], dtype="str"),
        "industry": pd.array(rng.choice(["C26", "C39", "I65", "K70"], n), dtype="str"),
        "province": pd.array(rng.choice(["江苏省", "广东省", "浙江省"], n), dtype="str"),
        "region": pd.array(rng.choice(["East", "Central", "West"], n), dtype="str"),
        "year": rng.integers(2010, 2023, n), "financial": np.zeros(n, bool), "st_pt": rng.random(n) < 0.02}
    for j in range(52):
        x = rng.lognormal(0.0, 2.0, n) * rng.choice([-1.0, 1.0], n)
        x[rng.random(n) < 0.1] = np.nan
        cols[f"v{j}"] = x
    return pd.DataFrame(cols)


def main() -> None:
    frame = panel_like()
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "nqp.csv", Path(tmp) / "pandas.csv"
        t_nqp = median_seconds(lambda: atomic_write_csv(frame, a), clock="cpu")
        t_pd = median_seconds(lambda: frame.to_csv(b, index=False, encoding="utf-8-sig"), clock="cpu")
        same = a.read_bytes() == b.read_bytes()
    print(f"[csv] {len(frame):,} x {frame.shape[1]} frame: nqp atomic_write_csv {t_nqp:.2f} CPU s, "
          f"pandas to_csv {t_pd:.2f} CPU s, pandas / nqp {t_pd / t_nqp:.1f}x; same bytes: {same}")


if __name__ == "__main__":
    main()
