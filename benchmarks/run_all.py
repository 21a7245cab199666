"""Run every benchmark in this folder (``make bench``); each prints its own figures and ratios.

Usage: python benchmarks/run_all.py [NAME ...]   (NAME matches bench_NAME.py)
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    files = sorted(HERE.glob("bench_*.py"))
    if argv:
        files = [f for f in files if f.stem.removeprefix("bench_") in argv]
    for f in files:
        print(f"\n=== {f.name} ===", flush=True)
        runpy.run_path(str(f), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
