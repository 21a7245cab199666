"""``nqp ingest``: exit code 0 with a report on success, non-zero with the message on error."""

from __future__ import annotations

from ingest_exports import ROWS, write_csv

from nqp.cli import main


def _argv(data_dir, mapping_dir, tmp_path, *extra):
    return ["ingest", "--data", str(data_dir), "--db", str(tmp_path / "wh.duckdb"),
            "--mapping", str(mapping_dir), "--only-mapping", *extra]


def test_cli_success_prints_report(data_dir, mapping_dir, tmp_path, capsys):
    write_csv(data_dir / "FS_Test.csv")
    assert main(_argv(data_dir, mapping_dir, tmp_path)) == 0
    out = capsys.readouterr().out
    assert "fin" in out and "FS_Test" in out and "optional" in out
    assert (tmp_path / "wh.duckdb").exists()


def test_cli_quiet(data_dir, mapping_dir, tmp_path, capsys):
    write_csv(data_dir / "FS_Test.csv")
    assert main(_argv(data_dir, mapping_dir, tmp_path, "--quiet")) == 0
    assert capsys.readouterr().out == ""


def test_cli_error_exit_code_and_message(data_dir, mapping_dir, tmp_path, capsys):
    rows = [r[:] for r in ROWS]
    rows[2][3] = "1,2"
    write_csv(data_dir / "FS_Test.csv", rows)
    assert main(_argv(data_dir, mapping_dir, tmp_path, "--quiet")) != 0
    err = capsys.readouterr().err
    assert "nqp ingest: error:" in err and "FS_Test.csv" in err and "A001000000" in err and "line 6" in err
    assert not (tmp_path / "wh.duckdb").exists()
