"""Timing helper shared by the benchmarks: the median of repeated runs.

The machine is shared and noisy, so benchmarks report medians (and ratios of medians).
``clock="wall"`` times elapsed seconds (for multi-threaded or multi-process work);
``clock="cpu"`` times this process's CPU seconds (insensitive to other load, but blind to
work done in other processes).
"""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from typing import Literal


def median_seconds(fn: Callable[[], object], repeat: int = 5, *, clock: Literal["wall", "cpu"] = "wall") -> float:
    """Run ``fn`` ``repeat`` times and return the median duration in seconds."""
    now = time.perf_counter if clock == "wall" else time.process_time
    times = []
    for _ in range(repeat):
        t0 = now()
        fn()
        times.append(now() - t0)
    return statistics.median(times)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its finished (waited-for) children: the
    CPU of a run whose work is on worker processes."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
