"""Worker processes for the synth's independent jobs (report chunks, table files).

Every job is a function of its arguments alone (the random draws are made in the main
process beforehand), so what is written does not depend on the number of workers. Workers
are forked where the platform can (they inherit the imported modules: no second start-up of
numpy, pandas and pyarrow); with one worker the jobs run in the calling process.

The workers run with CPython's cyclic garbage collector off: a run allocates millions of
short-lived objects, which the collector walked for about half a CPU second in the workers,
while refcounting alone frees them (the jobs make no reference cycles that matter: a
worker's peak memory is the same without it; the pool's processes end with the run).
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _InProcess(Executor):
    """Runs each job at once in the calling process (``workers=1``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller by future.result(), as a pool would
            future.set_exception(exc)
        return future


def job_pool(workers: int) -> Executor:
    """An executor with ``workers`` processes (forked where possible), or one that runs the
    jobs in this process when ``workers`` is 1."""
    if workers <= 1:
        return _InProcess()
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method), initializer=gc.disable)
