"""Robustness benchmark: the full specification curve on a panel of the demo's size.

Data: a simulated firm-year panel shaped like the demo's (4,600 firms, 2010-2022, unbalanced,
~33,000 firm-years after the sample rules, ~70 industries, 31 provinces, 15 indicators of an
entropy index, lnAI and seven controls) -- simulated so that ``make bench`` does not need the
one-and-a-half-minute synthetic warehouse. The multiverse is the default ``[robustness]``:
5 index methods x 4 winsorizing levels x 3 fixed-effect sets x 4 clusterings x 4 sample rules
x 3 control sets = 2,880 specifications. Target: under 30 s on the 2-core machine, with progress.

Peer: the same specifications one by one through pyfixest ``feols`` (``vcov={"CRV1": ...}``) on
the data variants nqp prepared (the peer's time covers the regressions only, not building the
index and winsorizing variants). The full set would take too long: a random subset is timed and
extrapolated (said in the output). Also timed: the SSN null inference (500 draws over all
specifications), the placebo (500 permutations), leave-one-out and the whole ``run_robustness``.

Run: python benchmarks/bench_robustness.py   (or make bench). BLAS threads matter on a busy
2-core machine: OPENBLAS_NUM_THREADS=1 python benchmarks/bench_robustness.py is the setting the
figures in docs/benchmarks.md were taken with (set before numpy is imported).
"""

from __future__ import annotations

import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

from nqp.robustness import RobustnessSpec, run_robustness
from nqp.robustness.multiverse import make_context, run_curve
from nqp.robustness.variants import PanelSource

PEER_SPECS = 40
CONTROLS = ("Size", "Age", "Lev", "Mshare", "INST")


def demo_sized_source(seed: int = 1, n_firms: int = 4600, n_years: int = 13) -> PanelSource:
    rng = np.random.default_rng(seed)
    start = rng.integers(0, 8, n_firms)
    end = np.minimum(n_years, start + rng.integers(4, 15, n_firms))
    f = np.repeat(np.arange(n_firms), end - start)
    t = np.concatenate([np.arange(s, e) for s, e in zip(start, end)])
    n = f.size
    ind = rng.integers(0, 70, n_firms)[f]
    prov = rng.integers(0, 31, n_firms)[f]
    a = rng.normal(size=n_firms)[f]
    lnai = np.maximum(0, 0.8 * a + 0.1 * t + rng.normal(size=n))
    ctrl = {c: rng.normal(size=n) + 0.3 * a for c in (*CONTROLS, "overseacountry", "finratio")}
    shock = rng.normal(scale=0.3, size=(70, n_years))[ind, t]
    latent = 0.5 * a + 0.2 * lnai + 0.1 * ctrl["Size"] + shock + rng.normal(size=n)
    ind_cols = {f"i{j:02d}": np.exp(0.4 * latent * rng.uniform(0.3, 1.0) + rng.normal(scale=0.8, size=n))
                for j in range(15)}
    frame = pd.DataFrame({"stkcd": [f"{i:06d}" for i in f], "year": 2010 + t, "industry": [f"C{i:02d}" for i in ind],
                          "province": [f"P{p:02d}" for p in prov], "financial": ind == 0,
                          "st_pt": rng.random(n) < 0.04, "lnAI": lnai, **ctrl, **ind_cols})
    return PanelSource(firm_years=frame, indicators={c: 1 for c in ind_cols},
                       dimensions={c: f"d{int(c[1:]) % 4}" for c in ind_cols},
                       key_variables=(*ind_cols, "lnAI", "Size", "Age", "Lev"),
                       winsorize_columns=(*ind_cols, *ctrl), index_name="NQP")


def peer_time(ctx, curve, k: int, seed: int = 0) -> tuple[float, float]:
    """Seconds per specification through pyfixest (median-free: a plain mean over k specs),
    and the largest |difference| of the estimates from nqp's."""
    import pyfixest as pf

    rng = np.random.default_rng(seed)
    rows = curve.table.iloc[rng.choice(len(curve.table), k, replace=False)]
    cols = ctx.spec.columns
    pf.feols("lnAI ~ Size | stkcd + year", ctx.variants.frame("baseline"))  # warm-up (compilation)
    prepared = []
    for r in rows.itertuples():
        data = ctx.variants.winsorized(r.sample, r.winsorize).copy()
        data["NQP"] = ctx.variants.outcome(r.sample, r.winsorize, "NQP", r.index, r.shift)
        union = [c for c in dict.fromkeys(c for cs in ctx.spec.controls for c in ctx.control_sets[cs])]
        data = data.dropna(subset=["NQP", "lnAI", *union])
        fe = " + ".join("^".join(cols[p] for p in term.split("^")) for term in r.fixed_effects.split("+"))
        rhs = " + ".join(["lnAI", *ctx.control_sets[r.controls]])
        cl = "+".join(cols[p] for p in r.cluster.split("+"))
        prepared.append((f"NQP ~ {rhs} | {fe}", data, cl, r.estimate))
    worst = 0.0
    t0 = time.perf_counter()
    for fml, data, cl, est in prepared:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = pf.feols(fml, data, vcov={"CRV1": cl}, fixef_rm="singleton")
        worst = max(worst, abs(float(m.coef()["lnAI"]) - est))
    return (time.perf_counter() - t0) / k, worst


def main() -> None:
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")
    source = demo_sized_source()
    spec = RobustnessSpec.from_dict({})
    ctx = make_context(source, spec, outcome="NQP", treatment="lnAI", controls=CONTROLS)
    n_base = len(ctx.variants.frame("baseline"))
    print(f"data: {len(source.firm_years):,} firm-years before the sample rules, {n_base:,} in the baseline sample, "
          f"{source.firm_years['stkcd'].nunique():,} firms; {len(spec.choices()):,} specifications")
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 2 or done == total:
            print(f"  {stage}: {done:,}/{total:,}", file=sys.stderr, flush=True)
            last[0] = now

    t0 = time.perf_counter()
    curve = run_curve(ctx, progress=progress)
    t_curve = time.perf_counter() - t0
    n_ok = int(curve.table["estimable"].sum())
    per_peer, worst = peer_time(ctx, curve, PEER_SPECS)
    t_peer = per_peer * len(curve.table)
    print(f"{'':44s}{'seconds':>10s}{'specs/s':>10s}")
    print(f"{'nqp specification curve (all, with data prep)':44s}{t_curve:10.2f}{len(curve.table) / t_curve:10.1f}")
    print(f"{'pyfixest one by one (%d timed, extrapolated)' % PEER_SPECS:44s}{t_peer:10.2f}{1 / per_peer:10.1f}")
    print(f"ratio pyfixest/nqp: {t_peer / t_curve:.1f}x (goal >= 20x); {n_ok:,} estimable; "
          f"max |estimate difference| on the timed subset {worst:.2e}")
    print(f"target: curve under 30 s -> {'met' if t_curve < 30 else 'MISSED'}")
    t0 = time.perf_counter()
    res = run_robustness(source, spec, outcome="NQP", treatment="lnAI", controls=CONTROLS)
    t_all = time.perf_counter() - t0
    parts = ", ".join(f"{k} {v:.1f}" for k, v in res.seconds.items())
    print(f"run_robustness (curve + 500 null draws + 500 placebo + Oster + leave-one-out + wild): {t_all:.1f} s ({parts})")


if __name__ == "__main__":
    main()
