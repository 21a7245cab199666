"""Run in a child process by test_cross_process.py: the stages a user runs, through the CLI.

``python pipeline_child.py OUT SCALE SEED`` writes ``OUT/raw`` (``nqp synth``), builds
``OUT/w.duckdb`` (``nqp ingest``, ``nqp text``, ``nqp patents``) and dumps every warehouse
table, sorted on all its columns, to ``OUT/tables/<name>.csv`` with its column types on the
first line (DuckDB files themselves are not byte-stable).
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(out: Path, scale: str, seed: str) -> None:
    from nqp.cli import main as nqp

    raw, db = out / "raw", out / "w.duckdb"
    steps = [
        ["synth", "--out", str(raw), "--scale", scale, "--seed", seed, "--pdf-reports", "3", "--quiet"],
        ["ingest", "--data", str(raw), "--db", str(db), "--quiet"],
        ["text", "--reports", str(raw / "reports"), "--out", str(out / "text_measures.parquet"),
         "--db", str(db), "--workers", "1", "--quiet"],
        ["patents", "--patents", str(raw / "patents"), "--firms", str(raw / "patents" / "firm_names.csv"),
         "--out", str(out / "patent_counts.parquet"), "--db", str(db), "--workers", "1", "--quiet"],
    ]
    for argv in steps:
        code = nqp(argv)
        if code:
            raise SystemExit(f"nqp {argv[0]} exited {code}")
    import duckdb

    tables = out / "tables"
    tables.mkdir()
    con = duckdb.connect(str(db), read_only=True)
    for (name,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
        rel = con.sql(f'SELECT * FROM "{name}" ORDER BY ALL')
        df = rel.df()
        with (tables / f"{name}.csv").open("w", encoding="utf-8") as f:
            f.write(",".join(f"{c}:{t}" for c, t in zip(rel.columns, rel.types)) + "\n")
            df.to_csv(f, index=False, header=False, float_format="%.17g")
    con.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
