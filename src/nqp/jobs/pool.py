"""Run a function over many items in worker processes, each item under a time and memory limit.

Unlike ``concurrent.futures``, a worker that exceeds the limit on one item (a hanging or
memory-hungry PDF) is killed and replaced; the item comes back as a failure and the run goes on.
Workers are started with ``spawn`` (no inherited threads or locks) and receive ``context``
(e.g. the keyword dictionaries) once, not with every item.

Items travel in batches (``batch_size`` items a message each way), because small documents
would otherwise spend more time in messages than in work. The limits still apply to each
item: a worker marks in shared memory which item it is on and since when, so the parent
knows which item of a batch ran too long, took too much memory or crashed the worker. That
item alone becomes a failure; the other items of the batch (whose results died with the
worker) are handed out again. A batch whose worker dies between items is retried one item
at a time, so that only an item that fails on its own becomes a failure.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

_IDLE = -1.0  # progress marker: the worker is between items


@dataclass(frozen=True)
class Failure:
    """An item that did not finish: ``reason`` is timeout, memory, crashed or an exception name."""

    reason: str
    message: str


def _worker_main(conn: Connection, fn: Callable[[Any, Any], Any], context: Any, progress: Any) -> None:
    """Receive batches [(index, item), ...]; send [(index, result), ...] when a batch is done.
    ``progress`` (shared doubles) holds the index of the item being worked on and when it started.
    Ctrl-C (the terminal interrupts the whole process group) or a parent gone ends the worker
    quietly: the parent reports the interruption, a worker's traceback would only bury it."""
    try:
        _serve(conn, fn, context, progress)
    except (KeyboardInterrupt, EOFError, OSError):
        return


def _serve(conn: Connection, fn: Callable[[Any, Any], Any], context: Any, progress: Any) -> None:
    conn.send(None)  # started (imports done)
    while True:
        msg = conn.recv()
        if msg is None:
            return
        results = []
        for i, item in msg:
            with progress.get_lock():
                progress[1] = time.monotonic()
                progress[0] = i
            try:
                out: Any = fn(item, context)
            except Exception as exc:  # reported to the parent as this item's failure
                out = Failure(type(exc).__name__, str(exc)[:500])
            results.append((i, out))
        with progress.get_lock():
            progress[0] = _IDLE
        conn.send(results)


_SPAWN = mp.get_context("spawn")  # workers are spawned: no inherited threads or locks
_LIVE: set[Any] = set()  # the worker processes started and not yet stopped (see kill_workers)


def kill_workers() -> None:
    """Kill every worker process of this module still running (the command line calls it when
    a run is interrupted: the thread that drives them may never get to stop them)."""
    for proc in list(_LIVE):
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        _LIVE.discard(proc)


class _Worker:
    def __init__(self, fn: Callable, context: Any) -> None:
        self.conn, child = _SPAWN.Pipe()
        self.progress = _SPAWN.Array("d", [_IDLE, 0.0])
        self.proc = _SPAWN.Process(target=_worker_main, args=(child, fn, context, self.progress), daemon=True)
        self.proc.start()
        _LIVE.add(self.proc)
        child.close()
        self.batches: deque[list[int]] = deque()  # batches sent, in the order the worker runs them
        self.ready = False  # the worker has started (spawn + imports can take a second)

    def current(self) -> tuple[int | None, float]:
        """The item the worker is on and since when (monotonic seconds); None between items."""
        with self.progress.get_lock():
            i, since = self.progress[0], self.progress[1]
        return (None if i == _IDLE else int(i)), since

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        _LIVE.discard(self.proc)
        self.conn.close()


class Workers:
    """Worker processes started before their items are known, for :func:`run_local`.

    A spawned worker takes about a second to start (a new interpreter importing ``fn``'s
    modules). Started first, they import on the other core while the caller lists the items
    (``nqp text`` scans tens of thousands of report files meanwhile). :func:`run_local` given
    ``started=`` takes its workers from here; those it does not need, and all of them when the
    caller fails before, are stopped by :meth:`close` (or leaving the ``with`` block)."""

    def __init__(self, fn: Callable[[Any, Any], Any], context: Any = None, workers: int = 2) -> None:
        self.fn, self.context = fn, context
        self._idle: list[_Worker] = []
        try:
            for _ in range(max(1, workers)):
                self._idle.append(_Worker(fn, context))
        except BaseException:
            self.close()
            raise

    def take(self, n: int) -> list[_Worker]:
        """Up to ``n`` of the started workers (the others are stopped)."""
        taken, rest = self._idle[:n], self._idle[n:]
        self._idle = []
        _stop(rest)
        return taken

    def close(self) -> None:
        """Stop the workers no :func:`run_local` has taken."""
        idle, self._idle = self._idle, []
        _stop(idle)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stop(pool: list[_Worker]) -> None:
    """Ask each worker to end (it returns after its current batch), kill those still there 2 s on."""
    for w in pool:
        try:
            w.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
    for w in pool:
        w.proc.join(2)
        if w.proc.is_alive():
            w.kill()
        _LIVE.discard(w.proc)


def _rss_mb(pid: int) -> float:
    try:
        import psutil

        return psutil.Process(pid).memory_info().rss / 2**20
    except Exception:  # process gone or psutil missing: no reading
        return 0.0


def run_local(
    fn: Callable[[Any, Any], Any],
    items: Sequence[Any],
    *,
    context: Any = None,
    workers: int = 2,
    timeout: float | None = None,
    memory_mb: float | None = None,
    batch_size: int = 1,
    depth: int = 2,
    poll: float = 0.1,
    started: Workers | None = None,
    stop: Any = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, fn(items[index], context))`` as items finish, in completion order
    (the items of a batch together, in order).

    A failed item yields ``(index, Failure(reason, message))``: ``timeout`` (killed after
    ``timeout`` s on that item), ``memory`` (worker's resident memory above ``memory_mb``),
    ``crashed`` (the worker died), or the exception's class name. Items go to the workers
    ``batch_size`` consecutive items at a time, up to ``depth`` batches in flight per worker
    (see the module docstring for how a killed batch is retried). ``started``: workers of ``fn``
    and ``context`` started beforehand (:class:`Workers`), used instead of new ones. ``stop``: a
    ``threading.Event``; once set, the run ends (KeyboardInterrupt) at its next poll, its
    workers stopped, nothing more yielded (an interrupted ``nqp run`` sets it from its main thread).
    """
    if started is not None and (started.fn is not fn or started.context is not context):
        raise ValueError("run_local: the started workers run another function or context")
    if not items:
        if started is not None:
            started.close()
        return
    size = max(1, batch_size)
    pending: deque[list[int]] = deque(list(range(i, min(i + size, len(items)))) for i in range(0, len(items), size))
    n_workers = max(1, min(workers, len(pending)))
    pool = started.take(n_workers) if started is not None else []
    pool += [_Worker(fn, context) for _ in range(n_workers - len(pool))]
    next_memory_check = 0.0
    try:
        while pending or any(w.batches for w in pool):
            if stop is not None and stop.is_set():
                raise KeyboardInterrupt("run_local: stopped")
            for w in pool:
                while pending and len(w.batches) < depth:
                    batch = pending.popleft()
                    w.batches.append(batch)
                    w.conn.send([(i, items[i]) for i in batch])
            busy = [w for w in pool if w.batches]
            ready = set(wait([w.conn for w in busy], timeout=poll))
            now = time.monotonic()
            check_memory = memory_mb is not None and now >= next_memory_check
            if check_memory:  # reading /proc costs: at most every `poll` seconds
                next_memory_check = now + poll
            for k, w in enumerate(pool):
                if not w.batches:
                    continue
                failure: Failure | None = None
                if w.conn in ready:
                    broken = yield from _drain(w)
                    if not broken:
                        continue
                    failure = Failure("crashed", f"worker process died (exit code {w.proc.exitcode})")
                elif not w.ready:
                    if not w.proc.is_alive():
                        failure = Failure("crashed", f"worker process died at start (exit code {w.proc.exitcode})")
                else:
                    item, since = w.current()
                    if timeout is not None and item is not None and now - since > timeout:
                        failure = Failure("timeout", f"killed after {timeout:g} s")
                    elif check_memory and _rss_mb(w.proc.pid) > memory_mb:
                        failure = Failure("memory", f"killed above {memory_mb:g} MB resident memory")
                    elif not w.proc.is_alive():
                        failure = Failure("crashed", f"worker process died (exit code {w.proc.exitcode})")
                if failure is not None:
                    item, _ = w.current()
                    yield from _drain(w)  # batches finished just before the kill count as done
                    w.kill()
                    pool[k] = _Worker(fn, context)
                    yield from _blame(w.batches, item, failure, pending)
    finally:
        _stop(pool)


def _drain(w: _Worker) -> Generator[tuple[int, Any], None, bool]:
    """Yield the results ``w`` has sent so far; return whether its pipe is broken (it died)."""
    try:
        while w.batches and w.conn.poll():
            msg = w.conn.recv()
            if msg is None:
                w.ready = True
                continue
            w.batches.popleft()
            yield from msg
    except (EOFError, OSError):
        return True
    return False


def _blame(batches: deque[list[int]], item: int | None, failure: Failure,
           pending: deque[list[int]]) -> Iterator[tuple[int, Failure]]:
    """After a worker was killed or died with ``batches`` in flight: the item it was on
    fails, the rest is handed out again (first). Dead between items, the worker leaves no
    culprit: a batch of one item fails, a longer one is retried item by item."""
    if not batches:  # everything it was given had come back: nothing to blame
        return
    if item is not None and item not in batches[0]:
        item = None  # not on an item of the running batch (a stale mark): no culprit
    head = batches.popleft()
    again = [i for b in batches for i in b]  # queued behind the head batch: never started
    if item is None and len(head) > 1:
        retry = [[i] for i in head]
    else:
        culprit = item if item is not None else head[0]
        retry = [[i for i in head if i != culprit]] if len(head) > 1 else []
        yield culprit, failure
    if again:
        retry.append(again)
    pending.extendleft(reversed([b for b in retry if b]))
