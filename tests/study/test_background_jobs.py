"""BackgroundJobs: values in order from worker processes or in process, errors raised again."""

from __future__ import annotations

import os

import pytest

from nqp.jobs.background import BackgroundJobs


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _fail(path: str) -> None:
    raise PermissionError(13, "Permission denied", path)


@pytest.mark.parametrize("workers", [1, 2])
def test_values_in_submission_order(workers):
    jobs = BackgroundJobs(workers)
    for x in range(5):
        jobs.submit(_square_and_pid, x)
    out = jobs.results()
    assert [v for v, _ in out] == [0, 1, 4, 9, 16]
    pids = {p for _, p in out}
    assert (pids == {os.getpid()}) if workers == 1 else (os.getpid() not in pids)
    assert jobs.seconds > 0


@pytest.mark.parametrize("workers", [1, 2])
def test_a_job_error_is_raised_by_results(workers):
    jobs = BackgroundJobs(workers)
    jobs.submit(_fail, "out/panel.csv")
    with pytest.raises(PermissionError, match="panel.csv"):
        jobs.results()
    jobs.close()  # a second close is harmless
