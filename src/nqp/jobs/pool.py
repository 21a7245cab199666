"""Run a function over many items in worker processes, each item under a time and memory limit.

Unlike ``concurrent.futures``, a worker that exceeds the limit on one item (a hanging or
memory-hungry PDF) is killed and replaced; the item comes back as a failure and the run goes on.
Workers are started with ``spawn`` (no inherited threads or locks) and receive ``context``
(e.g. the keyword dictionaries) once, not with every item.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any


@dataclass(frozen=True)
class Failure:
    """An item that did not finish: ``reason`` is timeout, memory, crashed or an exception name."""

    reason: str
    message: str


def _worker_main(conn: Connection, fn: Callable[[Any, Any], Any], context: Any) -> None:
    """Receive batches [(index, item), ...]; send (index, result) after each item."""
    conn.send(None)  # started (imports done): the parent starts the clocks now
    while True:
        try:
            msg = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if msg is None:
            return
        for i, item in msg:
            try:
                out: Any = fn(item, context)
            except Exception as exc:  # reported to the parent as this item's failure
                out = Failure(type(exc).__name__, str(exc)[:500])
            conn.send((i, out))


class _Worker:
    def __init__(self, ctx: Any, fn: Callable, context: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, fn, context), daemon=True)
        self.proc.start()
        child.close()
        self.queue: deque[int] = deque()  # items sent, in the order the worker runs them
        self.head_start = 0.0  # when the worker started the first item of the queue
        self.ready = False  # the worker has started (spawn + imports can take a second)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


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
    depth: int = 8,
    poll: float = 0.1,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, fn(items[index], context))`` as items finish, in completion order.

    A failed item yields ``(index, Failure(reason, message))``: ``timeout`` (killed after
    ``timeout`` s on that item), ``memory`` (worker's resident memory above ``memory_mb``),
    ``crashed`` (the worker died), or the exception's class name. Up to ``depth`` items are
    in flight per worker (small documents would otherwise spend more time in messages than
    in work); the limits apply to the item the worker is on, and the items queued behind a
    killed one are handed out again.
    """
    if not items:
        return
    ctx = mp.get_context("spawn")
    pending = deque(range(len(items)))
    pool = [_Worker(ctx, fn, context) for _ in range(max(1, min(workers, len(items))))]
    next_memory_check = 0.0
    try:
        while pending or any(w.queue for w in pool):
            for w in pool:
                room = depth - len(w.queue)
                if room > depth // 2 and pending:
                    batch = [pending.popleft() for _ in range(min(room, len(pending)))]
                    if not w.queue:
                        w.head_start = time.monotonic()
                    w.queue.extend(batch)
                    w.conn.send([(i, items[i]) for i in batch])
            busy = [w for w in pool if w.queue]
            ready = set(wait([w.conn for w in busy], timeout=poll))
            now = time.monotonic()
            check_memory = memory_mb is not None and now >= next_memory_check
            if check_memory:  # reading /proc costs: at most every `poll` seconds
                next_memory_check = now + poll
            for k, w in enumerate(pool):
                if not w.queue:
                    continue
                failure: Failure | None = None
                if w.conn in ready:
                    try:
                        while w.queue and w.conn.poll():
                            msg = w.conn.recv()
                            w.head_start = time.monotonic()
                            if msg is None:
                                w.ready = True
                                continue
                            j, out = msg
                            w.queue.remove(j)
                            yield j, out
                        continue
                    except (EOFError, OSError):
                        failure = Failure("crashed", f"worker process died (exit code {w.proc.exitcode})")
                elif not w.ready:
                    if not w.proc.is_alive():
                        failure = Failure("crashed", f"worker process died at start (exit code {w.proc.exitcode})")
                elif timeout is not None and now - w.head_start > timeout:
                    failure = Failure("timeout", f"killed after {timeout:g} s")
                elif check_memory and _rss_mb(w.proc.pid) > memory_mb:
                    failure = Failure("memory", f"killed above {memory_mb:g} MB resident memory")
                elif not w.proc.is_alive():
                    failure = Failure("crashed", f"worker process died (exit code {w.proc.exitcode})")
                if failure is not None:
                    head = w.queue.popleft()
                    pending.extendleft(reversed(w.queue))  # queued behind the bad item: retry
                    w.kill()
                    pool[k] = _Worker(ctx, fn, context)
                    yield head, failure
    finally:
        for w in pool:
            try:
                w.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for w in pool:
            w.proc.join(2)
            if w.proc.is_alive():
                w.kill()
