"""nqp.ingest -- raw exports (CSMAR-style CSV/TXT/XLSX/Parquet) -> the DuckDB warehouse.

``ingest(data_dir, db_path, ...)`` loads a folder; ``open_warehouse`` and ``read_table`` are
how later stages read the warehouse. Names are imported lazily (``import nqp.ingest`` stays
light for the command line).
"""

from __future__ import annotations

from nqp._lazy import lazy_getattr

_LAZY = {
    "ingest": "nqp.ingest.load",
    "ingest_exports": "nqp.ingest.load",
    "LoadReport": "nqp.ingest.report",
    "TableLoad": "nqp.ingest.report",
    "open_warehouse": "nqp.ingest.warehouse",
    "read_table": "nqp.ingest.warehouse",
    "table_names": "nqp.ingest.warehouse",
    "load_mappings": "nqp.ingest.mapping",
    "read_export": "nqp.ingest.readers",
}

__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = list(_LAZY)
