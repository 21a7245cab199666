"""``nqp demo``: the shipped study on nqp's synthetic exports, through the same code as ``nqp run``.

``run_demo`` = :func:`nqp.synth.write_synthetic` into ``OUT/raw`` -> :func:`run_pipeline` on
``studies/ai_nqp.toml``; functions, never the command line calling itself.
"""

from __future__ import annotations

from pathlib import Path

from nqp.study.pipeline import SYNTHETIC_BANNER, PipelineResult, run_pipeline
from nqp.study.spec import load_study
from nqp.study.stages import StageLog

DEMO_STUDY = "ai_nqp"


def run_demo(out: Path, *, scale: float = 1.0, seed: int | None = None, force: bool = False,
             log: StageLog | None = None, workers: int | None = None, study: str | Path = DEMO_STUDY,
             report: bool = True) -> PipelineResult:
    """Write synthetic exports (``scale`` x 4,600 firms, ``seed``) and run the study on them."""
    from nqp.synth import write_synthetic
    from nqp.synth.generate import DEFAULT_SEED

    used_seed = DEFAULT_SEED if seed is None else int(seed)
    log = log or StageLog()
    spec = load_study(study)

    def synthesize(staging: Path, log: StageLog) -> Path:
        with log.stage("synth", f"synth: synthetic exports (scale {scale:g}, seed {used_seed})"):
            summary = write_synthetic(staging / "raw", scale=scale, seed=used_seed, progress=not log.quiet)
            log.info(f"  {summary}" if not hasattr(summary, "firms") else
                     f"  {summary.firms:,} firms written to raw/")
        return staging / "raw"

    log.info(f"[yellow]{SYNTHETIC_BANNER}[/yellow]")
    return run_pipeline(spec, Path(out), force=force, log=log, synthetic=True, seed=used_seed, workers=workers,
                        before=synthesize, report=report)
