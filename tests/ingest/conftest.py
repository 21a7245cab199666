"""Fixtures of the ingest tests: a test mapping folder, a data folder, a loader."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from ingest_exports import FIN_TOML, REGION_TOML


@pytest.fixture
def mapping_dir(tmp_path: Path) -> Path:
    d = tmp_path / "mapping"
    d.mkdir()
    (d / "fin.toml").write_text(FIN_TOML, encoding="utf-8")
    (d / "region.toml").write_text(REGION_TOML, encoding="utf-8")
    return d


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def load(mapping_dir: Path, tmp_path: Path):
    """``load(data_dir, db=None, **kw)`` -> LoadReport, with the test mapping only."""
    from nqp.ingest import ingest

    def _load(data: Path, db: Path | None = None, **kw):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="no file for optional table")
            return ingest(data, db or tmp_path / "wh.duckdb", mapping_dir=mapping_dir, progress=False,
                          default_mappings=False, **kw)

    return _load
