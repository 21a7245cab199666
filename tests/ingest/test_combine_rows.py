"""warehouse._combine_rows (``aggregate = "sum"`` and ``[long]`` tables) against a row loop:
exact duplicates once (the first place stands), then one row per key with numbers summed (NULL
where every row is NULL), other columns the first row's, rows in order of first file, record."""

from __future__ import annotations

import random
import tomllib

import duckdb
import pyarrow as pa
import pytest

from nqp.ingest.mapping import parse_mapping
from nqp.ingest.warehouse import load_table

SUM_TOML = """
[table]
name = "divs"
source = "CD_Test"
pattern = "CD_Test*"
key = ["stkcd", "year"]
aggregate = "sum"

[[fields]]
code = "Stkcd"
name = "stkcd"
type = "stkcd"

[[fields]]
code = "Year"
name = "year"
type = "int"

[[fields]]
code = "Note"
name = "note"
type = "str"

[[fields]]
code = "Cash"
name = "cash"
type = "float"

[[fields]]
code = "Shares"
name = "shares"
type = "int"
"""
MAPPING = parse_mapping(tomllib.loads(SUM_TOML), "divs.toml")
NUMBERS = ("cash", "shares")


def _oracle(rows: list[dict]) -> tuple[dict[tuple, tuple[int, int]], int, int]:
    """The combined rows (in field order) with their place in the table (least file, least
    record of its rows: ties in any order), duplicate copies dropped, rows combined: a row loop."""
    names = [f.name for f in MAPPING.fields]
    first_place: dict[tuple, tuple[int, int]] = {}
    for r in rows:
        values, place = tuple(r[n] for n in names), (r["_src"], r["_rec"])
        first_place[values] = min(first_place.get(values, place), place)
    groups: dict[tuple, list[tuple[tuple[int, int], tuple]]] = {}
    for values, place in first_place.items():
        groups.setdefault(values[:2], []).append((place, values))
    out = []
    for key, members in groups.items():
        members.sort()
        row = list(key) + [members[0][1][2]]  # note: the first row's, NULL or not
        for n in NUMBERS:
            vals = [v[names.index(n)] for _, v in members if v[names.index(n)] is not None]
            row.append(sum(vals) if vals else None)
        order = (min(p[0] for p, _ in members), min(p[1] for p, _ in members))
        out.append((tuple(row), order))
    return dict(out), len(rows) - len(first_place), len(first_place) - len(groups)


@pytest.mark.parametrize("seed", range(5))
def test_combine_rows_matches_a_row_loop(seed):
    rng = random.Random(seed)
    rows = []
    for src in range(3):
        for rec in range(rng.randint(20, 60)):
            rows.append({"stkcd": f"{rng.randint(1, 6):06d}", "year": rng.randint(2015, 2017),
                         "note": rng.choice(["interim", "final", None]),
                         "cash": rng.choice([None, 0.5, 1.25, 2.0]), "shares": rng.choice([None, 1, 10]),
                         "_src": src, "_rec": rec})
    rows += [dict(r, _src=2, _rec=1000 + i) for i, r in enumerate(rng.sample(rows, 10))]  # exact copies
    rng.shuffle(rows)
    rows.sort(key=lambda r: (r["_src"], r["_rec"]))  # the loader's file, then record order
    schema = pa.schema([("stkcd", pa.string()), ("year", pa.int64()), ("note", pa.string()),
                        ("cash", pa.float64()), ("shares", pa.int64()), ("_src", pa.int32()), ("_rec", pa.int64())])
    data = pa.Table.from_pylist(rows, schema=schema)
    expected, dropped, combined = _oracle(rows)
    con = duckdb.connect()
    try:
        assert load_table(con, MAPPING, data, lambda s, r: ("f", "line", r)) == (dropped, combined)
        got = con.execute("SELECT * FROM divs").fetchall()
    finally:
        con.close()
    assert dropped >= 10 and combined > 0
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    places = [expected[r] for r in got]
    assert places == sorted(places)
