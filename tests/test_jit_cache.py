"""``python -m nqp.jit_cache`` (run by ``make`` at install) caches the signatures a demo asks
for: after it, a small demo in a new process compiles nothing (every kernel is a cache hit)."""

import json
import os
import subprocess
import sys

_DEMO_MISSES = r"""
import json, sys
from pathlib import Path
import numba
from nqp.study.demo import run_demo
from nqp.study.stages import StageLog
run_demo(Path(sys.argv[1]), scale=0.05, log=StageLog(quiet=True), report=False, workers=1)
from nqp.econometrics import subset_sums
from nqp.robustness import placebo
from nqp.synth import documents
calls, misses = {}, {}
for mod in (subset_sums, placebo, documents):
    for name in dir(mod):
        f = getattr(mod, name)
        if isinstance(f, numba.core.registry.CPUDispatcher):
            key = f"{mod.__name__}.{name}"
            calls[key] = sum(f.stats.cache_hits.values()) + sum(f.stats.cache_misses.values())
            misses[key] = sum(f.stats.cache_misses.values())
print(json.dumps({"calls": calls, "misses": misses}))
"""


def test_a_demo_after_the_warm_up_compiles_nothing(tmp_path):
    env = {**os.environ, "PYTHONHASHSEED": "7"}
    subprocess.run([sys.executable, "-m", "nqp.jit_cache"], check=True, env=env, capture_output=True)
    out = subprocess.run([sys.executable, "-c", _DEMO_MISSES, str(tmp_path / "demo")], check=True, env=env,
                         capture_output=True, text=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert len(found["calls"]) >= 5  # the composer's two loops, the subset sums' two, the placebo shuffle
    assert all(n > 0 for n in found["calls"].values()), found["calls"]  # the demo used every kernel
    assert not any(found["misses"].values()), found["misses"]
