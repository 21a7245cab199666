"""Indicator systems shipped with nqp, as TOML (see ``docs/index.md``): ``nqp_paper.toml``."""
