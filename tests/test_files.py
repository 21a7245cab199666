"""A folder's files (the reports folder scan, a run's manifest) are what ``sorted(rglob("*"))`` +
``is_file()`` lists: nested folders, hidden files, a symlink to a file kept, a symlinked folder
and a broken link not; ``skip_dirs`` leaves out folders of that name."""

import os
from pathlib import Path

from nqp.files import files_under


def _tree(root: Path) -> None:
    for rel in ("b/000002_2015.txt", "a/z/000001_2016.pdf", "a/000001_2015.txt", ".hidden/x.txt",
                "a-b/000003_2020.txt", "A/000004_2018.txt", "top.txt", "a/.dot.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x", encoding="utf-8")
    elsewhere = root.parent / f"{root.name}-elsewhere"
    (elsewhere / "deep").mkdir(parents=True)
    (elsewhere / "deep" / "000009_2019.txt").write_text("x", encoding="utf-8")
    os.symlink(elsewhere / "deep", root / "linked_folder")  # not entered, as rglob does not
    os.symlink(root / "top.txt", root / "b" / "link_to_file.txt")  # a file
    os.symlink(root / "missing.txt", root / "b" / "broken.txt")  # not a file


def test_same_files_in_the_same_order_as_rglob(tmp_path):
    root = tmp_path / "reports"
    _tree(root)
    expected = [p.relative_to(root).as_posix() for p in sorted(root.rglob("*")) if p.is_file()]
    assert files_under(root) == expected
    assert "b/link_to_file.txt" in expected and not any("000009" in p for p in expected)
    assert files_under(root, skip_dirs=frozenset({"a"})) == [p for p in expected if not p.startswith("a/")]
