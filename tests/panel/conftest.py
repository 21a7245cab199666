import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import handmade  # noqa: E402


@pytest.fixture(scope="module")
def hand_warehouse(tmp_path_factory):
    tables = handmade.statements()
    tables["patent_counts"] = handmade.patent_counts()
    return handmade.write_warehouse(tmp_path_factory.mktemp("wh") / "hand.duckdb", tables)
