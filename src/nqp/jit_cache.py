"""Fill numba's on-disk cache with every compiled kernel of nqp, by running the code that calls
them on a few rows: ``python -m nqp.jit_cache`` (``make`` does it once, when it installs).

nqp's compiled kernels (the synthetic reports' composer, the permutation test's subset sums,
the placebo shuffles) are compiled on their first call and cached beside their source
(``cache=True``). Without this step the first ``nqp demo`` of a fresh clone spends about ten
CPU seconds compiling; with it, every run loads the kernels from the cache (about half a
second). The kernels are called through their public callers so that the cached signatures
are those a run asks for.
"""

from __future__ import annotations

import time


def warm_estimation() -> None:
    """Load the estimation kernels (the permutation test's subset sums, the placebo shuffles)
    into this process. The first call of any kernel in a process also sets up numba itself
    (about 0.7 CPU s); a process that does it before it forks workers spares each of them that.
    Warnings of the few-row calls are dropped."""
    import warnings

    import numpy as np
    import pandas as pd

    from nqp.econometrics.group_tests import permutation_test
    from nqp.robustness.placebo import permutations

    rng = np.random.default_rng(0)
    firms, years = np.repeat(np.arange(12), 5), np.tile(np.arange(2010, 2015), 12)
    data = pd.DataFrame({"y": rng.normal(size=60), "x": rng.normal(size=60), "firm": firms, "year": years,
                         "g": (firms % 2).astype(int)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        permutation_test("y ~ x | firm + year", data, "g", "x", reps=2, seed=1)
        permutations(years, 2, rng, "within_year")


def warm() -> float:
    """Compile (or load) every kernel; returns the seconds it took."""
    from nqp.synth.reports import load_compiled

    t0 = time.perf_counter()
    load_compiled()
    warm_estimation()
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(f"nqp: compiled kernels cached ({warm():.1f} s)")
