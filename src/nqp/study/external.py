"""The stage functions of the other parts, as the study pipeline calls them.

Each returns a one-line summary for the run log; warnings raised inside are collected by the
caller's :class:`~nqp.study.stages.StageLog`. This module only calls the parts' own stage
functions (``nqp.ingest.ingest``, ``nqp.text.stage``, ``nqp.patents.stage``) with the paper's
settings; it holds no logic of theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nqp.study.spec import Study


def study_variables(study: Study) -> list[str]:
    """The panel variables the study's models read (lags by their base; keys such as stkcd and
    year come with every table)."""
    from nqp.panel.config import load_definitions

    defined = {v.name for v in load_definitions(study.definitions).variables}
    return sorted(study.variables() & defined)


def check_exports(data: Path, study: Study) -> list[str]:
    """Fail before any work when the exports lack a table the study's variables need; return
    the tables they need (ingest then requires exactly those)."""
    from nqp.ingest.requirements import check_exports as check

    return sorted(check(data, study_variables(study)))


def ingest(data: Path, warehouse: Path, *, quiet: bool, required: list[str] | None = None) -> tuple[str, list[str]]:
    from nqp.ingest.load import ingest as load

    rep = load(data, warehouse, progress=not quiet, required=required)
    text = f"{len(rep.tables)} tables loaded into {warehouse.name}"
    if rep.missing_optional:
        text += f"; optional tables absent: {', '.join(rep.missing_optional)}"
    return text, list(rep.warnings)


def text(reports: Path, warehouse: Path, out: Path, *, workers: int | None, quiet: bool,
         before_warehouse: Callable[[], None] | None = None, started: Any = None,
         stop: Any = None) -> tuple[str, list[str]]:
    from nqp.text.stage import text_stage

    rep = text_stage(reports, out, db=warehouse, workers=workers, quiet=quiet, before_warehouse=before_warehouse,
                     started=started, stop=stop)
    text = (f"{rep.reports:,} reports: {rep.ok:,} ok ({rep.without_section:,} without an MD&A heading), "
            f"{len(rep.problems):,} problems listed in {rep.problems_path.name}; processed in {rep.run.seconds:.1f} s")
    return text, list(rep.warnings)


def patents(folder: Path, warehouse: Path, out: Path, *, quiet: bool) -> tuple[str, list[str]]:
    from nqp.patents.stage import patents_stage

    rep = patents_stage(folder, out, db=warehouse, quiet=quiet)
    st = rep.status_counts
    text = (f"{rep.run.records:,} records; applicants matched {st.get('matched', 0):,}, ambiguous "
            f"{st.get('ambiguous', 0):,}, unmatched {st.get('unmatched', 0):,} (see {rep.report_path.name})")
    return text, list(rep.warnings)


SYNTHETIC_README = "README_SYNTHETIC.txt"
PROVENANCE_TABLE = "_provenance"
_SEED = re.compile(r"\bseed (\d+)")


def synthetic_origin(data: Path) -> tuple[bool, int | None]:
    """Whether an exports folder was written by ``nqp synth`` (its README says so), and its seed."""
    readme = data / SYNTHETIC_README
    if not readme.is_file():
        return False, None
    m = _SEED.search(readme.read_text(encoding="utf-8", errors="replace"))
    return True, int(m.group(1)) if m else None


def synth_file_hashes(data: Path) -> dict[str, str] | None:
    """sha256 of every file of an exports folder as ``nqp synth`` recorded them while writing it
    (its ``manifest.json``, itself hashed here), or None when it has no such record. Only for
    exports written by the same run (the demo's): a folder from elsewhere is hashed from disk."""
    import json

    from nqp.files import path_order
    from nqp.study.outputs import sha256_file

    path = data / "manifest.json"
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError):
        return None
    if not isinstance(files, list) or not all(isinstance(f, dict) and "path" in f and "sha256" in f for f in files):
        return None
    out = {str(f["path"]): str(f["sha256"]) for f in files}
    out["manifest.json"] = sha256_file(path)
    return dict(sorted(out.items(), key=lambda kv: path_order(kv[0])))  # the order of input_hashes


def mark_synthetic(warehouse: Path, seed: int | None) -> None:
    """Record in a warehouse built from synthetic exports that it is synthetic (``nqp run --db``
    on it then says so in every output)."""
    import pandas as pd

    from nqp.jobs.store import upsert_table

    upsert_table(warehouse, PROVENANCE_TABLE, pd.DataFrame({"key": ["synthetic", "seed"],
                                                             "value": ["true", "" if seed is None else str(seed)]}),
                 ["key"])


def warehouse_origin(warehouse: Path) -> tuple[bool, int | None]:
    from nqp.ingest.warehouse import open_warehouse, table_names

    con = open_warehouse(warehouse)
    try:
        if PROVENANCE_TABLE not in table_names(con, meta=True):
            return False, None
        rows = dict(con.execute(f"SELECT key, value FROM {PROVENANCE_TABLE}").fetchall())
    finally:
        con.close()
    seed = rows.get("seed") or None
    return rows.get("synthetic") == "true", int(seed) if seed else None
