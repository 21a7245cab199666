"""Fixtures of the report tests: the results.json fixture (``data/results.json``, written by
``make_results.py`` from real fits; ``test_fixture.py`` checks it is current) and one report
written from it, once per test process."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "data" / "results.json"


@pytest.fixture(scope="session")
def results_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("results") / "results.json"
    shutil.copyfile(FIXTURE, path)
    return path


@pytest.fixture(scope="session")
def results(results_path) -> dict:
    return json.loads(results_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def report_dir(results_path, tmp_path_factory) -> Path:
    """The whole report of the fixture, written once for all test processes of a run (pytest-xdist
    workers share the parent of their base temp folder; the first finished copy is moved there)."""
    from nqp.report import write_report

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if base.name.startswith("popen-gw") else base) / "nqp-report-shared"
    if (shared / "report.html").is_file():
        return shared
    out = tmp_path_factory.mktemp("report")
    write_report(results_path, out)
    try:
        os.rename(out, shared)
    except OSError:  # another worker was first: use its copy (the same bytes)
        return shared if (shared / "report.html").is_file() else out
    return shared
