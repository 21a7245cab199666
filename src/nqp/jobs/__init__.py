"""nqp.jobs: running the document stages (text, patents) on local processes or a Dask cluster,
with per-item limits, checkpoints and progress. Shared by ``nqp.text`` and ``nqp.patents``."""
