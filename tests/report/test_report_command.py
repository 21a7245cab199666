"""``nqp report``: the command module (registered in nqp.cli by the lead) parses its flags and
writes the report; a bad label file is a one-line error, not a traceback."""

from __future__ import annotations

import argparse

from nqp.errors import ConfigError
from nqp.report import command


def _args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    command.add_arguments(p)
    return p.parse_args(argv)


def test_report_command_writes_english_tables(results_path, tmp_path, capsys):
    code = command.run(_args(str(results_path), "--out", str(tmp_path), "--lang", "en", "--formats", "md,docx",
                             "--tstat"))
    assert code == 0 and "files in" in capsys.readouterr().out
    md = (tmp_path / "tables" / "table3.md").read_text(encoding="utf-8")
    assert "t statistics in parentheses" in md and (tmp_path / "report.html").is_file()
    assert not list((tmp_path / "tables").glob("*.xlsx"))


def test_report_command_bad_label_file(results_path, tmp_path):
    bad = tmp_path / "l.toml"
    bad.write_text('nope = "x"\n', encoding="utf-8")
    try:
        command.run(_args(str(results_path), "--out", str(tmp_path / "o"), "--labels", str(bad)))
    except ConfigError as e:
        assert "nope" in str(e)
    else:
        raise AssertionError("no error")
