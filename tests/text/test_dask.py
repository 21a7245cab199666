"""The same jobs on a real local Dask cluster (scheduler + 2 worker processes on loopback)
give the same rows as on one machine."""

import pandas as pd
import pytest

from nqp.cli import main

from patents.hand_records import EXPECTED, write  # tests/ is on sys.path (rootdir)
from .pdfs import make_pdf
from .report_pages import PAGES

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        yield c.scheduler_address


def test_text_and_patents_on_dask(cluster, tmp_path, capsys):
    d = tmp_path / "reports"
    d.mkdir()
    for k in range(6):
        make_pdf(d / f"{k + 1:06d}_2021.pdf", PAGES)
    (d / "000007_2021.pdf").write_bytes(b"%PDF-1.4 broken")
    local, remote = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    assert main(["text", "--reports", str(d), "--out", str(local), "--workers", "1", "--quiet"]) == 0
    assert main(["text", "--reports", str(d), "--out", str(remote), "--scheduler", cluster,
                 "--partition-size", "2", "--quiet"]) == 0
    a, b = pd.read_parquet(local), pd.read_parquet(remote)
    cols = [c for c in a.columns if c != "seconds"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert b["status"].tolist() == ["ok"] * 6 + ["failed"]

    p = write(tmp_path)
    out = tmp_path / "pat.parquet"
    assert main(["patents", "--patents", str(p), "--firms", str(p / "firm_names.csv"), "--out", str(out),
                 "--scheduler", cluster, "--partition-size", "3", "--quiet"]) == 0
    counts = pd.read_parquet(out)
    from nqp.patents.stage import COUNT_COLUMNS

    assert {(r.stkcd, r.year): tuple(getattr(r, c) for c in COUNT_COLUMNS) for r in counts.itertuples()} == EXPECTED
