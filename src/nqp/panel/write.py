"""The panel stage as one function: build the panel and write its files and tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from nqp.atomic import atomic_write_csv
from nqp.panel.build import Panel, build_panel
from nqp.panel.describe import TABLE2, describe
from nqp.panel.export import write_panel_files


def write_panel_tables(panel: Panel, out_dir: str | Path) -> dict[str, Path]:
    """``sample_construction.csv``, ``table2_descriptives.csv`` (the paper's rows that were built)
    and ``data_dictionary.csv`` in ``out_dir``, atomically; returns file -> path."""
    out_dir = Path(out_dir)
    tables = {"sample_construction.csv": panel.sample_report.table(),
              "table2_descriptives.csv": describe(panel.frame, [v for v in TABLE2 if v in panel.frame]).reset_index(),
              "data_dictionary.csv": panel.dictionary()}
    paths = {}
    for name, frame in tables.items():
        paths[name] = out_dir / name
        atomic_write_csv(frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame), paths[name])
    return paths


def build_and_write(warehouse: str | Path, out_dir: str | Path, *, lags: Sequence[str] = (),
                    lag_convention: str = "full_panel", definitions: str | Path | None = None,
                    note: str | None = None, **options) -> tuple[Panel, dict[str, Path]]:
    """:func:`build_panel` then :func:`write_panel_files` and :func:`write_panel_tables`."""
    panel = build_panel(warehouse, lags=lags, lag_convention=lag_convention, definitions=definitions, **options)
    paths = write_panel_files(panel, out_dir, note=note)
    paths.update(write_panel_tables(panel, out_dir))
    return panel, paths
