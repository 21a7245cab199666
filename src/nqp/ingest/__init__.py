"""nqp.ingest -- raw exports (CSMAR-style CSV/TXT/XLSX/Parquet) -> the DuckDB warehouse.

``ingest(data_dir, db_path, ...)`` loads a folder; ``open_warehouse`` and ``read_table`` are
how later stages read the warehouse. Names are imported lazily (``import nqp.ingest`` stays
light for the command line).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "ingest": "nqp.ingest.load",
    "LoadReport": "nqp.ingest.report",
    "TableLoad": "nqp.ingest.report",
    "open_warehouse": "nqp.ingest.warehouse",
    "read_table": "nqp.ingest.warehouse",
    "table_names": "nqp.ingest.warehouse",
    "load_mappings": "nqp.ingest.mapping",
    "read_export": "nqp.ingest.readers",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nqp.ingest' has no attribute {name!r}")


__all__ = list(_LAZY)
