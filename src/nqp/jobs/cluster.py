"""Run partitions on a Dask distributed cluster (``--scheduler ADDRESS``).

Each partition is one Dask task; results stream back in completion order so the caller can
checkpoint each one as it arrives. Per-document time limits inside a partition are the
cooperative ones of the task function (Dask cannot kill a running task); documents a task
cannot finish come back as failure rows, like on one machine. The workers must see the input
files at the same paths (a shared file system).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from nqp.jobs.pool import Failure


def run_dask(
    fn: Callable[[Any, Any], Any],
    partitions: Sequence[Any],
    *,
    address: str,
    context: Any = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, fn(partitions[index], context))`` as partitions finish on the cluster.
    A task that raises yields ``(index, Failure(exception name, message))``."""
    from distributed import Client, as_completed

    if not partitions:
        return
    with Client(address, set_as_default=False) as client:
        ctx = client.scatter(context, broadcast=True) if context is not None else None
        # scatter the data first: large partitions embedded in the task graph are slow to send
        data = client.scatter(list(partitions), hash=False)
        futures = [client.submit(fn, p, ctx, pure=False) for p in data]
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures, loop=client.loop):
            i = index[fut.key]
            if fut.status == "error":
                exc = fut.exception()
                yield i, Failure(type(exc).__name__, str(exc)[:500])
            else:
                yield i, fut.result()
            fut.release()


def worker_count(address: str) -> int:
    """Number of workers currently connected to the scheduler at ``address``."""
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        return len(client.scheduler_info().get("workers", {}))
