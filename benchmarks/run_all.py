"""Run every benchmark in this folder (``make bench``); each prints its own figures and ratios.

Usage: python benchmarks/run_all.py [NAME ...] [--OPTION ...]
NAME matches bench_NAME.py (default: all); --OPTIONs are passed to every script
(e.g. --big: the 10-million-row econometrics case; scripts ignore options they do not know).
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")]
    options = [a for a in argv if a.startswith("--")]
    files = sorted(HERE.glob("bench_*.py"))
    if names:
        files = [f for f in files if f.stem.removeprefix("bench_") in names]
    sys.path.insert(0, str(HERE))
    for f in files:
        print(f"\n=== {f.name} ===", flush=True)
        sys.argv = [str(f), *options]
        runpy.run_path(str(f), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
