"""feols vs pyfixest.feols, side by side in one process: medians and ratios.

1. one two-way-FE regression (firm + year), 5 controls, industry clusters, ~36,000 firm-years;
2. 50 models on one sample: nqp.feols_multi vs pyfixest one call per model;
3. a low-mobility two-way FE graph where alternating projections crawl (CG path);
4. 10 million rows (1M firms x 10 years, 5 regressors): wall time and peak memory, each tool
   in a fresh child process (peak RSS is per process), plus the memory bandwidth achieved by
   the absorption step against a plain copy of the same array.

Run:  python benchmarks/bench_feols.py [--big]      (make bench passes --big: the 10M-row case, ~1-2 min)
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

from timing import median_seconds

warnings.filterwarnings("ignore")




def firm_years(n_firms: int, seed: int = 0) -> pd.DataFrame:
    from nqp.econometrics.simulate import simulate_panel

    df, _ = simulate_panel(n_firms, 13, seed=seed, n_industries=70, missing_share=0.0)
    return df


def bench_one(df: pd.DataFrame) -> None:
    import pyfixest as pf

    import nqp

    fml = "y ~ x + c1 + c2 + c3 + c4 + c5 | firm + year"
    pf.feols(fml, df, vcov={"CRV1": "industry"})  # warm-up (compilation)
    nqp.feols(fml, df, cluster="industry")
    t_pf = median_seconds(lambda: pf.feols(fml, df, vcov={"CRV1": "industry"}), 15)
    t_nqp = median_seconds(lambda: nqp.feols(fml, df, cluster="industry"), 15)
    print(f"[one model]   N={len(df):,}  nqp {1e3 * t_nqp:7.1f} ms   pyfixest {1e3 * t_pf:7.1f} ms   "
          f"pyfixest/nqp = {t_pf / t_nqp:5.2f}x")


def fifty_formulas() -> list[str]:
    deps = ["y", "c1", "c2", "c3", "c4"]
    rhs = ["x", "x + d", "x + z1", "x + z2", "x + d + z1", "x + d + z2", "x + z1 + z2",
           "x + d + z1 + z2", "d", "d + z1"]
    return [f"{dep} ~ {r} | firm + year" for dep in deps for r in rhs]


def bench_multi(df: pd.DataFrame) -> None:
    import pyfixest as pf

    from nqp.econometrics import feols_multi

    fmls = fifty_formulas()
    t_nqp = median_seconds(lambda: feols_multi(fmls, df, cluster="industry"), 5)
    t_pf = median_seconds(lambda: [pf.feols(f, df, vcov={"CRV1": "industry"}) for f in fmls], 3)
    print(f"[{len(fmls)} models]   nqp feols_multi {1e3 * t_nqp:7.1f} ms   pyfixest one by one {1e3 * t_pf:7.1f} ms   "
          f"ratio = {t_pf / t_nqp:5.2f}x")


def bench_hard() -> None:
    """A low-mobility two-way FE graph (60,000 'workers' x 3,000 'firms', 300,000 rows), where
    alternating projections crawl: nqp's CG path vs pyfixest's default MAP and its LSMR."""
    import pyfixest as pf
    from pyfixest.demeaners import LsmrDemeaner, MapDemeaner

    import nqp

    rng = np.random.default_rng(0)
    n = 300_000
    w = rng.integers(0, 60_000, n)
    f = (w // 30 + rng.integers(0, 40, n)) % 3000
    x = rng.normal(size=n) + 0.01 * w
    df = pd.DataFrame({"y": x + rng.normal(size=n), "x": x, "w": w, "f": f})
    fml = "y ~ x | w + f"
    t0 = time.perf_counter()
    r = nqp.feols(fml, df)
    t_nqp = time.perf_counter() - t0
    t0 = time.perf_counter()
    try:
        # default MAP tolerance, iterations capped at 2,000 (default 10,000: fails after ~40 s here)
        pf.feols(fml, df, vcov="iid", demeaner=MapDemeaner(fixef_maxiter=2_000))
        map_msg = f"{time.perf_counter() - t0:.2f} s"
    except ValueError as err:
        map_msg = f"failed after {time.perf_counter() - t0:.1f} s ({err})"
    t0 = time.perf_counter()
    m = pf.feols(fml, df, vcov="iid", demeaner=LsmrDemeaner(fixef_atol=1e-12, fixef_btol=1e-12))
    t_lsmr = time.perf_counter() - t0
    print(f"[hard graph]  nqp (CG) {t_nqp:5.2f} s converged={r.converged}   pyfixest MAP {map_msg}   "
          f"pyfixest LSMR {t_lsmr:5.2f} s   |b_nqp - b_lsmr| = {abs(r.coef['x'] - m.coef()['x']):.1e}")


# --- 10 million rows, one child process per tool --------------------------------------------
def big_data(n_firms: int = 1_000_000, n_years: int = 10, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_firms * n_years
    firm = np.repeat(np.arange(n_firms, dtype=np.int64), n_years)
    year = np.tile(np.arange(2010, 2010 + n_years, dtype=np.int64), n_firms)
    X = rng.standard_normal((n, 5))
    y = X @ np.array([0.5, -0.2, 0.1, 0.3, 0.0]) + rng.standard_normal(n_firms)[firm] + rng.standard_normal(n)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(1, 6)])
    df["y"], df["firm"], df["year"] = y, firm, year
    df["industry"] = firm % 80
    return df


def big_child(tool: str) -> None:
    df = big_data()
    fml = "y ~ x1 + x2 + x3 + x4 + x5 | firm + year"
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if tool == "nqp":
        import nqp

        nqp.feols(fml, df, cluster="industry")
    else:
        import pyfixest as pf

        pf.feols(fml, df, vcov={"CRV1": "industry"})
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"tool": tool, "wall_s": wall, "peak_rss_gb": peak / 2**20, "data_rss_gb": base / 2**20,
           "data_gb": df.memory_usage(deep=True).sum() / 2**30}
    if tool == "nqp":
        from nqp.econometrics.demean import demean

        cols = df[["y", "x1", "x2", "x3", "x4", "x5"]].to_numpy()
        fe = np.column_stack([df["firm"].to_numpy(), df["year"].to_numpy() - 2010])
        t_copy = median_seconds(lambda: cols.copy(), 3)
        t_dm = median_seconds(lambda: demean(cols, fe), 3)
        moved = 2 * cols.nbytes  # read + write of the columns, as for the copy
        out.update(demean_s=t_dm, copy_s=t_copy, demean_gbs=moved / t_dm / 1e9, copy_gbs=moved / t_copy / 1e9)
    print(json.dumps(out))


def bench_big() -> None:
    res = {}
    for tool in ["nqp", "pyfixest"]:
        p = subprocess.run([sys.executable, __file__, "--child", tool], capture_output=True, text=True, timeout=900)
        if p.returncode != 0:
            print(f"[10M rows] {tool} failed: {p.stderr.strip()[-300:]}")
            continue
        res[tool] = json.loads(p.stdout.strip().splitlines()[-1])
    for tool, r in res.items():
        print(f"[10M rows] {tool:9s} wall {r['wall_s']:6.2f} s   peak RSS {r['peak_rss_gb']:5.2f} GB "
              f"(data alone {r['data_rss_gb']:4.2f} GB)")
    if "nqp" in res:
        r = res["nqp"]
        print(f"[10M rows] absorption of 6 columns: {r['demean_s']:.2f} s = {r['demean_gbs']:.2f} GB/s effective "
              f"vs plain copy {r['copy_gbs']:.2f} GB/s ({r['demean_gbs'] / r['copy_gbs']:.2f} of copy bandwidth)")
    if len(res) == 2:
        print(f"[10M rows] pyfixest/nqp wall = {res['pyfixest']['wall_s'] / res['nqp']['wall_s']:.2f}x, "
              f"peak memory pyfixest/nqp = {res['pyfixest']['peak_rss_gb'] / res['nqp']['peak_rss_gb']:.2f}x")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        big_child(argv[1])
        return
    df = firm_years(7200)
    bench_one(df)
    bench_multi(df)
    bench_hard()
    if "--big" in argv:
        bench_big()
    else:
        print("[10M rows] skipped (pass --big)")


if __name__ == "__main__":
    main(sys.argv[1:])
