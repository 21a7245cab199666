"""The ingest loads tables one at a time (nqp.ingest.load._load_tables): the warnings, the
report and the first error must be those of table order, whatever the order of the files."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from ingest_exports import CODES, FIN_TOML, ROWS, write_csv

from nqp.errors import DataWarning, DuplicateKeyError, SchemaError
from nqp.ingest import ingest

NAMES = ["t_a", "t_b", "t_c", "t_d", "t_e"]


def _mappings(tmp_path: Path) -> Path:
    d = tmp_path / "mapping"
    d.mkdir()
    for n in NAMES:
        text = FIN_TOML.replace('name = "fin"', f'name = "{n}"').replace('pattern = "FS_Test*"', f'pattern = "{n}*"')
        (d / f"{n}.toml").write_text(text, encoding="utf-8")
    return d


def _without_staff(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    i = CODES.index("Staff")
    return [c for k, c in enumerate(CODES) if k != i], [[c for k, c in enumerate(r) if k != i] for r in rows]


def _run(data: Path, mapping: Path, db: Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rep = ingest(data, db, mapping_dir=mapping, progress=False, default_mappings=False)
    return rep, [str(w.message) for w in caught if isinstance(w.message, DataWarning)]


def test_warnings_and_report_in_table_order(tmp_path):
    mapping, data = _mappings(tmp_path), tmp_path / "data"
    data.mkdir()
    codes, rows = _without_staff(ROWS)
    for n in reversed(NAMES):  # two files per table, every one without the optional Staff column
        for part in (2, 1):
            write_csv(data / f"{n}_{part}.csv", rows, codes=codes)
    want = [f"{n}_{part}.csv: optional column 'Staff'" for n in NAMES for part in (1, 2)]
    for k in range(3):
        rep, caught = _run(data, mapping, tmp_path / f"wh{k}.duckdb")
        assert [t.table for t in rep.tables] == NAMES
        assert [w[: len(p)] for w, p in zip(rep.warnings, want)] == want and len(rep.warnings) == len(want)
        assert [w[: len(p)] for w, p in zip(caught, want)] == want


def test_the_first_tables_error_is_raised(tmp_path):
    """t_a fails in the database (two rows with one key and different values), t_b and t_c
    when read (a bad cell): the error is t_a's, as when the tables are loaded one by one."""
    mapping, data = _mappings(tmp_path), tmp_path / "data"
    data.mkdir()
    dup = [ROWS[0], [*ROWS[0][:3], "99", *ROWS[0][4:]]]
    write_csv(data / "t_a.csv", dup)
    bad = [ROWS[0], ["600000", "2016-12-31", "A", "not a number", "", "0", "x"]]
    write_csv(data / "t_b.csv", bad)
    write_csv(data / "t_c.csv", bad)
    for n in NAMES[3:]:
        write_csv(data / f"{n}.csv")
    with pytest.raises(DuplicateKeyError, match="table t_a"):
        _run(data, mapping, tmp_path / "wh.duckdb")
    write_csv(data / "t_a.csv")
    with pytest.raises(SchemaError, match="t_b.csv"):
        _run(data, mapping, tmp_path / "wh.duckdb")
    assert not (tmp_path / "wh.duckdb").exists()
