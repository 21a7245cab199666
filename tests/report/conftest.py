"""Fixtures of the report tests: a results.json built from real fits (make_results.py) and one
report written from it, once per test process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .make_results import build_results


@pytest.fixture(scope="session")
def results_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("results") / "results.json"
    path.write_text(json.dumps(build_results(), ensure_ascii=False, indent=1, allow_nan=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def results(results_path) -> dict:
    return json.loads(results_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def report_dir(results_path, tmp_path_factory) -> Path:
    from nqp.report import write_report

    out = tmp_path_factory.mktemp("report")
    write_report(results_path, out)
    return out
