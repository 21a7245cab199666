"""The ``nqp`` command. Thin: each sub-command lives in its part's ``command`` module.

A command module exposes ``NAME`` (the sub-command), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. ``NAME`` and ``HELP`` are literals: the
command list and ``nqp --help`` read them from the module's source, and only the module of the
command being run is imported (importing all of them cost seconds before any work began).
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from nqp import __version__
from nqp.errors import NqpError

# Sub-command modules, in the order of the data flow.
COMMAND_MODULES = (
    "nqp.synth.command",
    "nqp.ingest.command",
    "nqp.text.command",
    "nqp.patents.command",
    "nqp.panel.command",
    "nqp.study.command",
    "nqp.study.demo_command",
    "nqp.study.new_command",
    "nqp.report.command",
)


@dataclass(frozen=True)
class _Command:
    """A command module's ``NAME``s and ``HELP``, read from its source without importing it."""

    module: str
    names: tuple[str, ...]
    help: str


def _literal_constants(source: str, wanted: tuple[str, ...]) -> dict[str, object]:
    """The values of module-level ``NAME = <literal>`` assignments in ``source``."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and node.targets[0].id in wanted:
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def _available_commands() -> list[_Command]:
    root = Path(__file__).resolve().parent
    commands = []
    for module in COMMAND_MODULES:
        path = root.joinpath(*module.split(".")[1:]).with_suffix(".py")
        if not path.is_file():  # a part not built yet
            continue
        consts = _literal_constants(path.read_text(encoding="utf-8"), ("NAME", "HELP"))
        name = consts["NAME"]
        names = tuple(name) if isinstance(name, (list, tuple)) else (str(name),)
        commands.append(_Command(module, names, str(consts["HELP"])))
    return commands


def _chosen(argv: list[str]) -> str | None:
    """The sub-command named on the command line (the first word that is not an option)."""
    return next((a for a in argv if not a.startswith("-")), None)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The ``nqp`` parser; only the command named in ``argv`` gets its arguments (and its
    module imported); every command is listed with its help line."""
    chosen = _chosen(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="nqp",
        description="Enterprise new quality productive forces (企业新质生产力) and AI innovation: "
                    "from raw CSMAR-style exports, patents and annual reports to the study's tables.",
        epilog="Start with `nqp demo` (the whole study on the synthetic data set).")
    parser.add_argument("--version", action="version", version=f"nqp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in _available_commands():
        for name in cmd.names:
            p = sub.add_parser(name, help=cmd.help, description=cmd.help)
            if name == chosen:
                mod = import_module(cmd.module)
                mod.add_arguments(p)
                p.set_defaults(_run=mod.run, _name=name)
    return parser


def _single_threaded_blas() -> None:
    """One OpenBLAS/MKL thread unless the user set their own: nqp's matrix products are small
    and it runs its own worker processes, where BLAS threads only compete for the cores
    (25-55% slower on the 2-core machine of docs/benchmarks.md). Takes effect only before
    numpy is imported, so it is the first thing :func:`main` does."""
    import os

    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def _fewer_collections() -> None:
    """Run Python's cyclic garbage collector less often: a young collection every 10,000 new
    containers instead of 700, an older one every 20 instead of 10. nqp's stages make few
    reference cycles, yet their many short-lived containers (rows, records, formula terms)
    triggered ~1,400 collections in a scale-1 demo, each walking the live objects: 1.4-1.5 s of
    the main process's CPU, 0.64 s with these thresholds (gc callbacks; peak memory 1.48 ->
    1.39-1.43 GB, docs/benchmarks.md). Worker processes forked from this one inherit it."""
    import gc

    gc.set_threshold(10_000, 20, 20)


def main(argv: list[str] | None = None) -> int:
    _single_threaded_blas()
    _fewer_collections()
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except NqpError as exc:
        print(f"nqp {args._name}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return _interrupted(args._name)
    except Exception as exc:
        # Ctrl-C inside a DuckDB query comes back as DuckDB's exception, not KeyboardInterrupt
        if type(exc).__name__ == "InterruptException" or (isinstance(exc, RuntimeError)
                                                          and str(exc) == "Query interrupted"):
            return _interrupted(args._name)
        if isinstance(exc, OSError):
            return _os_error(args._name, exc)
        raise


def _interrupted(command: str) -> int:
    pool = sys.modules.get("nqp.jobs.pool")
    if pool is not None:  # report workers driven by a thread that will not get to stop them
        pool.kill_workers()
    print(f"nqp {command}: interrupted; outputs already in place are unchanged", file=sys.stderr)
    return 130


def _os_error(command: str, exc: OSError) -> int:
    """A read-only folder, a full disk, a file that vanished: one line, no traceback."""
    where = f" [file={exc.filename!r}]" if exc.filename else ""
    print(f"nqp {command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
    return 1


def run() -> None:
    """The ``nqp`` command: :func:`main`, then the process ends without tearing the interpreter
    down. Every output is written, closed and moved into place before ``main`` returns, so all
    that the normal exit would add is freeing each object and module one by one: about 1 s
    after a scale-1 demo (0.6 s of it for the imported modules: scipy, pandas, matplotlib,
    numba), a second of a 60 s goal. Only after a run that succeeded with no child process left:
    otherwise the normal exit's handlers stop the children and free what they shared. Tests call
    :func:`main`, which returns."""
    import atexit

    interrupted: list[int] = []
    atexit.register(_end_interrupted, interrupted)  # registered first: the last exit handler to run
    code = main()
    import multiprocessing

    if code != 0 or multiprocessing.active_children():
        if code == 130:
            interrupted.append(code)
        sys.exit(code)
    _flush()
    os._exit(code)


def _end_interrupted(interrupted: list[int]) -> None:
    """After a Ctrl-C that :func:`main` handled (status 130), end the process with that status
    once every other exit handler has run (multiprocessing's among them). CPython (3.11) ends a
    process by re-sending itself SIGINT after finalization when it has marked a KeyboardInterrupt
    as unhandled, and Python code evaluated through the C API (``PyRun_*``) marks one that
    passes through it even when it is caught later: a Ctrl-C during ingest then ended as
    "killed by SIGINT" (status -2 to the caller, strace: SIGINT reset to SIG_DFL, then
    ``kill(self, SIGINT)``) instead of 130, in about one run in eight."""
    if interrupted:
        _flush()
        os._exit(interrupted[0])


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``nqp ... | head``) or a closed stream
            pass


if __name__ == "__main__":  # pragma: no cover
    run()
