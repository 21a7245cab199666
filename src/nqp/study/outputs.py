"""The output folder of a run: staged, then put in place whole (nothing half-overwritten).

:class:`OutputFolder` refuses an existing folder unless ``force``; the run writes into a
sibling staging folder (``.DIR.partial``) and :meth:`OutputFolder.commit` moves it into place at
the end, so an interrupted or failed run leaves the previous results untouched. A stale staging
folder of an interrupted run is removed at the next start.

:func:`manifest` states how the run was made: nqp and dependency versions, Python and platform,
the command line, the study file and its hash, the seed, the input files' hashes, the stage
timings and every warning. Timings live here and in ``run.log``, never in a data file.
"""

from __future__ import annotations

import glob
import hashlib
import os
import platform
import shutil
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from nqp import __version__
from nqp.errors import InputError
from nqp.files import files_under

DEPENDENCIES = ("numpy", "scipy", "pandas", "pyarrow", "duckdb", "statsmodels", "rich", "openpyxl", "pypdfium2",
                "pyahocorasick", "jieba", "dask", "matplotlib", "python-docx", "python-calamine")


class OutputFolderError(InputError):
    """The output folder exists (and ``--force`` was not given) or cannot be written."""


class OutputFolder:
    """``DIR`` for a run's outputs, written through a staging folder."""

    def __init__(self, final: str | Path, *, force: bool = False) -> None:
        self.final = Path(final)
        self.force = force
        self.staging = self.final.parent / f".{self.final.name}.partial"

    def open(self) -> Path:
        """Check the folder can be used and create the staging folder (before any work)."""
        if self.final.exists() and not self.force:
            raise OutputFolderError("the output folder exists; give --force to replace it (its content is "
                                    "replaced only when the new run has finished)", file=str(self.final))
        if self.final.exists() and not self.final.is_dir():
            raise OutputFolderError("the output path exists and is not a folder", file=str(self.final))
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            if self.staging.exists():
                shutil.rmtree(self.staging)
            self.staging.mkdir()
            probe = self.staging / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise OutputFolderError(f"cannot write the output folder: {exc.strerror or exc}",
                                    file=str(self.final)) from None
        return self.staging

    def commit(self) -> Path:
        """Put the finished staging folder in place of ``DIR``. The old one is moved aside first
        (``.DIR.old-PID``) and removed last, by a detached process: a demo's folder holds ~39,000
        files, whose removal took ~4 s the run would otherwise wait for. Old folders that an
        earlier run's remover left (killed meanwhile) go with it."""
        old = None
        if self.final.exists():
            old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
            os.replace(self.final, old)
        os.replace(self.staging, self.final)
        name = glob.escape(self.final.name)
        stale = sorted({*self.final.parent.glob(f".{name}.old-*"), *self.final.parent.glob(f".{name}.old")})
        if stale:
            remove_detached(stale)
        return self.final

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def remove_detached(paths: list[Path]) -> None:
    """Remove the folders ``paths`` from a detached process (double fork, own session: neither
    waited for nor reached by a Ctrl-C meant for this one); where processes cannot be forked,
    here and now."""
    try:
        child = os.fork() if hasattr(os, "fork") else None
    except OSError:
        child = None
    if child is None:
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)
        return
    if child == 0:
        try:
            if os.fork() == 0:
                os.setsid()
                for path in paths:
                    shutil.rmtree(path, ignore_errors=True)
        finally:
            os._exit(0)
    os.waitpid(child, 0)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def input_hashes(folder: Path | None) -> dict[str, str]:
    """sha256 of every file under ``folder`` (relative POSIX paths, sorted)."""
    if folder is None or not folder.exists():
        return {}
    if folder.is_file():
        return {folder.name: sha256_file(folder)}
    return {rel: sha256_file(folder / rel) for rel in files_under(folder)}


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"nqp": __version__}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def manifest(*, study: Any, seed: int | None, synthetic: bool, inputs: dict[str, str], seconds: dict[str, float],
             warnings: list, outputs: dict[str, str], argv: list[str] | None = None,
             settings: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "nqp_version": __version__, "versions": versions(),
        "python": sys.version.split()[0], "platform": platform.platform(),
        "command": list(sys.argv if argv is None else argv),
        "study": {"name": study.name, "file": study.path.name, "sha256": study.sha256},
        "seed": seed, "synthetic": synthetic, "settings": settings or {},
        "inputs": inputs, "seconds": seconds,
        "warnings": [w.to_dict() for w in warnings], "outputs": outputs,
    }
