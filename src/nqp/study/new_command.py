"""``nqp new-study FILE.toml [--from ai_nqp]``: start a study of one's own from a shipped one."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "new-study"
HELP = "Write a copy of a shipped study (default: the paper, ai_nqp) to edit as your own."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the new study file (.toml); it must not exist")
    parser.add_argument("--from", dest="source", default="ai_nqp", help="shipped study to copy (default ai_nqp)")


def run(args: argparse.Namespace) -> int:
    from nqp.atomic import atomic_write_text
    from nqp.errors import InputError
    from nqp.study.spec import STUDIES_DIR, load_study

    src = STUDIES_DIR / f"{args.source}.toml"
    if not src.is_file():
        shipped = sorted(p.stem for p in STUDIES_DIR.glob("*.toml"))
        raise InputError(f"no shipped study {args.source!r}; shipped: {', '.join(shipped)}", file=str(src.name))
    if args.file.exists():
        raise InputError("the file exists; choose another name", file=str(args.file))
    load_study(src)  # a shipped study is valid
    atomic_write_text(args.file, src.read_text(encoding="utf-8"))
    print(f"wrote {args.file}: edit it, then `nqp run {args.file} --data EXPORTS/ --out DIR` (docs/study.md)")
    return 0
