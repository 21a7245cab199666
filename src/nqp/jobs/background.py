"""Work started on worker processes while the main process goes on (the group tests, the panel
files): ``jobs = BackgroundJobs(workers); jobs.submit(fn, arg); ...; jobs.results()``.

Workers are forked where the platform can (the data are inherited, not pickled) and spawned
elsewhere. With ``workers <= 1`` nothing is started: the calls run in this process when their
results are asked for, so a run's results never depend on the number of workers. An
exception raised in a job is raised again by :meth:`BackgroundJobs.results`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class BackgroundJobs:
    """Jobs on up to ``workers`` processes; :meth:`results` returns their values in order."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: Any = None
        self._calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self._futures: list[Any] = []
        self._t0 = time.perf_counter()
        self.seconds = 0.0  # from the first job's start to the last result

    def start(self, initializer: Callable[..., Any] | None = None, *initargs: Any) -> None:
        """Start the workers now, each running ``initializer(*initargs)`` first (e.g. importing
        what the jobs will need while this process does other work); a no-op with one worker."""
        if self.workers > 1 and self._pool is None:
            self._open(initializer, initargs)
            self._pool.submit(int)  # the executor forks its workers on the first submit

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Start ``fn(*args)`` (a module-level function) on a worker, or keep it for later."""
        if self.workers <= 1:
            self._calls.append((fn, args))
            return
        if self._pool is None:
            self._open(None, ())
        self._futures.append(self._pool.submit(fn, *args))

    def _open(self, initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context(method),
                                         initializer=initializer, initargs=initargs)

    def results(self) -> list[Any]:
        """Every job's value, in the order submitted (waits for the workers)."""
        if not self._futures:  # run here, now: time just that
            self._t0 = time.perf_counter()
        try:
            values = [f.result() for f in self._futures] + [fn(*args) for fn, args in self._calls]
        finally:
            self.close()
        self.seconds = time.perf_counter() - self._t0
        return values

    def close(self) -> None:
        """Stop the workers (jobs not started are cancelled); safe to call more than once."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
