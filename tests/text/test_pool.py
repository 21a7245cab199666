"""The worker pool kills an item that runs too long or takes too much memory, survives a
crashing worker, and finishes every other item (queued items of a killed worker included)."""

from nqp.jobs.pool import Failure, run_local

from .pool_funcs import work


def test_timeout_memory_crash_and_errors_do_not_stop_the_run():
    items = [("ok", 1), ("sleep", 30), ("ok", 2), ("ok", 3), ("raise", "boom"), ("memory", 400), ("ok", 4),
             ("exit", 0), ("ok", 5)]
    out = dict(run_local(work, items, context="ctx", workers=2, timeout=2.5, memory_mb=250, poll=0.05))
    assert sorted(out) == list(range(len(items)))
    assert out[1] == Failure("timeout", "killed after 2.5 s")
    assert isinstance(out[4], Failure) and out[4].reason == "ValueError" and "boom" in out[4].message
    assert isinstance(out[5], Failure) and out[5].reason == "memory"
    assert isinstance(out[7], Failure) and out[7].reason == "crashed"
    for i in (0, 2, 3, 6, 8):
        assert out[i] == ("ctx", "ok", items[i][1])
