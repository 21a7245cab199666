"""Listing the files of a folder tree, in a fixed order: the reports folder of the text stage,
a run's inputs and outputs for its manifest."""

from __future__ import annotations

import os
from pathlib import Path


def path_order(relative: str) -> tuple[str, ...]:
    """The sort key of a relative POSIX path that orders paths as ``sorted(Path(...))`` does
    (part by part, case-blind where the OS is), computed once per path instead of in every
    comparison of Path objects."""
    return tuple(os.path.normcase(part) for part in relative.split("/"))


def files_under(folder: Path, *, skip_dirs: frozenset[str] = frozenset()) -> list[str]:
    """Every file under ``folder`` as a relative POSIX path, in :func:`path_order`: the files
    ``folder.rglob("*")`` filtered by ``is_file()`` lists (symlinked folders not entered, a
    symlink to a file kept, a broken link and an unreadable folder passed over); folders named in
    ``skip_dirs`` (at any depth) are not entered. One ``os.scandir`` per folder, whose entries
    already know their type: no Path object and no stat per file."""
    found: list[str] = []
    stack = [(str(folder), "")]
    while stack:
        where, prefix = stack.pop()
        try:
            with os.scandir(where) as it:
                entries = list(it)
        except PermissionError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if e.name not in skip_dirs:
                    stack.append((e.path, prefix + e.name + "/"))
            elif e.is_file():  # follows a symlink, as Path.is_file does
                found.append(prefix + e.name)
    return sorted(found, key=path_order)
