"""The committed results.json fixture is what make_results.py makes today from real fits (so the
report tests read the estimators' current numbers, in the documented shape)."""

from __future__ import annotations

import json
import math

from .conftest import FIXTURE
from .make_results import build_results


def _same(a, b, path="$"):
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12), f"{path}: {a} != {b}"
    else:
        assert a == b, path


def test_fixture_is_current():
    fresh = json.loads(json.dumps(build_results(), ensure_ascii=False))
    _same(json.loads(FIXTURE.read_text(encoding="utf-8")), fresh)


def test_fixture_has_the_documented_shape():
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert doc["format"] == "nqp-results/1" and doc["synthetic"] is True
    for key in ("tables", "models", "tests", "index_weights", "index", "table2", "figure2", "sample_construction",
                "dictionary", "warnings"):
        assert key in doc
    ids = {m["id"] for m in doc["models"]}
    assert all(set(t["columns"]) <= ids for t in doc["tables"])
    for m in doc["models"]:
        for k in ("id", "table", "column", "label", "outcome", "estimator", "status", "nobs", "adj_r2",
                  "fixed_effects", "cluster", "coefficients", "warnings"):
            assert k in m, (m["id"], k)
