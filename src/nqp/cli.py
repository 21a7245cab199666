"""The ``nqp`` command. Thin: each sub-command lives in its part's ``command`` module.

A command module exposes ``NAME`` (the sub-command), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from types import ModuleType

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


def _available_commands() -> list[ModuleType]:
    mods = []
    for name in COMMAND_MODULES:
        try:
            mods.append(import_module(name))
        except ModuleNotFoundError as exc:  # a part not built yet
            if exc.name != name:
                raise
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nqp",
        description="Enterprise new quality productive forces (企业新质生产力) and AI innovation: "
                    "from raw CSMAR-style exports, patents and annual reports to the study's tables.",
        epilog="Start with `nqp demo` (the whole study on the synthetic data set).")
    parser.add_argument("--version", action="version", version=f"nqp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _available_commands():
        names = mod.NAME if isinstance(mod.NAME, (list, tuple)) else [mod.NAME]
        for name in names:
            p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
            mod.add_arguments(p)
            p.set_defaults(_run=mod.run, _name=name)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
        print(f"nqp {args._name}: interrupted; outputs already in place are unchanged", file=sys.stderr)
        return 130
    except OSError as exc:  # a read-only folder, a full disk, a file that vanished
        where = f" [file={exc.filename!r}]" if exc.filename else ""
        print(f"nqp {args._name}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
