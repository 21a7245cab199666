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


def test_batches_lose_no_item_and_only_the_bad_item_fails():
    # each bad item sits in the middle of a batch of 4: its batch-mates before and after it
    # (done but not yet sent, or not yet started when the worker was killed) must come back
    items = [("ok", k) for k in range(14)]
    items[2], items[5], items[9], items[13] = ("sleep", 30), ("memory", 400), ("exit", 0), ("raise", "boom")
    out = dict(run_local(work, items, context="ctx", workers=2, timeout=2.5, memory_mb=250, poll=0.05,
                         batch_size=4))
    assert sorted(out) == list(range(len(items)))
    assert out[2] == Failure("timeout", "killed after 2.5 s")
    assert out[5].reason == "memory" and out[9].reason == "crashed" and out[13].reason == "ValueError"
    for i, (kind, value) in enumerate(items):
        if kind == "ok":
            assert out[i] == ("ctx", "ok", value), i


def test_batch_results_do_not_depend_on_batch_size_or_workers():
    items = [("ok", k) for k in range(23)]
    want = {i: ("c", "ok", k) for i, (_, k) in enumerate(items)}
    for workers, size in ((1, 1), (2, 5), (3, 64)):
        got = list(run_local(work, items, context="c", workers=workers, batch_size=size))
        assert dict(got) == want and len(got) == len(items)


def test_started_workers_are_used_and_the_unused_ones_stopped(monkeypatch):
    """Workers started before the items (nqp text spawns them while it lists the reports) run
    the items (no other worker is started); those run_local does not need are stopped, and
    none is left alive."""
    from nqp.jobs import pool
    from nqp.jobs.pool import Workers

    items = [("ok", k) for k in range(5)]
    with Workers(work, "ctx", 3) as started:
        pids = {w.proc.pid for w in started._idle}
        procs = list(started._idle)

        def no_new_worker(*_a, **_k):
            raise AssertionError("run_local started a worker of its own")

        monkeypatch.setattr(pool, "_Worker", no_new_worker)
        got = dict(run_local(work, items, context="ctx", workers=3, batch_size=4, started=started))
    assert got == {i: ("ctx", "ok", k) for i, (_, k) in enumerate(items)}
    assert len(pids) == 3 and all(not p.proc.is_alive() for p in procs)  # 2 batches: one started worker unused


def test_started_workers_stop_when_the_caller_fails_or_has_no_items():
    from nqp.jobs.pool import Workers

    import pytest

    with pytest.raises(RuntimeError):
        with Workers(work, "ctx", 2) as started:
            procs = list(started._idle)
            raise RuntimeError("listing the items failed")
    assert all(not p.proc.is_alive() for p in procs)
    started = Workers(work, "ctx", 2)
    procs = list(started._idle)
    assert list(run_local(work, [], context="ctx", started=started)) == []
    assert all(not p.proc.is_alive() for p in procs)
    with Workers(work, "ctx", 1) as other, pytest.raises(ValueError):
        list(run_local(work, [("ok", 1)], context="another", started=other))
