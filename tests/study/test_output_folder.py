"""OutputFolder: the new folder is in place at once, the old one goes without the run waiting."""

from __future__ import annotations

import time
from pathlib import Path

from nqp.study.outputs import OutputFolder


def _gone(paths: list[Path], seconds: float = 20.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not any(p.exists() for p in paths):
            return True
        time.sleep(0.05)
    return False


def test_force_replaces_the_folder_and_removes_the_old_one_detached(tmp_path):
    out = tmp_path / "demo"
    (out / "raw").mkdir(parents=True)
    for i in range(2000):
        (out / "raw" / f"{i}.txt").write_text("old")
    (out / "results.json").write_text("old")
    stale = tmp_path / ".demo.old-1"  # left by an earlier run whose remover was killed
    (stale / "raw").mkdir(parents=True)
    folder = OutputFolder(out, force=True)
    staging = folder.open()
    (staging / "results.json").write_text("new")
    assert folder.commit() == out
    assert (out / "results.json").read_text() == "new" and not (out / "raw").exists()
    assert not staging.exists()
    assert _gone(list(tmp_path.glob(".demo.old*"))), sorted(p.name for p in tmp_path.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_first_run_needs_no_removal(tmp_path):
    folder = OutputFolder(tmp_path / "out")
    (folder.open() / "a.txt").write_text("x")
    folder.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
