"""Shipped panel definitions (data files: base.sql, variables.toml, groups.toml)."""
