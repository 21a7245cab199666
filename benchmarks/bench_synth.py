"""Speed of ``nqp synth`` (no external peer exists for this step).

Prints the median wall time of ``write_synthetic`` at scale 0.2 (3 runs) and 1.0 (1 run),
split into the part that draws and formats data and the part that writes ~38,000 report
files (file-system bound). Target from the issue: scale 1 in under 30 s on the 2-core box.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import median_seconds  # noqa: E402

from nqp.synth import write_synthetic  # noqa: E402
from nqp.synth import generate  # noqa: E402


def run(scale: float, repeat: int) -> float:
    def once() -> None:
        d = Path(tempfile.mkdtemp(prefix="nqp-bench-synth-"))
        try:
            write_synthetic(d / "out", scale=scale, progress=False)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    return median_seconds(once, repeat)


def main() -> None:
    for scale, repeat in ((0.2, 3), (1.0, 1)):
        spent = {"reports": 0.0}
        orig = generate._write_reports

        def timed(*a, _orig=orig, _spent=spent):
            t0 = time.perf_counter()
            _orig(*a)
            _spent["reports"] += time.perf_counter() - t0

        generate._write_reports = timed
        try:
            t = run(scale, repeat)
        finally:
            generate._write_reports = orig
        print(f"nqp synth --scale {scale:g}: median {t:6.2f} s wall over {repeat} run(s); "
              f"writing report files {spent['reports'] / repeat:5.2f} s of it")


if __name__ == "__main__":
    main()
