"""nqp.synth — the embedded synthetic data set: raw exports in the shape of CSMAR (国泰安),
IncoPat and CNINFO annual reports, drawn from a documented data-generating process
(docs/synthetic-data.md). Everything it writes is SYNTHETIC."""

from nqp.synth.generate import DEFAULT_SEED, SynthSummary, write_synthetic

__all__ = ["DEFAULT_SEED", "SynthSummary", "write_synthetic"]
