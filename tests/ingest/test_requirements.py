"""Only what a study needs is required: tables per variable from the definitions, and one
error listing every missing export with the variables that need it."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from nqp.errors import ConfigError, MissingFileError
from nqp.ingest import ingest
from nqp.ingest.requirements import check_exports, required_tables

REAL = Path(__file__).parent.parent / "data" / "real"


def test_tables_of_variables_follow_their_definitions():
    assert required_tables(["Size"]) == {"balance_sheet": ["Size"]}          # ln(total_assets)
    assert required_tables(["Mshare"]) == {"management_shareholding": ["Mshare"]}
    assert required_tables(["lnAI"]) == {"patent_counts": ["lnAI"]}           # a document variable
    assert required_tables(["energy_consumption"]) == {"energy_use": ["energy_consumption"]}  # a {template}
    age = required_tables(["Age", "Size"])
    assert age["company_profile"] == ["Age"] and age["balance_sheet"] == ["Age", "Size"]
    nqp = required_tables(["NQP"])  # the index: through its indicators' definitions
    assert {"employee_structure", "rd_spending", "rd_expense_items", "text_measures"} <= set(nqp)
    with pytest.raises(ConfigError, match="did you mean Size"):
        required_tables(["Sise"])


def test_check_exports_lists_every_missing_table(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(REAL / "BDT_ManaGovAbil.csv", data)
    with pytest.raises(MissingFileError) as err:
        check_exports(data, ["Size", "Mshare", "INST", "lnAI"])
    msg = str(err.value)
    assert "lacks 4 export(s)" in msg
    assert "balance_sheet (FS_Combas" in msg and "for (every panel), Size" in msg
    assert "institutional_ownership (INI_HolderSystematics" in msg and "for INST" in msg
    assert "company_profile" in msg and "patents/" in msg and "management_shareholding" not in msg


def test_a_folder_with_some_tables_loads(tmp_path):
    """Optional tables missing: a warning each, and the rest loads."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(REAL / "BDT_ManaGovAbil.csv", data)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        rep = ingest(data, tmp_path / "w.duckdb", progress=False, required=["management_shareholding"])
    assert [t.table for t in rep.tables] == ["management_shareholding"]
    assert "balance_sheet" in rep.missing_optional and any("balance_sheet" in w for w in rep.warnings)
    with pytest.raises(MissingFileError, match="institutional_ownership"):
        ingest(data, tmp_path / "w2.duckdb", progress=False, required=["institutional_ownership"])
